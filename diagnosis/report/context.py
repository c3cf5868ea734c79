"""Everything a fotografia shows, computed once for the notebook to display."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from diagnosis.errors import DatiNonDisponibili
from diagnosis.indicators import INDICATORS, compute_indicators, indicator_values
from diagnosis.indicators.comparison import closest_benchmark
from diagnosis.indicators.compute import benchmark_values, counts_for
from diagnosis.indicators.counts import TerritoryCounts
from diagnosis.models.survey.population import population_frame
from diagnosis.models.territory_projection import projectable, territory_projection
from diagnosis.report.commerce import commerce_blocks
from diagnosis.report.survey import survey_section
from diagnosis.report.survey_page import stored_survey
from diagnosis.sources.survey.importer import read_survey
from diagnosis.tables import income, measures, population
from diagnosis.tables.population_series import total_series
from diagnosis.territory import resolve_territory
from diagnosis.territory.model import Territorio, comune_territory, parents
from diagnosis.viz.income import income_trend
from diagnosis.viz.maps import choropleth


@dataclass
class FotografiaContext:
    territory: Territorio
    year: int

    @classmethod
    def for_argument(cls, territory_argument: str, year: int | None = None) -> "FotografiaContext":
        territory = resolve_territory(territory_argument)
        return cls(territory, measures.check_year(year))

    @cached_property
    def result(self) -> dict:
        return compute_indicators(self.territory, self.year)

    @cached_property
    def counts(self) -> TerritoryCounts:
        return counts_for(self.territory, self.year)

    @cached_property
    def benchmark(self) -> Territorio | None:
        """The closest single parent: the province, or the region when provinces are several."""
        return closest_benchmark(parents(self.territory))

    @cached_property
    def confronti(self) -> dict[str, str]:
        """The names of the benchmarks (provinces, region, Italy) by id, as the indicators' table lists them."""
        return {parent.id: parent.nome for parent in parents(self.territory)}

    @cached_property
    def benchmark_counts(self) -> TerritoryCounts | None:
        """The benchmark's figures on the same dates as the territory's (its age structure too)."""
        return benchmark_values(self.benchmark, self.year, self.counts)[1] if self.benchmark else None

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
        """Residents of each comune of the territory on 1 January of the year."""
        found = population.totals_by_comune(self.year, self.territory.comuni)
        return {code: int(value) for code, value in found.items()}

    @cached_property
    def projection(self) -> dict:
        """The projection from the fotografia's date; ``{"nota": why}`` when it cannot be made."""
        try:
            return territory_projection(self.territory, horizon=5, base_year=self.year)
        except DatiNonDisponibili as error:
            return {"nota": str(error)}

    def observed_population(self) -> dict[int, int]:
        """The territory's population in every year of the long series, over the comuni projected."""
        codes, _missing = projectable(self.territory)
        series = total_series(codes)
        return {int(year): int(value) for year, value in zip(series["anno"], series["popolazione"])}

    # A choropleth of every comune is worth its cost up to a province or a large district.
    MAX_CHOROPLETH_COMUNI = 400

    def choropleth(self, indicator_id: str = "densita"):
        """The territory's comuni coloured by ``indicator_id``; None for a single comune or a region."""
        if not 1 < len(self.territory.comuni) <= self.MAX_CHOROPLETH_COMUNI:
            return None
        values = {code: indicator_values(comune_territory(code), self.year).get(indicator_id)
                  for code in self.territory.comuni}
        if all(value is None for value in values.values()):
            return None
        indicator = INDICATORS[indicator_id]
        entry = self.result["indicatori"][indicator_id]
        return choropleth(self.territory, values, indicator.etichetta, indicator.unita, entry["fonte"])

    def income_trend(self):
        """Income per taxpayer over the stored tax years, with the closest benchmark; None below two years."""
        series = income.per_taxpayer_series(self.territory.comuni)
        if len(series) < 2:
            return None
        other = income.per_taxpayer_series(self.benchmark.comuni) if self.benchmark else None
        return income_trend(self.territory, series, self.benchmark.nome if self.benchmark else None, other)

    def commerce_blocks(self) -> list:
        return commerce_blocks(self.territory, self.result)

    def survey_html(self) -> str | None:
        """The needs-survey block when a survey was imported for this territory, else None."""
        if "_survey_html" not in self.__dict__:
            path = stored_survey(self.territory.id)
            ages = self.counts.eta
            source = f"{ages.fonte}, al 1° gennaio {ages.anno} ({ages.stato})" if ages else ""
            self.__dict__["_survey_html"] = None if path is None else survey_section(
                read_survey(path), population_frame(self.counts), self.territory.nome, source)
        return self.__dict__["_survey_html"]
