"""ISTAT's statistical classifications of the comuni: altitude zone and degree of urbanisation.

The embedded registry carries them (ISTAT "Classificazioni statistiche e dimensione dei
comuni", in the snapshot); a newer edition of that file imported with ``diagnosis dati
aggiungi`` takes their place, its codes carried to today's comuni.
"""

from __future__ import annotations

import functools

import pandas as pd

from diagnosis import store
from diagnosis.sources.stored import read_stored
from diagnosis.territory import registry
from diagnosis.territory.history import today_codes

DATASET = "classificazioni_comuni"
ZONE_GROUPS = {1: "montagna", 2: "montagna", 3: "collina", 4: "collina", 5: "pianura"}
DEGURBA = {1: "città (alta urbanizzazione)", 2: "piccole città e sobborghi", 3: "zone rurali"}
COLUMNS = ["zona_altimetrica", "grado_urbanizzazione"]


def _state() -> str | None:
    entry = store.preferred(store.entries(DATASET))
    return entry["sha256"] if entry else None


@functools.lru_cache(maxsize=2)
def _imported(key: str) -> pd.DataFrame:
    entry = store.preferred(store.entries(DATASET))
    table = read_stored(DATASET, entry["path"])
    table["codice"] = table["codice"].map(today_codes())
    return table.dropna(subset=["codice"]).drop_duplicates("codice").set_index("codice")


def classes() -> pd.DataFrame:
    """Per today's code: zona_altimetrica, grado_urbanizzazione (from an imported file when newer)."""
    embedded = registry.comuni().set_index("codice")[COLUMNS].dropna()
    key = _state()
    if key is None:
        return embedded
    imported = _imported(key)
    return pd.concat([imported[COLUMNS], embedded[~embedded.index.isin(imported.index)]])
