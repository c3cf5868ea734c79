"""Population comune by comune: totals on 1 January and the age structure.

Views over ``measures`` for code that works per comune (projections, peers, maps); a
territory's figures are sums made by ``indicators.counts``.
"""

from __future__ import annotations

import numpy as np

from diagnosis.statuses import least_final
from diagnosis.tables import measures

AGES = 101


def totals_by_comune(year: int, codes=None) -> dict[str, float]:
    """Residents on 1 January ``year`` per today's comune (those with a figure only)."""
    resolved = measures.resolve("popolazione", year)
    if resolved is None:
        return {}
    if codes is None:
        values = resolved.table.column("T")
        return {code: float(v) for code, v in zip(resolved.table.codes, values) if not np.isnan(v)}
    column = resolved.table.columns.index("T")
    found = {}
    for code in codes:
        row = resolved.values_of(code)
        if row is not None and not np.isnan(row[column]):
            found[code] = float(row[column])
    return found


def age_years() -> list[int]:
    """Years with population by single year of age."""
    return measures.years("popolazione_eta")


def ages_by_comune(codes, year: int) -> np.ndarray:
    """``(len(codes), 2, 101)`` counts by sex and age on 1 January ``year``; NaN for a comune without."""
    resolved = measures.resolve("popolazione_eta", year)
    out = np.full((len(codes), 2, AGES), np.nan)
    if resolved is None:
        return out
    for i, code in enumerate(codes):
        row = resolved.values_of(code)
        if row is not None:
            out[i] = row.reshape(2, AGES)
    return out


def age_status(year: int) -> str | None:
    """The least final status of the age table of ``year`` over every comune."""
    resolved = measures.resolve("popolazione_eta", year)
    if resolved is None:
        return None
    return least_final(e.stato for e in resolved.edizioni)
