"""A consumer price index by year, to state income in real terms.

The index the analyst imported (``sources.price_index``); only ratios between years are
used, so its base year does not matter.
"""

from __future__ import annotations

import functools

from diagnosis import store
from diagnosis.sources.stored import read_stored

DATASET = "indice_prezzi"


def stored_index() -> dict[int, float]:
    entry = store.preferred(store.entries(DATASET))
    return _index_of(entry["path"], entry["sha256"]) if entry else {}


@functools.lru_cache(maxsize=4)
def _index_of(path: str, _sha256: str) -> dict[int, float]:
    return read_stored(DATASET, path)
