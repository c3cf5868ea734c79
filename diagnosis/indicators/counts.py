"""The summed figures of a territory, from which every indicator is computed.

Each measure is resolved on its own (``tables.measures``) for the year of the fotografia:
the population totals of 1 January of that year, the age structure of the latest year by
age not after it, and the latest balance, foreign residents, households, income and local
units not after it — each with the population of its own date beside it, so that a
ratio's numerator and denominator always refer to the same day.

A figure of the territory itself must cover every one of its comuni; a benchmark
(province, region, Italy) may lack a few (``tolerance``), and then names them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from diagnosis.indicators.presences import territory_figures as presence_figures
from diagnosis.tables import analyst, local_units, osm_points, registers, residents
from diagnosis.tables import balance as balances
from diagnosis.tables import income as incomes
from diagnosis.tables import measures
from diagnosis.tables.balance import BalanceTotals
from diagnosis.tables.income import IncomeTotals, RealChange
from diagnosis.tables.local_units import LocalUnitTotals
from diagnosis.tables.registers import RegisterTotals
from diagnosis.tables.measures import Summed
from diagnosis.tables.osm_points import OsmTotals
from diagnosis.tables.population_series import LongChange, long_change
from diagnosis.tables.residents import ResidentTotals
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio

AGES = 101


@dataclass(frozen=True)
class AgeStructure:
    """Residents by sex and single year of age (0..100+) on 1 January ``anno``, summed."""

    anno: int
    maschi: np.ndarray
    femmine: np.ndarray
    stato: str
    fonte: str
    vintage: str
    mancanti: tuple[str, ...] = ()
    ricostruiti: tuple[str, ...] = ()
    edizioni: tuple = ()

    @property
    def totale(self) -> np.ndarray:
        return self._both_sexes.copy()

    def between(self, first_age: int, last_age: int | None = None) -> int:
        """People aged ``first_age`` to ``last_age`` included (``None``: and over)."""
        stop = None if last_age is None else last_age + 1
        return int(self._both_sexes[first_age:stop].sum())

    # A dozen indicators count an age group each: the sexes are added up once, in an array
    # of the structure's own (``totale`` hands out a copy, which its caller may change).
    @functools.cached_property
    def _both_sexes(self) -> np.ndarray:
        return self.maschi + self.femmine


@dataclass(frozen=True)
class TerritoryCounts:
    anno: int
    comuni: tuple[str, ...]
    popolazione: Summed | None  # totals (T, M, F) on 1 January of ``anno``
    popolazione_precedente: Summed | None  # 1 January of the year before, over the comuni of the change
    popolazione_confronto: Summed | None  # 1 January of ``anno`` over the same comuni as the year before
    eta: AgeStructure | None  # the latest age structure not after ``anno``
    superficie_kmq: float | None
    popolazioni: dict = field(default_factory=dict)  # year -> Summed totals, for ratios of other dates
    bilancio: BalanceTotals | None = None  # latest balance (P2) not after ``anno``
    bilancio_stranieri: BalanceTotals | None = None  # latest balance of foreign citizens (P3)
    stranieri: ResidentTotals | None = None  # foreign residents on the latest 1 January not after ``anno``
    famiglie: ResidentTotals | None = None  # households, likewise
    reddito: IncomeTotals | None = None  # MEF, the latest tax year not after ``anno``
    reddito_reale: RealChange | None = None  # income per taxpayer at constant prices, change
    imprese: LocalUnitTotals | None = None  # ISTAT ASIA, latest year not after ``anno`` (store, else snapshot totals)
    frame: RegisterTotals | None = None  # ISTAT Frame territoriale, latest year not after ``anno``
    osm: OsmTotals | None = None  # OpenStreetMap, when every comune has been fetched
    rilevazione: dict | None = None  # the analyst's register and vacancy survey, for this territory only
    presenze: dict | None = None  # the presences file imported for this territory only
    lungo_periodo: LongChange | None = None  # population change since the first year of the long series
    lacune: dict = field(default_factory=dict)  # figure -> why it is missing (comuni lacking it)

    # The age structure as arrays, for charts and the survey's weights.
    @property
    def maschi(self) -> np.ndarray:
        return self.eta.maschi if self.eta else np.zeros(AGES)

    @property
    def femmine(self) -> np.ndarray:
        return self.eta.femmine if self.eta else np.zeros(AGES)

    @property
    def totale(self) -> np.ndarray:
        return self.maschi + self.femmine

    def between(self, first_age: int, last_age: int | None = None) -> int:
        """People aged ``first_age`` to ``last_age`` included (``None``: and over), age structure."""
        return self.eta.between(first_age, last_age) if self.eta else 0

    def residenti(self) -> float | None:
        return self.popolazione.get("T") if self.popolazione else None

    def editions_used(self) -> list:
        """Every published table some figure was summed from (tables.editions.Edition)."""
        figures = [self.popolazione, self.popolazione_precedente, self.eta, self.bilancio, self.bilancio_stranieri,
                   self.stranieri, self.famiglie, self.reddito, self.imprese, self.frame, *self.popolazioni.values()]
        found = [e for figure in figures if figure is not None for e in getattr(figure, "edizioni", ())]
        return list(dict.fromkeys(found))

    def popolazione_al(self, year: int | None) -> float | None:
        """Residents on 1 January ``year`` (the denominator of a figure of that date)."""
        found = self.popolazioni.get(year)
        return found.get("T") if found else None


@functools.cache
def _areas() -> dict[str, float]:
    table = registry.comuni()
    return dict(zip(table["codice"], table["superficie_kmq"]))


def _summed_area(comuni: tuple[str, ...]) -> float | None:
    areas = [_areas().get(code, float("nan")) for code in comuni]
    return None if any(np.isnan(a) for a in areas) else float(sum(areas))


class _Gaps:
    """Collects why figures are missing, and applies the territory's tolerance for missing comuni."""

    def __init__(self, comuni: tuple[str, ...], tolerance: float):
        self.comuni, self.tolerance, self.found = comuni, tolerance, {}

    def keep(self, name: str, figure, label: str):
        """``figure`` when it covers enough comuni, else None with the reason recorded."""
        if figure is None:
            return None
        missing = getattr(figure, "mancanti", ())
        if missing and len(missing) > self.tolerance * len(self.comuni):
            shown = ", ".join(f"{registry.names().get(c, c)} ({c})" for c in missing[:8])
            more = f" e altri {len(missing) - 8}" if len(missing) > 8 else ""
            self.found[name] = f"{label}: manca il dato di {shown}{more}"
            return None
        return figure


def _population(comuni, year: int | None) -> Summed | None:
    if year is None:
        return None
    resolved = measures.resolve("popolazione", year)
    return resolved.sum_for(comuni) if resolved else None


def _comparable(comuni, year: int, population: Summed | None, previous: Summed | None):
    """Both years over the comuni present in both, so that a change counts people, not coverage."""
    if population is None or previous is None:
        return None, None
    if not population.mancanti and not previous.mancanti:
        return population, previous
    lacking = set(population.mancanti) | set(previous.mancanti)
    common = [code for code in comuni if code not in lacking]
    return _population(common, year), _population(common, year - 1)


def _age_structure(comuni, year: int | None) -> AgeStructure | None:
    if year is None:
        return None
    summed = measures.resolve("popolazione_eta", year).sum_for(comuni)
    if summed.comuni == 0 or np.isnan(summed.values).any():  # a blank age is unknown, not zero
        return None
    values = summed.values
    return AgeStructure(year, values[:AGES], values[AGES:], summed.stato, summed.fonte, summed.vintage,
                        summed.mancanti, summed.ricostruiti, summed.edizioni)


# Figure -> (measure it is read from, how it is summed, what a reader is told is missing).
LATEST_FIGURES = {
    "eta": ("popolazione_eta", lambda c, y, t: _age_structure(c, y), "popolazione per età"),
    "bilancio": ("bilancio", lambda c, y, t: balances.totals(c, y), "bilancio demografico"),
    "bilancio_stranieri": ("bilancio_stranieri", lambda c, y, t: balances.totals(c, y, "stranieri"),
                           "bilancio demografico degli stranieri"),
    "stranieri": ("stranieri", lambda c, y, t: residents.foreigners(c, y), "stranieri residenti"),
    "famiglie": ("famiglie", lambda c, y, t: residents.households(c, y), "famiglie"),
    "reddito": ("redditi", lambda c, y, t: incomes.totals(c, y), "redditi IRPEF"),
    "frame": ("frame", lambda c, y, t: registers.totals("frame", c, y, t), "Frame territoriale delle imprese"),
}


def figure_years(counts: "TerritoryCounts") -> dict[str, int]:
    """The year of each latest figure of ``counts``: a benchmark is read for the same years."""
    return {name: figure.anno for name in (*LATEST_FIGURES, "imprese") if (figure := getattr(counts, name)) is not None}


def _businesses(comuni, year: int, gaps: "_Gaps", pinned_year: int | None) -> LocalUnitTotals | None:
    """ASIA local units: the downloaded detail by activity, else the snapshot's totals; a
    benchmark takes the territory's year or none."""
    wanted = pinned_year or year
    stored = _fully_covered(local_units.totals(comuni, wanted), comuni, gaps.tolerance)
    if stored is not None and pinned_year in (None, stored.anno):
        return stored
    embedded = gaps.keep("imprese", local_units.embedded_totals(comuni, wanted, gaps.tolerance), "unità locali ISTAT ASIA")
    return embedded if embedded is not None and pinned_year in (None, embedded.anno) else None


def _latest_figures(comuni, year: int, gaps: "_Gaps", pinned: dict | None, wanted: "_Wanted") -> dict:
    """Each figure from its latest year not after ``year`` (or the year ``pinned`` for it)."""
    found = dict.fromkeys(LATEST_FIGURES)
    for name, (measure, fetch, label) in LATEST_FIGURES.items():
        if not wanted(name):
            continue
        chosen = pinned.get(name) if pinned is not None else measures.latest_year(measure, year)
        found[name] = gaps.keep(name, fetch(comuni, chosen, gaps.tolerance) if chosen is not None else None, label)
    return found


class _Wanted:
    """Which figures to sum: all, or those some indicators read (their ``dati``, with what those
    rest on: ``popolazione@X`` needs X, a real change the income of its year)."""

    def __init__(self, figures):
        self.names = None if figures is None else {part for name in figures for part in _rests_on(name)}

    def __call__(self, name: str) -> bool:
        return self.names is None or name in self.names


def _rests_on(name: str) -> tuple[str, ...]:
    _, _, dated = name.partition("@")
    if dated:  # the population of that figure's date is summed with every dated figure
        return (dated,)
    return {"reddito_reale": ("reddito_reale", "reddito"),
            "popolazione_precedente": ("popolazione_precedente", "popolazione")}.get(name, (name,))


def territory_counts(territory: Territorio, year: int, tolerance: float = 0.0,
                     pinned: dict | None = None, figures=None) -> TerritoryCounts:
    """The figures of ``territory`` for ``year``; ``pinned`` fixes the year of each latest figure
    (a benchmark is compared on the years of the territory it benchmarks). ``figures`` (names as
    in an indicator's ``dati``) sums only those, the others left out: a series of one indicator
    over the years reads one figure a year, not all of them."""
    comuni = tuple(territory.comuni)
    gaps = _Gaps(comuni, tolerance)
    wanted = _Wanted(figures)
    population = previous = None
    if wanted("popolazione"):
        population = gaps.keep("popolazione", _population(comuni, year), f"popolazione al 1° gennaio {year}")
    if wanted("popolazione_precedente"):
        previous = gaps.keep("popolazione_precedente", _population(comuni, year - 1),
                             f"popolazione al 1° gennaio {year - 1}")
    now, before = _comparable(comuni, year, population, previous)
    latest = _latest_figures(comuni, year, gaps, pinned, wanted)
    income = latest["reddito"]
    businesses = _businesses(comuni, year, gaps, (pinned or {}).get("imprese")) if wanted("imprese") else None
    dated = (latest["stranieri"], latest["famiglie"], income, businesses, latest["frame"])
    dates = {year} | {getattr(f, "anno", None) for f in dated} - {None}
    populations = {y: p for y in dates if (p := _dated_population(comuni, y, gaps, population)) is not None}
    return TerritoryCounts(
        anno=year, comuni=comuni, popolazione=population, popolazione_precedente=before,
        popolazione_confronto=now, eta=latest["eta"],
        superficie_kmq=_summed_area(comuni) if wanted("superficie") else None, popolazioni=populations,
        bilancio=latest["bilancio"], bilancio_stranieri=latest["bilancio_stranieri"], stranieri=latest["stranieri"],
        famiglie=latest["famiglie"], reddito=income,
        reddito_reale=incomes.real_change(comuni, income.anno, income) if income is not None and wanted("reddito_reale")
        else None,
        imprese=businesses, frame=latest["frame"],
        osm=osm_points.totals(comuni) if wanted("osm") else None,
        rilevazione=analyst.figures(territory.id) if wanted("rilevazione") else None,
        presenze=presence_figures(territory) if wanted("presenze") else None,
        lungo_periodo=long_change(comuni, year) if wanted("lungo_periodo") else None,
        lacune=gaps.found,
    )


def _dated_population(comuni, year: int, gaps: "_Gaps", population: Summed | None) -> Summed | None:
    """The population of 1 January ``year``, the denominator of a figure of that date; the
    fotografia's own year is the population already summed, when it stood."""
    if population is not None and population.anno == year:
        return population
    return gaps.keep(f"popolazione@{year}", _population(comuni, year), f"popolazione al 1° gennaio {year}")


def _fully_covered(totals, comuni, tolerance: float):
    if totals is None or totals.comuni_coperti < (1 - tolerance) * len(set(comuni)):
        return None
    return totals
