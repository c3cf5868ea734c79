"""Resolved tables kept on disk between runs, so that a new process does not redo the work.

Carrying a published table to today's comuni and layering its editions takes a fraction
of a second per measure and year; a fotografia reads dozens (24 tax years for the income
series alone). The result is a handful of arrays, saved once under the cache folder and
keyed by everything it depends on (the editions chosen, the code history, this file's
format): a new file in the store or a new snapshot gives a new key, never a stale table.
Only plain arrays are written (no pickles), each file landing whole or not at all.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np

from diagnosis import config

FORMAT = "1"  # bump when the arrays' meaning changes


def _folder() -> Path:
    return config.cache_dir() / "tabelle"


def key_of(*parts: str) -> str:
    return hashlib.sha256("\n".join((FORMAT, *parts)).encode()).hexdigest()[:32]


def load_or_build(kind: str, key: str, build: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The arrays saved under ``kind``/``key``, or ``build()``'s, saved for the next time."""
    arrays = load(kind, key)
    if arrays is None:
        arrays = build()
        save(kind, key, arrays)
    return arrays


def load(kind: str, key: str) -> dict[str, np.ndarray] | None:
    """The arrays saved under ``kind``/``key``; None when there are none (or they cannot be read)."""
    try:
        with np.load(_path(kind, key), allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # absent or unreadable (an older format, a disk error): the caller builds them


def save(kind: str, key: str, arrays: dict[str, np.ndarray], *, only: bool = False) -> None:
    """Keep ``arrays`` under ``kind``/``key``; a folder that cannot be written only costs the work again.
    With ``only``, what was kept under ``kind`` with another key (older data or code) is removed."""
    path = _path(kind, key)
    _save(path, arrays)
    if only and path.exists():
        for other in _folder().glob(f"{kind}-*.npz"):
            if other != path:
                other.unlink(missing_ok=True)


def _path(kind: str, key: str) -> Path:
    return _folder() / f"{kind}-{key}.npz"


def _save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
        os.replace(temporary, path)
    except OSError:
        # A read-only or full data folder only costs the work again next time.
        Path(locals().get("temporary", path.with_suffix(".part"))).unlink(missing_ok=True)
