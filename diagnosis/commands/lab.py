"""``diagnosis lab``: JupyterLab on the shipped notebooks or on the analyst's copy of them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from diagnosis import config
from diagnosis.config import NOTEBOOKS_DIR, TEMPLATES_DIR
from diagnosis.errors import RichiestaNonValida
from diagnosis.report.lab import CopiedCollection, copy_collection, lab_command, lab_environment


def print_folder(notebooks: bool) -> int:
    """The notebooks' folder, for papermill, or the templates' folder, which ``jupyter nbconvert``
    needs to find ``--template fotografia``: the package's own, wherever it is installed."""
    print(NOTEBOOKS_DIR if notebooks else TEMPLATES_DIR)
    return 0


def _working_folder(folder: Path) -> Path:
    folder = folder.expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise RichiestaNonValida(f"{folder} è un file, non una cartella: indicare con --cartella una cartella "
                                 "(nuova o con i notebook già copiati).")
    return folder


def _report_copy(folder: Path, result: CopiedCollection) -> None:
    if result.copied:
        print(f"Copiati in {folder}: {', '.join(result.copied)}.")
    if result.unchanged:
        print(f"Già presenti e uguali a quelli del pacchetto: {', '.join(result.unchanged)}.")
    if result.kept:
        print(f"Già presenti e modificati, lasciati come sono: {', '.join(result.kept)}. "
              "Per riavere la versione del pacchetto, rinominarli e rilanciare questo comando.")


def open_lab(folder: Path | None = None, port: int | None = None, options: list[str] = (),
             run=None) -> int:
    """Open JupyterLab; with ``folder``, first copy the notebooks there for the analyst to edit."""
    if folder is None:
        folder = NOTEBOOKS_DIR
        print(f"Apro JupyterLab sui notebook del pacchetto ({folder}). Per modificarli in una cartella "
              "propria: diagnosis lab --cartella CARTELLA.")
    else:
        folder = _working_folder(folder)
        _report_copy(folder, copy_collection(folder))
        print(f"Apro JupyterLab su {folder}. Per la fotografia HTML da un notebook modificato: "
              f"diagnosis fotografia TERRITORIO --notebook {folder / 'fotografia.ipynb'}")
    print(f"I notebook leggono i dati da {config.data_dir().resolve()}. Cambiare la cella dei parametri e "
          "rieseguire. Ctrl-C per chiudere.")
    return (run or subprocess.call)(lab_command(folder, port, options), env=lab_environment())
