"""Local units and employees per comune and commercial group, from the stored ISTAT ASIA files.

Like population, a territory's figures are sums over its comuni; groups are those of
``diagnosis/sources/commerce_groups.yaml``. ASIA is published at 2 or 3 ATECO digits: each file is
read at its finest level only, so that a division and its groups are never counted twice,
and a group defined at a finer level (pharmacies, 4 digits) is reported as not countable.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from diagnosis import store
from diagnosis.sources.commerce_groups import Group, all_groups, ateco_label
from diagnosis.sources.istat_sdmx import flow_facts
from diagnosis.sources.stored_flows import stored_flow
from diagnosis.tables import registers
from diagnosis.territory.history import today_codes

DATASET = "asia_ul"
FLOW = "183_1163"
SOURCE = "ISTAT, ASIA unità locali delle imprese attive"


@dataclass(frozen=True)
class LocalUnitTotals:
    anno: int
    unita_locali: float
    addetti: float
    per_gruppo: dict[str, tuple[float, float]]  # group id -> (local units, employees)
    livello_ateco: int
    comuni_coperti: int
    fonte: str
    vintage: str
    stato: str
    gruppi_non_contabili: tuple[str, ...] = field(default=())
    variazione: "UnitsChange | None" = None  # total local units since the first stored ASIA year
    mancanti: tuple[str, ...] = ()  # comuni without a figure (embedded totals only)
    edizioni: tuple = ()  # the published tables summed (embedded totals only)

    def units(self, group_id: str) -> float | None:
        found = self.per_gruppo.get(group_id)
        return None if found is None else found[0]


def table() -> pd.DataFrame:
    """Tidy: codice, anno, ateco, unita_locali, addetti, vintage, stato (finest level only)."""
    return _table(store.dataset_state(DATASET))


@functools.lru_cache(maxsize=4)
def _table(_state: tuple) -> pd.DataFrame:
    raw = stored_flow(DATASET)
    columns = ["codice", "anno", "ateco", "unita_locali", "addetti", "vintage", "stato"]
    if raw.empty:
        return pd.DataFrame(columns=columns)
    facts = flow_facts(FLOW)
    raw = raw[raw["PERS_EMPL_SIZE_CLASS"] == facts["totals"]["PERS_EMPL_SIZE_CLASS"]]
    variables = {code: spec["variabile"] for code, spec in facts["data_types"].items()}
    raw = raw[raw["DATA_TYPE"].isin(variables)].assign(variabile=lambda f: f["DATA_TYPE"].map(variables))
    # A blank OBS_VALUE is an unknown count and stays blank; an activity with no row has no units.
    wide = (raw.groupby(["REF_AREA", "anno", "ECON_ACTIVITY_NACE_2007", "variabile"])["OBS_VALUE"]
            .sum(min_count=1).unstack("variabile").reset_index())
    meta = raw.groupby(["REF_AREA", "anno"]).agg(vintage=("vintage", "first"), stato=("stato", "first")).reset_index()
    wide = wide.merge(meta, on=["REF_AREA", "anno"], how="left")
    wide = wide.rename(columns={"REF_AREA": "codice", "ECON_ACTIVITY_NACE_2007": "ateco"})
    for column in ("unita_locali", "addetti"):
        if column not in wide:
            wide[column] = float("nan")
    return _finest_level(_today(wide), facts["ateco_total"])[columns]


def _today(wide: pd.DataFrame) -> pd.DataFrame:
    """Codes carried to today's comuni (esploradati publishes ASIA in a recent geography, so
    this mostly renames re-coded comuni; a merged comune's parts are summed)."""
    wide = wide.assign(codice=wide["codice"].map(today_codes())).dropna(subset=["codice"])
    keys = ["codice", "anno", "ateco"]
    summed = wide.groupby(keys, as_index=False)[["unita_locali", "addetti"]].sum(min_count=1)
    meta = wide.groupby(keys, as_index=False)[["vintage", "stato"]].first()
    return summed.merge(meta, on=keys)


def _finest_level(wide: pd.DataFrame, total_code: str) -> pd.DataFrame:
    """The total row plus, per comune and year, the codes of the finest level present.

    An answer may repeat a division with its groups (47 and 471...): keeping one level
    never counts a unit twice.
    """
    numeric = wide["ateco"].str.fullmatch(r"\d{2,4}") & (wide["ateco"] != total_code)
    length = wide["ateco"].str.len().where(numeric, 0)
    finest = length.groupby([wide["codice"], wide["anno"]]).transform("max")
    keep = (wide["ateco"] == total_code) | (numeric & (length == finest))
    return wide[keep].reset_index(drop=True)


def rows_of(comuni) -> pd.DataFrame:
    """The rows of ``comuni`` in :func:`table`, in its order: a territory costs its own rows,
    not a pass over every comune the store holds (a download for all of Italy is millions of rows)."""
    state = store.dataset_state(DATASET)
    data, where = _table(state), _rows_by_comune(state)
    found = [where[code] for code in set(comuni) if code in where]
    return data.iloc[np.sort(np.concatenate(found)) if found else []]


@functools.lru_cache(maxsize=4)
def _rows_by_comune(state: tuple) -> dict[str, np.ndarray]:
    """Comune → positions of its rows in the table, built once per stored set of files."""
    return _table(state).groupby("codice", sort=False).indices


def available_years() -> list[int]:
    return list(_years(store.dataset_state(DATASET)))


@functools.lru_cache(maxsize=4)
def _years(state: tuple) -> tuple[int, ...]:
    """Asked for every comune a report compares: read once per stored set of files."""
    return tuple(sorted(int(y) for y in _table(state)["anno"].unique()))


def year_for(year: int) -> int | None:
    """The latest ASIA year not after ``year`` (ASIA lags the population by about three years)."""
    earlier = [y for y in available_years() if y <= year]
    return earlier[-1] if earlier else None


def _group_sum(rows: pd.DataFrame, group: Group) -> tuple[float, float]:
    inside = rows[rows["ateco"].map(group.matches_ateco)]
    return float(inside["unita_locali"].sum(skipna=False)), float(inside["addetti"].sum(skipna=False))


def totals(comuni, year: int) -> LocalUnitTotals | None:
    """Summed local units and employees of ``comuni`` in the latest ASIA year ≤ ``year``."""
    chosen = year_for(year)
    if chosen is None:
        return None
    rows = rows_of(comuni)
    rows = rows[rows["anno"] == chosen]
    if rows.empty:
        return None

    total_code = flow_facts(FLOW)["ateco_total"]
    detail = rows[rows["ateco"] != total_code]
    # Comuni fetched at different ATECO depths: the territory is counted at the coarsest one,
    # where every comune can be read (a 3-digit group cannot come from 2-digit data).
    level = int(detail.groupby("codice")["ateco"].agg(lambda codes: codes.str.len().max()).min()) \
        if not detail.empty else 0
    countable = {gid: g for gid, g in all_groups().items() if g.ateco_digits() <= level}
    totals_rows = rows[rows["ateco"] == total_code]
    source_rows = totals_rows if not totals_rows.empty else detail
    return LocalUnitTotals(
        anno=chosen,
        unita_locali=float(source_rows["unita_locali"].sum(skipna=False)),
        addetti=float(source_rows["addetti"].sum(skipna=False)),
        per_gruppo={gid: _group_sum(detail, g) for gid, g in countable.items()},
        livello_ateco=level,
        comuni_coperti=int(rows["codice"].nunique()),
        fonte=f"{SOURCE} {chosen} (ATECO a {level} cifre)",
        vintage=str(rows["vintage"].iloc[0]),
        stato=str(rows["stato"].iloc[0]),
        gruppi_non_contabili=tuple(gid for gid in all_groups() if gid not in countable),
        variazione=change(comuni, year),
    )


def embedded_totals(comuni, year: int, tolerance: float = 0.0) -> LocalUnitTotals | None:
    """All-activity totals of the snapshot (ASIA, latest year ≤ ``year``), without groups.

    The fotografia's offline floor: units and employees per comune of the whole economy;
    the groups of the commercial fabric need the ATECO detail of a download.
    """
    chosen = registers.latest_year("asia", year)
    found = registers.totals("asia", comuni, chosen, tolerance) if chosen is not None else None
    if found is None or found.get("totale", "unita_locali") is None:
        return None
    return LocalUnitTotals(
        anno=found.anno, unita_locali=found.get("totale", "unita_locali"),
        addetti=found.get("totale", "addetti"), per_gruppo={}, livello_ateco=0,
        comuni_coperti=found.comuni_coperti, fonte=f"{SOURCE} {found.anno} (totale delle attività)",
        vintage=found.vintage, stato=found.stato, gruppi_non_contabili=tuple(all_groups()),
        mancanti=found.mancanti, edizioni=found.edizioni,
    )


def series(comuni) -> dict[int, float]:
    """Total local units of ``comuni`` per ASIA year, only over years covering all of them."""
    total_code = flow_facts(FLOW)["ateco_total"]
    rows = rows_of(comuni)
    rows = rows[rows["ateco"] == total_code]
    result = {}
    for year, group in rows.groupby("anno"):
        if group["codice"].nunique() == len(set(comuni)):
            result[int(year)] = float(group["unita_locali"].sum())
    return result


def by_code(comuni, year: int) -> pd.DataFrame:
    """Local units and employees of ``comuni`` per ATECO code (finest level), latest ASIA year ≤ ``year``."""
    chosen = year_for(year)
    if chosen is None:
        return pd.DataFrame(columns=["ateco", "descrizione", "unita_locali", "addetti"])
    rows = rows_of(comuni)
    rows = rows[(rows["anno"] == chosen) & (rows["ateco"] != flow_facts(FLOW)["ateco_total"])]
    summed = rows.groupby("ateco", as_index=False)[["unita_locali", "addetti"]].sum()
    summed["descrizione"] = summed["ateco"].map(ateco_label)
    return summed.sort_values(["unita_locali", "ateco"], ascending=[False, True])[
        ["ateco", "descrizione", "unita_locali", "addetti"]].reset_index(drop=True)


@dataclass(frozen=True)
class UnitsChange:
    da: int
    a: int
    valore_da: float
    valore_a: float


def change(comuni, year: int) -> UnitsChange | None:
    """Total local units from the first ASIA year stored to the one used for ``year``."""
    chosen = year_for(year)
    values = series(comuni)
    if chosen is None or chosen not in values:
        return None
    first = min(values)
    if first == chosen:
        return None
    return UnitsChange(first, chosen, values[first], values[chosen])
