"""What an interrupted import leaves in the raw store, reported and tidied.

A file lands through ``.<name>.<random>.part`` beside its final place (``raw._land``); a
replaced file waits as ``.<name>.previous`` until the manifest is rewritten, which goes
through ``.manifest.<random>.tmp``; a file being removed (``raw.remove``) waits as
``.<name>.removed`` until the manifest no longer lists it. A process killed (SIGKILL, power cut) midway leaves
them behind: a large P2 makes an 800 MB ``.part``. ``dati stato`` lists them with their
size; ``dati aggiungi`` and ``dati scarica`` remove those no running import owns.

Whose is a ``.part``: the importing process holds an advisory lock (``flock``) on it for
as long as the import runs, and the system releases it when the process ends, however it
ends. A ``.part`` that can be locked, and that is older than this process (so it cannot
be one being created this very instant, before its owner locks it), is stale. Where
``flock`` does not exist (Windows) the file's age decides: older than a day, since no
import lasts that long.

``.previous``, ``.removed`` and ``.manifest.*.tmp`` exist only while their process holds the
manifest lock (``raw._commit``, ``raw.remove``); holding that lock, any of them found belongs
to a dead process.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, the age rule alone decides
    fcntl = None

PART_SUFFIX = ".part"
PREVIOUS_SUFFIX = ".previous"
REMOVED_SUFFIX = ".removed"
MANIFEST_TEMPORARY = ".manifest."
STALE_WITHOUT_LOCKS = 24 * 3600
# Close to the start of any command that touches the store, which imports this module.
PROCESS_STARTED = time.time()


@dataclass(frozen=True)
class Leftover:
    path: Path
    size: int
    in_progress: bool  # an import of a running process still owns it

    @property
    def kind(self) -> str:
        if self.path.name.endswith(PREVIOUS_SUFFIX):
            return "copia di un file sostituito"
        if self.path.name.endswith(REMOVED_SUFFIX):
            return "file in rimozione"
        if self.path.name.startswith(MANIFEST_TEMPORARY):
            return "manifesto in scrittura"
        return "file in importazione"


class PartClaim:
    """The lock an import holds on its ``.part`` from creation to the end, success or not."""

    def __init__(self, path: Path):
        self._stream = None
        if fcntl is not None:
            self._stream = open(path, "rb")  # noqa: SIM115 — held open for the lock's lifetime
            fcntl.flock(self._stream.fileno(), fcntl.LOCK_EX)

    def release(self) -> None:
        if self._stream is not None:
            self._stream.close()  # closing releases the lock
            self._stream = None


def claim(path: Path) -> PartClaim:
    return PartClaim(path)


def _owned_by_a_running_import(path: Path) -> bool:
    if fcntl is None:
        return time.time() - path.stat().st_mtime < STALE_WITHOUT_LOCKS
    if path.stat().st_mtime >= PROCESS_STARTED:
        return True  # possibly created an instant ago, before its owner could lock it
    with open(path, "rb") as stream:
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(stream.fileno(), fcntl.LOCK_UN)
    return False


def _is_leftover(path: Path) -> bool:
    name = path.name
    return name.startswith(".") and (
        name.endswith((PART_SUFFIX, PREVIOUS_SUFFIX, REMOVED_SUFFIX))
        or (name.startswith(MANIFEST_TEMPORARY) and name.endswith(".tmp"))
    )


def find(raw_dir: Path) -> list[Leftover]:
    """Every leftover of the store, with its size and whether a running import owns it."""
    if not raw_dir.is_dir():
        return []
    found = []
    for path in sorted(p for p in raw_dir.rglob(".*") if (p.is_symlink() or p.is_file()) and _is_leftover(p)):
        try:
            if path.is_symlink():  # never made by an import: judged and removed as a link, never followed
                found.append(Leftover(path, path.lstat().st_size, False))
                continue
            owned = path.name.endswith(PART_SUFFIX) and _owned_by_a_running_import(path)
            found.append(Leftover(path, path.stat().st_size, owned))
        except FileNotFoundError:
            continue  # its import just finished and removed it
    return found


def tidy(raw_dir: Path, manifest_entries: list[dict]) -> list[Leftover]:
    """Remove what dead imports left; put back a file a dead import had moved aside.

    Call with the manifest lock held. Returns what was removed or put back.
    """
    tidied = []
    for leftover in find(raw_dir):
        if leftover.in_progress:
            continue
        if leftover.path.name.endswith(PREVIOUS_SUFFIX) and not leftover.path.is_symlink():
            _settle_previous(leftover.path, raw_dir, manifest_entries)
        elif leftover.path.name.endswith(REMOVED_SUFFIX) and not leftover.path.is_symlink():
            _settle_removed(leftover.path, raw_dir, manifest_entries)
        else:
            leftover.path.unlink(missing_ok=True)
        tidied.append(leftover)
    return tidied


def _settle_previous(backup: Path, raw_dir: Path, manifest_entries: list[dict]) -> None:
    """Keep whichever of the file and its backup the manifest describes.

    ``_commit`` moves the old file aside, moves the new one in, rewrites the manifest, then
    deletes the backup: killed before the manifest, the backup is what the manifest
    describes and goes back; killed after it, the backup is obsolete.
    """
    target = backup.with_name(backup.name[1:-len(PREVIOUS_SUFFIX)])
    relative = target.relative_to(raw_dir).as_posix()
    recorded = next((e["sha256"] for e in manifest_entries if e.get("path") == relative), None)
    if not target.exists() or (recorded is not None and _sha256(target) != recorded):
        os.replace(backup, target)
    else:
        backup.unlink()


def _settle_removed(aside: Path, raw_dir: Path, manifest_entries: list[dict]) -> None:
    """Put back a file whose removal died before the manifest was rewritten; else delete it.

    ``raw.remove`` moves the file aside, rewrites the manifest without it, then deletes it:
    an entry still listed means the removal never happened.
    """
    target = aside.with_name(aside.name[1:-len(REMOVED_SUFFIX)])
    relative = target.relative_to(raw_dir).as_posix()
    if any(e.get("path") == relative for e in manifest_entries) and not target.exists():
        os.replace(aside, target)
    else:
        aside.unlink()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
