"""Accommodation capacity per comune (ISTAT 122_54_DF_DCSC_TUR_1) from the stored SDMX answers.

ISTAT publishes per comune only the supply: establishments and beds. The flow's key has the
kinds (all, hotels, other), but per comune the answers are said to carry only the total: a
public loader of this flow notes that asking for hotels and others per comune returns no rows,
the split existing from the province up. The kinds are still asked for and kept apart; where
the answer lacks them they are missing, never zero. Arrivals and nights stop at the province
(statistical confidentiality where establishments are few), so no comune figure of tourist
presences exists in open data.

A territory's capacity is the sum over its comuni; a comune with no row in the answers is
missing, never zero, and is named (``mancanti``). A blank cell stays blank.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from diagnosis import store
from diagnosis.sources.istat_sdmx import flow_facts
from diagnosis.sources.stored_flows import stored_flow
from diagnosis.statuses import least_final
from diagnosis.territory.history import today_codes

DATASET = "capacita_ricettiva"
FLOW = "122_54"
KINDS = ("totale", "alberghiero", "extralberghiero")
VARIABLES = ("esercizi", "posti_letto")
COLUMNS = ["codice", "anno", "tipo", "esercizi", "posti_letto", "vintage", "stato"]


@dataclass(frozen=True)
class CapacityTotals:
    anno: int
    # kind -> (establishments, beds); NaN where a comune's cell is blank or the kind is not published
    per_tipo: dict[str, tuple[float, float]]
    fonte: str
    vintage: str
    stato: str
    mancanti: tuple[str, ...] = ()

    def beds(self, kind: str = "totale") -> float:
        return self.per_tipo[kind][1]


def table() -> pd.DataFrame:
    """Tidy: codice (today's), anno, tipo, esercizi, posti_letto, vintage, stato."""
    return _table(store.dataset_state(DATASET))


@functools.lru_cache(maxsize=2)
def _table(_state: tuple) -> pd.DataFrame:
    raw = stored_flow(DATASET)
    if raw.empty:
        return pd.DataFrame(columns=COLUMNS)
    facts = flow_facts(FLOW)
    for dimension, total in facts["totals"].items():
        if dimension in raw:
            raw = raw[raw[dimension] == str(total)]
    raw = raw[raw["REF_AREA"].str.fullmatch(r"\d{6}")]
    raw = raw.assign(tipo=_kinds(raw, facts["tipi"]))
    variables = {code: spec["variabile"] for code, spec in facts["data_types"].items()}
    raw = raw[raw["tipo"].notna() & raw["DATA_TYPE"].isin(variables)]
    raw = raw.assign(variabile=raw["DATA_TYPE"].map(variables),
                     codice=raw["REF_AREA"].map(today_codes()).fillna(raw["REF_AREA"]))
    keys = ["codice", "anno", "tipo"]
    # A merged comune's parts are summed; a blank part keeps the sum blank.
    wide = raw.groupby(keys + ["variabile"])["OBS_VALUE"].sum(min_count=1).unstack("variabile")
    wide = wide.reindex(columns=list(VARIABLES)).reset_index()
    meta = raw.groupby(keys, as_index=False)[["vintage", "stato"]].first()
    return wide.merge(meta, on=keys)[COLUMNS]


def _kinds(raw: pd.DataFrame, kinds: dict) -> pd.Series:
    found = pd.Series(pd.NA, index=raw.index, dtype="object")
    for kind, codes in kinds.items():
        matches = np.ones(len(raw), dtype=bool)
        for dimension, code in codes.items():
            matches &= (raw[dimension] == str(code)).to_numpy()
        found[matches] = kind
    return found


def available_years() -> list[int]:
    return sorted(int(year) for year in table()["anno"].unique())


def totals(comuni, year: int | None = None) -> CapacityTotals | None:
    """Capacity of ``comuni`` in ``year`` (None: the latest held); None when nothing is held."""
    years = available_years()
    if not years:
        return None
    year = years[-1] if year is None else int(year)
    rows = table()
    rows = rows[rows["anno"] == year]
    present = set(rows["codice"])
    comuni = tuple(dict.fromkeys(comuni))
    lacking = tuple(code for code in comuni if code not in present)
    inside = rows[rows["codice"].isin(comuni)]
    per_kind = {}
    for kind in KINDS:
        of_kind = inside[inside["tipo"] == kind]
        covered = set(of_kind["codice"]) >= (set(comuni) - set(lacking))
        per_kind[kind] = tuple(
            float(of_kind[variable].sum(skipna=False)) if covered and len(of_kind) else float("nan")
            for variable in VARIABLES)
    return CapacityTotals(
        anno=year, per_tipo=per_kind, fonte=flow_facts(FLOW)["fonte"],
        vintage="; ".join(sorted(set(inside["vintage"].dropna()))),
        stato=least_final(set(inside["stato"])) if len(inside) else "definitivo",
        mancanti=lacking,
    )

