"""``diagnosis lab``: JupyterLab on the project's notebooks, with the project's Python."""

from __future__ import annotations

import subprocess
import sys

from diagnosis.config import PROJECT_ROOT

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"


def lab_command(port: int | None = None) -> list[str]:
    """The command line: the interpreter running ``diagnosis`` is the notebooks' kernel."""
    command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={NOTEBOOKS_DIR}"]
    if port is not None:
        command.append(f"--ServerApp.port={port}")
    return command


def open_lab(port: int | None = None, run=subprocess.call) -> int:
    print(f"Apro JupyterLab su {NOTEBOOKS_DIR}: cambiare la cella dei parametri e rieseguire. Ctrl-C per chiudere.")
    return run(lab_command(port))
