"""Code history: old ISTAT codes (abolished, merged, re-coded comuni) → today's comune.

Always known from the embedded snapshot (ISTAT's list of abolished comuni and the 2026
re-coding of Sardinia); ISTAT lists added to the raw store ("Elenco comuni soppressi",
"Variazioni", the Sardinian re-coding file) extend it with later changes.
"""

from __future__ import annotations

import functools

import pandas as pd

from diagnosis import snapshot, store
from diagnosis.sources import istat_codes
from diagnosis.sources.istat_codes import HISTORY_COLUMNS
from diagnosis.sources.stored import read_stored
from diagnosis.territory import registry

# Every stored code list that sends old codes to new ones (read by ``sources.stored``).
HISTORY_SOURCES = ("comuni_soppressi", "variazioni_comuni", "ricodifica_sardegna")


def state() -> str:
    """What the history depends on (the stored lists), so that caches follow an import."""
    return _state_of(store.state())


@functools.lru_cache(maxsize=8)
def _state_of(_manifest: tuple) -> str:
    chosen = [store.preferred(store.entries(d)) for d in HISTORY_SOURCES]
    return "+".join(entry["sha256"] for entry in chosen if entry) or "snapshot"


def _snapshot_history() -> pd.DataFrame:
    table = snapshot.table("codici")
    frame = pd.DataFrame({
        "codice_vecchio": table["codice_vecchio"].astype(str), "nome": "",
        "data": pd.to_datetime(table["data"]).astype("datetime64[ns]"),
        "codice_nuovo": table["codice_nuovo"].astype(str), "nome_nuovo": "", "motivo": table["motivo"].astype(str),
    })
    return frame[HISTORY_COLUMNS]


@functools.lru_cache(maxsize=4)
def _histories_from(key: str) -> pd.DataFrame:
    histories = [_snapshot_history()]
    for dataset in HISTORY_SOURCES:
        entry = store.preferred(store.entries(dataset))
        if entry:
            histories.append(read_stored(dataset, entry["path"]))
    history = pd.concat(histories, ignore_index=True)
    return history.drop_duplicates(["codice_vecchio", "codice_nuovo", "data"]).reset_index(drop=True)


@functools.lru_cache(maxsize=4)
def _aliases_from(key: str) -> pd.DataFrame:
    return istat_codes.build_aliases(_histories_from(key), current_codes=registry.comuni()["codice"])


def steps() -> pd.DataFrame:
    """Every single change ``codice_vecchio → codice_nuovo`` on ``data`` (not chained), with ``motivo``."""
    return _histories_from(state())


def aliases() -> pd.DataFrame:
    """``codice_vecchio, codice_nuovo, data, motivo, catena, ambiguo``: each old code and today's code."""
    return _aliases_from(state())


@functools.lru_cache(maxsize=4)
def _today_of(key: str) -> dict[str, str]:
    table = _aliases_from(key)
    usable = table[~table["ambiguo"].astype(bool)]
    known = set(registry.comuni()["codice"])
    mapping = {old: new for old, new in zip(usable["codice_vecchio"], usable["codice_nuovo"]) if new in known}
    return mapping | {code: code for code in known}


def today_codes() -> dict[str, str]:
    """Any known code (today's, abolished, re-coded) → the code of today's comune that holds it.

    A comune split among several successors has no single heir and is left out.
    """
    return _today_of(state())


def successor(old_code: str) -> dict | None:
    """The alias row of ``old_code`` when its successor is a comune of the registry."""
    table = aliases()
    match = table[table["codice_vecchio"] == old_code]
    if match.empty:
        return None
    row = match.iloc[0]
    if row["codice_nuovo"] not in set(registry.comuni()["codice"]):
        return None
    return row.to_dict()


def predecessors(code: str) -> list[str]:
    """Old codes that now lead to ``code`` (merged or re-coded comuni).

    Ambiguous aliases (an old comune split among several) are left out: summing one of
    them into a successor would count people twice.
    """
    table = aliases()
    match = table[(table["codice_nuovo"] == code) & ~table["ambiguo"].astype(bool)]
    return sorted(set(match["codice_vecchio"]) - {code})
