"""The shops of a district's perimeter: counts, densities and the categories it lacks.

From three sources, each clipped to the perimeter (:mod:`perimeter_geometry`): the
OpenStreetMap places of the district's comuni, the analyst's shop register and the
vacancy survey. Two densities: shops per 1,000 residents of the perimeter (by areal
weighting of the census sections in the store, or given by the caller; never guessed from
the comuni) and per km of street frontage (from the OpenStreetMap street network in the
store, or street lines given by the caller). Two comparisons of the mix: the
perimeter against the rest of its comuni (the same OpenStreetMap data outside the
perimeter) and against the peer comuni (their OpenStreetMap rate × the perimeter's
residents, as :func:`commerce_analysis.gaps_at_peer_rate`).

A figure that cannot be computed is ``None`` and its reason is in ``mancanti``, with the
command that gets it; it is never a zero.
"""

from __future__ import annotations

import pandas as pd

from diagnosis.indicators.availability import HOW_TO_GET
from diagnosis.indicators.base import SMALL_BASE, Indicator, ratio
from diagnosis.indicators.commerce_analysis import gaps_at_peer_rate
from diagnosis.indicators.comparison import beyond_chance
from diagnosis.indicators.perimeter_geometry import BORDER_RULE, FRONTAGE_RULE, clip_places, frontage_by_class
from diagnosis.sources.commerce_groups import mix_groups
from diagnosis.sources.overpass import ACTIVE, VACANT
from diagnosis.tables import analyst, census_sections, cycle_network, osm_points, population
from diagnosis.territory.model import Territorio

RETAIL = "dettaglio_totale"  # the shops a density counts: retail, as the indicator negozi_osm
SHARE_RULE = (f"Un gruppo è giudicato più o meno presente nel perimetro solo quando gli esercizi attesi o presenti "
              f"sono almeno {SMALL_BASE} e lo scarto supera quello dovuto al caso.")
# What the comparison of a group's count with its expected count is, for the rule on chance:
# a count of places, compared as a ratio (not in points).
GROUP_COUNT = Indicator(
    id="esercizi_del_gruppo_nel_perimetro", etichetta="Esercizi del gruppo nel perimetro",
    definizione="esercizi attivi del gruppo nel perimetro, contro quelli attesi con la composizione del resto dei comuni",
    unita="esercizi", direzione="neutro", dati=("osm",),
    formula=lambda _counts: None,  # counted from the clipped places here, not from the comuni's counts
)
RESIDENTS_MISSING = ("Dato mancante: i residenti del perimetro, dalle sezioni di censimento. Per ottenerlo: "
                     "diagnosis dati scarica --fonte sezioni_2021 --territorio {territorio} e --fonte "
                     "confini_sezioni_2021.")
STREETS_MISSING = ("Dato mancante: le strade del perimetro, dalla rete stradale di OpenStreetMap. Per ottenerlo: "
                   "diagnosis dati scarica --fonte osm_rete --territorio {territorio}.")
# The ways a shop can face: separate cycle tracks have no shop fronts.
FRONTAGE_CLASSES = ("strada", "corsia_ciclabile", "percorso_promiscuo")
NO_GEOMETRY = ("Il perimetro è dato per sezioni di censimento o aree sub-comunali, senza geometria nell'archivio: "
               "i negozi non si possono ancora localizzare dentro il perimetro.")


def _missing_note(figure: str, territory: Territorio) -> str:
    label, command = HOW_TO_GET[figure]
    # Worded as the indicators' notes, so that the appendix lists a source missing for both once.
    return f"Dato mancante: {label}. Per ottenerlo: {command.format(territorio=territory.id)}."


def per_group(places: pd.DataFrame) -> dict[str, int]:
    """Active places per mix group (a place counts in each of its groups); every group listed, 0 included."""
    counts = dict.fromkeys((g.id for g in mix_groups()), 0)
    for groups in places.loc[places["stato"] == ACTIVE, "gruppi"]:
        for group_id in groups:
            if group_id in counts:
                counts[group_id] += 1
    return counts


def _retail(places: pd.DataFrame) -> int:
    active = places[places["stato"] == ACTIVE]
    return int(sum(RETAIL in groups for groups in active["gruppi"]))


def densities(shops: int | None, residents: float | None, frontage_km: float | None) -> dict:
    """Shops per 1,000 residents and per km of frontage; None where a term is missing or zero."""
    return {"per_1000_residenti": _rounded(ratio(shops, residents, 1000.0)),
            "per_km_fronte": _rounded(ratio(shops, frontage_km, 1.0))}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def against_rest(inside: dict[str, int], rest: dict[str, int]) -> list[dict]:
    """Per group: the perimeter's share against the rest of its comuni, and the count that share means.

    ``attese`` is the perimeter's places at the rest's mix; a group is judged only on at
    least ``SMALL_BASE`` places (expected or present) and beyond chance (``beyond_chance``,
    the expected count as its base). Empty when either side has no places at all.
    """
    total_in, total_rest = sum(inside.values()), sum(rest.values())
    if not total_in or not total_rest:
        return []
    names = {g.id: g.nome for g in mix_groups()}
    rows = []
    for group_id, present in inside.items():
        if not present and not rest[group_id]:
            continue  # a group found on neither side says nothing about the perimeter
        expected = total_in * rest[group_id] / total_rest
        rows.append({
            "gruppo": group_id, "nome": names[group_id], "presenti": present, "attese": round(expected, 1),
            "scarto": round(expected - present, 1), "quota_perimetro": round(present / total_in * 100, 1),
            "quota_resto": round(rest[group_id] / total_rest * 100, 1), "resto": rest[group_id],
            "lettura": _reading(present, expected),
        })
    return sorted(rows, key=lambda row: -row["scarto"])


def _reading(present: int, expected: float) -> str:
    if max(present, expected) < SMALL_BASE:
        return "pochi esercizi: non giudicato"
    if not beyond_chance(GROUP_COUNT, present, expected, expected):
        return "in linea"
    return "più presente nel perimetro" if present > expected else "meno presente nel perimetro"


def frontage(streets, perimeter_wkt: str) -> dict:
    per_class = frontage_by_class(streets, perimeter_wkt)
    return {"fronte_km": round(float(per_class["fronte_km"].sum()), 3),
            "lunghezza_km": round(float(per_class["lunghezza_km"].sum()), 3),
            "per_classe": per_class.round(3).to_dict("records")}


def shops_in_perimeter(territory: Territorio, year: int, peer_codes, residents: float | None = None,
                       streets=None) -> dict | None:
    """The ``negozi_perimetro`` block of the indicators JSON; None for a territory without perimeter."""
    perimeter = territory.perimetro
    if perimeter is None:
        return None
    summary: dict = {"regole": [BORDER_RULE, FRONTAGE_RULE, SHARE_RULE], "residenti": residents,
                     "fronte": None, "osm": None, "registro": None, "sfitti_rilevati": None,
                     "categorie_resto": [], "categorie_pari": [], "mancanti": []}
    if perimeter.geometria is None:
        summary["mancanti"].append(NO_GEOMETRY)
        return summary
    missing = summary["mancanti"]
    if residents is None:
        residents = summary["residenti"] = census_sections.perimeter_residents(perimeter, territory.comuni)
    if residents is None:
        missing.append(RESIDENTS_MISSING.format(territorio=territory.id))
    if streets is None:
        streets = stored_streets(territory)
    if streets is None:
        missing.append(STREETS_MISSING.format(territorio=territory.id))
    else:
        summary["fronte"] = frontage(streets, perimeter.geometria)
    frontage_km = summary["fronte"]["fronte_km"] if summary["fronte"] else None
    _add_osm(summary, territory, year, peer_codes, residents, frontage_km)
    _add_survey(summary, territory, residents, frontage_km)
    return summary


def stored_streets(territory: Territorio):
    """The streets shops can face, from the OpenStreetMap network of every comune; None without it."""
    found = cycle_network.network(territory.comuni)
    if found.mancanti or found.vie.empty:
        return None
    lines = cycle_network.lines(found)
    return lines[lines["classe"].isin(FRONTAGE_CLASSES)]


def _add_osm(summary: dict, territory: Territorio, year: int, peer_codes, residents, frontage_km) -> None:
    totals = osm_points.totals(territory.comuni)
    if totals is None:  # a comune without its file would drop out of every sum
        summary["mancanti"].append(_missing_note("osm", territory))
        return
    clipped = clip_places(osm_points.points(territory.comuni), territory.perimetro.geometria)
    inside = clipped.inside
    shops = _retail(inside)
    summary["osm"] = {
        "conteggi": {"negozi": shops, "esercizi_attivi": int((inside["stato"] == ACTIVE).sum()),
                     "sfitti": int((inside["stato"] == VACANT).sum()), "fuori": len(clipped.outside),
                     "negozi_fuori": _retail(clipped.outside),
                     "non_localizzati": len(clipped.unlocated)},
        "negozi_per_comune": {code: _retail(inside[inside["codice"] == code]) for code in territory.comuni},
        "densita": densities(shops, residents, frontage_km), "fonte": totals.fonte, "data_dati": totals.data_dati,
    }
    summary["categorie_resto"] = against_rest(per_group(inside), per_group(clipped.outside))
    summary["categorie_pari"] = _against_peers(summary, per_group(inside), peer_codes, year, residents, territory)


def _against_peers(summary: dict, inside: dict[str, int], peer_codes, year: int, residents,
                   territory: Territorio) -> list[dict]:
    if not peer_codes or residents is None:
        return []
    peers = osm_points.totals(peer_codes)
    if peers is None:
        summary["mancanti"].append("Dato mancante: OpenStreetMap per tutti i comuni simili. Per ottenerlo: "
                                   f"diagnosis dati scarica --fonte osm --territorio {territory.id}.")
        return []
    people = population.totals_by_comune(year, peer_codes)
    if len(people) < len(set(peer_codes)):  # a peer without residents would drop out of the rate
        summary["mancanti"].append(f"Dato mancante: la popolazione al 1° gennaio {year} di tutti i comuni simili. "
                                   f"Per ottenerlo: diagnosis dati scarica --fonte posas --anni {year}.")
        return []
    peer_units = {g.id: peers.attivi_per_gruppo.get(g.id, 0) for g in mix_groups()}
    return gaps_at_peer_rate(inside, peer_units, sum(people.values()), residents)


def _add_survey(summary: dict, territory: Territorio, residents, frontage_km) -> None:
    """The register's active shops and the premises vacant today (register or survey, once each)."""
    places = analyst.all_points(territory.id)
    if places is None:
        summary["mancanti"].append(_missing_note("rilevazione", territory))
        return
    source = analyst.figures(territory.id)["fonte"]
    if analyst.validated(analyst.REGISTER, territory.id) is not None:
        shops = clip_places(places[(places["origine"] == analyst.REGISTER) & (places["stato"] == ACTIVE)],
                            territory.perimetro.geometria)
        summary["registro"] = {"conteggi": _counts("negozi", shops), "fonte": source,
                               "densita": densities(len(shops.inside), residents, frontage_km)}
    vacant = clip_places(places[places["stato"] == VACANT], territory.perimetro.geometria)
    summary["sfitti_rilevati"] = {"conteggi": _counts("sfitti", vacant), "fonte": source}


def _counts(what: str, clipped) -> dict:
    return {what: len(clipped.inside), "fuori": len(clipped.outside), "non_localizzati": len(clipped.unlocated)}
