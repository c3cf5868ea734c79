"""The cycle network: its figures, the links it makes, the map's layers and the streets.

From the OpenStreetMap network stored for each comune (``diagnosis dati scarica --fonte
osm_rete --territorio ...``) and, for the commercial poles, the OpenStreetMap shops (``--fonte
osm``). A district with a drawn perimeter has each figure twice: ``ambito`` ``comuni`` and
``perimetro``.
"""

from __future__ import annotations

import functools

import pandas as pd

from diagnosis import store
from diagnosis.api.common import Provenance, territory_of, tidy
from diagnosis.errors import DatiNonDisponibili
from diagnosis.indicators import cycle_routes, cycling
from diagnosis.sources.osm_network import CLASS_LABELS, CLASSES
from diagnosis.tables import census_sections, cycle_network, osm_points

FIGURE_COLUMNS = ["territorio", "ambito", "indicatore", "etichetta", "valore", "unita", "versione", "fonte", "nota"]
FIGURES = {  # id → (label, unit)
    **{f"km_{kind}": (CLASS_LABELS[kind], "km") for kind in CLASSES},
    "km_ciclabili": ("Infrastruttura ciclabile (piste, corsie e percorsi promiscui)", "km"),
    "km_rete": ("Rete considerata (strade e infrastruttura ciclabile)", "km"),
    "quota_ciclabile_rete": ("Quota ciclabile della rete", "%"),
    "km_ciclabili_per_kmq": ("Infrastruttura ciclabile per km² di superficie", "km/km²"),
    "km_ciclabili_per_1000_abitanti": ("Infrastruttura ciclabile per 1.000 abitanti", "km"),
    "poli_commerciali": ("Poli commerciali (gruppi di negozi in OpenStreetMap)", "poli"),
    "stazioni": ("Stazioni ferroviarie", "stazioni"),
    "collegamenti": ("Collegamenti esaminati (polo-stazione e polo-polo)", "collegamenti"),
    "collegamenti_ciclabili": ("Collegamenti su percorso ciclabile", "collegamenti"),
}
# Figures that rest on the shops as well as on the network.
POLE_FIGURES = ("poli_commerciali", "collegamenti", "collegamenti_ciclabili")
LINK_COLUMNS = ["territorio", "ambito", "da", "a", "lunghezza_m", "su_ciclabile_m", "quota_ciclabile",
                "lacuna_max_m", "collegato"]


def ciclabilita(territorio):
    """The cycle network's figures, one row per figure and scope (``ambito``).

    Lengths in km measured on the ellipsoid, by class (``km_pista_ciclabile``,
    ``km_corsia_ciclabile``, ``km_percorso_promiscuo``, ``km_strada``), density per km² and per
    1,000 inhabitants, share of the network, poles, stations and how many of their links run
    on cycle infrastructure (the rule is in ``attrs["regola"]``). Without the network of every
    comune the values are NaN and ``nota`` says how to get it; the comuni are in
    ``attrs["comuni_mancanti"]``. ``attrs["titolo"]`` names the figures as a whole.

    Columns: ``territorio``, ``ambito``, ``indicatore``, ``etichetta``, ``valore``, ``unita``,
    ``versione`` (the OpenStreetMap files used), ``fonte``, ``nota``.

    >>> import diagnosis as dg
    >>> cifre = dg.ciclabilita("Pioltello")
    >>> cifre["valore"].isna().all(), cifre.attrs["comuni_mancanti"]
    (True, {'osm_rete': ['015175']})
    """
    territory = territory_of(territorio)
    provenance = Provenance(territory)
    provenance.extra["regola"] = cycle_routes.RULE
    provenance.extra["titolo"] = "Rete ciclabile"
    try:
        scopes = _analysis(territory)
    except DatiNonDisponibili as missing:
        provenance.sources.append(osm_points.SOURCE)
        provenance.missing["osm_rete"] = list(cycle_network.network(territory.comuni).mancanti)
        rows = [_row(territory, "comuni", key, float("nan"), "", "", str(missing)) for key in FIGURES]
        return tidy(rows, FIGURE_COLUMNS, provenance)
    found = cycle_network.network(territory.comuni)
    provenance.sources.append(found.fonte)
    rows = []
    for scope in scopes:
        figures = scope.figures()
        values = {**{f"km_{kind}": km for kind, km in figures["km_per_classe"].items()}, **figures}
        for key in FIGURES:
            value = values[key]
            why = _why_missing(key, scope, territory) if value is None else None
            rows.append(_row(territory, scope.ambito, key, float("nan") if value is None else value,
                             found.data_dati, found.fonte, why))
    return tidy(rows, FIGURE_COLUMNS, provenance)


def _row(territory, scope, key, value, version, source, note) -> dict:
    label, unit = FIGURES[key]
    return {"territorio": territory.id, "ambito": scope, "indicatore": key, "etichetta": label, "valore": value,
            "unita": unit, "versione": version, "fonte": source, "nota": note}


def _why_missing(key: str, scope, territory) -> str:
    if key in POLE_FIGURES:
        return _shops_note(territory)
    if key == "km_ciclabili_per_1000_abitanti" and scope.ambito == "perimetro":
        return ("I residenti del perimetro non sono noti: vengono dalle sezioni di censimento "
                f"(diagnosis dati scarica --fonte sezioni_2021 --territorio {territory.id} e --fonte "
                "confini_sezioni_2021).")
    if key == "km_ciclabili_per_1000_abitanti":
        return "Popolazione non disponibile per tutti i comuni del territorio."
    return "Superficie non disponibile."


def _shops_note(territory) -> str:
    target = cycling.command_target(territory)
    return ("Poli commerciali e loro collegamenti non noti: mancano i negozi di OpenStreetMap di qualche comune. "
            f"Per ottenerli: diagnosis dati scarica --fonte osm --territorio {target}.")


def collegamenti_ciclabili(territorio):
    """Each commercial pole with each railway station and each other pole: the route and whether it is cycled.

    ``collegato`` follows the rule in ``attrs["regola"]``; ``quota_ciclabile`` is the share (%)
    of the route on cycle infrastructure, ``lacuna_max_m`` its longest stretch off it. Raises
    :class:`DatiNonDisponibili` naming the command when the network is missing.
    """
    territory = territory_of(territorio)
    scopes = _analysis(territory)
    table = pd.concat([scope.collegamenti.assign(territorio=territory.id, ambito=scope.ambito) for scope in scopes],
                      ignore_index=True)[LINK_COLUMNS]
    provenance = Provenance(territory)
    provenance.sources.append(cycle_network.network(territory.comuni).fonte)
    provenance.extra["regola"] = cycle_routes.RULE
    return provenance.write(table)


def rete_ciclabile(territorio, ambito: str = "comuni"):
    """The layers of the cycle network map, one GeoDataFrame in EPSG:3035.

    ``elemento`` is ``via`` (each way, its ``classe``), ``lacuna`` (a stretch of a route off cycle
    infrastructure, ``tollerata`` or not), ``polo`` (a commercial pole) or ``stazione``;
    ``ambito`` ``perimetro`` clips the ways to a district's perimeter. Raises
    :class:`DatiNonDisponibili` naming the command when the network is missing.
    """
    import geopandas as gpd  # geopandas takes a second to import: only the map pays for it

    territory = territory_of(territorio)
    scopes = {scope.ambito: scope for scope in _analysis(territory)}
    if ambito not in scopes:
        raise DatiNonDisponibili(f"Ambito {ambito!r} non disponibile per {territory.nome}: scegliere fra "
                                 f"{', '.join(scopes)} (il perimetro c'è solo per un distretto che ne disegna uno).")
    scope = scopes[ambito]
    layers = [
        scope.rete[["classe", "nome", "lunghezza_m", "geometry"]].assign(elemento="via"),
        scope.lacune[["vie", "lunghezza_m", "tollerata", "geometry"]].rename(columns={"vie": "nome"})
        .assign(elemento="lacuna"),
        scope.poli[["nome", "negozi", "geometry"]].assign(elemento="polo"),
        scope.stazioni[["nome", "geometry"]].assign(elemento="stazione"),
    ]
    frame = gpd.GeoDataFrame(pd.concat(layers, ignore_index=True), geometry="geometry", crs=scope.rete.crs)
    frame.attrs = {"fonte": cycle_network.network(territory.comuni).fonte, "regola": cycle_routes.RULE,
                   "territorio": territory.id, "ambito": ambito}
    return frame


def strade(territorio):
    """The street and cycle network as lines in EPSG:3035, one row per OpenStreetMap way, with ``classe``.

    ``classe`` is ``pista_ciclabile``, ``corsia_ciclabile``, ``percorso_promiscuo`` or
    ``strada``; ``highway`` is the OpenStreetMap tag, ``bici_ammesse`` False where cyclists may
    not ride, ``lunghezza_m`` the length on the ellipsoid, ``codice`` the comune of the file.
    For a per-km figure of street frontage, the streets are ``classe`` ``strada`` and
    ``corsia_ciclabile`` (a lane runs along a street). Raises :class:`DatiNonDisponibili`
    naming the command when a comune has no network file.
    """
    territory = territory_of(territorio)
    found = cycle_network.network(territory.comuni)
    if found.mancanti:
        raise DatiNonDisponibili(cycling.missing_note(territory, found.mancanti))
    lines = cycle_network.lines(found).drop(columns=["nodi"])
    lines.attrs = {"fonte": found.fonte, "data": found.data_dati, "territorio": territory.id}
    return lines


def _analysis(territory):
    """The analysis of the territory, computed once for the files in the store now."""
    chosen = tuple((dataset, code, entry["sha256"])
                   for dataset in (cycle_network.DATASET, osm_points.DATASET)
                   for code, entry in sorted(osm_points.latest_entries(dataset).items())
                   if code in territory.comuni)
    # The census sections give the perimeter's residents.
    sections = tuple(store.dataset_state(dataset) for year in census_sections.YEARS
                     for dataset in (census_sections.variables_dataset(year), census_sections.boundaries_dataset(year)))
    return _analysed(territory, chosen + sections, store.raw_dir())


@functools.lru_cache(maxsize=8)
def _analysed(territory, _files, _store_dir):
    return cycling.analyse(territory)
