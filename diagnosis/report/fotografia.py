"""``diagnosis fotografia``: run the notebook for a territory and export its HTML (and PDF) report.

The report is built in a hidden staging folder beside the destination and moved into
place only when complete, PDF included, so a failure never leaves a half-written report
behind; what the destination already holds is replaced only when it is a report
(``output_folder``).

A report's folder is named for people and for uniqueness at once: ``Pioltello-015175``,
``Provincia-di-Modena-provincia-MO``. Earlier releases named it by the id alone
(``015175``); such a folder is still found, and taken over under the new name when its
territory's report is made again, so that one territory never has two folders.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from diagnosis.config import NOTEBOOKS_DIR
from diagnosis.errors import EsecuzioneNotebookFallita, RichiestaNonValida
from diagnosis.report.brand import Brand
from diagnosis.report.export import export_html
from diagnosis.report.manifest import MANIFEST_NAME, write_manifest
from diagnosis.report.output_folder import (
    check_report_targets, is_report_folder, move_into_place, prepare_output_dir, staging_folder,
)
from diagnosis.report.pdf import find_browser, print_pdf
from diagnosis.report.runner import run_notebook
from diagnosis.tables import measures
from diagnosis.territory.model import Territorio

NOTEBOOK = NOTEBOOKS_DIR / "fotografia.ipynb"


NAME_IN_FOLDER_MAX = 60  # characters of the name in a folder's name: a district's can be a sentence


@dataclass(frozen=True)
class FotografiaFiles:
    html: Path
    notebook: Path
    pdf: Path | None = None

    @property
    def manifest(self) -> Path:
        return self.html.with_name(MANIFEST_NAME)


def folder_name(name: str, territory_id: str) -> str:
    """``Pioltello-015175``, ``Sant-Angelo-Lodigiano-098047``: the territory's name with its accents
    folded, then its id; ASCII letters, digits and hyphens only, valid on every file system.
    The id alone when the name adds nothing to it (a district ``sassuolo`` named «Sassuolo»)."""
    code = legacy_folder_name(territory_id)
    readable = _ascii_slug(name)
    if len(readable) > NAME_IN_FOLDER_MAX:
        readable = readable[:NAME_IN_FOLDER_MAX].rsplit("-", 1)[0]
    if not readable or readable.casefold() == code.casefold():
        return code
    return f"{readable}-{code}"


def territory_folder_name(territory: Territorio) -> str:
    return folder_name(territory.nome, territory.id)


def legacy_folder_name(territory_id: str) -> str:
    """The id alone, as earlier releases named a report's folder: ``provincia:MO`` → ``provincia-MO``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", territory_id).strip("-")


def _ascii_slug(text: str) -> str:
    """``Città di Sant'Angelo`` → ``Citta-di-Sant-Angelo``: accents folded, case kept, the rest hyphens."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")


def find_report_folder(output_dir: Path, name: str, territory_id: str) -> Path | None:
    """The folder in ``output_dir`` holding the report of ``territory_id``, whatever release named it.

    By the current name, then by the id alone, then (a territory renamed since) any folder
    ending in the id whose manifest is that territory's.
    """
    output_dir = Path(output_dir)
    for candidate in (output_dir / folder_name(name, territory_id), output_dir / legacy_folder_name(territory_id)):
        if (candidate / MANIFEST_NAME).is_file():
            return candidate
    suffix = f"-{legacy_folder_name(territory_id)}"
    for candidate in sorted(output_dir.glob(f"*{suffix}")) if output_dir.is_dir() else []:
        if _manifest_territory(candidate) == territory_id:
            return candidate
    return None


def _manifest_territory(folder: Path) -> str | None:
    try:
        return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))["territorio"]["id"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def adopt_earlier_folder(output_dir: Path, territory: Territorio) -> None:
    """Give the current name to the territory's report kept under an earlier name, if any.

    Only a folder holding nothing but a report's files, whose manifest names this territory,
    is renamed; a rename is atomic, so an up-to-date report is then skipped, not rebuilt.
    """
    target = Path(output_dir) / territory_folder_name(territory)
    if target.exists() or target.is_symlink():
        return
    earlier = find_report_folder(output_dir, territory.nome, territory.id)
    if earlier is not None and is_report_folder(earlier) and _manifest_territory(earlier) == territory.id:
        earlier.rename(target)


def check_notebook(path: Path) -> Path:
    """The notebook a report is built from, as an absolute path: the shipped one or an analyst's copy."""
    path = Path(path).expanduser().resolve()
    if path.suffix != ".ipynb" or not path.is_file():
        raise RichiestaNonValida(
            f"Notebook non trovato: {path}. Indicare con --notebook un file .ipynb esistente, ad esempio "
            f"la copia di fotografia.ipynb preparata da «diagnosis lab --cartella CARTELLA»."
        )
    return path


def _keep_failed_notebook(executed: Path, failed: Path) -> str:
    """The notebook run up to the failing cell, kept beside the reports; a sentence saying where."""
    if not executed.exists():
        return ""
    shutil.copyfile(executed, failed)
    return f" Il notebook eseguito fino all'errore è in {failed}."


def build_fotografia(territory: Territorio, year: int | None = None,
                     output_dir: Path = Path("reports"), notebook: Path | None = None,
                     in_process: bool = False, brand: Brand | None = None, pdf: bool = False) -> FotografiaFiles:
    """Write ``<output_dir>/<Nome-id>/fotografia.html``, the executed notebook and the manifest,
    and with ``pdf`` also ``fotografia.pdf``; ``brand`` puts a consultant's logo, texts and
    colours on the cover and the page margins.

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
    parameters = {"territorio": territory.id, "anno": year}
    try:
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
