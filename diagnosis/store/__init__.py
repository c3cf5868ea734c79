"""The raw store: published files kept whole, checked, and listed in a manifest.

``raw`` lands files (downloads, bytes, hand-added files) atomically; ``checks`` holds the
content checks; ``recognise`` tells a dataset from a file's content; ``importing`` adds a
hand-downloaded file once recognised and accepted; ``status`` tabulates what is present.
The functions readers need are re-exported here.
"""

from diagnosis.store.raw import (
    STATUSES,
    download,
    entries,
    find,
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
    "STATUSES",
    "download",
    "entries",
    "find",
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
