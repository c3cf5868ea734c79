"""Everything a fotografia shows, computed once for the notebook to display."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from diagnosis.indicators import compute_indicators
from diagnosis.indicators.comparison import closest_benchmark
from diagnosis.indicators.counts import TerritoryCounts, territory_counts
from diagnosis.tables import population
from diagnosis.territory import resolve_territory
from diagnosis.territory.model import Territorio, parents


@dataclass
class FotografiaContext:
    territory: Territorio
    year: int

    @classmethod
    def for_argument(cls, territory_argument: str, year: int | None = None) -> "FotografiaContext":
        territory = resolve_territory(territory_argument)
        chosen = population.latest_year() if year is None else population.check_year(year)
        return cls(territory, chosen)

    @cached_property
    def result(self) -> dict:
        return compute_indicators(self.territory, self.year)

    @cached_property
    def counts(self) -> TerritoryCounts:
        return territory_counts(self.territory, self.year)

    @cached_property
    def benchmark(self) -> Territorio | None:
        """The closest single parent: the province, or the region when provinces are several."""
        return closest_benchmark(parents(self.territory))

    @cached_property
    def benchmark_counts(self) -> TerritoryCounts | None:
        return territory_counts(self.benchmark, self.year) if self.benchmark else None

    @cached_property
    def map_context(self) -> Territorio | None:
        """The comuni drawn in grey around the territory: its provinces, or the region of a province."""
        touched = [p for p in parents(self.territory) if p.livello == "provincia"] or [
            p for p in parents(self.territory) if p.livello == "regione"
        ]
        if not touched:
            return None
        comuni = tuple(code for parent in touched for code in parent.comuni)
        return Territorio(id="contesto", nome=" e ".join(p.nome for p in touched), livello="contesto", comuni=comuni)

    def populations(self) -> dict[str, int]:
        cube = population.cube(self.year)
        return {code: int(cube.total_for([code]).sum()) for code in cube.covered(self.territory.comuni)}

    @cached_property
    def projection(self) -> dict:
        from diagnosis.models.territory import territory_projection

        return territory_projection(self.territory, horizon=5)

    def observed_population(self) -> dict[int, int]:
        """The territory's population in every year held, over the comuni projected."""
        from diagnosis.models.territory import projectable

        codes, _missing = projectable(self.territory)
        return {year: int(population.cube(year).total_for(codes).sum()) for year in population.available_years()}
