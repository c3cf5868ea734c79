"""The census commuting flows held in the store, carried to today's comuni.

Two matrices: the 2011 census's (``pendolarismo``: study and work, with the sample's modes)
and the 2021 permanent census's (``pendolarismo_lavoro``: work only). Each reason's figures
come from the latest matrix that counts it (:func:`by_reason`); nothing sums or divides
figures of two censuses.

A matrix describes the comuni of its census; a comune merged since then takes its
predecessors' flows, so that a flow between two comuni now merged becomes a flow inside
one. A code with no single heir today (a comune split among several) keeps its old code
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
WORK_DATASET = "pendolarismo_lavoro"
SOURCE_IDS = {DATASET: "istat-pendolarismo", WORK_DATASET: "istat-pendolarismo-lavoro"}
KEYS = ["tipo_record", "origine", "destinazione", "stato_estero", "motivo", "mezzo"]
HOW_TO_GET_CENSUS = (
    "Matrice del pendolarismo ISTAT (censimento 2011) non presente nell'archivio. Per ottenerla: diagnosis dati "
    "scarica --fonte pendolarismo (oppure scaricare matrici_pendolarismo_2011.zip da istat.it e importarlo con: "
    "diagnosis dati aggiungi matrici_pendolarismo_2011.zip)."
)
HOW_TO_GET_WORK = (
    "Matrice del pendolarismo per lavoro ISTAT (censimento permanente 2021) non presente nell'archivio. Per "
    "ottenerla: diagnosis dati scarica --fonte pendolarismo_lavoro (oppure importare matrix_pendoLAVORO_2021.zip con: "
    "diagnosis dati aggiungi matrix_pendoLAVORO_2021.zip)."
)
HOW_TO_GET = {DATASET: HOW_TO_GET_CENSUS, WORK_DATASET: HOW_TO_GET_WORK}
HOW_TO_GET_ANY = f"{HOW_TO_GET_CENSUS} {HOW_TO_GET_WORK}"


def available(dataset: str = DATASET) -> bool:
    return bool(store.entries(dataset))


@dataclass(frozen=True)
class CommutingMatrix:
    """The flows of the matrix in use and what they rest on.

    ``flussi`` columns: ``tipo_record`` (``S`` census counts, ``L`` sample estimates with
    the mode), ``origine``, ``destinazione`` (empty abroad), ``stato_estero``, ``motivo``,
    ``mezzo`` (``L`` only), ``individui``. The facts sit beside the table, not in its
    ``attrs``, which pandas would copy at every operation on millions of rows.
    """

    flussi: pd.DataFrame
    dataset: str
    anno: int
    fonte: str
    vintage: str
    file: str
    codici_non_attribuiti: tuple[str, ...]


def matrix(dataset: str = DATASET) -> CommutingMatrix:
    """Every flow of the stored matrix of ``dataset`` in use, summed per today's comuni; raises
    :class:`DatiNonDisponibili` when it is not held."""
    if not available(dataset):
        raise DatiNonDisponibili(HOW_TO_GET[dataset])
    return _flows(dataset, store.dataset_state(dataset))


def by_reason() -> dict[str, CommutingMatrix]:
    """The matrix each reason's figures come from: ``lavoro`` from the 2021 work matrix when
    held, ``studio`` from 2011; ``totale`` (study and work together) only while both reasons
    come from 2011, since a total of two censuses would mix their years and definitions.
    Raises :class:`DatiNonDisponibili` when neither matrix is held."""
    found = {}
    if available(DATASET):
        census = matrix(DATASET)
        found = {"totale": census, "lavoro": census, "studio": census}
    if available(WORK_DATASET):
        found.pop("totale", None)
        found["lavoro"] = matrix(WORK_DATASET)
    if not found:
        raise DatiNonDisponibili(HOW_TO_GET_ANY)
    return found


@functools.lru_cache(maxsize=4)
def _flows(dataset: str, _state: tuple) -> CommutingMatrix:
    entry = store.preferred(store.entries(dataset))  # the rule ``dati stato`` reports
    # Reading the national matrix takes about a minute: its sums are kept on disk for the
    # next process, keyed by the file and the code history they were carried with.
    key = disk_cache.key_of(dataset, entry["sha256"], history.state())
    arrays = disk_cache.load_or_build(dataset, key, lambda: _summed_arrays(dataset, entry["path"]))
    summed = pd.DataFrame({column: pd.Categorical.from_codes(arrays[f"{column}_codici"], arrays[f"{column}_valori"])
                           for column in KEYS})
    summed["individui"] = arrays["individui"]
    return CommutingMatrix(
        flussi=summed, dataset=dataset, anno=int(entry["years"][0]),
        fonte=source_facts(SOURCE_IDS[dataset])["nome"] + ", ISTAT", vintage=entry.get("vintage", ""),
        file=entry["path"], codici_non_attribuiti=tuple(arrays["codici_non_attribuiti"].tolist()),
    )


def _summed_arrays(dataset: str, path: str) -> dict[str, np.ndarray]:
    records = read_stored(dataset, path)
    if dataset == WORK_DATASET:
        records = _as_census_records(records)
    carried, unmatched = _carried_to_today(records)
    carried["mezzo"] = carried["mezzo"].fillna("")  # census records have no mode: a key of its own
    summed = carried.groupby(KEYS, as_index=False, sort=False, observed=True)["individui"].sum()
    arrays = {}
    for column in KEYS:  # each column as its distinct values and a code per row: quick to load
        codes, values = pd.factorize(summed[column].astype(str))
        arrays |= {f"{column}_codici": codes.astype(np.int32), f"{column}_valori": np.asarray(values, dtype=str)}
    return arrays | {"individui": summed["individui"].to_numpy(dtype=float),
                     "codici_non_attribuiti": np.array(unmatched, dtype=str)}


def _as_census_records(work: pd.DataFrame) -> pd.DataFrame:
    """The 2021 work flows in the 2011 matrix's columns: whole counts (``S``), reason work, no
    one abroad, no mode; so that the same indicators read both."""
    return work.assign(tipo_record="S", stato_estero="", motivo="lavoro", mezzo=None)


def _carried_to_today(records: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    mapping = history.today_codes()
    codes = set(records["origine"].unique()) | (set(records["destinazione"].unique()) - {""})
    unmatched = sorted(code for code in codes if code not in mapping)
    carry = {code: mapping.get(code, code) for code in codes} | {"": ""}
    # Two old codes may now be one comune: the carried codes are categories built afresh.
    carried = records.assign(origine=pd.Categorical(records["origine"].map(carry)),
                             destinazione=pd.Categorical(records["destinazione"].map(carry)))
    return carried, unmatched
