"""Code history: old ISTAT codes (abolished, merged, re-coded comuni) → today's comune.

Built from the ISTAT lists in the raw store ("Elenco comuni soppressi"); without them only
the embedded registry's codes are known, and an unknown code says how to get the list.
"""

from __future__ import annotations

import functools

import pandas as pd

from diagnosis.territory import registry

HISTORY_DATASET = "comuni_soppressi"
# Every stored code list that sends old codes to new ones, with its parser.
HISTORY_SOURCES = {"comuni_soppressi": "parse_soppressi", "variazioni_comuni": "parse_variazioni",
                   "ricodifica_sardegna": "parse_sardegna"}


def _stored_history_key() -> str | None:
    from diagnosis import store

    chosen = [store.preferred(store.entries(d)) for d in HISTORY_SOURCES]
    keys = [entry["sha256"] for entry in chosen if entry]
    return "+".join(keys) if keys else None


@functools.lru_cache(maxsize=4)
def _histories_from(key: str) -> pd.DataFrame:
    from diagnosis import store
    from diagnosis.sources import demo_istat, istat_codes

    histories = []
    for dataset, parser in HISTORY_SOURCES.items():
        entry = store.preferred(store.entries(dataset))
        if entry:
            data = demo_istat.csv_payload((store.raw_dir() / entry["path"]).read_bytes())
            histories.append(getattr(istat_codes, parser)(data))
    return pd.concat(histories, ignore_index=True)


@functools.lru_cache(maxsize=4)
def _aliases_from(key: str) -> pd.DataFrame:
    from diagnosis.sources import istat_codes

    return istat_codes.build_aliases(_histories_from(key), current_codes=registry.comuni()["codice"])


def registry_code_for(new_code: str) -> dict | None:
    """The registry's comune for a code newer than the registry (a re-coding such as Sardinia 2026).

    The embedded registry lists the comuni of 2022; sources published later may already use
    the new codes. A new code whose previous code is in the registry is that same comune.
    """
    key = _stored_history_key()
    if key is None:
        return None
    history = _histories_from(key)
    known = set(registry.comuni()["codice"])
    match = history[(history["codice_nuovo"] == new_code) & history["codice_vecchio"].isin(known)]
    if match.empty or match["codice_vecchio"].nunique() != 1:
        return None  # a merger of several registry comuni is not one of them
    return match.iloc[0].to_dict()


def newer_codes(code: str) -> list[str]:
    """Codes the comune took after the registry's date (re-codings), for sources that use them."""
    key = _stored_history_key()
    if key is None:
        return []
    history = _histories_from(key)
    rows = history[(history["codice_vecchio"] == code) & (history["motivo"] != "soppressione")]
    return sorted(set(rows["codice_nuovo"]) - {code})


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
