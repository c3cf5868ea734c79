"""The indicators of a fotografia, the peer comuni they are ranked among, and the yearly
series of one indicator — each from the computation the report shows."""

from __future__ import annotations

import functools

from diagnosis import store
from diagnosis.api.common import Provenance, first_of_january, fotografia_year, territory_of, tidy, value_of
from diagnosis.errors import DatiNonDisponibili, IndicatoreNonValido, LivelloNonValido
from diagnosis.indicators import INDICATORS, compute_indicators, indicator_values
from diagnosis.indicators.availability import missing_note, provenance as figure_provenance, reference_of
from diagnosis.indicators.comparison import closest_benchmark
from diagnosis.indicators.compute import counts_for, one_indicator
from diagnosis.indicators.counts import LATEST_FIGURES
from diagnosis.indicators.peers import select_peers
from diagnosis.tables import local_units, measures
from diagnosis.tables.measures import Intervallo
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio, comune_territory, parents

INDICATOR_COLUMNS = [
    "territorio", "nome", "livello", "anno", "indicatore", "etichetta", "valore", "basso", "alto", "unita", "riferimento",
    "stato", "fonte", "confronto", "giudizio", "frase", "rango_pari", "su_pari", "rango_provincia", "su_provincia",
    "piccoli_numeri", "nota",
]
PEER_COLUMNS = ["territorio", "rango", "codice", "nome", "provincia_sigla", "regione_nome", "anno", "data",
                "popolazione", "stato", "fonte"]
SERIES_COLUMNS = ["territorio", "indicatore", "anno", "riferimento", "valore", "basso", "alto", "unita", "stato",
                  "fonte", "nota"]


def fotografia_result(territory: Territorio, year: int) -> dict:
    """The fotografia's indicators as ``compute_indicators`` gives them, computed once per state
    of the store: a notebook reads them for several tables. Not to be changed by the caller."""
    return _result_cached(territory, year, store.state())


@functools.lru_cache(maxsize=8)
def _result_cached(territory: Territorio, year: int, _state: tuple) -> dict:
    return compute_indicators(territory, year)


def indicatori(territorio, anno=None, per_comune: bool = False):
    """Every indicator of the fotografia, with its benchmarks, judgement and ranks.

    One row per indicator for the territory, then one per indicator for each benchmark
    (its provinces, its region, Italy: ``livello`` tells which, ``nome`` names it). The
    territory's rows carry the judgement against the closest benchmark (``confronto``,
    its id; ``giudizio``, ``frase``) and the rank among the peer comuni (``rango_pari``
    of ``su_pari``, 1 = highest value) and among the other comuni of the province. A
    share known only within bounds (blank MEF classes) has ``valore`` NaN and
    ``basso``/``alto``; a value that cannot be computed is NaN with a ``nota`` saying how
    to get it.

    ``per_comune=True`` gives instead each indicator of each comune of the territory
    (``livello`` ``comune``), computed as for a fotografia of that comune, without
    benchmarks; ``riferimento``, ``stato`` and ``fonte`` are those of the territory's
    figures. Worth its time up to a province.

    Columns: ``territorio``, ``nome``, ``livello``, ``anno`` (of the fotografia),
    ``indicatore``, ``etichetta``, ``valore``, ``basso``, ``alto``, ``unita``,
    ``riferimento`` (the figure's date), ``stato``, ``fonte``, ``confronto``,
    ``giudizio``, ``frase``, ``rango_pari``, ``su_pari``, ``rango_provincia``,
    ``su_provincia``, ``piccoli_numeri``, ``nota``. ``attrs`` adds the figures' dates
    (``dati``), the peers' criteria and the warnings (``avvisi``).

    >>> import diagnosis as dg
    >>> i = dg.indicatori("Pioltello")
    >>> i[i["indicatore"] == "indice_vecchiaia"][["nome", "valore", "riferimento", "giudizio"]].reset_index(drop=True)
                       nome  valore         riferimento    giudizio
    0             Pioltello  131.74  al 1° gennaio 2023  favorevole
    1   Provincia di Milano  179.53  al 1° gennaio 2023         NaN
    2     Regione Lombardia  182.30  al 1° gennaio 2023         NaN
    3                Italia  193.30  al 1° gennaio 2023         NaN
    """
    territory = territory_of(territorio)
    result = fotografia_result(territory, fotografia_year(anno))
    if per_comune:
        return _per_comune(territory, result)
    levels = {parent.id: parent for parent in parents(territory)}
    closest = closest_benchmark(parents(territory))
    rows, benchmark_rows = [], []
    for key, entry in result["indicatori"].items():
        common = {"anno": result["anno"], "indicatore": key, "etichetta": INDICATORS[key].etichetta,
                  "unita": entry["unita"], "riferimento": entry["riferimento"]}
        rows.append(common | _own_row(territory, entry, closest.id if closest else None))
        for parent_id, value in entry["confronti"].items():
            low, high = entry.get("confronti_intervallo", {}).get(parent_id, (None, None))
            benchmark_rows.append(common | {"territorio": parent_id, "nome": levels[parent_id].nome,
                                            "livello": levels[parent_id].livello, "valore": value_of(value),
                                            "basso": low, "alto": high, "fonte": entry["fonte"]})
    return tidy(rows + benchmark_rows, INDICATOR_COLUMNS, _provenance(territory, result))


def _provenance(territory: Territorio, result: dict) -> Provenance:
    provenance = Provenance(territory)
    provenance.sources += [figure["fonte"] for figure in result["dati"].values()]
    provenance.statuses += [figure["stato"] for figure in result["dati"].values()]
    provenance.editions += counts_for(territory, result["anno"]).editions_used()
    provenance.extra |= {"anno": result["anno"], "dati": result["dati"], "pari": result.get("pari", {}).get("criteri"),
                         "avvisi": result.get("avvisi", [])}
    return provenance


def _per_comune(territory: Territorio, result: dict):
    rows = []
    for code in territory.comuni:
        comune = comune_territory(code)
        values = indicator_values(comune, result["anno"])
        rows += [{"territorio": code, "nome": comune.nome, "livello": "comune", "anno": result["anno"],
                  "indicatore": key, "etichetta": INDICATORS[key].etichetta, "valore": value_of(values.get(key)),
                  "unita": entry["unita"], "riferimento": entry["riferimento"], "stato": entry["stato"],
                  "fonte": entry["fonte"]}
                 for key, entry in result["indicatori"].items()]
    return tidy(rows, INDICATOR_COLUMNS, _provenance(territory, result))


def _own_row(territory, entry: dict, closest: str | None) -> dict:
    low, high = entry.get("intervallo", (None, None))
    ranks = entry.get("posizione", {})
    peers, province = ranks.get("pari") or {}, ranks.get("provincia") or {}
    return {"territorio": territory.id, "nome": territory.nome, "livello": territory.livello,
            "valore": value_of(entry["valore"]),
            "basso": low, "alto": high, "stato": entry["stato"], "fonte": entry["fonte"],
            "confronto": closest, "giudizio": entry.get("giudizio"),
            "frase": entry.get("frase"), "rango_pari": peers.get("rango"), "su_pari": peers.get("su"),
            "rango_provincia": province.get("rango"), "su_provincia": province.get("su"),
            "piccoli_numeri": bool(entry.get("piccoli_numeri", False)), "nota": entry.get("nota")}


def pari(territorio, anno=None):
    """The peer comuni of a comune or a district: those the fotografia ranks it among.

    Chosen by population band, region, degree of urbanisation and altitude zone (the
    criteria are in ``attrs["criteri"]``), closest in population first (``rango``).
    Provinces, regions and Italy have no peers.

    Columns: ``territorio``, ``rango``, ``codice``, ``nome``, ``provincia_sigla``,
    ``regione_nome``, ``anno``, ``data``, ``popolazione`` (1 January of the fotografia's
    year), ``stato``, ``fonte``.

    >>> import diagnosis as dg
    >>> p = dg.pari("Pioltello")
    >>> len(p), p.attrs["criteri"]["ambito"]
    (19, 'Lombardia')
    """
    territory = territory_of(territorio)
    if territory.livello not in ("comune", "distretto"):
        raise LivelloNonValido(
            f"{territory.nome} è una {territory.livello}: i comuni simili si scelgono solo per un comune o un "
            "distretto. Per confrontarla con i territori che la contengono: dg.indicatori(...)."
        )
    year = fotografia_year(anno)
    found = select_peers(territory, indicator_values(territory, year), year)
    if found is None:
        raise DatiNonDisponibili(
            f"Nessun comune simile per {territory.nome} nel {year}: manca la popolazione del territorio al 1° gennaio "
            f"{year}. Per ottenerla: diagnosis dati scarica --fonte popolazione_sdmx --territorio {territory.id} "
            f"--anni {year}"
        )
    resolved = measures.resolve("popolazione", year)
    table = registry.comuni().set_index("codice")
    provenance = Provenance(territory)
    provenance.extra["criteri"] = found["criteri"]
    rows = []
    for rank, code in enumerate(found["comuni"], start=1):
        summed = resolved.sum_for([code])
        provenance.add(summed, code)
        row = table.loc[code]
        rows.append({"territorio": territory.id, "rango": rank, "codice": code, "nome": row["nome"],
                     "provincia_sigla": row["provincia_sigla"], "regione_nome": row["regione_nome"], "anno": year,
                     "data": first_of_january(year), "popolazione": value_of(summed.get("T")), "stato": summed.stato,
                     "fonte": summed.fonte})
    return tidy(rows, PEER_COLUMNS, provenance)


def _series_years(indicator) -> list[int]:
    """The years of the figure an indicator's value is dated by (its first), or none."""
    figure = indicator.dati[0]
    if figure == "popolazione":
        return measures.years("popolazione")
    if figure == "imprese":
        return sorted(set(local_units.available_years()) | set(measures.years("asia_totali")))
    if figure in LATEST_FIGURES:
        return measures.years(LATEST_FIGURES[figure][0])
    return []


def serie(territorio, indicatore: str = "popolazione"):
    """One indicator year by year, for every year its figure is held.

    Each year is computed as the fotografia of that year computes it (same figures,
    dates and statuses), so a row equals the value ``dg.indicatori`` gives for that year.
    A year the value cannot be computed for is NaN with a ``nota`` saying why; a share
    known only within bounds has ``basso`` and ``alto``. The ids are those of
    ``dg.indicatori(...)["indicatore"]``; indicators from OpenStreetMap, the analyst's
    survey or the long-run change have no yearly series.

    Columns: ``territorio``, ``indicatore``, ``anno`` (of the figure), ``riferimento``,
    ``valore``, ``basso``, ``alto``, ``unita``, ``stato``, ``fonte``, ``nota``.

    >>> import diagnosis as dg
    >>> dg.serie("Pioltello", "popolazione")[["anno", "valore", "stato"]]
       anno   valore        stato
    0  2022  36202.0   definitivo
    1  2023  36271.0   definitivo
    2  2024  36657.0   definitivo
    3  2025  37184.0   definitivo
    4  2026  37709.0  provvisorio
    """
    territory = territory_of(territorio)
    if indicatore not in INDICATORS:
        raise IndicatoreNonValido(
            f"Indicatore {indicatore!r} sconosciuto. Indicatori validi: {', '.join(INDICATORS)}."
        )
    indicator = INDICATORS[indicatore]
    years = _series_years(indicator)
    if not years:
        raise IndicatoreNonValido(
            f"L'indicatore {indicatore!r} non ha una serie annuale (poggia su {', '.join(indicator.dati)}, senza un "
            "anno per dato). Il suo valore di oggi è in dg.indicatori(...)."
        )
    provenance = Provenance(territory)
    with store.held_state():  # every year's figures read the same unchanged store
        rows = [_series_row(territory, indicator, year, provenance) for year in years]
    return tidy(rows, SERIES_COLUMNS, provenance)


def _series_row(territory, indicator, year: int, provenance: Provenance) -> dict:
    value, counts = one_indicator(indicator, territory, year)
    fonte, stato = figure_provenance(indicator, counts)
    provenance.sources.append(fonte)
    if stato != "non disponibile":
        provenance.statuses.append(stato)
    provenance.editions += [e for e in _editions_read(indicator, counts) if e not in provenance.editions]
    bounded = value if isinstance(value, Intervallo) else None
    return {"territorio": territory.id, "indicatore": indicator.id, "anno": year,
            "riferimento": reference_of(indicator, counts),
            "valore": None if bounded else value_of(value),
            "basso": round(bounded.basso, 2) if bounded else None, "alto": round(bounded.alto, 2) if bounded else None,
            "unita": indicator.unita, "stato": stato, "fonte": fonte,
            "nota": missing_note(indicator, counts, territory) if value is None else None}


def _editions_read(indicator, counts) -> list:
    """The published tables behind the figures an indicator reads (``popolazione@X``: of X's date)."""
    found = []
    for name in indicator.dati:
        if "@" in name:
            dated = getattr(counts, name.split("@", 1)[1])
            figure = counts.popolazioni.get(dated.anno) if dated is not None else None
        else:
            figure = getattr(counts, name, None)
        found += list(getattr(figure, "edizioni", ()))
    return found
