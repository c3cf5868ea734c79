"""``diagnosis fotografia``: run the notebook for a territory and export its HTML report.

The report is built in a hidden staging folder beside the destination and moved into
place only when complete, so a failure never leaves a half-written report behind; what
the destination already holds is replaced only when it is a report (``output_folder``).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from diagnosis.config import PROJECT_ROOT
from diagnosis.report.export import export_html
from diagnosis.report.manifest import write_manifest
from diagnosis.report.output_folder import (
    check_report_targets, move_into_place, prepare_output_dir, staging_folder,
)
from diagnosis.report.runner import EsecuzioneNotebookFallita, InProcessRunner
from diagnosis.tables import measures
from diagnosis.territory.model import Territorio

NOTEBOOK = PROJECT_ROOT / "notebooks" / "fotografia.ipynb"
KERNEL_NAME = "python3"


@dataclass(frozen=True)
class FotografiaFiles:
    html: Path
    notebook: Path

    @property
    def manifest(self) -> Path:
        return self.html.with_name("manifest.json")


def folder_name(territory_id: str) -> str:
    """A folder name valid everywhere: ``provincia:MO`` → ``provincia-MO``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", territory_id).strip("-")


def _execute(notebook: Path, executed: Path, parameters: dict) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(notebook), str(executed), parameters=parameters, kernel_name=KERNEL_NAME,
            progress_bar=False, log_output=False, cwd=str(Path.cwd()),
        )
    except PapermillExecutionError as error:
        raise EsecuzioneNotebookFallita(
            f"Il notebook {notebook.name} si è fermato alla cella {error.exec_count}: "
            f"{error.ename}: {error.evalue}. Il notebook eseguito fino all'errore è in {executed}."
        ) from error


def build_fotografia(territory: Territorio, year: int | None = None,
                     output_dir: Path = Path("reports"), notebook: Path = NOTEBOOK,
                     runner: InProcessRunner | None = None) -> FotografiaFiles:
    """Write ``<output_dir>/<id>/fotografia.html``, the executed notebook and the manifest.

    Without ``runner`` the notebook runs in a new kernel through papermill; a batch passes
    its worker's :class:`InProcessRunner` so that imports and caches are paid once.
    """
    year = measures.check_year(year)
    output_dir = prepare_output_dir(output_dir)
    name = folder_name(territory.id)
    check_report_targets(output_dir, [name])
    staging = staging_folder(output_dir, name)
    executed = staging / "fotografia.ipynb"
    try:
        parameters = {"territorio": territory.id, "anno": year}
        if runner is None:
            _execute(notebook, executed, parameters)
        else:
            try:
                nbformat.write(runner.execute(notebook, parameters), executed)
            except EsecuzioneNotebookFallita as error:
                raise EsecuzioneNotebookFallita(f"{error} (territorio {territory.id})") from error
        page = export_html(nbformat.read(executed, as_version=4), f"Fotografia di partenza — {territory.nome}")
        (staging / "fotografia.html").write_text(page, encoding="utf-8")
        write_manifest(staging, territory, year, {"territorio": territory.id, "anno": year})
    except EsecuzioneNotebookFallita:
        failed = output_dir / f"{name}.errore.ipynb"
        if executed.exists():
            shutil.copyfile(executed, failed)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    target = output_dir / name
    move_into_place(staging, target)
    return FotografiaFiles(html=target / "fotografia.html", notebook=target / "fotografia.ipynb")
