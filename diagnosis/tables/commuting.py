"""The census commuting flows held in the store, carried to today's comuni.

The matrix describes the comuni of 9 October 2011; a comune merged since then takes its
predecessors' flows, so that a flow between two comuni now merged becomes a flow inside
one. A code with no single heir today (a comune split among several) keeps its 2011 code
and is listed in ``attrs["codici_non_attribuiti"]``: its people stay in every sum, as flows
from or to a comune outside any territory of today.
"""

from __future__ import annotations

import functools

import pandas as pd

from diagnosis import store
from diagnosis.errors import DatiNonDisponibili
from diagnosis.sources.catalog import source_facts
from diagnosis.sources.stored import read_stored
from diagnosis.territory.history import today_codes

DATASET = "pendolarismo"
KEYS = ["tipo_record", "origine", "destinazione", "stato_estero", "motivo", "mezzo"]
HOW_TO_GET = (
    "Matrice del pendolarismo ISTAT non presente nell'archivio. Per ottenerla: diagnosis dati scarica --fonte "
    "pendolarismo (oppure scaricare matrici_pendolarismo_2011.zip da istat.it e importarlo con: diagnosis dati "
    "aggiungi matrici_pendolarismo_2011.zip)."
)


def _store_state() -> tuple:
    return tuple(sorted(entry["sha256"] for entry in store.entries(DATASET)))


def available() -> bool:
    return bool(store.entries(DATASET))


def flows() -> pd.DataFrame:
    """Every flow of the newest stored matrix, summed per today's comuni.

    Columns: ``tipo_record`` (``S`` census counts, ``L`` sample estimates with the mode),
    ``origine``, ``destinazione`` (empty abroad), ``stato_estero``, ``motivo``, ``mezzo``
    (``L`` only), ``individui``. ``attrs`` carries ``anno``, ``fonte``, ``vintage``, ``file``
    and ``codici_non_attribuiti``. Raises :class:`DatiNonDisponibili` when no matrix is held.
    """
    if not available():
        raise DatiNonDisponibili(HOW_TO_GET)
    return _flows(_store_state())


@functools.lru_cache(maxsize=2)
def _flows(_state: tuple) -> pd.DataFrame:
    entry = store.preferred(store.entries(DATASET))  # the rule ``dati stato`` reports
    records = read_stored(DATASET, entry["path"])
    carried, unmatched = _carried_to_today(records)
    carried["mezzo"] = carried["mezzo"].fillna("")
    summed = carried.groupby(KEYS, as_index=False, sort=False)["individui"].sum()
    summed.attrs = {
        "anno": int(entry["years"][0]) if entry.get("years") else 2011,
        "fonte": source_facts("istat-pendolarismo")["nome"] + ", ISTAT",
        "vintage": entry.get("vintage", ""),
        "file": entry["path"],
        "codici_non_attribuiti": unmatched,
    }
    return summed


def _carried_to_today(records: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    mapping = today_codes()
    codes = set(records["origine"]) | (set(records["destinazione"]) - {""})
    unmatched = sorted(code for code in codes if code not in mapping)
    carry = {code: mapping.get(code, code) for code in codes} | {"": ""}
    carried = records.assign(origine=records["origine"].map(carry), destinazione=records["destinazione"].map(carry))
    return carried, unmatched
