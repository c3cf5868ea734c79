"""The figures of a fotografia as the layers below the public API compute them: what the
API's tables and the charts are checked against."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from diagnosis.errors import DatiNonDisponibili
from diagnosis.indicators import INDICATORS, compute_indicators
from diagnosis.indicators.comparison import EXTENSIVE_UNITS, closest_benchmark
from diagnosis.indicators.compute import benchmark_values, counts_for
from diagnosis.indicators.counts import TerritoryCounts
from diagnosis.models.territory_projection import projectable, territory_projection
from diagnosis.tables import measures, population
from diagnosis.tables.population_series import total_series
from diagnosis.territory import resolve_territory
from diagnosis.territory.model import Territorio, parents
from diagnosis.viz.charts import INDEX_BASE, benchmark_index


@dataclass
class ReportFigures:
    territory: Territorio
    year: int

    @classmethod
    def of(cls, argument: str, year: int | None = None) -> "ReportFigures":
        return cls(resolve_territory(argument), measures.check_year(year))

    @cached_property
    def result(self) -> dict:
        return compute_indicators(self.territory, self.year)

    @cached_property
    def counts(self) -> TerritoryCounts:
        return counts_for(self.territory, self.year)

    @cached_property
    def benchmark(self) -> Territorio | None:
        return closest_benchmark(parents(self.territory))

    @cached_property
    def benchmark_counts(self) -> TerritoryCounts | None:
        return benchmark_values(self.benchmark, self.year, self.counts)[1] if self.benchmark else None

    @cached_property
    def projection(self) -> dict:
        try:
            return territory_projection(self.territory, horizon=5, base_year=self.year)
        except DatiNonDisponibili as error:
            return {"nota": str(error)}

    def provinces_comuni(self) -> list[str]:
        """The comuni of the territory's provinces: those its map draws in grey."""
        return [code for parent in parents(self.territory) if parent.livello == "provincia" for code in parent.comuni]

    def populations(self) -> dict[str, int]:
        found = population.totals_by_comune(self.year, self.territory.comuni)
        return {code: int(value) for code, value in found.items()}

    def observed_population(self) -> dict[int, int]:
        codes, _missing = projectable(self.territory)
        series = total_series(codes)
        return {int(year): int(value) for year, value in zip(series["anno"], series["popolazione"])}


def age_table(counts: TerritoryCounts) -> pd.DataFrame:
    """The age structure of ``counts`` as the tidy table ``viz.piramide`` reads."""
    ages = np.arange(len(counts.maschi))
    return pd.concat([pd.DataFrame({"eta": ages, "sesso": "maschi", "valore": counts.maschi}),
                      pd.DataFrame({"eta": ages, "sesso": "femmine", "valore": counts.femmine})],
                     ignore_index=True)


def indicator_table(result: dict, benchmark: Territorio, most: int = 18) -> pd.DataFrame:
    """The intensive indicators with a benchmark value, furthest from it first, as the
    fotografia's comparison chart selects them (counts, totals and shares in per cent left out)."""
    rows = [{"indicatore": INDICATORS[key].etichetta, "valore": entry["valore"], "riferimento": reference,
             "giudizio": entry.get("giudizio", "neutro")}
            for key, entry in result["indicatori"].items()
            if entry["valore"] is not None and (reference := entry["confronti"].get(benchmark.id))
            and entry["unita"] not in EXTENSIVE_UNITS and entry["unita"] != "%"]
    table = pd.DataFrame(rows, columns=["indicatore", "valore", "riferimento", "giudizio"])
    distance = (benchmark_index(table["valore"], table["riferimento"]) - INDEX_BASE).abs()
    return table.loc[distance.sort_values(ascending=False, kind="stable").index].head(most).reset_index(drop=True)
