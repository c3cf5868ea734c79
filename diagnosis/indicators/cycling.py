"""The cycle network of a territory: length by class, density, share, and the links it makes.

Figures for the territory's comuni, and for a district's drawn perimeter the same clipped to
it (the routes still run on the comuni's whole network, and a pole counts when it lies inside
the perimeter). Lengths are on the ellipsoid; a way crossing the comune's border counts
whole, as OpenStreetMap returns it. A cycle lane counts once, as its street's length, even
when there is one on each side. The share of the network is cycle infrastructure over every
way kept (streets and cycle infrastructure).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from diagnosis.errors import DatiNonDisponibili
from diagnosis.indicators import cycle_routes
from diagnosis.sources.osm_network import CLASSES, CYCLE_CLASSES
from diagnosis.sources.overpass import ACTIVE
from diagnosis.tables import census_sections, cycle_network, measures, osm_points, population
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio

HOW_TO_GET = "diagnosis dati scarica --fonte osm_rete --territorio {territorio}"
# A note names the comuni without a network up to this many; beyond, it counts them.
NAMED_AT_MOST = 10


@dataclass(frozen=True)
class CyclingAnalysis:
    """One scope's network (``ambito``: ``comuni`` or ``perimetro``), its places and its links."""

    ambito: str
    rete: object  # GeoDataFrame of lines, EPSG:3035, clipped to the perimeter for that scope
    poli: object  # GeoDataFrame of points
    stazioni: object  # GeoDataFrame of points
    collegamenti: pd.DataFrame
    lacune: object  # GeoDataFrame of lines
    superficie_kmq: float | None
    popolazione: float | None
    negozi_mancanti: tuple[str, ...]

    def km_per_classe(self) -> dict[str, float]:
        metres = self.rete.groupby("classe")["lunghezza_m"].sum()
        return {kind: float(metres.get(kind, 0.0)) / 1000.0 for kind in CLASSES}

    def figures(self) -> dict:
        """The figures as the JSON and the report show them; a ratio without its denominator is None."""
        by_class = self.km_per_classe()
        cycle_km = sum(by_class[kind] for kind in CYCLE_CLASSES)
        network_km = sum(by_class.values())
        linked = self.collegamenti["collegato"]
        # Without every comune's shops the poles are not known: their count is missing, not zero.
        shops_known = not self.negozi_mancanti
        return {
            "ambito": self.ambito,
            "km_per_classe": by_class,
            "km_ciclabili": cycle_km,
            "km_rete": network_km,
            "quota_ciclabile_rete": _ratio(cycle_km, network_km, 100.0),
            "km_ciclabili_per_kmq": _ratio(cycle_km, self.superficie_kmq, 1.0),
            "km_ciclabili_per_1000_abitanti": _ratio(cycle_km, self.popolazione, 1000.0),
            "superficie_kmq": self.superficie_kmq,
            "popolazione": self.popolazione,
            "poli_commerciali": len(self.poli) if shops_known else None,
            "stazioni": len(self.stazioni),
            "collegamenti": len(linked) if shops_known else None,
            "collegamenti_ciclabili": int(linked.sum()) if shops_known else None,
            "negozi_mancanti": list(self.negozi_mancanti),
            "regola": cycle_routes.RULE,
        }


def summary(territory: Territorio) -> dict:
    """The figures for ``diagnosis indicatori --json``: each scope's, or why there are none and how to get them."""
    try:
        scopes = analyse(territory)
    except DatiNonDisponibili as missing:
        return {"disponibile": False, "nota": str(missing)}
    found = cycle_network.network(territory.comuni)
    return {"disponibile": True, "data_dati": found.data_dati, "fonte": found.fonte,
            "ambiti": [scope.figures() for scope in scopes]}


def _ratio(numerator: float, denominator: float | None, scale: float) -> float | None:
    if not denominator:
        return None
    return scale * numerator / denominator


def analyse(territory: Territorio) -> list[CyclingAnalysis]:
    """The analysis of the territory's comuni, then of its perimeter when it has a drawn one.

    Raises :class:`DatiNonDisponibili` naming the command when a comune has no network file:
    a comune never drops out of the lengths unannounced.
    """
    found = cycle_network.network(territory.comuni)
    if found.mancanti:
        raise DatiNonDisponibili(missing_note(territory, found.mancanti))
    lines = cycle_network.lines(found)
    stations = cycle_network.stations(found)
    graph = cycle_routes.routing_graph(lines)
    shops, shops_missing = _shops(territory, lines.crs)
    poles = cycle_routes.commercial_poles(shops, graph)
    whole = _scope("comuni", lines, poles, stations, graph, _area(territory), _population(territory), shops_missing)
    perimeter = territory.perimetro
    if perimeter is None or perimeter.geometria is None:
        return [whole]
    shape = _perimeter_shape(perimeter.geometria, lines.crs)
    inside = poles[poles.within(shape)].reset_index(drop=True)
    clipped = lines.clip(shape).explode(index_parts=False).reset_index(drop=True)
    clipped = clipped[clipped.geom_type == "LineString"].reset_index(drop=True)
    clipped["lunghezza_m"] = cycle_network.geodesic_lengths(clipped)
    residents = census_sections.perimeter_residents(perimeter, territory.comuni)
    return [whole, _scope("perimetro", clipped, inside, stations, graph, perimeter.superficie_kmq, residents,
                          shops_missing)]


def _scope(name, lines, poles, stations, graph, area, people, shops_missing) -> CyclingAnalysis:
    routes = cycle_routes.connections(graph, poles, stations)
    return CyclingAnalysis(ambito=name, rete=lines, poli=poles, stazioni=stations, collegamenti=routes.collegamenti,
                           lacune=routes.lacune, superficie_kmq=area, popolazione=people,
                           negozi_mancanti=shops_missing)


def _shops(territory: Territorio, crs):
    """The shops in use (OpenStreetMap points) in ``crs``, and the comuni without a shops file."""
    import geopandas as gpd  # geopandas takes a second to import: only the network analysis pays

    points = osm_points.points(territory.comuni)
    shops = points[(points["stato"] == ACTIVE) & (points["chiave"] == "shop")].dropna(subset=["lat", "lon"])
    frame = gpd.GeoDataFrame(shops[["nome"]].reset_index(drop=True),
                             geometry=gpd.points_from_xy(shops["lon"].astype(float), shops["lat"].astype(float)),
                             crs=cycle_network.GEOGRAPHIC_CRS).to_crs(crs)
    covered = set(osm_points.covered(territory.comuni))
    return frame, tuple(code for code in territory.comuni if code not in covered)


def _perimeter_shape(wkt: str, crs):
    import geopandas as gpd  # see _shops
    import shapely  # as geopandas

    return gpd.GeoSeries([shapely.from_wkt(wkt)], crs=cycle_network.GEOGRAPHIC_CRS).to_crs(crs).iloc[0]


def _area(territory: Territorio) -> float | None:
    table = registry.comuni().set_index("codice")["superficie_kmq"]
    areas = [table.get(code) for code in territory.comuni]
    return None if any(pd.isna(a) for a in areas) else float(sum(areas))


def _population(territory: Territorio) -> float | None:
    """Residents on 1 January of the fotografia's year; None when a comune has no figure."""
    found = population.totals_by_comune(measures.default_year(), territory.comuni)
    return float(sum(found.values())) if len(found) == len(set(territory.comuni)) else None


def missing_note(territory: Territorio, lacking) -> str:
    """What is missing, then the command after "Per ottenerla:", which the client's edition leaves out."""
    names = registry.names()
    which = (", ".join(names[code] for code in lacking) if len(lacking) <= NAMED_AT_MOST
             else f"{len(lacking)} comuni del territorio")
    return (f"Rete stradale e ciclabile di OpenStreetMap non disponibile per {which}. "
            f"Per ottenerla: {HOW_TO_GET.format(territorio=command_target(territory))} (oppure un'estrazione OSM "
            "importata con diagnosis dati aggiungi FILE --territorio COMUNE).")


def command_target(territory: Territorio) -> str:
    """The territory as the command line takes it, as the other missing-data messages write it."""
    return f'"{territory.etichetta}"' if territory.livello == "comune" else territory.id
