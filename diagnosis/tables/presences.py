"""The presences file imported for a territory, read whole, with the origins placed on the map.

The most recent import (``dati aggiungi FILE --territorio``) is read again on each use, so that
only its valid rows count. Origins are placed against the territory: a comune of origin
(code or name) is found in today's registry and judged by its province; a province written
by hand (``MO``, ``Modena``, ``036``) is compared with the territory's.
"""

from __future__ import annotations

import functools

import pandas as pd

from diagnosis import store
from diagnosis.errors import DiagnosisError
from diagnosis.sources.presences import PresenceImport, read_presences
from diagnosis.tables.analyst import entry_for
from diagnosis.territory import registry
from diagnosis.territory.lookup import find_comune
from diagnosis.territory.model import Territorio
from diagnosis.text import normalise_label

DATASET = "presenze"
SAME_PROVINCE = "stessa provincia"
OTHER_PROVINCE = "altre province italiane"
ABROAD = "estero"
UNPLACED = "provenienza non riconosciuta"


def stored_path(territory_id: str) -> str | None:
    entry = entry_for(DATASET, territory_id)
    return str(store.raw_dir() / entry["path"]) if entry else None


def imported(territory_id: str) -> PresenceImport | None:
    """The territory's imported presences, or None when none was imported."""
    entry = entry_for(DATASET, territory_id)
    return _read(entry["path"], entry["sha256"]) if entry else None


@functools.lru_cache(maxsize=8)
def _read(path: str, _sha256: str) -> PresenceImport:
    return read_presences(store.raw_dir() / path)


def _province_keys(codes) -> set[str]:
    table = registry.comuni()
    own = table[table["codice"].isin(list(codes))]
    return {normalise_label(value) for column in ("provincia_sigla", "provincia_nome", "provincia_codice")
            for value in own[column]}


def _all_province_keys() -> set[str]:
    return _province_keys(registry.comuni()["codice"])


@functools.lru_cache(maxsize=4096)
def _comune_code(text: str) -> str | None:
    try:
        return find_comune(text).codice
    except DiagnosisError:  # unknown or ambiguous: kept among the origins not placed
        return None


def classify_origins(rows: pd.DataFrame, territory: Territorio) -> pd.DataFrame:
    """``rows`` with ``codice`` (the comune of origin, when given and found) and ``ambito``
    (same province, other provinces of Italy, abroad, or not placed)."""
    own, every = _province_keys(territory.comuni), _all_province_keys()
    provinces = registry.province_abbreviations()
    own_sigle = {provinces[code] for code in territory.comuni}
    codes = rows["provenienza_comune"].map(lambda text: _comune_code(text) if isinstance(text, str) else None)

    def placed(row, code) -> str:
        if isinstance(row.provenienza_comune, str):
            if code is None:
                return UNPLACED
            return SAME_PROVINCE if provinces[code] in own_sigle else OTHER_PROVINCE
        if isinstance(row.provenienza_provincia, str):
            key = normalise_label(row.provenienza_provincia)
            return SAME_PROVINCE if key in own else OTHER_PROVINCE if key in every else UNPLACED
        return ABROAD

    ambits = [placed(row, code) for row, code in zip(rows.itertuples(), codes)]
    return rows.assign(codice=codes.to_numpy(), ambito=ambits)


def origin_figures(classified: pd.DataFrame) -> dict[str, float]:
    """Shares (%) of presences from outside the province and from abroad, over the placed origins;
    missing when a count among them was suppressed."""
    placed = classified[classified["ambito"] != UNPLACED]
    if placed.empty or placed["oscurato"].any():
        return {}
    total = placed["presenze"].sum()
    if not total:
        return {}
    outside = placed.loc[placed["ambito"] != SAME_PROVINCE, "presenze"].sum()
    abroad = placed.loc[placed["ambito"] == ABROAD, "presenze"].sum()
    return {"quota_fuori_provincia": outside / total * 100, "quota_estero": abroad / total * 100}


def unplaced_names(classified: pd.DataFrame) -> list[str]:
    lost = classified[classified["ambito"] == UNPLACED]
    names = lost["provenienza_comune"].fillna(lost["provenienza_provincia"])
    return sorted({str(name) for name in names.dropna()})
