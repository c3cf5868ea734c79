"""The indicator values of many comuni as one table: shared with a batch's workers, kept on disk.

A report ranks its territory among the comuni of its province and among its peers: dozens
of comuni, each of whose values takes about half a millisecond to compute. A batch spread
over Italy computes most of Italy's comuni that way, and the next batch all over again.
When a batch would compute that many (``batch.comparisons``), it computes every comune once
and saves the table under the cache folder; from then on every report, batch or notebook
reads a comune's values from it, until the data or the code change.

The saved table is keyed by the year and by everything the values depend on
(``tables.versions``: the embedded data, the snapshot, the source catalogue, the store's
manifest, every module of the package): a file imported since, a new release or a corrected
formula gives a new key, so a stale table is never read. Only plain arrays are written.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from diagnosis import store
from diagnosis.tables import disk_cache
from diagnosis.tables.versions import code_digest, data_digest

KIND = "indicatori-comuni"


@dataclass(frozen=True)
class ComuniTable:
    """``{indicator id: value}`` of each comune, as ``compute.indicator_values`` gives it: a
    value that cannot be computed is None (stored as NaN), a count stays an ``int``."""

    codes: np.ndarray  # the comuni, one per row
    ids: tuple[str, ...]  # the indicators, one per column
    values: np.ndarray  # float64; NaN where the value is None
    whole: np.ndarray  # True where the value is an int

    @classmethod
    def from_values(cls, values: dict[str, dict]) -> ComuniTable:
        """From ``{code: {indicator id: value}}`` (``compute.comuni_values``)."""
        codes = list(values)
        ids = tuple(next(iter(values.values()), {}))
        rows = [[values[code][key] for key in ids] for code in codes]
        return cls(
            codes=np.array(codes, dtype=str),
            ids=ids,
            values=np.array([[np.nan if value is None else value for value in row] for row in rows],
                            dtype=np.float64).reshape(len(codes), len(ids)),
            whole=np.array([[isinstance(value, int) for value in row] for row in rows],
                           dtype=bool).reshape(len(codes), len(ids)),
        )

    @functools.cached_property
    def _rows(self) -> dict[str, int]:
        return {code: row for row, code in enumerate(self.codes.tolist())}

    def __contains__(self, code: str) -> bool:
        return code in self._rows

    def __len__(self) -> int:
        return len(self.codes)

    def values_of(self, code: str) -> dict | None:
        """The comune's values; None when the table does not hold it."""
        row = self._rows.get(code)
        if row is None:
            return None
        return {key: _value(value, whole) for key, value, whole
                in zip(self.ids, self.values[row].tolist(), self.whole[row].tolist())}

    def as_arrays(self) -> dict[str, np.ndarray]:
        return {"codes": self.codes, "ids": np.array(self.ids, dtype=str), "values": self.values, "whole": self.whole}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> ComuniTable:
        return cls(codes=arrays["codes"], ids=tuple(arrays["ids"].tolist()), values=arrays["values"],
                   whole=arrays["whole"])


def _value(value: float, whole: bool):
    if value != value:  # NaN: no value
        return None
    return int(value) if whole else value


def _kind(year: int) -> str:
    return f"{KIND}-{year}"


def _key(year: int) -> str:
    return disk_cache.key_of(KIND, str(year), data_digest(), code_digest())


def save(table: ComuniTable, year: int) -> None:
    """Keep the table of every comune for the next runs, under the present data and code, in
    place of the year's table made under earlier ones (a few megabytes each)."""
    disk_cache.save(_kind(year), _key(year), table.as_arrays(), only=True)
    _saved.cache_clear()


def saved(year: int) -> ComuniTable | None:
    """The table of every comune saved for ``year`` under the present data and code; None when there is none."""
    return _saved(year, store.state())


@functools.lru_cache(maxsize=4)
def _saved(year: int, _state: tuple) -> ComuniTable | None:
    # Looked for once per store state: a process reads the file once, and a file imported
    # meanwhile (a new state) is looked for under its new key.
    arrays = disk_cache.load(_kind(year), _key(year))
    return ComuniTable.from_arrays(arrays) if arrays is not None else None
