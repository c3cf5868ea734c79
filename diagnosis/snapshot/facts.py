"""The declarative facts of the snapshot build: ``fonti.yaml`` and ``province.yaml``."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

SOURCES_FILE = Path(__file__).with_name("fonti.yaml")
PROVINCES_FILE = Path(__file__).with_name("province.yaml")
# Keys of a source entry copied into provenienza.json, in this order.
PROVENANCE_KEYS = ("editore", "titolo", "file", "vintage", "stato", "licenza", "attribuzione", "url", "note")


@functools.cache
def _sources_file() -> dict:
    return yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8"))


@functools.cache
def provinces() -> dict:
    """New provinces (code -> nome, sigla), their date and the provinces they replaced."""
    return yaml.safe_load(PROVINCES_FILE.read_text(encoding="utf-8"))


def parameters() -> dict:
    return dict(_sources_file()["parametri"])


def sources() -> dict[str, dict]:
    """Every source by id, publisher facts merged in and per-year entries expanded.

    A per-year entry (``anni: {da, a}``) becomes one source per year, id ``<id>_<anno>``,
    with ``{anno}`` and ``{anno_successivo}`` filled in its strings.
    """
    declared = _sources_file()
    publishers = declared["editori"]
    expanded = {}
    for source_id, entry in declared["fonti"].items():
        merged = {**publishers[entry["editore"]], **{k: v for k, v in entry.items() if k != "editore"}}
        if "anni" not in merged:
            expanded[source_id] = merged
            continue
        years = merged.pop("anni")
        for year in range(int(years["da"]), int(years["a"]) + 1):
            expanded[f"{source_id}_{year}"] = {**_fill(merged, year), "anno": year}
    return expanded


def per_year_ids(prefix: str) -> dict[int, str]:
    """Year -> source id of a per-year source (``mef_irpef`` -> {2000: "mef_irpef_2000", …})."""
    return {entry["anno"]: source_id for source_id, entry in sources().items()
            if "anno" in entry and source_id == f"{prefix}_{entry['anno']}"}


def _fill(entry: dict, year: int) -> dict:
    values = {"anno": year, "anno_successivo": year + 1}
    return {key: value.format(**values) if isinstance(value, str) else value for key, value in entry.items()}
