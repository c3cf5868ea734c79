"""A consumer price index by year, to state income in real terms.

Two series can be held: the one in the embedded snapshot (table ``prezzi``) and one the
analyst imported (``sources.price_index``, any base year). Only ratios between years are
used, so the base does not matter; but two bases are never mixed: the series that reaches
the later year is used whole, the imported one when both end in the same year (the analyst
chose it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from diagnosis import snapshot, store
from diagnosis.sources.stored import read_stored

DATASET = "indice_prezzi"
SNAPSHOT_TABLE = "prezzi"


@dataclass(frozen=True)
class PriceIndex:
    valori: dict[int, float]
    origine: str  # how a sentence names the series: "incorporato" or "importato"


def price_index() -> PriceIndex:
    imported, embedded = _imported_index(), _embedded_index()
    if embedded and (not imported or max(embedded) > max(imported)):
        return PriceIndex(embedded, "incorporato")
    return PriceIndex(imported, "importato")


def _imported_index() -> dict[int, float]:
    entry = store.preferred(store.entries(DATASET))
    return _index_of(entry["path"], entry["sha256"]) if entry else {}


@functools.lru_cache(maxsize=4)
def _index_of(path: str, _sha256: str) -> dict[int, float]:
    return read_stored(DATASET, path)


@functools.cache
def _embedded_index() -> dict[int, float]:
    table = snapshot.table(SNAPSHOT_TABLE)
    return dict(zip(table["anno"].astype(int), table["indice"].astype(float)))
