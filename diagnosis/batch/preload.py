"""What every report of a batch reads, read once before the reports start."""

from __future__ import annotations

import pyarrow

from diagnosis.indicators import comuni_table
from diagnosis.indicators.compute import benchmark_values, counts_for, indicator_values
from diagnosis.indicators.peers import select_peers
from diagnosis.tables import commuting, editions, measures
from diagnosis.territory import boundaries, registry
from diagnosis.territory.model import Territorio, parents


def preload(year: int, territory: Territorio) -> None:
    """Read once what every report reads: the registry, every measure of every year (the income
    series reads all tax years) with the lookup of its comuni, the boundaries in the maps'
    projection and their spatial index (every map finds the comuni around its territory), the
    commuting matrix when one is held, Italy as a benchmark (on the dates of the first
    territory's figures, those every comune uses), what peers are chosen among, and the values
    of every comune when a batch saved them (``indicators.comuni_table``). A local batch does it
    in the parent, whose workers are forked after it and start with it in memory; each Dask
    worker does it before its first report."""
    registry.comuni()
    for measure in sorted({e.misura for e in editions.editions()}):
        for measure_year in measures.years(measure):
            resolved = measures.resolve(measure, measure_year)
            if resolved is not None:
                resolved.table.positions  # built here once, not again in every worker
    boundaries.map_geometries().sindex  # as above
    for dataset in (commuting.DATASET, commuting.WORK_DATASET):
        if commuting.available(dataset):
            # Summing a national matrix takes a minute and gigabytes the first time: once here,
            # not in every worker at its first report.
            commuting.matrix(dataset)
    _benchmarks(year, territory)
    comuni_table.saved(year)  # every comune's values, when an earlier batch saved them
    # The parquet reader keeps the memory it used for its own later reads: handed back now,
    # it is not carried into every worker.
    pyarrow.default_memory_pool().release_unused()


def _benchmarks(year: int, territory: Territorio) -> None:
    """The benchmarks of the first territory, Italy among them, and the arrays every report's
    peers are chosen from. Not the territory's ranks among its province's comuni and peers:
    its own report computes them, beside the other workers, or the batch shares them."""
    counts = counts_for(territory, year)
    for parent in parents(territory):
        benchmark_values(parent, year, counts)
    select_peers(territory, indicator_values(territory, year), year)
