"""Every indicator, in the order reports list them, gathered from the modules that define them.

Each theme's module defines its indicators as a list; this is the one place that says
which themes exist and in which order they appear. Adding a theme is adding its list here.
"""

from __future__ import annotations

from diagnosis.indicators import balance, business, commerce, demography, income, presences, residents
from diagnosis.indicators.base import Indicator

THEMES = (
    demography.DEMOGRAPHIC_INDICATORS,
    balance.BALANCE_INDICATORS,
    income.INCOME_INDICATORS,
    residents.RESIDENT_INDICATORS,
    commerce.COMMERCE_INDICATORS,
    business.BUSINESS_INDICATORS,
    presences.PRESENCE_INDICATORS,
)


def _gathered(themes) -> dict[str, Indicator]:
    catalogue: dict[str, Indicator] = {}
    for theme in themes:
        for indicator in theme:
            if indicator.id in catalogue:
                raise ValueError(f"indicatore {indicator.id} definito due volte")
            catalogue[indicator.id] = indicator
    return catalogue


INDICATORS = _gathered(THEMES)
