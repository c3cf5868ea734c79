"""Business-register totals of a territory: ISTAT ASIA and the Frame territoriale.

The two registers count different units (ASIA the local units of active enterprises, the
Frame the units of its own register with their economic accounts): each is summed on its
own and never chained with the other into one series.

The Frame hides a figure of a comune where few units would make it identifiable
("oscurato"). A blank is never read as zero: a territory with a hidden cell has no value
for that variable; a benchmark (province, region, Italy) may leave out comuni holding a
small share of its residents (``tolerance``) and names them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diagnosis.tables import measures, population

MEASURES = {"asia": "asia_totali", "frame": "frame"}


@dataclass(frozen=True)
class RegisterTotals:
    registro: str
    anno: int
    valori: dict[str, float | None]  # "settore|variabile" -> summed value, None when not known
    oscurati: dict[str, tuple[str, ...]]  # "settore|variabile" -> comuni left out of the sum (hidden cells)
    comuni_coperti: int
    fonte: str
    vintage: str
    stato: str
    mancanti: tuple[str, ...] = ()
    edizioni: tuple = ()

    def get(self, sector: str, variable: str) -> float | None:
        return self.valori.get(f"{sector}|{variable}")


def latest_year(register: str, not_after: int) -> int | None:
    return measures.latest_year(MEASURES[register], not_after)


def totals(register: str, comuni, year: int, tolerance: float = 0.0) -> RegisterTotals | None:
    """The register's figures of ``year`` summed over ``comuni``; None when the year is not held."""
    found = measures.gather(MEASURES[register], year, comuni)
    if found is None:
        return None
    summed, table = found.summed, found.resolved.table
    codes = table.codes[found.rows]
    # One row per variable, contiguous: each is summed exactly as that variable alone would be.
    cells = np.ascontiguousarray(table.values[found.rows].T)
    values, hidden = _sums(table.columns, cells, codes, year, tolerance)
    return RegisterTotals(
        registro=register, anno=year, valori=values, oscurati=hidden, comuni_coperti=summed.comuni,
        fonte=summed.fonte, vintage=summed.vintage, stato=summed.stato, mancanti=summed.mancanti,
        edizioni=summed.edizioni,
    )


def _sums(columns, cells: np.ndarray, codes: np.ndarray, year: int,
          tolerance: float) -> tuple[dict[str, float | None], dict[str, tuple[str, ...]]]:
    """Each variable summed over the comuni whose cell is not hidden, and those left out; a
    variable whose hidden cells hold more than ``tolerance`` of the residents has no value."""
    blank = np.isnan(cells)
    values = dict(zip(columns, np.where(blank, 0.0, cells).sum(axis=1).tolist()))  # np.nansum, without its checks
    if not blank.any():
        return values, {}
    residents = population.totals_by_comune(year, codes)
    whole = sum(residents.values()) or 1.0
    hidden = {}
    for index in np.flatnonzero(blank.any(axis=1)):
        left_out = tuple(codes[blank[index]])
        if sum(residents.get(code, 0.0) for code in left_out) > tolerance * whole:
            values[columns[index]] = None
        else:
            hidden[columns[index]] = left_out
    return values, hidden
