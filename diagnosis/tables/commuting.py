"""The census commuting flows held in the store, carried to today's comuni.

The matrix describes the comuni of 9 October 2011; a comune merged since then takes its
predecessors' flows, so that a flow between two comuni now merged becomes a flow inside
one. A code with no single heir today (a comune split among several) keeps its 2011 code
and is listed in ``codici_non_attribuiti``: its people stay in every sum, as flows
from or to a comune outside any territory of today.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from diagnosis import store
from diagnosis.errors import DatiNonDisponibili
from diagnosis.sources.catalog import source_facts
from diagnosis.sources.stored import read_stored
from diagnosis.tables import disk_cache
from diagnosis.territory import history

DATASET = "pendolarismo"
CENSUS_YEAR = 2011
KEYS = ["tipo_record", "origine", "destinazione", "stato_estero", "motivo", "mezzo"]
HOW_TO_GET = (
    "Matrice del pendolarismo ISTAT non presente nell'archivio. Per ottenerla: diagnosis dati scarica --fonte "
    "pendolarismo (oppure scaricare matrici_pendolarismo_2011.zip da istat.it e importarlo con: diagnosis dati "
    "aggiungi matrici_pendolarismo_2011.zip)."
)


def available() -> bool:
    return bool(store.entries(DATASET))


@dataclass(frozen=True)
class CommutingMatrix:
    """The flows of the matrix in use and what they rest on.

    ``flussi`` columns: ``tipo_record`` (``S`` census counts, ``L`` sample estimates with
    the mode), ``origine``, ``destinazione`` (empty abroad), ``stato_estero``, ``motivo``,
    ``mezzo`` (``L`` only), ``individui``. The facts sit beside the table, not in its
    ``attrs``, which pandas would copy at every operation on millions of rows.
    """

    flussi: pd.DataFrame
    anno: int
    fonte: str
    vintage: str
    file: str
    codici_non_attribuiti: tuple[str, ...]


def matrix() -> CommutingMatrix:
    """Every flow of the stored matrix in use, summed per today's comuni; raises
    :class:`DatiNonDisponibili` when no matrix is held."""
    if not available():
        raise DatiNonDisponibili(HOW_TO_GET)
    return _flows(store.dataset_state(DATASET))


@functools.lru_cache(maxsize=2)
def _flows(_state: tuple) -> CommutingMatrix:
    entry = store.preferred(store.entries(DATASET))  # the rule ``dati stato`` reports
    # Reading the national matrix takes about a minute: its sums are kept on disk for the
    # next process, keyed by the file and the code history they were carried with.
    key = disk_cache.key_of(DATASET, entry["sha256"], history.state())
    arrays = disk_cache.load_or_build(DATASET, key, lambda: _summed_arrays(entry["path"]))
    summed = pd.DataFrame({column: pd.Categorical.from_codes(arrays[f"{column}_codici"], arrays[f"{column}_valori"])
                           for column in KEYS})
    summed["individui"] = arrays["individui"]
    return CommutingMatrix(
        flussi=summed, anno=int(entry["years"][0]) if entry.get("years") else CENSUS_YEAR,
        fonte=source_facts("istat-pendolarismo")["nome"] + ", ISTAT", vintage=entry.get("vintage", ""),
        file=entry["path"], codici_non_attribuiti=tuple(arrays["codici_non_attribuiti"].tolist()),
    )


def _summed_arrays(path: str) -> dict[str, np.ndarray]:
    records = read_stored(DATASET, path)
    carried, unmatched = _carried_to_today(records)
    carried["mezzo"] = carried["mezzo"].fillna("")  # census records have no mode: a key of its own
    summed = carried.groupby(KEYS, as_index=False, sort=False, observed=True)["individui"].sum()
    arrays = {}
    for column in KEYS:  # each column as its distinct values and a code per row: quick to load
        codes, values = pd.factorize(summed[column].astype(str))
        arrays |= {f"{column}_codici": codes.astype(np.int32), f"{column}_valori": np.asarray(values, dtype=str)}
    return arrays | {"individui": summed["individui"].to_numpy(dtype=float),
                     "codici_non_attribuiti": np.array(unmatched, dtype=str)}


def _carried_to_today(records: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    mapping = history.today_codes()
    codes = set(records["origine"].unique()) | (set(records["destinazione"].unique()) - {""})
    unmatched = sorted(code for code in codes if code not in mapping)
    carry = {code: mapping.get(code, code) for code in codes} | {"": ""}
    # Two old codes may now be one comune: the carried codes are categories built afresh.
    carried = records.assign(origine=pd.Categorical(records["origine"].map(carry)),
                             destinazione=pd.Categorical(records["destinazione"].map(carry)))
    return carried, unmatched
