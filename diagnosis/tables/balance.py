"""The demographic balance of a calendar year (ISTAT P2, P3) summed over a territory's comuni."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from diagnosis.tables import measures

MEASURES = {"residenti": "bilancio", "stranieri": "bilancio_stranieri"}


@dataclass(frozen=True)
class BalanceTotals:
    anno: int
    valori: dict[str, float | None]  # variable (totals of both sexes) -> summed value
    comuni_coperti: int
    fonte: str
    vintage: str
    stato: str
    mancanti: tuple[str, ...] = ()
    ricostruiti: tuple[str, ...] = ()
    edizioni: tuple = ()  # the published tables summed (tables.editions.Edition)

    def get(self, variable: str) -> float | None:
        return self.valori.get(variable)

    @property
    def popolazione_inizio(self) -> float | None:
        return self.get("popolazione_1_gennaio")

    @property
    def popolazione_fine(self) -> float | None:
        return self.get("popolazione_31_dicembre")

    @property
    def nati(self) -> float | None:
        return self.get("nati_vivi")

    @property
    def morti(self) -> float | None:
        return self.get("morti")

    @property
    def popolazione_media(self) -> float | None:
        if self.popolazione_inizio is None or self.popolazione_fine is None:
            return None
        return (self.popolazione_inizio + self.popolazione_fine) / 2


# Every comune's balance is read from a table of the same columns: its totals of both sexes
# ("VARIABLE|T") are found once.
@functools.lru_cache(maxsize=8)
def _both_sexes_columns(columns: tuple[str, ...]) -> tuple[tuple[str, ...], np.ndarray]:
    """The variables of the columns that hold both sexes, and those columns' positions."""
    found = [(column.split("|")[0], position) for position, column in enumerate(columns) if column.endswith("|T")]
    positions = np.array([position for _, position in found], dtype=np.intp)
    positions.setflags(write=False)
    return tuple(name for name, _ in found), positions


def latest_year(not_after: int, who: str = "residenti") -> int | None:
    return measures.latest_year(MEASURES[who], not_after)


def totals(comuni, year: int, who: str = "residenti") -> BalanceTotals | None:
    """The balance of calendar ``year`` for ``comuni`` (all residents or foreign citizens)."""
    found = measures.gather(MEASURES[who], year, comuni)
    if found is None:
        return None
    summed = found.summed
    names, positions = _both_sexes_columns(summed.columns)
    values = {name: None if math.isnan(value) else value
              for name, value in zip(names, summed.values[positions].tolist())}
    return BalanceTotals(
        anno=year, valori=values, comuni_coperti=summed.comuni,
        fonte=f"{summed.fonte}, bilancio demografico {year}", vintage=summed.vintage, stato=summed.stato,
        mancanti=summed.mancanti, ricostruiti=summed.ricostruiti, edizioni=summed.edizioni,
    )
