"""Foreign residents and households per comune, from the stored ISTAT SDMX answers.

Foreign residents on 1 January come from 29_316 (FJAN); households and the people living
in them from 22_315 (census-based counts at 31 December, the 1 January stock of the next
year). Like population, a territory's figures are sums over its comuni, and a territory
with a comune missing gets no figure rather than a partial one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from diagnosis.tables import population


@dataclass(frozen=True)
class ResidentTotals:
    anno: int
    valori: dict[str, float]
    comuni_coperti: int
    fonte: str
    vintage: str
    stato: str


def _state(dataset: str) -> tuple:
    from diagnosis import store

    return tuple(sorted(e["sha256"] for e in store.entries(dataset)))


@functools.lru_cache(maxsize=4)
def _foreigners(_state: tuple) -> pd.DataFrame:
    from diagnosis.sources.istat_sdmx import population_totals
    from diagnosis.sources.territorial import stored_flow

    raw = stored_flow("stranieri_sdmx")
    if raw.empty:
        return pd.DataFrame(columns=["codice", "anno", "variabile", "valore", "fonte", "vintage", "stato"])
    raw = raw[raw["DATA_TYPE"] == "FJAN"]
    table = population_totals(raw, "29_316", vintage=str(raw["vintage"].iloc[0]))
    return table[table["sesso"] == "T"].assign(variabile="stranieri")


@functools.lru_cache(maxsize=4)
def _households(_state: tuple) -> pd.DataFrame:
    from diagnosis.sources.istat_sdmx import to_balance
    from diagnosis.sources.territorial import stored_flow

    raw = stored_flow("bilancio_sdmx")
    if raw.empty:
        return pd.DataFrame(columns=["codice", "anno", "variabile", "valore", "fonte", "vintage", "stato"])
    table = to_balance(raw, "22_315", vintage=str(raw["vintage"].iloc[0]))
    wanted = table["variabile"].isin(["famiglie", "popolazione_in_famiglia"]) & (table["sesso"] == "T")
    return table[wanted]


def _totals(table: pd.DataFrame, comuni, year: int) -> ResidentTotals | None:
    rows = table[(table["anno"] == year) & table["codice"].isin(set(comuni))]
    if rows.empty or rows["codice"].nunique() < len(set(comuni)):
        return None
    summed = rows.groupby("variabile")["valore"].sum()
    status = max(set(rows["stato"]), key=population.STATUS_RANK.get)  # the least final
    return ResidentTotals(
        anno=year, valori={k: float(v) for k, v in summed.items()}, comuni_coperti=int(rows["codice"].nunique()),
        fonte=str(rows["fonte"].iloc[0]), vintage=str(rows["vintage"].iloc[0]), stato=status,
    )


def foreigners(comuni, year: int) -> ResidentTotals | None:
    """Foreign residents on 1 January ``year`` summed over ``comuni`` (all of them needed)."""
    return _totals(_foreigners(_state("stranieri_sdmx")), comuni, year)


def households(comuni, year: int) -> ResidentTotals | None:
    """Households and people in households on 1 January ``year`` (31 December of year-1)."""
    return _totals(_households(_state("bilancio_sdmx")), comuni, year)
