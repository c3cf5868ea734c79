"""Code history: old ISTAT codes (abolished, merged, re-coded comuni) → today's comune.

Built from the ISTAT lists in the raw store ("Elenco comuni soppressi"); without them only
the embedded registry's codes are known, and an unknown code says how to get the list.
"""

from __future__ import annotations

import functools

import pandas as pd

from diagnosis.territory import registry

HISTORY_DATASET = "comuni_soppressi"


def _stored_history_key() -> str | None:
    from diagnosis import store

    entries = store.entries(HISTORY_DATASET)
    chosen = store.preferred(entries) if entries else None
    return chosen["sha256"] if chosen else None


@functools.lru_cache(maxsize=4)
def _aliases_from(key: str) -> pd.DataFrame:
    from diagnosis import store
    from diagnosis.sources import demo_istat, istat_codes

    entry = store.preferred(store.entries(HISTORY_DATASET))
    data = demo_istat.csv_payload((store.raw_dir() / entry["path"]).read_bytes())
    history = istat_codes.parse_soppressi(data)
    return istat_codes.build_aliases(history, current_codes=registry.comuni()["codice"])


def aliases() -> pd.DataFrame:
    """``codice_vecchio, codice_nuovo, data, motivo, catena, ambiguo`` (empty when no list is stored)."""
    key = _stored_history_key()
    if key is None:
        return pd.DataFrame(columns=["codice_vecchio", "codice_nuovo", "data", "motivo", "catena", "ambiguo"])
    return _aliases_from(key)


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
    """Old codes that now lead to ``code`` (merged or re-coded comuni), oldest list first.

    Ambiguous aliases (an old comune split among several) are left out: summing one of
    them into a successor would count people twice.
    """
    table = aliases()
    match = table[(table["codice_nuovo"] == code) & ~table["ambiguo"].astype(bool)]
    return sorted(set(match["codice_vecchio"]) - {code})
