"""The demographic balance of a calendar year (ISTAT P2) summed over a territory's comuni."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from diagnosis.tables import population

DATASET = "p2"
NEEDED = ("popolazione_1_gennaio", "nati_vivi", "morti", "popolazione_31_dicembre")


@dataclass(frozen=True)
class BalanceTotals:
    anno: int
    popolazione_inizio: float
    popolazione_fine: float
    nati: float
    morti: float
    comuni_coperti: int
    fonte: str
    stato: str

    @property
    def popolazione_media(self) -> float:
        return (self.popolazione_inizio + self.popolazione_fine) / 2


def chosen_entry(year: int) -> dict | None:
    from diagnosis import store

    return store.find(DATASET, year)


@functools.lru_cache(maxsize=8)
def _table(path: str, sha256: str) -> pd.DataFrame:
    from diagnosis import store
    from diagnosis.sources.demo_istat import parse_p2

    table = parse_p2((store.raw_dir() / path).read_bytes())
    totals = table[(table["sesso"] == "T") & table["variabile"].isin(NEEDED)]
    values = totals.pivot_table(index="codice", columns="variabile", values="valore", aggfunc="sum")
    worst = totals.groupby("codice")["stato"].agg(lambda s: max(s, key=population.STATUS_RANK.get))
    return values.assign(stato=worst)


def totals(comuni, year: int) -> BalanceTotals | None:
    """The balance of calendar ``year`` for ``comuni``; None when P2 of that year is not stored."""
    entry = chosen_entry(year)
    if entry is None:
        return None
    table = _table(entry["path"], entry["sha256"])
    present = table.reindex([c for c in comuni if c in table.index])
    if present.empty or any(column not in present for column in NEEDED):
        return None
    status = max(present["stato"], key=population.STATUS_RANK.get)
    return BalanceTotals(
        anno=year, popolazione_inizio=float(present["popolazione_1_gennaio"].sum()),
        popolazione_fine=float(present["popolazione_31_dicembre"].sum()),
        nati=float(present["nati_vivi"].sum()), morti=float(present["morti"].sum()),
        comuni_coperti=len(present), fonte=f"ISTAT P2, bilancio demografico {year} — {entry['vintage']}",
        stato=status,
    )
