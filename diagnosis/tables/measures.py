"""Each measure resolved on its own: for a year, the most final figure of every comune.

For a measure and a year, every edition (``editions``) is carried to today's comuni
(``today``) and layered best first: each comune takes its figure from the most final
edition that covers it, so a per-territory download (a few comuni, final) and the snapshot
(every comune, provisional) combine without either hiding the other. A sum over comuni
says which editions it used — its status is the least final of them — and which comuni it
lacks; it never becomes a sum over part of a territory without saying so.

Stocks describe 1 January of their year, flows the calendar or tax year; the default year
of a fotografia is the latest 1 January with official (not estimated) population totals.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from diagnosis.errors import AnnoNonDisponibile
from diagnosis.tables import disk_cache, editions as catalogue
from diagnosis.statuses import least_final
from diagnosis.tables.editions import Edition
from diagnosis.tables.today import TodayTable, to_today
from diagnosis.territory.history import state

STOCKS = ("popolazione", "popolazione_eta", "stranieri", "famiglie")


def reference_date(measure: str, year: int) -> date:
    """The day a table's comuni are those of: 1 January for a stock, 31 December for a flow."""
    return date(year, 1, 1) if measure in STOCKS else date(year, 12, 31)


@dataclass(frozen=True)
class Intervallo:
    """A value known only within bounds (a share depending on cells the publisher left blank)."""

    basso: float
    alto: float

    @property
    def esatta(self) -> bool:
        return abs(self.alto - self.basso) < 1e-9


@dataclass(frozen=True)
class Summed:
    """A measure summed over a set of comuni, with what it rests on."""

    misura: str
    anno: int
    columns: tuple[str, ...]
    values: np.ndarray  # NaN where a comune's cell is blank (a suppressed count stays unknown)
    edizioni: tuple[Edition, ...]
    mancanti: tuple[str, ...] = ()  # comuni with no figure in any edition
    ricostruiti: tuple[str, ...] = ()  # "012144 = 012009 + 012018 + 012095"
    comuni: int = 0  # how many comuni the sum covers

    @property
    def stato(self) -> str:
        return least_final(e.stato for e in self.edizioni)

    @property
    def completo(self) -> bool:
        return not self.mancanti

    def get(self, column: str) -> float | None:
        if column not in self.columns:
            return None
        value = float(self.values[self.columns.index(column)])
        return None if np.isnan(value) else value

    def known(self) -> dict[str, float | None]:
        """Every column's sum, None where it is blank: ``get`` of each column at once."""
        return {column: None if math.isnan(value) else value
                for column, value in zip(self.columns, self.values.tolist())}

    @property
    def fonte(self) -> str:
        return "; ".join(dict.fromkeys(e.fonte for e in self.edizioni))

    @property
    def vintage(self) -> str:
        return "; ".join(dict.fromkeys(e.vintage for e in self.edizioni if e.vintage))


@dataclass(frozen=True, eq=False)
class Resolved:
    """One measure for one year over today's comuni, each row from its best edition."""

    misura: str
    anno: int
    table: TodayTable
    edizioni: tuple[Edition, ...]
    origin: np.ndarray  # index into ``edizioni`` per row of ``table``

    @functools.cached_property
    def _positions(self) -> dict[str, int]:
        return self.table.positions

    def covered(self, comuni) -> list[str]:
        return [code for code in comuni if code in self._positions]

    def rows(self, comuni) -> np.ndarray:
        return np.array([self._positions[c] for c in comuni if c in self._positions], dtype=np.intp)

    def sum_for(self, comuni) -> Summed:
        comuni = tuple(dict.fromkeys(comuni))
        return self.sum_at(comuni, self.rows(comuni))

    def sum_at(self, comuni: tuple[str, ...], rows: np.ndarray) -> Summed:
        """``comuni`` (distinct) summed over ``rows``, their rows in the table."""
        if len(rows) == 1:  # one comune (a peer, a province's member): its row is its sum
            used = [int(self.origin[rows[0]])]
            values = self.table.values[rows[0]].copy()
        else:
            used = sorted(set(self.origin[rows].tolist())) if len(rows) else []
            values = self.table.values[rows].sum(axis=0) if len(rows) else np.full(len(self.table.columns), np.nan)
        rebuilt = tuple(f"{code} = {' + '.join(self.table.rebuilt[code])}"
                        for code in comuni if code in self.table.rebuilt)
        return Summed(
            misura=self.misura, anno=self.anno, columns=self.table.columns, values=values,
            edizioni=tuple(self.edizioni[i] for i in used),
            mancanti=tuple(code for code in comuni if code not in self._positions),
            ricostruiti=rebuilt, comuni=len(rows),
        )

    def values_of(self, code: str) -> np.ndarray | None:
        position = self._positions.get(code)
        return None if position is None else self.table.values[position]


@dataclass(frozen=True)
class Gathered:
    """A measure summed over some comuni, with the resolved table and their rows in it."""

    resolved: Resolved
    summed: Summed
    rows: np.ndarray

    def column(self, name: str) -> np.ndarray:
        """The comuni's cells of ``name`` (blank when the table has no such column)."""
        table = self.resolved.table
        return table.column(name)[self.rows] if name in table.columns else np.full(len(self.rows), np.nan)

    def columns(self, names) -> np.ndarray:
        """The comuni's cells of each of ``names``, one column each, in one read."""
        table = self.resolved.table
        wanted, absent = _column_positions(table.columns, tuple(names))
        cells = table.values[np.ix_(self.rows, wanted)]
        cells[:, absent] = np.nan
        return cells


# A reader asks every comune's table for the same columns: where they are is found once.
@functools.lru_cache(maxsize=64)
def _column_positions(columns: tuple[str, ...], names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The position of each of ``names`` in ``columns`` (0 for one it lacks), and which it lacks."""
    wanted = np.array([columns.index(name) if name in columns else -1 for name in names])
    positions, absent = np.maximum(wanted, 0), wanted < 0
    positions.setflags(write=False)
    absent.setflags(write=False)
    return positions, absent


def gather(measure: str, year: int, comuni) -> Gathered | None:
    """``measure`` of ``year`` over ``comuni``; None when no edition has the year or none of the comuni."""
    resolved = resolve(measure, year)
    if resolved is None:
        return None
    comuni = tuple(dict.fromkeys(comuni))
    rows = resolved.rows(comuni)
    if not len(rows):
        return None
    return Gathered(resolved, resolved.sum_at(comuni, rows), rows)


def years(measure: str) -> list[int]:
    return catalogue.years(measure)


def latest_year(measure: str, not_after: int | None = None) -> int | None:
    found = [y for y in years(measure) if not_after is None or y <= not_after]
    return max(found) if found else None


def resolve(measure: str, year: int) -> Resolved | None:
    """The measure for ``year`` over today's comuni, or None when no edition has that year."""
    return _resolved(measure, int(year), catalogue.store_state(), state())


@functools.lru_cache(maxsize=128)
def _resolved(measure: str, year: int, _store: tuple, history: str) -> Resolved | None:
    chosen = tuple(e for e in catalogue.editions(measure) if e.anno == year)
    if not chosen:
        return None
    key = disk_cache.key_of(measure, str(year), history, *(e.key for e in chosen))
    arrays = disk_cache.load_or_build("misura", key, lambda: _layered(measure, year, chosen))
    return Resolved(measure, year, _table_of(arrays), chosen, arrays["origin"])


def _layered(measure: str, year: int, chosen: tuple[Edition, ...]) -> dict[str, np.ndarray]:
    """Each comune of today from the best edition that covers it whole, as plain arrays."""
    reference = reference_date(measure, year)
    tables = [_today_table(edition, edition.codici_al or reference) for edition in chosen]
    columns = tables[0].columns
    codes, values, origin, rebuilt, seen = [], [], [], {}, set()
    for index, table in enumerate(tables):
        fresh = np.array([code not in seen for code in table.codes], dtype=bool)
        if not fresh.any():
            continue
        width = [table.columns.index(c) if c in table.columns else -1 for c in columns]
        block = np.where(np.array(width) >= 0, table.values[:, np.maximum(width, 0)], np.nan)[fresh]
        codes.append(table.codes[fresh])
        values.append(block)
        origin.append(np.full(int(fresh.sum()), index))
        rebuilt |= {code: parts for code, parts in table.rebuilt.items() if code not in seen}
        seen |= set(table.codes[fresh])
    if not codes:  # no edition covers a comune of today (e.g. every code unknown)
        codes, values, origin = [np.array([], dtype=str)], [np.empty((0, len(columns)))], [np.array([], dtype=int)]
    all_codes = np.concatenate(codes).astype(str)
    order = np.argsort(all_codes, kind="stable")
    incomplete = sorted(set().union(*(t.incomplete for t in tables)) - seen)
    return {
        "codes": all_codes[order], "columns": np.array(columns, dtype=str), "values": np.concatenate(values)[order],
        "origin": np.concatenate(origin)[order].astype(np.int64),
        "rebuilt_codes": np.array(list(rebuilt), dtype=str),
        "rebuilt_parts": np.array(["+".join(parts) for parts in rebuilt.values()], dtype=str),
        "incomplete": np.array(incomplete, dtype=str), "unknown": np.array(tables[0].unknown, dtype=str),
    }


def _table_of(arrays: dict[str, np.ndarray]) -> TodayTable:
    rebuilt = {code: tuple(parts.split("+")) for code, parts in zip(arrays["rebuilt_codes"], arrays["rebuilt_parts"])}
    return TodayTable(codes=arrays["codes"], columns=tuple(arrays["columns"].tolist()), values=arrays["values"],
                      rebuilt=rebuilt, incomplete=tuple(arrays["incomplete"].tolist()),
                      unknown=tuple(arrays["unknown"].tolist()))


def _today_table(edition: Edition, reference: date) -> TodayTable:
    codes, values, columns = catalogue.as_arrays(edition.read())
    return to_today(codes, values, columns, reference)


# --- the year of a fotografia ----------------------------------------------------------------

def official_population_years() -> list[int]:
    """Years whose 1 January has population totals that are not an estimate."""
    return sorted({e.anno for e in catalogue.editions("popolazione") if e.stato != "stima"})


def default_year() -> int:
    """The latest 1 January with official population totals (else the latest with any)."""
    official = official_population_years()
    if official:
        return max(official)
    found = years("popolazione")
    if not found:
        raise AnnoNonDisponibile("Nessuna popolazione disponibile: i dati incorporati non sono leggibili.")
    return max(found)


def all_years() -> list[int]:
    """Every year some measure holds: each is accepted, measures without it say so."""
    return sorted({e.anno for e in catalogue.editions()})


def check_year(year: int | None) -> int:
    if year is None:
        return default_year()
    held = all_years()
    if int(year) not in held:
        raise AnnoNonDisponibile(
            f"Nessun dato per il {year}: gli anni con almeno una fonte vanno dal {held[0]} al {held[-1]}. "
            "Per la popolazione di altri anni: diagnosis dati scarica --fonte posas --anni A-B"
        )
    return int(year)
