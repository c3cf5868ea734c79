"""Taxpayers and taxable income per comune, from the MEF files in the raw store.

Sums over a territory's comuni, like population: a district's income per taxpayer is its
total income over its total taxpayers, never the mean of its comuni's figures.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

DATASET = "mef_irpef"
TAXPAYERS = "contribuenti"
TAXABLE_INCOME = "reddito_imponibile_ammontare"


@dataclass(frozen=True)
class IncomeTotals:
    anno: int
    contribuenti: float
    reddito_imponibile: float
    comuni_coperti: int
    fonte: str
    vintage: str
    stato: str
    confrontabile: bool


def chosen_entry(year: int) -> dict | None:
    from diagnosis import store

    return store.find(DATASET, year)


def available_years() -> list[int]:
    from diagnosis import store

    return sorted({int(y) for e in store.entries(DATASET) for y in e["years"]})


@functools.lru_cache(maxsize=8)
def _table(path: str, sha256: str) -> pd.DataFrame:
    from diagnosis import store
    from diagnosis.sources.mef_irpef import parse_mef

    table = parse_mef((store.raw_dir() / path).read_bytes())
    wanted = table[table["variabile"].isin([TAXPAYERS, TAXABLE_INCOME])]
    return wanted.pivot_table(index="codice", columns="variabile", values="valore", aggfunc="sum")


def totals(comuni, year: int) -> IncomeTotals | None:
    """Summed taxpayers and taxable income for ``comuni`` in tax ``year``; None when not stored."""
    entry = chosen_entry(year)
    if entry is None:
        return None
    table = _table(entry["path"], entry["sha256"])
    present = table.reindex([c for c in comuni if c in table.index])
    if present.empty:
        return None
    comparable = not (2003 <= year <= 2006)  # MEF redefined taxable income in those years
    return IncomeTotals(
        anno=year, contribuenti=float(present[TAXPAYERS].sum()),
        reddito_imponibile=float(present[TAXABLE_INCOME].sum()), comuni_coperti=len(present),
        fonte="MEF - Dipartimento delle Finanze, redditi IRPEF per comune", vintage=entry["vintage"],
        stato=entry["status"], confrontabile=comparable,
    )
