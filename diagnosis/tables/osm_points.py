"""OpenStreetMap shops, places and vacant premises of each comune, from the stored answers.

One stored file per comune (the Overpass answer, or an OSM export the analyst imported for
it); the most recent file of a comune is the one used.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from diagnosis import store
from diagnosis.sources.overpass import ACTIVE, POINT_COLUMNS, VACANT
from diagnosis.sources.stored import read_stored

DATASET = "osm"
SOURCE = "© i contributori di OpenStreetMap (ODbL)"


@dataclass(frozen=True)
class OsmTotals:
    attivi_per_gruppo: dict[str, int]
    sfitti: int
    comuni_coperti: int
    data_dati: str
    fonte: str


def latest_entries(dataset: str = DATASET) -> dict[str, dict]:
    """Each comune's most recent stored file of ``dataset`` (one OpenStreetMap file per comune)."""
    chosen: dict[str, dict] = {}
    for entry in sorted(store.entries(dataset), key=lambda e: e["fetched_at"]):
        for code in entry.get("comuni", []):
            chosen[code] = entry
    return chosen


def points(comuni) -> pd.DataFrame:
    """Every point of ``comuni`` with the comune code, from the latest file of each."""
    chosen = latest_entries()
    frames = [
        _points_of(entry["path"], entry["sha256"]).assign(codice=code)
        for code, entry in chosen.items() if code in set(comuni)
    ]
    if not frames:
        return pd.DataFrame(columns=POINT_COLUMNS + ["codice"])
    return pd.concat(frames, ignore_index=True)


@functools.lru_cache(maxsize=64)
def _points_of(path: str, _sha256: str) -> pd.DataFrame:
    return read_stored(DATASET, path)


def covered(comuni) -> list[str]:
    chosen = latest_entries()
    return [code for code in comuni if code in chosen]


def totals(comuni) -> OsmTotals | None:
    """Active places per group and vacant premises, when every comune has an OSM file."""
    present = covered(comuni)
    if not present or len(present) < len(set(comuni)):
        return None
    found = points(present)
    active = found[found["stato"] == ACTIVE]
    per_group: dict[str, int] = {}
    for groups in active["gruppi"]:
        for group_id in groups:
            per_group[group_id] = per_group.get(group_id, 0) + 1
    chosen = latest_entries()
    dates = sorted({chosen[code]["vintage"] for code in present})
    return OsmTotals(
        attivi_per_gruppo=per_group, sfitti=int((found["stato"] == VACANT).sum()), comuni_coperti=len(present),
        data_dati=", ".join(dates), fonte=f"OpenStreetMap ({', '.join(dates)}), {SOURCE}",
    )
