"""Commuting of a territory from the census origin-destination flows: who stays, leaves, arrives.

A territory is a set of comuni: a flow between two of its comuni (within a district) is
internal, like a flow inside one comune. On the census counts (``S`` records; the 2021 work
matrix has only these):

- *pendolari residenti*: residents who travel to study or work (daily in 2011, at least three
  days a week in 2021), wherever they go;
- *restano*: those whose destination is inside the territory; *escono*: outside it or abroad;
- *entrano*: people living outside who come to study or work inside;
- *autocontenimento* (self-containment) = restano / pendolari residenti: how much of the
  residents' daily travel the territory holds;
- *autosufficienza* (self-sufficiency) = restano / (restano + entrano): how much of the
  territory's places of study and work are filled by its own residents.

The mode of travel is known only from the census sample (``L`` records): its shares are
estimates, shown as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CENSUS = "S"
SAMPLE = "L"


@dataclass(frozen=True)
class CommutingCounts:
    """The census counts of one territory, for one reason (``totale``, ``studio`` or ``lavoro``)."""

    motivo: str
    pendolari_residenti: float
    restano: float
    escono: float
    entrano: float

    @property
    def autocontenimento(self) -> float | None:
        return self.restano / self.pendolari_residenti if self.pendolari_residenti else None

    @property
    def autosufficienza(self) -> float | None:
        places = self.restano + self.entrano
        return self.restano / places if places else None

    @property
    def saldo(self) -> float:
        """People arriving minus residents leaving: positive where a territory attracts."""
        return self.entrano - self.escono


def _census(flows: pd.DataFrame, motivo: str = "totale") -> pd.DataFrame:
    census = flows[flows["tipo_record"] == CENSUS]
    return census if motivo == "totale" else census[census["motivo"] == motivo]


def _sides(flows: pd.DataFrame, comuni) -> tuple[np.ndarray, np.ndarray]:
    inside = list(dict.fromkeys(comuni))
    return _within(flows["origine"], inside), _within(flows["destinazione"], inside)


def _within(column: pd.Series, inside: list[str]) -> np.ndarray:
    """Which rows hold one of ``inside``; on a categorical column, asked of its few distinct
    codes and not of its millions of rows."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        chosen = np.append(column.cat.categories.isin(inside), False)  # code -1, a missing value: outside
        return chosen[column.cat.codes.to_numpy()]
    return column.isin(inside).to_numpy()


def counts(flows: pd.DataFrame, comuni, motivo: str = "totale") -> CommutingCounts:
    """Stay, leave and arrive counts of the territory made of ``comuni``.

    Masks over the whole table rather than filtered copies: the national matrix has
    millions of rows and a fotografia asks for the territory and each benchmark."""
    selected = (flows["tipo_record"] == CENSUS).to_numpy()
    if motivo != "totale":
        selected = selected & (flows["motivo"] == motivo).to_numpy()
    from_inside, to_inside = _sides(flows, comuni)
    people = flows["individui"].to_numpy()

    def total(mask: np.ndarray) -> float:
        return float(people[selected & mask].sum())

    return CommutingCounts(
        motivo=motivo,
        pendolari_residenti=total(from_inside),
        restano=total(from_inside & to_inside),
        escono=total(from_inside & ~to_inside),
        entrano=total(~from_inside & to_inside),
    )


def main_destinations(flows: pd.DataFrame, comuni, n: int = 10, motivo: str = "totale") -> pd.DataFrame:
    """Where the residents who leave (for ``motivo``) go: ``codice`` (``estero`` for abroad),
    ``individui``, ``quota`` of those who leave; the ``n`` largest, ties by code."""
    census = _census(flows, motivo)
    from_inside, to_inside = _sides(census, comuni)
    leaving = census[from_inside & ~to_inside]
    destinations = leaving["destinazione"].astype(str)
    places = destinations.where(destinations != "", "estero")
    return _ranked(leaving["individui"].groupby(places).sum(), n)


def main_origins(flows: pd.DataFrame, comuni, n: int = 10, motivo: str = "totale") -> pd.DataFrame:
    """Where the people arriving (for ``motivo``) live: ``codice``, ``individui``, ``quota`` of
    those arriving."""
    census = _census(flows, motivo)
    from_inside, to_inside = _sides(census, comuni)
    arriving = census[~from_inside & to_inside]
    return _ranked(arriving["individui"].groupby(arriving["origine"].astype(str)).sum(), n)


def _ranked(by_place: pd.Series, n: int) -> pd.DataFrame:
    total = by_place.sum()
    table = by_place.rename("individui").rename_axis("codice").reset_index()
    table = table.sort_values(["individui", "codice"], ascending=[False, True]).head(n).reset_index(drop=True)
    table["quota"] = table["individui"] / total if total else float("nan")
    return table


def mode_shares(flows: pd.DataFrame, comuni) -> pd.DataFrame:
    """Estimated shares of each mode among residents who commute (``L`` records):
    ``mezzo``, ``individui`` (estimate), ``quota``, largest first."""
    sample = flows[flows["tipo_record"] == SAMPLE]
    from_inside, _ = _sides(sample, comuni)
    residents = sample[from_inside]
    by_mode = residents.groupby(residents["mezzo"].astype(str))["individui"].sum()
    total = by_mode.sum()
    table = by_mode.rename_axis("mezzo").reset_index().sort_values(["individui", "mezzo"], ascending=[False, True])
    table["quota"] = table["individui"] / total if total else float("nan")
    return table.reset_index(drop=True)
