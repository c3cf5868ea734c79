"""Per-territory downloads of one dataset, read as one table.

Each territory's download is stored as its own file (``downloads.territorial``); territories
overlap (a district and its province share comuni), so rows repeat across files.
"""

from __future__ import annotations

import pandas as pd

from diagnosis import store
from diagnosis.sources.istat_sdmx import dimension_columns
from diagnosis.sources.stored import read_stored

FILE_COLUMN = "_file"


def stored_flow(dataset: str) -> pd.DataFrame:
    """Every stored file of a per-territory dataset, as one frame: each comune-year-series is
    taken from the most recently fetched file holding it."""
    combined = _newest_rows(dataset)
    return combined.drop(columns=FILE_COLUMN) if not combined.empty else combined


def stored_flow_sources(dataset: str) -> dict[str, dict[int, set[str]]]:
    """For each stored file of ``dataset``, the areas (``REF_AREA``) per year whose rows it gives
    to ``stored_flow``: a file all of whose rows a newer file repeats gives none."""
    combined = _newest_rows(dataset)
    if combined.empty:
        return {}
    given = combined.groupby([FILE_COLUMN, "anno"])["REF_AREA"].agg(set)
    found: dict[str, dict[int, set[str]]] = {}
    for (path, year), areas in given.items():
        found.setdefault(path, {})[int(year)] = areas
    return found


def _newest_rows(dataset: str) -> pd.DataFrame:
    entries = sorted(store.entries(dataset), key=lambda e: e["fetched_at"], reverse=True)
    frames = []
    for entry in entries:
        frame = read_stored(dataset, entry["path"])
        frame["vintage"] = entry["vintage"]
        frame[FILE_COLUMN] = entry["path"]
        frames.append(frame)
    if not frames:
        return pd.DataFrame()
    combined = pd.concat(frames, ignore_index=True)
    keys = dimension_columns(combined) + ["anno"]
    return combined.drop_duplicates(subset=keys, keep="first").reset_index(drop=True)
