"""The summed counts of a territory, from which every indicator is computed."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from diagnosis.tables import balance as balances
from diagnosis.tables import income as incomes
from diagnosis.tables import population
from diagnosis.tables.balance import BalanceTotals
from diagnosis.tables import analyst, local_units, osm_points, residents
from diagnosis.tables.income import IncomeTotals, RealChange
from diagnosis.tables.local_units import LocalUnitTotals
from diagnosis.tables.population_series import LongChange, long_change
from diagnosis.tables.osm_points import OsmTotals
from diagnosis.tables.residents import ResidentTotals
from diagnosis.tables.population import Provenance
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio


@dataclass(frozen=True)
class TerritoryCounts:
    """Population by sex and single year of age (0..100+), summed over the territory's comuni."""

    anno: int
    maschi: np.ndarray
    femmine: np.ndarray
    superficie_kmq: float | None
    # For the change: both years summed over the comuni present in both, so that the
    # change measures people, not a difference in coverage.
    popolazione_confrontabile: int | None
    popolazione_precedente: int | None
    anno_precedente: int | None
    provenienza: Provenance
    comuni_senza_dati: tuple[str, ...] = ()
    reddito: "IncomeTotals | None" = None  # MEF totals for the same (tax) year, when stored
    bilancio: "BalanceTotals | None" = None  # ISTAT P2 balance of the same calendar year, when stored
    imprese: "LocalUnitTotals | None" = None  # ISTAT ASIA, latest year not after ``anno``
    osm: "OsmTotals | None" = None  # OpenStreetMap, when every comune has been fetched
    stranieri: "ResidentTotals | None" = None  # foreign residents on 1 January (SDMX 29_316)
    famiglie: "ResidentTotals | None" = None  # households on 1 January (SDMX 22_315)
    reddito_reale: "RealChange | None" = None  # income per taxpayer at constant prices, change
    rilevazione: "dict | None" = None  # the analyst's register and vacancy survey, for this territory only
    lungo_periodo: "LongChange | None" = None  # population change since the first year of the long series

    @property
    def totale(self) -> np.ndarray:
        return self.maschi + self.femmine

    def between(self, first_age: int, last_age: int | None = None) -> int:
        """People aged ``first_age`` to ``last_age`` included (``None``: and over)."""
        stop = None if last_age is None else last_age + 1
        return int(self.totale[first_age:stop].sum())


@functools.cache
def _areas() -> dict[str, float]:
    table = registry.comuni()
    return dict(zip(table["codice"], table["superficie_kmq"]))


def _summed_area(comuni: tuple[str, ...]) -> float | None:
    areas = [_areas().get(code, float("nan")) for code in comuni]
    return None if any(np.isnan(a) for a in areas) else float(sum(areas))


def territory_counts(territory: Territorio, year: int) -> TerritoryCounts:
    cube = population.cube(population.check_year(year))
    summed = cube.total_for(territory.comuni)
    previous_year = population.previous_year(year)
    covered = cube.covered(territory.comuni)
    comparable = previous_total = None
    if previous_year is not None:
        previous = population.cube(previous_year)
        in_previous = set(previous.covered(territory.comuni))
        both = [code for code in covered if code in in_previous]
        if both:
            comparable = int(cube.total_for(both).sum())
            previous_total = int(previous.total_for(both).sum())
    missing = tuple(code for code in territory.comuni if code not in set(covered))
    income = incomes.totals(territory.comuni, year)
    balance = balances.totals(territory.comuni, year)
    return TerritoryCounts(
        anno=year,
        maschi=summed[0],
        femmine=summed[1],
        superficie_kmq=_summed_area(territory.comuni),
        popolazione_confrontabile=comparable,
        popolazione_precedente=previous_total,
        anno_precedente=previous_year if previous_total is not None else None,
        provenienza=cube.provenance,
        comuni_senza_dati=missing,
        reddito=income,
        bilancio=balance,
        imprese=_fully_covered(local_units.totals(territory.comuni, year), territory.comuni),
        osm=osm_points.totals(territory.comuni),
        stranieri=residents.foreigners(territory.comuni, year),
        famiglie=residents.households(territory.comuni, year),
        reddito_reale=incomes.real_change(territory.comuni, year) if income is not None else None,
        rilevazione=analyst.figures(territory.id),
        lungo_periodo=long_change(territory.comuni, year),
    )


# Italy and the large regions may miss a handful of comuni in a source; below this share
# the sum would describe another territory, so it is not used.
MIN_COVERAGE = 0.99


def _fully_covered(totals, comuni):
    if totals is None or totals.comuni_coperti < MIN_COVERAGE * len(set(comuni)):
        return None
    return totals
