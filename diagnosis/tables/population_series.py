"""The longest consistent series of total population on 1 January, 2002 to the latest year.

Sources, by year, as the store holds them:

- 2002-2018: ISTAT's intercensal reconstruction (SDMX 164_164), on the 2011 census base;
- 2019 on: the age tables (embedded, POSAS) and the SDMX 22_289 totals, on the base of the
  permanent census. The change from 2018 to 2019 therefore mixes people and re-basing:
  every point says which base it is on and the series names the break.

When two sources give the same year, the more final figure wins (definitivo over
provvisorio over stima), the age table at equal status; the choice is recorded per year.
A comune created by a merger after the year is rebuilt by summing the comuni it replaced,
and the year says so. A year missing any comune of the territory is left out, never summed
on part of it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from diagnosis.tables import population

REBASING_YEAR = 2019
BASES = {"ricostruita": "ricostruzione intercensuaria (base censimento 2011)",
         "censimento_permanente": "censimento permanente (dal 2019)"}
COLUMNS = ["anno", "popolazione", "fonte", "stato", "base", "nota"]


def _state() -> tuple:
    from diagnosis import store

    return tuple(sorted(e["sha256"] for e in store.entries()
                        if e["dataset"] in ("popolazione_sdmx", "popolazione_ricostruita", "posas")))


@functools.lru_cache(maxsize=4)
def _sdmx_totals(dataset: str, flow_id: str, _state: tuple) -> pd.DataFrame:
    from diagnosis.sources.istat_sdmx import population_totals
    from diagnosis.sources.territorial import stored_flow

    raw = stored_flow(dataset)
    if raw.empty:
        return pd.DataFrame(columns=["codice", "anno", "valore", "fonte", "stato"])
    table = population_totals(raw[raw["DATA_TYPE"] == "JAN"], flow_id, vintage=str(raw["vintage"].iloc[0]))
    return table[table["sesso"] == "T"][["codice", "anno", "valore", "fonte", "stato"]]


def _sum_with_predecessors(values: dict[str, float], comuni) -> tuple[float | None, list[str]]:
    """Sum over ``comuni``; a comune absent that year is replaced by the comuni it was made of."""
    from diagnosis.territory.history import predecessors

    total, rebuilt = 0.0, []
    for code in comuni:
        if code in values:
            total += values[code]
            continue
        parts = [old for old in predecessors(code) if old in values]
        if not parts:
            return None, []
        total += sum(values[old] for old in parts)
        rebuilt.append(f"{code} = {' + '.join(parts)}")
    return total, rebuilt


def _point(year: int, total: float, fonte: str, stato: str, rebuilt: list[str]) -> dict:
    base = "ricostruita" if year < REBASING_YEAR else "censimento_permanente"
    note = f"comuni ricostruiti sommando i predecessori: {'; '.join(rebuilt)}" if rebuilt else ""
    return {"anno": year, "popolazione": int(round(total)), "fonte": fonte, "stato": stato, "base": BASES[base],
            "nota": note}


def _from_cubes(comuni) -> dict[int, dict]:
    points = {}
    for year in population.available_years():
        cube = population.cube(year)
        if len(cube.covered(comuni)) == len(set(comuni)):
            provenance = cube.provenance
            points[year] = _point(year, float(cube.total_for(comuni).sum()), f"{provenance.fonte} {year}",
                                  provenance.stato, [])
    return points


def _from_sdmx(comuni, dataset: str, flow_id: str, years: range) -> dict[int, dict]:
    table = _sdmx_totals(dataset, flow_id, _state())
    points = {}
    for year, rows in table[table["anno"].isin(years)].groupby("anno"):
        total, rebuilt = _sum_with_predecessors(dict(zip(rows["codice"], rows["valore"])), comuni)
        if total is not None:
            status = max(set(rows["stato"]), key=population.STATUS_RANK.get)  # the least final
            points[int(year)] = _point(int(year), total, f"{rows['fonte'].iloc[0]} {year}", status, rebuilt)
    return points


def total_series(comuni) -> pd.DataFrame:
    """One row per year with the population of ``comuni``: value, source, status, base, note."""
    comuni = list(dict.fromkeys(comuni))
    chosen = _from_sdmx(comuni, "popolazione_ricostruita", "164_164", range(2002, REBASING_YEAR))
    recent = _from_sdmx(comuni, "popolazione_sdmx", "22_289", range(REBASING_YEAR, 2100))
    for year, point in _from_cubes(comuni).items():
        other = recent.get(year)
        if other is not None and population.STATUS_RANK[other["stato"]] < population.STATUS_RANK[point["stato"]]:
            other["nota"] = (other["nota"] + "; " if other["nota"] else "") + \
                f"preferito a {point['fonte']} ({point['stato']}), meno definitivo"
            continue
        if other is not None:
            point["nota"] = f"preferito a {other['fonte']} ({other['stato']})"
        recent[year] = point
    chosen.update(recent)
    rows = [chosen[year] for year in sorted(chosen)]
    return pd.DataFrame(rows, columns=COLUMNS)


def _years_held() -> set[int]:
    from diagnosis import store

    stored = {int(y) for e in store.entries() if e["dataset"] in ("popolazione_sdmx", "popolazione_ricostruita")
              for y in e["years"]}
    return stored | set(population.available_years())


def crosses_rebasing(series: pd.DataFrame) -> bool:
    years = set(series["anno"])
    return any(y < REBASING_YEAR for y in years) and any(y >= REBASING_YEAR for y in years)


@dataclass(frozen=True)
class LongChange:
    da: int
    a: int
    valore_da: int
    valore_a: int
    attraversa_2019: bool

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
    if year - min(_years_held(), default=year) < MIN_SPAN:
        return None  # no year old enough anywhere in the store: skip building the series
    series = total_series(comuni)
    if series.empty or year not in set(series["anno"]):
        return None
    first = series.iloc[0]
    if year - int(first["anno"]) < MIN_SPAN:
        return None
    last = series[series["anno"] == year].iloc[0]
    return LongChange(int(first["anno"]), year, int(first["popolazione"]), int(last["popolazione"]),
                      int(first["anno"]) < REBASING_YEAR <= year)
