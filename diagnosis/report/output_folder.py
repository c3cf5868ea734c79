"""Output folders belong to the user: the tool deletes only what it created itself.

A fotografia is built in a staging folder named ``.diagnosis-in-corso-…`` and the report it
replaces is moved aside as ``.diagnosis-precedente-<name>``; partial files carry the same
staging prefix. Those two prefixes are the only names the tool ever removes without being
asked, so ``--output .`` in a repository or ``--output ~`` never touches ``.git``, ``.venv``,
``.ssh`` or anything else that was already there.

Before writing, every path the tool would replace is checked: it must be absent, or be
something the tool wrote (a report folder holding only report files, a batch index or
summary, a log folder of ``.log`` files). Anything else stops the command with the list of
what is in the way, before any work is done.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

from diagnosis.errors import UscitaOccupata

STAGING_PREFIX = ".diagnosis-in-corso-"
PREVIOUS_PREFIX = ".diagnosis-precedente-"
# What a report folder may hold: all of it written by the tool (``confronto/`` by --baseline).
REPORT_ENTRIES = frozenset({
    "fotografia.html", "fotografia.ipynb", "fotografia.pdf", "manifest.json", ".impronta", "confronto",
})
# Names of earlier releases, recognised only when the folder's content proves it is a report.
_LEGACY_STAGING = re.compile(r"^\.(?P<name>.+)-[a-z0-9_]{8}$")
_LEGACY_PREVIOUS = re.compile(r"^\.(?P<name>.+)\.precedente$")
_INDEX_MARKERS = ('<meta name="generator" content="diagnosis">', "<title>Fotografie di partenza — indice</title>")
SUMMARY_FIELDS = {"id", "nome", "livello", "stato", "cartella"}


def prepare_output_dir(output_dir: Path) -> Path:
    """Create the output folder when needed, with an Italian error for a file or a locked path."""
    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise UscitaOccupata(
            f"L'uscita {output_dir} è un file, non una cartella: indicare con --output una cartella "
            "nuova o una cartella di fotografie.", [output_dir],
        )
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=output_dir, prefix=STAGING_PREFIX)
        probe.close()
    except FileExistsError as error:
        raise UscitaOccupata(
            f"Non posso creare la cartella di uscita {output_dir}: nel percorso c'è un file con lo stesso "
            "nome di una cartella. Indicare un'altra --output.", [output_dir],
        ) from error
    except OSError as error:
        raise UscitaOccupata(
            f"Non posso scrivere nella cartella di uscita {output_dir} ({error.strerror or error}). "
            "Indicare con --output una cartella in cui si ha il permesso di scrivere.", [output_dir],
        ) from error
    return output_dir


def staging_folder(output_dir: Path, name: str) -> Path:
    """A new private folder inside ``output_dir`` where a report is built before it is moved."""
    folder = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{name}-", dir=output_dir))
    folder.chmod(0o755)  # mkdtemp makes it private; a report folder is meant to be shared
    return folder


def staging_file(target: Path) -> Path:
    """Where a file is written before it replaces ``target`` (same folder, so the move is atomic)."""
    return target.with_name(f"{STAGING_PREFIX}{target.name}")


def previous_folder(target: Path) -> Path:
    return target.with_name(f"{PREVIOUS_PREFIX}{target.name}")


# --- what belongs to the tool ----------------------------------------------------------------

def is_report_folder(folder: Path) -> bool:
    """A real folder (no link) holding only a report's files, or nothing at all.

    A file with the staging prefix is the tool's too: a PDF whose printing was cut short.
    """
    if folder.is_symlink() or not folder.is_dir():
        return False
    names = {entry.name for entry in folder.iterdir() if not entry.name.startswith(STAGING_PREFIX)}
    return names <= REPORT_ENTRIES


def _is_index_page(path: Path) -> bool:
    head = _head(path)
    return any(marker in head for marker in _INDEX_MARKERS)


def _is_summary_json(path: Path) -> bool:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(records, list) and all(isinstance(r, dict) and SUMMARY_FIELDS <= set(r) for r in records)


def _is_summary_csv(path: Path) -> bool:
    header = _head(path).lstrip("\ufeff").split("\n", 1)[0]
    return SUMMARY_FIELDS <= set(header.strip().split(";"))


def _is_log_folder(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and all(
        entry.is_file() and not entry.is_symlink() and entry.suffix == ".log" for entry in folder.iterdir()
    )


def _is_failed_notebook(path: Path) -> bool:
    head = _head(path)
    return head.lstrip().startswith("{") and '"nbformat"' in _head(path, 1 << 20)


def _head(path: Path, size: int = 4096) -> str:
    if path.is_symlink() or not path.is_file():
        return ""
    try:
        with open(path, "rb") as stream:
            return stream.read(size).decode("utf-8", errors="replace")
    except OSError:
        return ""


BATCH_FILES = {
    "index.html": _is_index_page,
    "riepilogo.json": _is_summary_json,
    "riepilogo.csv": _is_summary_csv,
    "log": _is_log_folder,
}


def foreign(path: Path, owned=is_report_folder) -> bool:
    """True when ``path`` exists and was not written by the tool (so it must not be replaced)."""
    if not path.exists() and not path.is_symlink():
        return False
    return not owned(path)


# --- checks before writing -------------------------------------------------------------------

def check_report_targets(output_dir: Path, names: list[str]) -> None:
    """Refuse to start when a report folder to write would replace something of the user's."""
    blocked = [output_dir / name for name in names if foreign(output_dir / name)]
    blocked += [output_dir / f"{name}.errore.ipynb" for name in names
                if foreign(output_dir / f"{name}.errore.ipynb", _is_failed_notebook)]
    _refuse(output_dir, blocked)


def check_batch_output(output_dir: Path, names: list[str]) -> None:
    """The same for a batch, which also writes its index, summaries and logs."""
    blocked = [output_dir / name for name, owned in BATCH_FILES.items() if foreign(output_dir / name, owned)]
    blocked += [output_dir / "log" / f"{name}.log" for name in names
                if foreign(output_dir / "log" / f"{name}.log", lambda p: p.is_file() and not p.is_symlink())]
    try:
        check_report_targets(output_dir, names)
    except UscitaOccupata as error:
        blocked += error.percorsi
    _refuse(output_dir, blocked)


def _refuse(output_dir: Path, blocked: list[Path]) -> None:
    if not blocked:
        return
    shown = ", ".join(str(path.name) for path in blocked[:8]) + (" …" if len(blocked) > 8 else "")
    raise UscitaOccupata(
        f"La cartella di uscita {output_dir} contiene già {len(blocked)} elementi che diagnosis non ha "
        f"creato e che dovrebbe sostituire ({shown}). Nulla è stato modificato. Indicare con --output "
        "una cartella nuova, oppure spostare quegli elementi.",
        blocked,
    )


# --- moving a finished report in, tidying after an interruption -----------------------------

def move_into_place(staging: Path, target: Path) -> None:
    """Swap the finished folder in; the report it replaces is removed only afterwards."""
    if foreign(target):
        shutil.rmtree(staging, ignore_errors=True)
        _refuse(target.parent, [target])
    previous = None
    if target.exists():
        previous = previous_folder(target)
        if previous.exists():
            shutil.rmtree(previous)
        target.rename(previous)
    staging.rename(target)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def tidy_leftovers(output_dir: Path) -> list[Path]:
    """Remove what an interrupted run of the tool left; put back a report moved aside.

    Only names with the tool's own prefixes are touched, plus the staging names of earlier
    releases when the folder holds nothing but report files. Returns what was removed.
    """
    removed: list[Path] = []
    if not output_dir.is_dir():
        return removed
    for entry in sorted(output_dir.iterdir()):
        if entry.name.startswith(PREVIOUS_PREFIX):
            _restore_or_remove(entry, output_dir / entry.name[len(PREVIOUS_PREFIX):], removed)
        elif entry.name.startswith(STAGING_PREFIX):
            _remove(entry, removed)
        elif (match := _LEGACY_PREVIOUS.match(entry.name)) and _holds_a_report(entry):
            _restore_or_remove(entry, output_dir / match["name"], removed)
        elif _LEGACY_STAGING.match(entry.name) and _holds_a_report(entry):
            _remove(entry, removed)
    return removed


def _holds_a_report(folder: Path) -> bool:
    return is_report_folder(folder) and any(folder.iterdir())


def _restore_or_remove(previous: Path, original: Path, removed: list[Path]) -> None:
    if previous.is_dir() and not previous.is_symlink() and not original.exists() and not original.is_symlink():
        previous.rename(original)
    else:
        _remove(previous, removed)


def _remove(entry: Path, removed: list[Path]) -> None:
    if entry.is_symlink() or not entry.is_dir():
        entry.unlink(missing_ok=True)  # a link is removed, never what it points to
    else:
        shutil.rmtree(entry, ignore_errors=True)
    removed.append(entry)
