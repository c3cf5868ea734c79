"""Writing the snapshot: deterministic parquet and JSON, swapped in only when complete.

Same inputs, same bytes: the parquet files carry no pandas metadata (it names the pandas
version) and are written with fixed options; the JSON has no date. Float columns use the
byte-stream-split encoding, which lets zstd find the repeated high bytes of amounts in euro;
the other columns are dictionary-encoded.

The build writes into a staging folder beside the target and moves it into place only
after every table is written; the previous snapshot is removed only then. A target folder
holding anything but snapshot files is refused rather than replaced.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from diagnosis.errors import UscitaOccupata

STAGING_PREFIX = ".snapshot-in-corso-"
PREVIOUS_PREFIX = ".snapshot-precedente-"
PROVENANCE_FILE = "provenienza.json"
PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 15,
    "version": "2.6",
    "data_page_version": "1.0",
    "write_statistics": True,
    "row_group_size": 1 << 23,
}


def write_parquet(frame: pd.DataFrame, path: Path) -> dict:
    """Write ``frame`` (index dropped) and return its file entry: file, sha256, byte, righe."""
    table = _plain_types(pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None))
    floats = [field.name for field in table.schema if pa.types.is_floating(field.type)]
    others = [field.name for field in table.schema if field.name not in floats]
    pq.write_table(
        table, path, use_dictionary=others, column_encoding={name: "BYTE_STREAM_SPLIT" for name in floats},
        **PARQUET_OPTIONS,
    )
    return {"file": path.name, **file_digest(path), "righe": len(frame)}


def _plain_types(table: pa.Table) -> pa.Table:
    """Categorical columns as their values: a reader gets text, not pandas categories (the
    file still stores them dictionary-encoded). Text is always Arrow's large string, whether
    pandas held it in Arrow or as Python strings: the same data writes the same bytes."""
    return table.cast(pa.schema([_plain_field(field) for field in table.schema]))


def _plain_field(field: pa.Field) -> pa.Field:
    kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
    kind = pa.large_string() if pa.types.is_string(kind) else kind
    return field if kind == field.type else pa.field(field.name, kind)


def file_digest(path: Path) -> dict:
    data = path.read_bytes()
    return {"sha256": hashlib.sha256(data).hexdigest(), "byte": len(data)}


def write_json(value: dict, path: Path) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def is_snapshot_file(path: Path) -> bool:
    return path.is_file() and (path.suffix == ".parquet" or path.name == PROVENANCE_FILE)


def check_target(target: Path) -> None:
    """Refuse a target that is a file or holds anything the build did not write."""
    if target.exists() and not target.is_dir():
        raise UscitaOccupata(f"L'uscita {target} è un file: indicare con --uscita una cartella.", [target])
    foreign = sorted(p for p in target.iterdir() if not is_snapshot_file(p)) if target.is_dir() else []
    if foreign:
        raise UscitaOccupata(
            f"La cartella {target} contiene file che non sono dati incorporati ({', '.join(p.name for p in foreign[:5])}): "
            "non la sostituisco. Indicare con --uscita una cartella nuova o una cartella di dati incorporati.",
            foreign,
        )


def staging_folder(target: Path) -> Path:
    """A new folder beside ``target`` (same file system, so the final move is a rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{target.name}-", dir=target.parent))
    folder.chmod(0o755)  # mkdtemp makes it private; the package data is meant to be readable
    return folder


def swap_in(staging: Path, target: Path) -> None:
    """Put the complete ``staging`` folder in place of ``target``, then drop the old one."""
    previous = target.with_name(f"{PREVIOUS_PREFIX}{target.name}")
    if previous.exists():
        shutil.rmtree(previous)  # left by an interrupted swap: only the build makes this name
    if target.exists():
        target.rename(previous)
    staging.rename(target)
    if previous.exists():
        shutil.rmtree(previous)
