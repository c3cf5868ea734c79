"""Foreign residents and households of a territory on 1 January, summed over its comuni.

Foreign residents come from SDMX 29_316 (FJAN), the P3 balance (1 January and 31 December)
and STRASA; households and the people living in them from SDMX 22_315. Each date takes
the most final edition held; the sums name the comuni a date lacks.
"""

from __future__ import annotations

from dataclasses import dataclass

from diagnosis.tables import measures


@dataclass(frozen=True)
class ResidentTotals:
    anno: int
    valori: dict[str, float | None]
    comuni_coperti: int
    fonte: str
    vintage: str
    stato: str
    mancanti: tuple[str, ...] = ()
    ricostruiti: tuple[str, ...] = ()
    edizioni: tuple = ()  # the published tables summed (tables.editions.Edition)


def _totals(measure: str, comuni, year: int, names: dict[str, str]) -> ResidentTotals | None:
    found = measures.gather(measure, year, comuni)
    if found is None:
        return None
    summed = found.summed
    return ResidentTotals(
        anno=year, valori={name: summed.get(column) for name, column in names.items()},
        comuni_coperti=summed.comuni, fonte=summed.fonte, vintage=summed.vintage, stato=summed.stato,
        mancanti=summed.mancanti, ricostruiti=summed.ricostruiti, edizioni=summed.edizioni,
    )


def foreigners(comuni, year: int) -> ResidentTotals | None:
    """Foreign residents on 1 January ``year`` summed over ``comuni``."""
    return _totals("stranieri", comuni, year, {"stranieri": "T"})


def households(comuni, year: int) -> ResidentTotals | None:
    """Households and people in households on 1 January ``year`` (31 December of year-1)."""
    return _totals("famiglie", comuni, year, {"famiglie": "famiglie", "popolazione_in_famiglia": "popolazione_in_famiglia"})


def latest_year(measure: str, not_after: int) -> int | None:
    return measures.latest_year(measure, not_after)
