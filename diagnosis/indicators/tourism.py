"""Tourist accommodation against the resident population.

*Posti letto per 1.000 abitanti* (tourist function index) = beds in accommodation
establishments / residents on 1 January of the same year × 1,000: how many guests a
territory can host for every thousand people who live there. Both counts are summed over
the comuni before dividing, for the territory and for each benchmark alike.
"""

from __future__ import annotations

from diagnosis.indicators.base import ratio
from diagnosis.tables.measures import resolve

PER_THOUSAND = 1000.0
POPULATION = "popolazione"
TOTAL_COLUMN = "T"


def residents(comuni, year: int) -> tuple[float | None, tuple[str, ...]]:
    """Residents of ``comuni`` on 1 January of ``year`` and the comuni without a figure
    (None when no population of that year is held)."""
    resolved = resolve(POPULATION, year)
    if resolved is None:
        return None, tuple(comuni)
    summed = resolved.sum_for(comuni)
    return summed.get(TOTAL_COLUMN), summed.mancanti


def beds_per_thousand(beds: float | None, population: float | None) -> float | None:
    return ratio(beds, population, PER_THOUSAND)
