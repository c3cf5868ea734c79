"""The longest consistent series of total population on 1 January, 2002 to the latest year.

Every year held for the ``popolazione`` measure (``tables.measures``): ISTAT's intercensal
reconstruction (SDMX 164_164) for 2002-2018, on the 2011 census base; from 2019 the
permanent census (snapshot, age tables, SDMX 22_289, P2 balances). The change from 2018 to
2019 therefore mixes people and re-basing: every point says which base it is on and the
series names the break.

Each year takes the most final edition of each comune and records the others it was
preferred to; a comune created by a merger after the year is rebuilt by summing the comuni
it replaced, and the year says so. A year missing any comune of the territory is left
out, never summed on part of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from diagnosis.tables import measures
from diagnosis.statuses import least_final
from diagnosis.tables.editions import editions

REBASING_YEAR = 2019
BASES = {"ricostruita": "ricostruzione intercensuaria (base censimento 2011)",
         "censimento_permanente": "censimento permanente (dal 2019)"}
COLUMNS = ["anno", "popolazione", "fonte", "stato", "base", "nota"]


def _note(year: int, summed) -> str:
    used = set(summed.edizioni)
    others = [e for e in editions("popolazione") if e.anno == year and e not in used]
    parts = []
    if summed.ricostruiti:
        parts.append(f"comuni ricostruiti sommando i predecessori: {'; '.join(summed.ricostruiti)}")
    if others:
        parts.append("preferito a " + ", ".join(f"{e.fonte} ({e.stato})" for e in others))
    return "; ".join(parts)


def total_series(comuni) -> pd.DataFrame:
    """One row per year with the population of ``comuni``: value, source, status, base, note."""
    comuni = list(dict.fromkeys(comuni))
    rows = []
    for year in measures.years("popolazione"):
        summed = measures.resolve("popolazione", year).sum_for(comuni)
        total = summed.get("T")
        if summed.mancanti or total is None:
            continue
        base = "ricostruita" if year < REBASING_YEAR else "censimento_permanente"
        rows.append({"anno": year, "popolazione": int(round(total)), "fonte": f"{summed.fonte} {year}",
                     "stato": summed.stato, "base": BASES[base], "nota": _note(year, summed)})
    return pd.DataFrame(rows, columns=COLUMNS)


@dataclass(frozen=True)
class LongChange:
    da: int
    a: int
    valore_da: int
    valore_a: int
    attraversa_2019: bool
    stato: str = "definitivo"

    @property
    def fonte(self) -> str:
        text = f"ISTAT, popolazione al 1° gennaio {self.da} e {self.a} (serie storica)"
        if self.attraversa_2019:
            text += ("; la serie passa dalla ricostruzione intercensuaria al censimento permanente nel 2019: "
                     "la variazione comprende anche la revisione censuaria")
        return text


MIN_SPAN = 5  # below five years the short-term change already says it


def long_change(comuni, year: int) -> LongChange | None:
    """From the first year of the series to ``year``, when at least five years apart."""
    held = measures.years("popolazione")
    if not held or year - min(held) < MIN_SPAN:
        return None  # no year old enough anywhere: skip building the series
    series = total_series(comuni)
    if series.empty or year not in set(series["anno"]):
        return None
    first = series.iloc[0]
    if year - int(first["anno"]) < MIN_SPAN:
        return None
    last = series[series["anno"] == year].iloc[0]
    statuses = {first["stato"], last["stato"]}

    return LongChange(int(first["anno"]), year, int(first["popolazione"]), int(last["popolazione"]),
                      int(first["anno"]) < REBASING_YEAR <= year, least_final(statuses))
