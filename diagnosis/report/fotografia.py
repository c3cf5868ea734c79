"""``diagnosis fotografia``: run the notebook for a territory and export its HTML (and PDF) report.

The report is built in a hidden staging folder beside the destination and moved into
place only when complete, PDF included, so a failure never leaves a half-written report
behind; what the destination already holds is replaced only when it is a report
(``output_folder``).

Its folder is named by the territory (``Pioltello-015175``, see ``folder_names``); a report
an earlier release kept under the id alone is first given that name, then replaced.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from diagnosis.config import DEFAULT_EDITION, EDITIONS, NOTEBOOKS_DIR, charts_in
from diagnosis.errors import EsecuzioneNotebookFallita, RichiestaNonValida
from diagnosis.report.brand import Brand
from diagnosis.report.export import export_html
from diagnosis.report.folder_names import adopt_earlier_folder, territory_folder_name
from diagnosis.report.manifest import MANIFEST_NAME, write_manifest
from diagnosis.report.output_folder import check_report_targets, move_into_place, prepare_output_dir, staging_folder
from diagnosis.report.pdf import find_browser, print_pdf
from diagnosis.report.runner import run_notebook
from diagnosis.tables import measures
from diagnosis.territory.model import Territorio

NOTEBOOK = NOTEBOOKS_DIR / "fotografia.ipynb"


@dataclass(frozen=True)
class FotografiaFiles:
    html: Path
    notebook: Path
    pdf: Path | None = None

    @property
    def manifest(self) -> Path:
        return self.html.with_name(MANIFEST_NAME)


def check_notebook(path: Path) -> Path:
    """The notebook a report is built from, as an absolute path: the shipped one or an analyst's copy."""
    path = Path(path).expanduser().resolve()
    if path.suffix != ".ipynb" or not path.is_file():
        raise RichiestaNonValida(
            f"Notebook non trovato: {path}. Indicare con --notebook un file .ipynb esistente, ad esempio "
            f"la copia di fotografia.ipynb preparata da «diagnosis lab --cartella CARTELLA»."
        )
    return path


def check_edition(edition: str) -> str:
    """``cliente`` or ``analista``, else an error listing both."""
    if edition not in EDITIONS:
        raise RichiestaNonValida(f"Edizione sconosciuta: {edition!r}. Le edizioni sono: {', '.join(EDITIONS)}.")
    return edition


def _keep_failed_notebook(executed: Path, failed: Path) -> str:
    """The notebook run up to the failing cell, kept beside the reports; a sentence saying where."""
    if not executed.exists():
        return ""
    shutil.copyfile(executed, failed)
    return f" Il notebook eseguito fino all'errore è in {failed}."


def build_fotografia(territory: Territorio, year: int | None = None,
                     output_dir: Path = Path("reports"), notebook: Path | None = None,
                     in_process: bool = False, brand: Brand | None = None, pdf: bool = False,
                     edition: str = DEFAULT_EDITION) -> FotografiaFiles:
    """Write ``<output_dir>/<Nome-id>/fotografia.html``, the executed notebook and the manifest,
    and with ``pdf`` also ``fotografia.pdf``; ``brand`` puts a consultant's logo, texts and
    colours on the cover and the page margins. ``edition`` is the notebooks' ``edizione``: the
    client's report leaves out the sections without data and the commands, the analyst's keeps them.

    ``notebook`` is the shipped ``fotografia.ipynb`` unless an analyst gives an edited copy.
    The notebook runs in a new kernel; a batch worker asks for ``in_process`` so that its
    imports and caches are paid once (:mod:`diagnosis.report.runner`).
    """
    notebook = check_notebook(notebook or NOTEBOOK)
    year = measures.check_year(year)
    if pdf:
        find_browser()  # no browser: say so now, not after the notebook has run
    output_dir = prepare_output_dir(output_dir)
    name = territory_folder_name(territory)
    check_report_targets(output_dir, [name])
    adopt_earlier_folder(output_dir, territory)
    staging = staging_folder(output_dir, name)
    executed = staging / "fotografia.ipynb"
    parameters = {"territorio": territory.id, "anno": year, "edizione": check_edition(edition)}
    try:
        with charts_in(brand.colore_primario if brand else None):  # the charts follow the brand's colour
            notebook_run = run_notebook(notebook, executed, parameters, in_process=in_process)
        page = export_html(notebook_run, f"Fotografia di partenza — {territory.nome}", territory.nome, brand)
        (staging / "fotografia.html").write_text(page, encoding="utf-8")
        write_manifest(staging, territory, year, parameters)
        if pdf:
            print_pdf(staging / "fotografia.html")
    except EsecuzioneNotebookFallita as error:
        kept = _keep_failed_notebook(executed, output_dir / f"{name}.errore.ipynb")
        shutil.rmtree(staging, ignore_errors=True)
        raise EsecuzioneNotebookFallita(f"{error} (territorio {territory.id}).{kept}") from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    target = output_dir / name
    move_into_place(staging, target)
    return FotografiaFiles(html=target / "fotografia.html", notebook=target / "fotografia.ipynb",
                           pdf=target / "fotografia.pdf" if pdf else None)
