"""JupyterLab on the notebooks, with the project's Python, and a working copy for the analyst.

The notebooks ship inside the package; an analyst who wants to change one works on a copy
in a folder of their own, which :func:`copy_collection` fills without ever overwriting a
notebook already there.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from diagnosis import config
from diagnosis.config import NOTEBOOKS_DIR, TEMPLATES_DIR

# The files compiled in the field, their guides and the example brand with its logo; not the HTML template.
ANALYST_TEMPLATES = ("*.csv", "*.md", "*.yaml", "*.svg")


@dataclass
class CopiedCollection:
    """What :func:`copy_collection` did, file by file (paths relative to the working folder)."""

    copied: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # differs from the shipped one: the analyst's edit


def _shipped_files() -> list[tuple[Path, Path]]:
    """(shipped file, its place in a working folder): notebooks at the top, templates in ``templates/``."""
    pairs = [(path, Path(path.name)) for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb"))]
    for pattern in ANALYST_TEMPLATES:
        pairs += [(path, Path("templates") / path.name) for path in sorted(TEMPLATES_DIR.glob(pattern))]
    return pairs


def copy_collection(folder: Path) -> CopiedCollection:
    """Copy the shipped notebooks and analyst templates into ``folder``, keeping what is there."""
    result = CopiedCollection()
    for source, relative in _shipped_files():
        target = folder / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            result.copied.append(str(relative))
        elif filecmp.cmp(source, target, shallow=False):
            result.unchanged.append(str(relative))
        else:
            result.kept.append(str(relative))
    return result


def runs_as_root() -> bool:
    """JupyterLab refuses to start as root unless told so (containers often run as root)."""
    geteuid = getattr(os, "geteuid", None)  # absent on Windows
    return geteuid is not None and geteuid() == 0


def jupyter_options(options: list[str]) -> list[str]:
    """The options given after ``--``, plus ``--allow-root`` when it is needed and not given."""
    options = options[1:] if options[:1] == ["--"] else list(options)
    if runs_as_root() and "--allow-root" not in options:
        options.append("--allow-root")
    return options


def lab_command(folder: Path, port: int | None = None, options: list[str] = ()) -> list[str]:
    """The command line: the interpreter running ``diagnosis`` is the notebooks' kernel."""
    command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={folder}"]
    if port is not None:
        command.append(f"--ServerApp.port={port}")
    return command + jupyter_options(list(options))


def lab_environment() -> dict[str, str]:
    """The kernels start in the notebook's folder: they must still read the store of the
    folder ``diagnosis lab`` was started from, not a ``data/`` beside the notebooks."""
    return os.environ | {config.DATA_DIR_VARIABLE: str(config.data_dir().resolve())}
