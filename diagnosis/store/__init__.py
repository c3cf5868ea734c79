"""The raw store: published files kept whole, checked, and listed in a manifest.

``raw`` lands files (downloads, bytes) atomically and keeps the manifest; ``checks`` holds
the content checks every download passes; ``limits`` bounds what a file may unpack to;
``leftovers`` tidies what an interrupted import left. The store knows nothing of datasets'
layouts: reading a stored file is the readers' job (``sources.stored``), admitting one is
the intake's (``diagnosis.intake``). The functions readers need are re-exported here.
"""

from diagnosis.store.raw import (
    dataset_state,
    download,
    entries,
    find,
    held_state,
    manifest_path,
    path_for,
    preferred,
    raw_dir,
    remove,
    save_bytes,
    save_file,
    state,
    verify,
)

__all__ = [
    "dataset_state",
    "download",
    "entries",
    "find",
    "held_state",
    "manifest_path",
    "path_for",
    "preferred",
    "raw_dir",
    "remove",
    "save_bytes",
    "save_file",
    "state",
    "verify",
]
