"""Compute every indicator for a territory and for its benchmarks (parents).

The output is the JSON contract of ``diagnosis indicatori --json``::

    {"territorio": {"id", "nome", "livello", "comuni"}, "anno": N, "dati": {FIGURE: {...}},
     "indicatori": {ID: {"valore", "unita", "fonte", "stato", "riferimento",
                         "confronti": {TERRITORY_ID: value}, ...}}}

A value that cannot be computed is ``null`` with a ``nota`` saying why and how to get it;
a share bounded by blank cells is ``null`` with ``intervallo: [low, high]``; a value
resting on a handful of people or events carries ``piccoli_numeri: true`` and no judgement.
"""

from __future__ import annotations

import copy
import functools
import math

from diagnosis import store
from diagnosis.indicators import comuni_table
from diagnosis.indicators.commerce_analysis import commerce_summary
from diagnosis.indicators.perimeter_shops import shops_in_perimeter
from diagnosis.indicators.availability import figure_json, missing_note, provenance, reference_of
from diagnosis.indicators.catalogue import INDICATORS
from diagnosis.indicators.comparison import closest_benchmark, judgement, phrase, small_numbers_phrase
from diagnosis.indicators.counts import TerritoryCounts, figure_years, territory_counts
from diagnosis.indicators.peers import positions, province_members, select_peers
from diagnosis.tables import measures
from diagnosis.tables.measures import Intervallo
from diagnosis.territory.model import Territorio, comune_territory, parents

# A benchmark may lack a few comuni in a source (the embedded ages miss three of 7,896):
# up to this share it is computed on the others and names them; beyond, it is left out.
BENCHMARK_TOLERANCE = 0.01


def _rounded(value):
    if value is None or isinstance(value, (int, Intervallo)):
        return value
    return None if math.isnan(value) else round(float(value), 2)


def _plain(value):
    """The value used in comparisons and ranks: an interval has no single value."""
    return None if isinstance(value, Intervallo) else value


def _values_for(territory: Territorio, year: int, tolerance: float = 0.0,
                pinned: tuple = ()) -> tuple[dict, TerritoryCounts]:
    return _values_cached(territory, year, tolerance, pinned, _data_state())


def _data_state() -> tuple:
    """What the values depend on in the store, so that adding a file is never hidden by the cache."""
    return store.state()


def _computed(territory: Territorio, year: int, tolerance: float, pinned: tuple) -> tuple[dict, TerritoryCounts]:
    counts = territory_counts(territory, year, tolerance, dict(pinned) if pinned else None)
    return {key: _rounded(ind.formula(counts)) for key, ind in INDICATORS.items()}, counts


# A report needs the counts of its territory and of its benchmarks, over and over: a batch
# keeps those of the last few reports. It also compares the territory with dozens of comuni
# (its peers, its province's members); of those only the values are kept, a few kilobytes
# each, as their counts would make a worker grow by megabytes a report.
@functools.lru_cache(maxsize=64)
def _values_cached(territory: Territorio, year: int, tolerance: float, pinned: tuple,
                   _state: tuple) -> tuple[dict, TerritoryCounts]:
    return _computed(territory, year, tolerance, pinned)


@functools.lru_cache(maxsize=2048)
def _plain_values_cached(territory: Territorio, year: int, _state: tuple) -> dict:
    values, _counts = _computed(territory, year, 0.0, ())
    return {key: _plain(value) for key, value in values.items()}


def counts_for(territory: Territorio, year: int) -> TerritoryCounts:
    """The summed figures of a territory, cached."""
    return _values_for(territory, year)[1]


def indicator_values(territory: Territorio, year: int) -> dict:
    """``{indicator id: value}`` for the territory in ``year`` (``None`` when not a single value)."""
    tabled = _tabled_values(territory, year)
    if tabled is not None:
        return tabled
    return dict(_plain_values_cached(territory, year, _data_state()))


def _tabled_values(territory: Territorio, year: int) -> dict | None:
    """A comune's values as a batch shared them, or from the saved table of every comune."""
    if territory.livello != "comune" or territory != comune_territory(territory.comuni[0]):
        return None
    for table in (_SHARED.get((year, _data_state())), comuni_table.saved(year)):
        found = table.values_of(territory.comuni[0]) if table is not None else None
        if found is not None:
            return found
    return None


def indicator_values_with_intervals(territory: Territorio, year: int) -> dict:
    """``{indicator id: value}`` as a fotografia holds them: a bounded share stays an :class:`Intervallo`."""
    return dict(_values_for(territory, year)[0])


def one_indicator(indicator, territory: Territorio, year: int) -> tuple:
    """The value of ``indicator`` exactly as :func:`indicator_values_with_intervals` gives it, and
    the counts it rests on: only the figures the indicator reads are summed (its ``dati``)."""
    counts = _figures_cached(territory, year, indicator.dati, _data_state())
    return _rounded(indicator.formula(counts)), counts


# A series asks for each year of one indicator; a batch asks again for its reports' common benchmark.
@functools.lru_cache(maxsize=256)
def _figures_cached(territory: Territorio, year: int, figures: tuple, _state: tuple) -> TerritoryCounts:
    return territory_counts(territory, year, figures=figures)


# The plain values of comuni a whole batch compares with, computed once before its workers
# start (``batch.comparisons``) and inherited by them: keyed by year and store state, so a
# file added since is never hidden by them.
_SHARED: dict[tuple[int, tuple], comuni_table.ComuniTable] = {}


def comuni_values(codes, year: int, *, from_tables: bool = True) -> dict[str, dict]:
    """``{code: {indicator id: value}}`` of each comune, each exactly as :func:`indicator_values` gives it;
    with ``from_tables`` False computed from its counts, as the table of every comune is made."""
    with store.held_state():  # dozens of comuni read the same unchanged store
        if not from_tables:
            return {code: dict(_plain_values_cached(comune_territory(code), year, _data_state())) for code in codes}
        return {code: indicator_values(comune_territory(code), year) for code in codes}


def share_comuni_values(values: dict[str, dict], year: int) -> None:
    """Hold ``values`` (from :func:`comuni_values`) for every later :func:`indicator_values` of
    those comuni in ``year``, while the store is unchanged."""
    share_comuni_table(comuni_table.ComuniTable.from_values(values), year)


def share_comuni_table(table: comuni_table.ComuniTable, year: int) -> None:
    """As :func:`share_comuni_values`, for values already made into a table."""
    _SHARED.clear()
    _SHARED[(year, _data_state())] = table


def benchmark_values(parent: Territorio, year: int, territory_counts_: TerritoryCounts) -> tuple[dict, TerritoryCounts]:
    """Values of a benchmark on the same dates as the territory's figures (intervals kept as
    :class:`Intervallo`) and its counts."""
    pinned = tuple(sorted(figure_years(territory_counts_).items()))
    return _values_for(parent, year, BENCHMARK_TOLERANCE, pinned)


def _entry(indicator, value, counts: TerritoryCounts, territory: Territorio, benchmarks: dict, closest) -> dict:
    fonte, stato = provenance(indicator, counts)
    entry = {
        "valore": _plain(value),
        "unita": indicator.unita,
        "fonte": fonte,
        "stato": stato,
        "riferimento": reference_of(indicator, counts),
        "confronti": {pid: _plain(parent_values[indicator.id]) for pid, (parent_values, _) in benchmarks.items()},
    }
    bounded = {pid: [round(v.basso, 2), round(v.alto, 2)] for pid, (parent_values, _) in benchmarks.items()
               if isinstance(v := parent_values[indicator.id], Intervallo)}
    if bounded:
        entry["confronti_intervallo"] = bounded
    small = _plain(value) is not None and indicator.small_numbers(counts)
    base = indicator.base(counts) if indicator.base is not None and _plain(value) is not None else None
    if isinstance(value, Intervallo):
        entry["intervallo"] = [round(value.basso, 2), round(value.alto, 2)]
        entry["nota"] = ("Intervallo: il MEF non pubblica le classi di reddito con pochi contribuenti (riservatezza "
                         "statistica); il valore vero è fra i due estremi.")
    elif value is None:
        entry["nota"] = missing_note(indicator, counts, territory)
    if small:
        entry["piccoli_numeri"] = True
        entry["nota"] = "Poggia su meno di 20 persone, dichiarazioni o eventi: è in gran parte caso, non è giudicato."
    if closest is not None:
        reference = _plain(benchmarks[closest.id][0][indicator.id])
        entry["frase"] = small_numbers_phrase(indicator, _plain(value), base, reference, closest) if small else \
            phrase(indicator, _plain(value), reference, closest, base)
        entry["giudizio"] = "non giudicato" if small or isinstance(value, Intervallo) else \
            judgement(indicator, _plain(value), reference, base)
    return entry


def _warnings(territory: Territorio, counts: TerritoryCounts, benchmarks: dict, year: int) -> list[str]:
    warnings = [f"{territory.nome}: {reason}." for reason in counts.lacune.values()]
    if counts.eta is not None and counts.eta.anno != year:
        population = counts.popolazione
        warnings.append(
            f"La struttura per età più recente è al 1° gennaio {counts.eta.anno} ({counts.eta.stato}); la popolazione "
            f"totale è al 1° gennaio {year}" + (f" ({population.stato})" if population else "") +
            ": gli indicatori per età si riferiscono al " + str(counts.eta.anno) + ".")
    for parent_id, (values, parent_counts) in benchmarks.items():
        parent = parent_counts
        for name, missing in _partial_figures(parent).items():
            listed = ", ".join(missing[:10]) + (f" e altri {len(missing) - 10}" if len(missing) > 10 else "")
            warnings.append(f"{parent_id}: {name} senza i comuni {listed}; il valore è calcolato sugli altri.")
        warnings += [f"{parent_id}: {reason}; confronto omesso." for reason in parent.lacune.values()]
        hidden = sorted({code for codes in (parent.frame.oscurati.values() if parent.frame else ()) for code in codes})
        if hidden:
            listed = ", ".join(hidden[:10]) + (f" e altri {len(hidden) - 10}" if len(hidden) > 10 else "")
            warnings.append(f"{parent_id}: Frame territoriale senza alcune cifre oscurate dall'ISTAT nei comuni "
                            f"{listed} (pochi residenti); i valori sono calcolati sugli altri.")
    return warnings


def _partial_figures(counts: TerritoryCounts) -> dict[str, tuple[str, ...]]:
    figures = {"popolazione": counts.popolazione, "popolazione per età": counts.eta, "bilancio": counts.bilancio,
               "stranieri": counts.stranieri, "famiglie": counts.famiglie, "redditi": counts.reddito}
    return {name: tuple(f.mancanti) for name, f in figures.items() if f is not None and getattr(f, "mancanti", ())}


def compute_indicators(territory: Territorio, year: int | None = None) -> dict:
    """Every indicator for ``territory`` with its source, date, status and benchmark values."""
    year = measures.check_year(year)
    return copy.deepcopy(_indicators_cached(territory, year, _data_state()))


# The notebook, the report's context and the manifest each ask for the same territory's
# indicators: computed once while the store is unchanged, handed out as copies.
@functools.lru_cache(maxsize=8)
def _indicators_cached(territory: Territorio, year: int, _state: tuple) -> dict:
    values, counts = _values_for(territory, year)
    parent_territories = parents(territory)
    benchmarks = {parent.id: benchmark_values(parent, year, counts) for parent in parent_territories}
    closest = closest_benchmark(parent_territories)
    result = {key: _entry(indicator, values[key], counts, territory, benchmarks, closest)
              for key, indicator in INDICATORS.items()}
    output = {"territorio": territory.as_json(), "anno": year, "dati": figure_json(counts),
              "indicatori": result}
    plain = {key: _plain(value) for key, value in values.items()}
    peers = select_peers(territory, plain, year)
    if peers is not None:
        output["pari"] = peers
    if territory.livello in ("comune", "distretto"):
        peer_values = comuni_values(peers["comuni"] if peers else [], year)
        province_values = comuni_values(province_members(territory), year)
        for key, position in positions(plain, peer_values, province_values).items():
            result[key]["posizione"] = position

    commerce = commerce_summary(territory, parent_territories, peers["comuni"] if peers else [], year)
    if commerce is not None:
        output["commercio"] = commerce
    # The perimeter's residents and streets are not in the store yet: their densities say so.
    in_perimeter = shops_in_perimeter(territory, year, peers["comuni"] if peers else [])
    if in_perimeter is not None:
        output["negozi_perimetro"] = in_perimeter
    if counts.presenze is not None:  # the flows bought or counted for this territory, under their own key
        output["presenze"] = dict(counts.presenze)
    warnings = _warnings(territory, counts, benchmarks, year)
    if warnings:
        output["avvisi"] = warnings
    return output
