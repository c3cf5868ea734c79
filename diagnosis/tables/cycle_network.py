"""The street and cycle network of each comune, from the stored OpenStreetMap extracts.

One stored file per comune (``osm_rete``: the Overpass answer, or an OSM XML or JSON extract
the analyst imported for it); the most recent file of a comune is the one used. Lines come
out in EPSG:3035 (the projection of the maps and of the perimeters' areas), each with its
length measured on the ellipsoid: LAEA keeps areas, not lengths (in Sicily it shortens a
north-south street and lengthens an east-west one by 0.75 %).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from diagnosis.sources.osm_network import STATION_COLUMNS, WAY_COLUMNS, OsmNetwork
from diagnosis.sources.stored import read_stored
from diagnosis.tables.osm_points import SOURCE, latest_entries

DATASET = "osm_rete"
EQUAL_AREA_CRS = "EPSG:3035"
GEOGRAPHIC_CRS = "EPSG:4326"
LINE_COLUMNS = ["osm_id", "classe", "highway", "nome", "bici_ammesse", "codice", "nodi", "lunghezza_m"]


@dataclass(frozen=True)
class StoredNetwork:
    """The ways and stations of the comuni that have a file, and what the others lack."""

    vie: pd.DataFrame
    stazioni: pd.DataFrame
    coperti: tuple[str, ...]
    mancanti: tuple[str, ...]
    data_dati: str
    fonte: str


def network(comuni) -> StoredNetwork:
    """The latest network file of each of ``comuni``, put together (a way on a border once)."""
    chosen = latest_entries(DATASET)
    present = [code for code in comuni if code in chosen]
    parts = [(code, _network_of(chosen[code]["path"], chosen[code]["sha256"])) for code in present]
    ways = [part.vie.assign(codice=code) for code, part in parts]
    stations = [part.stazioni.assign(codice=code) for code, part in parts]
    dates = sorted({chosen[code]["vintage"] for code in present})
    return StoredNetwork(
        vie=(pd.concat(ways, ignore_index=True).drop_duplicates("osm_id", ignore_index=True) if ways
             else pd.DataFrame(columns=WAY_COLUMNS + ["codice"])),
        stazioni=(pd.concat(stations, ignore_index=True).drop_duplicates("osm_id", ignore_index=True) if stations
                  else pd.DataFrame(columns=STATION_COLUMNS + ["codice"])),
        coperti=tuple(present), mancanti=tuple(code for code in comuni if code not in chosen),
        data_dati=", ".join(dates), fonte=f"OpenStreetMap ({', '.join(dates)}), {SOURCE}" if dates else SOURCE,
    )


@functools.lru_cache(maxsize=16)
def _network_of(path: str, _sha256: str) -> OsmNetwork:
    return read_stored(DATASET, path)


def covered(comuni) -> list[str]:
    chosen = latest_entries(DATASET)
    return [code for code in comuni if code in chosen]


def lines(found: StoredNetwork):
    """The ways as a GeoDataFrame of lines in EPSG:3035, with ``lunghezza_m`` on the ellipsoid."""
    import geopandas as gpd  # geopandas takes a second to import: only the network's users pay for it
    import shapely  # as geopandas

    geometry = [shapely.LineString(points) for points in found.vie["coordinate"]]
    frame = gpd.GeoDataFrame(found.vie[LINE_COLUMNS[:-1]].reset_index(drop=True),
                             geometry=geometry, crs=GEOGRAPHIC_CRS)
    frame["lunghezza_m"] = geodesic_lengths(frame)
    return frame.to_crs(EQUAL_AREA_CRS)


def geodesic_lengths(frame) -> list[float]:
    """The length in metres of each line of ``frame`` (any CRS), measured on the WGS84 ellipsoid."""
    import pyproj  # as geopandas, which brings it

    geod = pyproj.Geod(ellps="WGS84")
    return [geod.geometry_length(line) for line in frame.geometry.to_crs(GEOGRAPHIC_CRS)]


def segment_lengths(frame) -> list[list[float]]:
    """For each line of ``frame``, the length in metres of each stretch between two of its points."""
    import pyproj  # as geopandas, which brings it

    geod = pyproj.Geod(ellps="WGS84")
    found = []
    for line in frame.geometry.to_crs(GEOGRAPHIC_CRS):
        lon, lat = np.asarray(line.coords).T
        found.append(list(geod.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2]))
    return found


def stations(found: StoredNetwork):
    """The railway stations as points in EPSG:3035; a station mapped twice (the node and the
    building, both named) is kept once, one without a name is called after its OpenStreetMap id."""
    import geopandas as gpd  # see lines

    table = found.stazioni.reset_index(drop=True)
    named = table["nome"].fillna("") != ""
    table = pd.concat([table[named].drop_duplicates("nome"), table[~named]], ignore_index=True)
    table["nome"] = table["nome"].where(table["nome"].fillna("") != "", "Stazione senza nome (" + table["osm_id"] + ")")
    points = gpd.points_from_xy(table["lon"].astype(float), table["lat"].astype(float), crs=GEOGRAPHIC_CRS)
    return gpd.GeoDataFrame(table[["osm_id", "nome", "codice"]], geometry=points).to_crs(EQUAL_AREA_CRS)
