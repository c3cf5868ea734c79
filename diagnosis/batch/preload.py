"""What every report of a batch reads, read once before the reports start."""

from __future__ import annotations

from diagnosis.indicators.compute import compute_indicators
from diagnosis.tables import editions, measures
from diagnosis.territory import boundaries, registry
from diagnosis.territory.model import Territorio


def preload(year: int, territory: Territorio) -> None:
    """Read once what every report reads: the registry, every measure of every year (the income
    series reads all tax years), the boundaries, and Italy as a benchmark (the first
    territory's indicators compute it on the dates every comune uses). A local batch does it
    in the parent, whose workers are forked after it and start with it in memory; each Dask
    worker does it before its first report."""
    registry.comuni()
    for measure in sorted({e.misura for e in editions.editions()}):
        for measure_year in measures.years(measure):
            measures.resolve(measure, measure_year)
    boundaries.geometries()
    compute_indicators(territory, year)
