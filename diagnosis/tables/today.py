"""Published tables carried to today's comuni before anything is summed.

Each source lists the comuni of its own date: a 2018 table has comuni merged since, a 2025
one the Sardinian codes changed on 1/1/2026, and some sources keep old codes for a while.
Every table is therefore mapped to today's comuni first, and a comune of today is given a
value only when its whole territory is in the table:

- a comune present in the table needs, besides itself, every comune that was merged into
  it *after* the table's date (those still existed, so they must be listed too);
- a comune absent from the table (created by a merger or a re-coding after its date, or
  listed under its old code by a source that lags) needs those same comuni, and at least
  one of the codes it was made of, each in turn present or rebuilt the same way.

Codes that had already been merged but are still listed (a source lagging behind) are
summed into their heir. A comune only partly covered is left out and named — never summed
on part of its territory — and a blank cell stays blank in every sum it enters.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from diagnosis.territory import history
from diagnosis.territory.history import steps as history_steps


@dataclass(frozen=True)
class TodayTable:
    """A table over today's comuni: ``values[i, j]`` for comune ``codes[i]`` and column ``columns[j]``."""

    codes: np.ndarray
    columns: tuple[str, ...]
    values: np.ndarray
    rebuilt: dict  # today's code -> the published codes summed into it (when not only itself)
    incomplete: tuple[str, ...]  # today's comuni the table covers only in part (left out)
    unknown: tuple[str, ...]  # published codes that lead to no comune of today (left out)

    @functools.cached_property
    def positions(self) -> dict[str, int]:
        codes = np.asarray(self.codes, dtype=str)  # fixed-width text: its bytes are the codes themselves
        return _positions_of(codes.tobytes(), codes.dtype.str)

    def column(self, name: str) -> np.ndarray:
        return self.values[:, self.columns.index(name)]


# Nearly every table lists the same comuni of today: they share one lookup instead of
# holding one each (a measure read for twenty years would otherwise keep twenty).
@functools.lru_cache(maxsize=32)
def _positions_of(packed_codes: bytes, dtype: str) -> dict[str, int]:
    codes = np.frombuffer(packed_codes, dtype=dtype).tolist()
    return {code: i for i, code in enumerate(codes)}


@functools.lru_cache(maxsize=4)
def _predecessors_from(_state: str) -> dict[str, list[tuple[str, pd.Timestamp]]]:
    steps = history_steps()
    steps = steps[~steps["motivo"].str.contains("scorporo") & (steps["codice_vecchio"] != steps["codice_nuovo"])]
    found: dict[str, list[tuple[str, pd.Timestamp]]] = {}
    for old, new, when in steps[["codice_vecchio", "codice_nuovo", "data"]].itertuples(index=False):
        found.setdefault(new, []).append((old, when))
    return found


def _covered(code: str, present: set[str], reference: pd.Timestamp, predecessors: dict, seen=()) -> bool:
    """Whether the table holds the whole territory ``code`` has today (see the module docstring)."""
    if code in seen:  # a code reused after a cycle of changes: do not loop
        return code in present
    earlier = predecessors.get(code, [])
    trail = (*seen, code)
    still_existing = all(_covered(old, present, reference, predecessors, trail)
                         for old, when in earlier if when > reference)
    if code in present:
        return still_existing
    # Absent: made after the table's date out of codes it lists (or listed under an old code
    # by a source that lags), each of them whole.
    return still_existing and any(_covered(old, present, reference, predecessors, trail) for old, _ in earlier)


def to_today(codes, values: np.ndarray, columns, reference: date) -> TodayTable:
    """Map a published table (one row per published code) to today's comuni.

    ``reference`` is the date the table describes: 1 January for a stock, the end of the
    year for a flow (a comune merged during the year may appear under either code).
    """
    heir, predecessors = history.today_codes(), _predecessors_from(history.state())
    codes = np.asarray(codes, dtype=object)
    today = np.array([heir.get(code) for code in codes], dtype=object)
    known = today != None  # noqa: E711 — elementwise on an object array
    unknown = tuple(sorted(set(codes[~known])))
    codes, today, values = codes[known], today[known], np.asarray(values, dtype=float)[known]
    present = set(codes)
    when = pd.Timestamp(reference)
    order = np.argsort(today, kind="stable")
    codes, today, values = codes[order], today[order], values[order]
    heirs, starts = np.unique(today, return_index=True)
    summed = np.add.reduceat(values, starts, axis=0) if len(values) else values
    keep, rebuilt, incomplete = [], {}, []
    for i, (code, start) in enumerate(zip(heirs, starts)):
        end = starts[i + 1] if i + 1 < len(starts) else len(codes)
        members = tuple(codes[start:end])
        if not _covered(code, present, when, predecessors):
            incomplete.append(code)
            continue
        keep.append(i)
        if members != (code,):
            rebuilt[code] = members
    return TodayTable(
        codes=heirs[keep].astype(str), columns=tuple(columns), values=summed[keep],
        rebuilt=rebuilt, incomplete=tuple(incomplete), unknown=unknown,
    )
