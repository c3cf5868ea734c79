"""Rates per 1,000 inhabitants from the demographic balance of the year (ISTAT P2).

Rates use the mean population of the year, (1 January + 31 December) / 2, as ISTAT does.
The migratory rate is the change not explained by births and deaths, so it also counts
registry corrections ("altri motivi") and boundary changes; the definition says so.
"""

from __future__ import annotations

from diagnosis.indicators.base import Indicator, ratio, register

P2 = ("p2",)


def _rate(events_of):
    def formula(c):
        if c.bilancio is None:
            return None
        return ratio(events_of(c.bilancio), c.bilancio.popolazione_media, 1000.0)

    return formula


def _migratory(b) -> float:
    return b.popolazione_fine - b.popolazione_inizio - (b.nati - b.morti)


BALANCE_INDICATORS = [
    register(Indicator(
        "tasso_natalita", "Tasso di natalità", "Nati vivi nell'anno per 1.000 abitanti (popolazione media).",
        "per 1.000", "positivo", P2, _rate(lambda b: b.nati))),
    register(Indicator(
        "tasso_mortalita", "Tasso di mortalità", "Morti nell'anno per 1.000 abitanti (popolazione media).",
        "per 1.000", "negativo", P2, _rate(lambda b: b.morti))),
    register(Indicator(
        "tasso_crescita_naturale", "Tasso di crescita naturale",
        "Nati meno morti nell'anno per 1.000 abitanti (popolazione media).",
        "per 1.000", "positivo", P2, _rate(lambda b: b.nati - b.morti))),
    register(Indicator(
        "tasso_migratorio_totale", "Tasso migratorio totale",
        "Variazione della popolazione non dovuta a nascite e morti (trasferimenti di residenza da e per altri "
        "comuni e l'estero, rettifiche anagrafiche) per 1.000 abitanti (popolazione media).",
        "per 1.000", "positivo", P2, _rate(_migratory))),
]
