"""The embedded snapshot of official open data: compact tables shipped inside the package.

Built from the published files by ``python -m diagnosis.snapshot.build`` (never edited by
hand) and described, source by source, in ``data/provenienza.json``: publisher, original
file, sha256, vintage, status, licence and credit line.

    from diagnosis import snapshot
    snapshot.table("popolazione")        # codice, anno, sesso, valore, stato, fonte
    snapshot.source("istat_p2_2025")     # the provenance of one source file

Codes are 6-character strings, as each source published them for its year (only
``comuni`` lists today's comuni; ``codici`` leads old codes to new ones).
Nothing is read at import time.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from diagnosis.errors import SnapshotNonDisponibile

DATA_DIR = Path(__file__).resolve().parent / "data"
PROVENANCE_FILE = "provenienza.json"
REBUILD_COMMAND = "python -m diagnosis.snapshot.build"


def names() -> list[str]:
    """The tables present in the snapshot, sorted."""
    return sorted(path.stem for path in DATA_DIR.glob("*.parquet"))


def table(name: str) -> pd.DataFrame:
    """The snapshot table ``name``, read from ``data/<name>.parquet`` once per process.

    The frame returned shares its data with the cached one: do not change it in place.
    With pandas copy-on-write (pandas 3), adding or assigning columns on it leaves the cache
    untouched; use ``.copy()`` first if you need a frame of your own on older pandas.
    """
    return _read(name).copy(deep=False)


def compact_table(name: str) -> pd.DataFrame:
    """The same table with text columns as categories: a fraction of the memory and time of
    ``table`` on the large tables (``redditi``: six million rows), for the data layer.

    Shared with the cache like ``table``: do not change it in place.
    """
    return _read_compact(name).copy(deep=False)


@functools.cache
def _read_compact(name: str) -> pd.DataFrame:
    path = _path(name)
    text = _text_columns(path)
    return pq.read_table(path, read_dictionary=text).to_pandas()


def _text_columns(path: Path) -> list[str]:
    return [field.name for field in pq.read_schema(path)
            if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)]


def _path(name: str) -> Path:
    path = DATA_DIR / f"{name}.parquet"
    if not path.is_file():
        present = ", ".join(names()) or "nessuna"
        raise SnapshotNonDisponibile(
            f"La tabella «{name}» dei dati incorporati non c'è ({path} assente; tabelle presenti: "
            f"{present}). Ricostruire i dati incorporati con `{REBUILD_COMMAND}` (servono i file "
            "pubblicati, vedi README, «Dati incorporati»)."
        )
    return path


@functools.cache
def _read(name: str) -> pd.DataFrame:
    return _read_parquet(_path(name))


def _read_parquet(path: Path) -> pd.DataFrame:
    """The file as a frame with text columns as ``str``.

    Text columns are read as dictionaries and expanded by pyarrow: on the six million rows
    of ``redditi`` this takes about a second, against several for the default conversion.
    """
    text = _text_columns(path)
    table = pq.read_table(path, read_dictionary=text)
    columns = {
        name: table[name].cast(pa.large_string()) if name in text else table[name] for name in table.column_names
    }
    return pa.table(columns).to_pandas()


def provenance() -> dict:
    """The parsed ``provenienza.json``: ``formato``, ``fonti`` (list) and ``tabelle`` (by name)."""
    return copy.deepcopy(_provenance())


@functools.cache
def _provenance() -> dict:
    path = DATA_DIR / PROVENANCE_FILE
    if not path.is_file():
        raise SnapshotNonDisponibile(
            f"Manca la provenienza dei dati incorporati ({path}). Ricostruire i dati incorporati con "
            f"`{REBUILD_COMMAND}`."
        )
    return json.loads(path.read_text(encoding="utf-8"))


def table_facts(name: str) -> dict:
    """What ``provenance()`` records of one table (empty for a table it does not list): a copy of
    that entry alone, as every fotografia asks for a few of them."""
    return copy.deepcopy(_provenance().get("tabelle", {}).get(name, {}))


def licences_by_file() -> tuple[tuple[str, str], ...]:
    """``(file, licence)`` of every snapshot source that records one: asked for every table
    an analysis returns, so read from the parsed provenance without copying it."""
    return tuple((entry["file"], entry["licenza"]) for entry in _provenance()["fonti"]
                 if entry.get("licenza") and entry.get("file"))


def source(source_id: str) -> dict:
    """One entry of ``provenance()["fonti"]``: publisher, file, sha256, vintage, licence…"""
    sources = {entry["id"]: entry for entry in _provenance()["fonti"]}
    if source_id not in sources:
        raise SnapshotNonDisponibile(
            f"Fonte «{source_id}» sconosciuta ai dati incorporati. Fonti presenti: {', '.join(sorted(sources))}."
        )
    return copy.deepcopy(sources[source_id])
