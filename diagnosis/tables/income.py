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
# Bands of reddito complessivo (before deductions, so comparable across 2003-2006 too), in
# the order MEF publishes them, with the label shown to people.
INCOME_BANDS = {
    "reddito_complessivo_minore_o_uguale_a_zero_euro_frequenza": "fino a 0 €",
    "reddito_complessivo_da_0_a_10000_euro_frequenza": "0-10.000 €",
    "reddito_complessivo_da_10000_a_15000_euro_frequenza": "10.000-15.000 €",
    "reddito_complessivo_da_15000_a_26000_euro_frequenza": "15.000-26.000 €",
    "reddito_complessivo_da_26000_a_55000_euro_frequenza": "26.000-55.000 €",
    "reddito_complessivo_da_55000_a_75000_euro_frequenza": "55.000-75.000 €",
    "reddito_complessivo_da_75000_a_120000_euro_frequenza": "75.000-120.000 €",
    "reddito_complessivo_oltre_120000_euro_frequenza": "oltre 120.000 €",
}


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
    classi: dict | None = None  # declarations per band of reddito complessivo (INCOME_BANDS order)

    def share_of(self, bands: list[str]) -> float | None:
        """Per cent of the declarations in ``bands`` (ids of INCOME_BANDS), None without bands."""
        if not self.classi or not sum(self.classi.values()):
            return None
        return sum(self.classi.get(b, 0.0) for b in bands) / sum(self.classi.values()) * 100


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
    wanted = table[table["variabile"].isin([TAXPAYERS, TAXABLE_INCOME, *INCOME_BANDS])]
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
        classi={band: float(present[band].sum()) for band in INCOME_BANDS if band in present} or None,
    )


@dataclass(frozen=True)
class RealChange:
    """Change of taxable income per taxpayer between two tax years, at constant prices."""

    da: int
    a: int
    variazione_pct: float
    fonte: str


REAL_CHANGE_SPAN = 10  # look back at most ten tax years


def _definition(year: int) -> bool:
    return 2003 <= year <= 2006  # MEF's taxable income of those years follows another definition


def real_change(comuni, year: int) -> RealChange | None:
    """Real change of income per taxpayer from the earliest comparable stored year (≤ 10 back).

    Needs the MEF files of both years and a price index covering both (``indice_prezzi``);
    the index's base year does not matter, only the ratio between the two years.
    """
    from diagnosis.tables.prices import stored_index

    index = stored_index()
    if year not in index:
        return None
    earlier = [y for y in available_years()
               if year - REAL_CHANGE_SPAN <= y < year and y in index and _definition(y) == _definition(year)]
    present_now = _codes_with_data(year)
    for start in earlier:
        # Over the comuni with data in both years, so that mergers between them do not read as
        # change; Italy loses about 2 % of its comuni to mergers over ten years, hence 95 %.
        present_then = _codes_with_data(start)
        both = [c for c in comuni if c in present_now and c in present_then]
        if len(both) < 0.95 * len(set(comuni)):
            continue
        now, then = totals(both, year), totals(both, start)
        if not now.contribuenti or not then.contribuenti:
            continue
        per_now = now.reddito_imponibile / now.contribuenti / index[year]
        per_then = then.reddito_imponibile / then.contribuenti / index[start]
        return RealChange(
            da=start, a=year, variazione_pct=(per_now / per_then - 1) * 100,
            fonte=f"MEF redditi IRPEF {start} e {year}, deflazionati con l'indice dei prezzi al consumo importato",
        )
    return None


def _codes_with_data(year: int) -> set[str]:
    entry = chosen_entry(year)
    return set(_table(entry["path"], entry["sha256"]).index) if entry else set()


def per_taxpayer_series(comuni) -> dict[int, float]:
    """Taxable income per taxpayer for every stored tax year covering (almost) all ``comuni``."""
    series = {}
    for year in available_years():
        found = totals(comuni, year)
        if found is not None and found.contribuenti and found.comuni_coperti >= 0.95 * len(set(comuni)):
            series[year] = found.reddito_imponibile / found.contribuenti
    return series
