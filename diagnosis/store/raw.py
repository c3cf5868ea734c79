"""The raw store: published files kept as published, with a manifest.

Layout: ``<data>/raw/<dataset>/<file>`` and ``<data>/raw/manifest.json``. Each manifest
entry records where the file came from (URL or the original file name), its sha256 and
size, when it was fetched (UTC, ISO 8601), the dataset id, the vintage, the status
(definitivo / provvisorio / stima) and the year(s) it covers.

Files land whole or not at all: the bytes go to a temporary file in the destination
folder, the content check runs on it, and only then ``os.replace`` moves it into place
and the manifest is rewritten (temporary file + ``os.replace``) under a file lock. Any
failure before that point removes the temporary file and whatever folder was created
for it, so the store and the manifest are exactly as they were.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO, NamedTuple

import requests
from filelock import FileLock

from diagnosis import config, http
from diagnosis.errors import DiagnosisError, DownloadNonValido, ManifestoDanneggiato
from diagnosis.statuses import STATUSES
from diagnosis.store import leftovers
from diagnosis.store.checks import Check
from diagnosis.store.limits import check_size

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
LOCK_NAME = "manifest.lock"
CHUNK = 1024 * 1024

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ ()-]*$")


# --- paths -------------------------------------------------------------------------------

def raw_dir() -> Path:
    return config.data_dir() / "raw"


def _lock_path() -> Path:
    """The manifest's lock lives with the caches, so the raw folder holds only data."""
    folder = config.cache_dir() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / LOCK_NAME


def manifest_path() -> Path:
    return raw_dir() / MANIFEST_NAME


def path_for(dataset: str, filename: str) -> Path:
    """Where ``filename`` of ``dataset`` lives; both must be plain names (no folders)."""
    _check_name(dataset, "dataset")
    _check_name(filename, "nome del file")
    return raw_dir() / dataset / filename


def _check_name(name: str, what: str) -> None:
    if not _NAME.match(name or "") or ".." in name:
        raise DiagnosisError(
            f"Il {what} {name!r} non è valido per l'archivio dei dati: sono ammessi lettere, "
            "cifre, spazi e . _ - ( ), senza cartelle. Scegliere un nome semplice, ad es. "
            "'POSAS_2025_it_Comuni.zip'."
        )


# --- manifest ----------------------------------------------------------------------------

def entries(dataset: str | None = None) -> list[dict]:
    """Manifest entries, of one dataset or all, sorted by dataset and file name."""
    manifest = _manifest()
    chosen = manifest.entries if dataset is None else manifest.by_dataset.get(dataset, ())
    return [dict(entry) for entry in chosen]


def preferred(candidates: Iterable[dict]) -> dict | None:
    """The entry to use among several for the same dataset and year.

    A final figure beats a provisional one, which beats an estimate; among equals the
    most recently fetched wins (publishers replace files in place at the same URL).
    """
    ranked = sorted(
        candidates,
        key=lambda e: (STATUSES.index(e["status"]), _negated_time(e["fetched_at"])),
    )
    return ranked[0] if ranked else None


def _negated_time(stamp: str) -> float:
    return -datetime.fromisoformat(stamp).timestamp()


def find(dataset: str, year: int) -> dict | None:
    """The preferred stored file of ``dataset`` covering ``year``, or None."""
    return preferred(e for e in entries(dataset) if int(year) in e["years"])


def dataset_state(dataset: str) -> tuple:
    """A key that changes whenever one dataset's files do: the checksums of its entries."""
    return tuple(sorted(entry["sha256"] for entry in entries(dataset)))


def state() -> tuple:
    """A cheap key that changes whenever the manifest does (a file added, replaced or removed).

    Asked thousands of times per fotografia by the caches above the store: plain strings and
    one ``stat``, no path objects; none at all while the state is held (:func:`held_state`).
    """
    path, found = _manifest_look()
    return (path, found.st_mtime_ns, found.st_size) if found else (path, 0, 0)


# The manifest as last looked at, while a computation holds it (innermost last).
_HELD: list[tuple[str, os.stat_result | None]] = []


@contextlib.contextmanager
def held_state():
    """Within it the manifest is looked at once: computing every comune of a province reads
    the store some forty times a comune, each a ``stat`` of the same unchanged file. Only for
    computations that read the store and never add to it."""
    _HELD.append(_HELD[-1] if _HELD else _manifest_look())
    try:
        yield
    finally:
        _HELD.pop()


def _manifest_look() -> tuple[str, os.stat_result | None]:
    """The manifest's path and its ``stat`` (None when there is no manifest yet)."""
    if _HELD:
        return _HELD[-1]
    path = _manifest_file()
    try:
        return path, os.stat(path)
    except FileNotFoundError:
        return path, None


def _manifest_file() -> str:
    """``manifest_path()`` as a plain string: asked for at every read of the manifest."""
    return os.path.join(config.data_dir_text(), "raw", MANIFEST_NAME)


class _Manifest(NamedTuple):
    """The manifest as read, shared by every reader: they hand out copies of its entries."""

    entries: tuple[dict, ...]
    by_dataset: dict[str, tuple[dict, ...]]  # in the manifest's order within each dataset


_NO_MANIFEST = _Manifest((), {})


def _read_manifest() -> list[dict]:
    """Every entry, each a copy the caller may change (to write the manifest anew)."""
    return [dict(entry) for entry in _manifest().entries]


def _manifest() -> _Manifest:
    path, found = _manifest_look()
    if found is None:
        return _NO_MANIFEST
    # Readers ask for the manifest many times per fotografia, most for one dataset; it is
    # parsed again only when the file changed (another process may have added a file).
    return _parsed_manifest(path, found.st_mtime_ns, found.st_size)


@functools.lru_cache(maxsize=8)
def _parsed_manifest(path: str, _mtime_ns: int, _size: int) -> _Manifest:
    try:
        found = tuple(json.loads(Path(path).read_text(encoding="utf-8"))["file"])
        by_dataset: dict[str, list[dict]] = {}
        for entry in found:
            by_dataset.setdefault(entry["dataset"], []).append(entry)
        return _Manifest(found, {dataset: tuple(group) for dataset, group in by_dataset.items()})
    except (ValueError, KeyError, TypeError) as error:
        raise ManifestoDanneggiato(
            f"Il manifesto dell'archivio {path} non è leggibile ({error}). Ripristinarlo da una "
            "copia, oppure spostarlo altrove e reimportare i file con: diagnosis dati aggiungi FILE"
        ) from error


def _write_manifest(found: list[dict]) -> None:
    """Rewrite the manifest atomically: a reader sees the old one or the new one, never half."""
    path = manifest_path()
    ordered = sorted(found, key=lambda e: (e["dataset"], e["filename"]))
    text = json.dumps({"formato": MANIFEST_FORMAT, "file": ordered}, ensure_ascii=False, indent=2)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".manifest.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _shared_mode())  # mkstemp makes it private; the store is meant to be shared
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _shared_mode() -> int:
    """The mode a new file gets here: readable by others unless the user's umask says otherwise."""
    current = os.umask(0)
    os.umask(current)
    return 0o666 & ~current


# --- landing -----------------------------------------------------------------------------

def save_bytes(
    dataset: str,
    filename: str,
    data: bytes,
    *,
    source: str,
    vintage: str,
    status: str,
    years: Iterable[int],
    check: Check | None = None,
    extra: dict | None = None,
) -> dict:
    """Store ``data`` as ``<dataset>/<filename>`` after ``check``; returns the manifest entry.

    ``extra`` adds fields to the entry, e.g. the territory a per-territory file covers.
    """
    return _land(
        dataset, filename, lambda stream: stream.write(data),
        source=source, vintage=vintage, status=status, years=years, check=check, extra=extra,
    )


def save_file(
    dataset: str,
    filename: str,
    path: str | Path,
    *,
    source: str | None = None,
    vintage: str,
    status: str,
    years: Iterable[int],
    check: Check | None = None,
    extra: dict | None = None,
) -> dict:
    """Store a copy of a local file (the original is left where it is)."""
    path = Path(path)

    def copy(stream: BinaryIO) -> None:
        with open(path, "rb") as original:
            while chunk := original.read(CHUNK):
                stream.write(chunk)

    return _land(
        dataset, filename, copy, source=source or path.name, vintage=vintage, status=status,
        years=years, check=check, extra=extra,
    )


def download(
    dataset: str,
    url: str,
    filename: str,
    check: Check | None,
    *,
    status: str,
    years: Iterable[int],
    vintage: str | None = None,
    params: dict | None = None,
    headers: dict | None = None,
    timeout: float | tuple[float, float] | None = None,
) -> dict:
    """Download ``url`` into the store through the shared session; returns the manifest entry.

    Anything but a 200 is refused with the status in the message. The body is streamed to
    disk; a body shorter than its ``Content-Length`` is refused as cut mid-transfer. The
    vintage defaults to the server's ``Last-Modified`` date, else the download date.
    """
    response = http.fetch(
        url, params=params, headers=headers, timeout=timeout, stream=True, use_cache=False,
    )
    try:
        if response.status_code != 200:
            raise DownloadNonValido(
                f"Il server ha risposto HTTP {response.status_code} per {response.url or url}: il "
                "file non è disponibile (non ancora pubblicato, o spostato). Controllare l'anno "
                "richiesto oppure scaricare il file a mano e importarlo con: diagnosis dati aggiungi FILE"
            )
        expected_size = _declared_size(response)

        def write(stream: BinaryIO) -> None:
            received = 0
            try:
                for chunk in response.iter_content(CHUNK):
                    stream.write(chunk)
                    received += len(chunk)
                    check_size(received, f"Il file scaricato da {url}")  # a server can send without end
            except requests.RequestException as error:
                raise DownloadNonValido(
                    f"Download incompleto da {url}: interrotto dopo {received} byte ({error.__class__.__name__}). "
                    "Riprovare più tardi; il file parziale non è stato salvato."
                ) from error
            if expected_size is not None and received != expected_size:
                raise DownloadNonValido(
                    f"Download incompleto da {url}: ricevuti {received} byte su {expected_size} "
                    "annunciati dal server. Riprovare più tardi; il file parziale non è stato salvato."
                )

        return _land(
            dataset, filename, write, source=response.url or url,
            vintage=vintage or _vintage_from(response), status=status, years=years, check=check,
        )
    finally:
        response.close()


def _declared_size(response) -> int | None:
    """``Content-Length`` when it counts the bytes we receive (not for compressed bodies)."""
    if response.headers.get("Content-Encoding", "identity") not in ("", "identity"):
        return None
    value = response.headers.get("Content-Length")
    return int(value) if value and value.isdigit() else None


def _vintage_from(response) -> str:
    published = _http_date(response.headers.get("Last-Modified"))
    if published is not None:
        return f"pubblicato il {published.isoformat()}"
    return f"scaricato il {_now().date().isoformat()}"


def _http_date(value: str | None):
    """The date of an HTTP date header, or None when absent or malformed."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError):
        return None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _land(
    dataset: str,
    filename: str,
    write: Callable[[BinaryIO], object],
    *,
    source: str,
    vintage: str,
    status: str,
    years: Iterable[int],
    check: Check | None,
    extra: dict | None = None,
) -> dict:
    """Write to a temporary file, check it, then move it into place and record it."""
    target = path_for(dataset, filename)
    years = _valid_years(years)
    _check_status(status)
    created = _missing_parents(target.parent)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{filename}.", suffix=".part")
    temporary = Path(name)
    claim = leftovers.claim(temporary)  # tells a later tidy-up this import is alive
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if check is not None:
            check(temporary)
        entry = {
            "dataset": dataset,
            "filename": filename,
            "path": f"{dataset}/{filename}",
            "source": source,
            "sha256": _sha256(temporary),
            "size": temporary.stat().st_size,
            "fetched_at": _now().isoformat(timespec="seconds"),
            "vintage": vintage,
            "status": status,
            "years": years,
            **(extra or {}),
        }
        os.chmod(temporary, _shared_mode())
        _commit(temporary, target, entry)
        return dict(entry)
    except BaseException:
        temporary.unlink(missing_ok=True)
        _remove_if_empty(created)
        raise
    finally:
        claim.release()


def _commit(temporary: Path, target: Path, entry: dict) -> None:
    """Move the checked file into place and record it; on failure restore what was there."""
    with FileLock(str(_lock_path())):
        found = [e for e in _read_manifest()
                 if (e["dataset"], e["filename"]) != (entry["dataset"], entry["filename"])]
        backup = target.with_name(f".{target.name}.previous") if target.exists() else None
        if backup is not None:
            os.replace(target, backup)
        try:
            os.replace(temporary, target)
            _write_manifest(found + [entry])
        except BaseException:
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
            raise
        if backup is not None:
            backup.unlink()


def remove(chosen: Iterable[dict]) -> list[dict]:
    """Remove stored files and their manifest entries together; returns the entries removed.

    Under the manifest lock each file is first moved aside (``.<name>.removed``), then the
    manifest is rewritten without its entry, and only then are the moved files deleted: a
    failure before the manifest puts every file back, so the store never lists a file it
    lacks nor keeps a file it does not list. An entry another process removed meanwhile is
    skipped.
    """
    keys = {(entry["dataset"], entry["filename"]) for entry in chosen}
    with FileLock(str(_lock_path())):
        found = _read_manifest()
        removed = [e for e in found if (e["dataset"], e["filename"]) in keys]
        moved = []
        try:
            for entry in removed:
                target = raw_dir() / entry["path"]
                if target.exists() or target.is_symlink():
                    aside = target.with_name(f".{target.name}{leftovers.REMOVED_SUFFIX}")
                    os.replace(target, aside)
                    moved.append((aside, target))
            _write_manifest([e for e in found if (e["dataset"], e["filename"]) not in keys])
        except BaseException:
            for aside, target in reversed(moved):
                os.replace(aside, target)
            raise
        for aside, target in moved:
            aside.unlink()
            _remove_if_empty([target.parent])
    return removed


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _valid_years(years: Iterable[int]) -> list[int]:
    try:
        chosen = sorted({int(y) for y in years})
    except (TypeError, ValueError) as error:
        raise DiagnosisError(
            f"Anni non validi per l'archivio: {years!r}. Indicare uno o più anni interi, ad es. [2025]."
        ) from error
    if not chosen:
        raise DiagnosisError("Indicare almeno un anno per il file da archiviare, ad es. [2025].")
    return chosen


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise DiagnosisError(
            f"Stato del dato non valido: {status!r}. Valori validi: {', '.join(STATUSES)}."
        )


def _missing_parents(folder: Path) -> list[Path]:
    """Folders that do not exist yet, deepest first (to remove them again on failure)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    return missing


def _remove_if_empty(folders: list[Path]) -> None:
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (another file arrived meanwhile): leave it and its parents


# --- leftovers of interrupted imports -------------------------------------------------------

def leftover_files() -> list:
    """Temporary files of imports in progress or interrupted (see ``leftovers``)."""
    return leftovers.find(raw_dir())


def tidy_leftovers() -> list:
    """Remove what interrupted imports left behind; returns what was tidied."""
    if not raw_dir().is_dir():
        return []
    with FileLock(str(_lock_path())):
        return leftovers.tidy(raw_dir(), _read_manifest())


# --- integrity ---------------------------------------------------------------------------

def verify(dataset: str | None = None) -> list[dict]:
    """Entries whose file is missing or whose bytes no longer match the recorded sha256.

    Each problem is the entry plus ``problem`` (an Italian sentence naming the fix).
    """
    problems = []
    for entry in entries(dataset):
        path = raw_dir() / entry["path"]
        if not path.exists():
            problem = "file mancante: riscaricarlo o reimportarlo con diagnosis dati aggiungi"
        elif _sha256(path) != entry["sha256"]:
            problem = "file modificato dopo l'archiviazione: riscaricarlo o reimportarlo"
        else:
            continue
        problems.append({**entry, "problem": problem})
    return problems
