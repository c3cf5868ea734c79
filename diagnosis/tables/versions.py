"""What every computed figure depends on, as two digests: the data and the package's code.

A result kept between runs (a report's fingerprint, a table saved under ``cache``) is valid
only while both are unchanged: the data are the embedded package of boundaries and
populations, the snapshot's provenance, the source catalogue and the store's manifest (every
file imported or downloaded); the code is every module of the package, so that a corrected
formula is never hidden by a figure computed before it.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from diagnosis import snapshot, store
from diagnosis.config import PACKAGE_DIR
from diagnosis.sources import embedded
from diagnosis.sources.catalog import CATALOG_FILE


def data_digest() -> str:
    manifest = store.manifest_path()
    provenance = snapshot.DATA_DIR / "provenienza.json"
    parts = [embedded.package_version(), CATALOG_FILE.read_text(encoding="utf-8"),
             provenance.read_text(encoding="utf-8") if provenance.exists() else "",
             manifest.read_text(encoding="utf-8") if manifest.exists() else ""]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@functools.cache  # the modules a process runs do not change under it
def code_digest() -> str:
    return files_digest(list(PACKAGE_DIR.rglob("*.py")))


def files_digest(paths: list[Path]) -> str:
    """The names (within the package) and contents of the files among ``paths``."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        if path.is_file():
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
