"""Where the data live and whether the network may be used.

Read from the environment each time, never cached at import, so tests and the CLI
can change them on the fly.
"""

import contextlib
import os
from pathlib import Path

DATA_DIR_VARIABLE = "DIAGNOSIS_DATA_DIR"
OFFLINE_VARIABLE = "DIAGNOSIS_OFFLINE"
DISTRICTS_DIR_VARIABLE = "DIAGNOSIS_DISTRETTI_DIR"
DEBUG_VARIABLE = "DIAGNOSIS_DEBUG"
# The brand colour a report's charts take: the notebook's kernel, a process of its own, sees it too.
ACCENT_VARIABLE = "DIAGNOSIS_COLORE_ACCENTO"

# Shipped inside the package, so that a regular install (wheel, conda) finds them anywhere.
PACKAGE_DIR = Path(__file__).resolve().parent
NOTEBOOKS_DIR = PACKAGE_DIR / "notebooks"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
SHIPPED_DISTRICTS_DIR = PACKAGE_DIR / "territory" / "distretti"

# Who a fotografia is for: the client reads findings and what is missing in words; the
# analyst's edition adds the commands that get the missing data.
EDITIONS = ("cliente", "analista")
DEFAULT_EDITION = "cliente"


def data_dir() -> Path:
    """The data directory: ``DIAGNOSIS_DATA_DIR`` or ``data/`` of the working directory."""
    chosen = os.environ.get(DATA_DIR_VARIABLE)
    return Path(chosen).expanduser() if chosen else Path.cwd() / "data"


def data_dir_text() -> str:
    """``data_dir()`` as a plain string, for hot paths that only build a file name."""
    chosen = os.environ.get(DATA_DIR_VARIABLE)
    return os.path.expanduser(chosen) if chosen else os.path.join(os.getcwd(), "data")


def cache_dir() -> Path:
    """Derived tables that can always be rebuilt (never the raw downloads)."""
    return data_dir() / "cache"


def is_offline() -> bool:
    return os.environ.get(OFFLINE_VARIABLE, "").strip().lower() in {"1", "true", "si", "sì", "yes"}


def set_offline(offline: bool = True) -> None:
    """The ``--offline`` switch: also seen by child processes (notebook kernels, workers)."""
    os.environ[OFFLINE_VARIABLE] = "1" if offline else "0"


def is_debug() -> bool:
    """The ``--debug`` switch: unexpected errors show their Python traceback."""
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() in {"1", "true", "si", "sì", "yes"}


def set_debug(debug: bool = True) -> None:
    """Kept in the environment, like the offline switch, so that workers see it too."""
    os.environ[DEBUG_VARIABLE] = "1" if debug else "0"


def chart_accent() -> str:
    """The colour asked for the territory in the charts (``#rrggbb``), or empty."""
    return os.environ.get(ACCENT_VARIABLE, "").strip()


@contextlib.contextmanager
def charts_in(colour: str | None):
    """Charts drawn inside the block, here or in a kernel started in it, take ``colour`` as their
    accent; ``None``: the house colour. What was set before is restored after."""
    before = os.environ.get(ACCENT_VARIABLE)
    os.environ[ACCENT_VARIABLE] = colour or ""
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ACCENT_VARIABLE, None)
        else:
            os.environ[ACCENT_VARIABLE] = before


def districts_dirs() -> list[Path]:
    """Folders searched for ``*.yaml`` district files, first match wins.

    ``DIAGNOSIS_DISTRETTI_DIR`` (several folders separated by ``os.pathsep``) comes
    before ``data/distretti`` of the working directory and the example districts shipped
    with the package.
    """
    folders = []
    extra = os.environ.get(DISTRICTS_DIR_VARIABLE)
    if extra:
        folders += [Path(p).expanduser() for p in extra.split(os.pathsep) if p]
    folders += [data_dir() / "distretti", SHIPPED_DISTRICTS_DIR]
    unique, seen = [], set()
    for folder in folders:
        if folder.is_dir() and (resolved := folder.resolve()) not in seen:
            unique.append(folder)
            seen.add(resolved)
    return unique
