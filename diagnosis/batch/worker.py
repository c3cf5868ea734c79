"""One report of a batch, as a worker process (local pool or Dask worker) runs it.

The worker runs the notebooks in its own process (papermill's ``diagnosis`` engine), so the
IPython shell, the imports and the package's caches last its whole life; it retries a
failed territory once, and writes a log per territory. It never raises for a territory's
failure: the result says what happened, so the others go on. With ``pdf`` it also prints
each report, before the report is moved into place; a report already up to date whose PDF
is missing (an earlier batch without ``--pdf``) only gets its PDF.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from diagnosis import threads
from diagnosis.config import DEFAULT_EDITION
from diagnosis.batch.inputs_hash import fingerprint, is_up_to_date, stamp
from diagnosis.batch.preload import preload
from diagnosis.errors import describe_unexpected
from diagnosis.string_storage import keep_text_as_python_strings
from diagnosis.report.compare import comparison_table, composition, load_manifest
from diagnosis.report.compare_output import write_outputs
from diagnosis.report.brand import Brand
from diagnosis.report.folder_names import find_report_folder, territory_folder_name
from diagnosis.report.fotografia import build_fotografia
from diagnosis.report.manifest_checks import check_comparable
from diagnosis.report.pdf import print_pdf
from diagnosis.territory.model import Territorio

ATTEMPTS = 2  # a failing territory is tried once more, then recorded
# A worker makes report after report. Python's collector looks for cycles among the young
# objects every 700 new ones, and so walked again and again what a report keeps to its end
# (tables, figures, texts); every this many it seldom runs within a report, and the
# collection each notebook starts with (``report.shell``) frees what the last one left.
YOUNG_OBJECTS_BETWEEN_COLLECTIONS = 50_000
# A process holds one notebook shell: a Dask worker started with several threads would run
# two reports in it at once, so its threads take turns (run one thread per worker process).
ONE_REPORT_AT_A_TIME = threading.Lock()


@dataclass(frozen=True)
class Task:
    territory: Territorio
    year: int
    output: str
    force: bool = False
    environment: dict = field(default_factory=dict)  # data dir, offline switch, districts folder
    baseline: str | None = None  # a batch output of earlier fotografie to compare with
    notebook: str | None = None  # an analyst's edited fotografia notebook instead of the shipped one
    brand: Brand | None = None  # the consultant's logo, texts and colours
    pdf: bool = False  # print fotografia.pdf too
    edition: str = DEFAULT_EDITION  # who the report is for: cliente or analista


@dataclass
class Outcome:
    id: str
    nome: str
    livello: str
    stato: str  # ok, saltato, errore
    cartella: str
    secondi: float
    tentativi: int
    errore: str = ""
    generata_il: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _log_handler(output: Path, name: str) -> logging.Handler:
    folder = output / "log"
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(folder / f"{name}.log", mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    return handler


def warm_up(task: Task) -> None:
    """A Dask worker, before its first report: the batch's settings, then what every report reads."""
    os.environ.update(task.environment)
    threads.limit_loaded_libraries()
    keep_text_as_python_strings()
    preload(task.year, task.territory)


def run_task(task: Task) -> dict:
    """Build (or skip) one territory's fotografia; returns an :class:`Outcome` as a dict.

    It never raises: a failure before the build (the log cannot be written, the inputs
    cannot be read) is the territory's error outcome too, so that no traceback crosses
    the worker pool and the other territories go on.
    """
    started = time.perf_counter()
    name = territory_folder_name(task.territory)
    try:
        threads.limit_loaded_libraries()
        gc.set_threshold(YOUNG_OBJECTS_BETWEEN_COLLECTIONS, *gc.get_threshold()[1:])
        with ONE_REPORT_AT_A_TIME:
            return _run_task(task, name, started)
    except Exception as error:  # noqa: BLE001 — a worker reports a failure, it never raises one
        what = f"la fotografia di {task.territory.nome}"
        return _outcome(task, name, "errore", started, 0, describe_unexpected(error, what)).as_dict()


def _run_task(task: Task, name: str, started: float) -> dict:
    os.environ.update(task.environment)
    output = Path(task.output)
    notebook = Path(task.notebook) if task.notebook else None
    expected = fingerprint(task.territory, task.year, notebook, task.brand, task.edition)
    up_to_date = not task.force and is_up_to_date(output / name, expected)
    pdf_missing = task.pdf and not (output / name / "fotografia.pdf").exists()
    if up_to_date and not pdf_missing:
        return _outcome(task, name, "saltato", started, 0).as_dict()
    logger = logging.getLogger("diagnosis")
    handler = _log_handler(output, name)
    # Notices go to the territory's log only: the console belongs to the progress bar.
    previous = (logger.handlers[:], logger.level, logger.propagate)
    logger.handlers[:], logger.propagate = [handler], False
    logger.setLevel(logging.INFO)
    try:
        if up_to_date:
            return _print_missing_pdf(task, output / name, started, logger).as_dict()
        return _build_with_retry(task, output, name, expected, started, logger, notebook).as_dict()
    finally:
        logger.handlers[:], level, logger.propagate = previous[0], previous[1], previous[2]
        logger.setLevel(level)
        handler.close()


def _print_missing_pdf(task: Task, folder: Path, started: float, logger) -> Outcome:
    """The report is up to date but was made without its PDF: print only the PDF."""
    logger.info("Fotografia di %s già aggiornata: stampa del PDF", task.territory.nome)
    try:
        print_pdf(folder / "fotografia.html")
    except Exception as error:  # noqa: BLE001 — one territory's failure must not stop the batch
        logger.error("Stampa del PDF fallita: %s\n%s", error, traceback.format_exc())
        return _outcome(task, folder.name, "errore", started, 1, f"{type(error).__name__}: {error}")
    return _outcome(task, folder.name, "ok", started, 1)


def _build_with_retry(task, output, name, expected, started, logger, notebook) -> Outcome:
    error_text = ""
    for attempt in range(1, ATTEMPTS + 1):
        logger.info("Fotografia di %s (%s), tentativo %d", task.territory.nome, task.territory.id, attempt)
        try:
            files = build_fotografia(task.territory, year=task.year, output_dir=output, notebook=notebook,
                                     in_process=True, brand=task.brand, pdf=task.pdf,
                                     edition=task.edition)
            stamp(files.html.parent, expected)
            if task.baseline:
                _compare_with_baseline(Path(task.baseline), task.territory, files.html.parent, logger)
            logger.info("Completata in %.1f s: %s", time.perf_counter() - started, files.html)
            return _outcome(task, name, "ok", started, attempt)
        except Exception as error:  # noqa: BLE001 — one territory's failure must not stop the batch
            error_text = f"{type(error).__name__}: {error}"
            logger.error("Tentativo %d fallito: %s\n%s", attempt, error_text, traceback.format_exc())
    return _outcome(task, name, "errore", started, ATTEMPTS, error_text)


def _compare_with_baseline(baseline_dir: Path, territory: Territorio, report_folder: Path, logger) -> None:
    """``confronto/`` beside the new fotografia when the baseline batch has the same territory
    (in a folder named by this release or by an earlier one)."""
    baseline_folder = find_report_folder(baseline_dir, territory.nome, territory.id)
    if baseline_folder is None:
        logger.info("Nessuna fotografia di partenza di %s in %s: confronto non fatto.", territory.nome, baseline_dir)
        return
    baseline, current = load_manifest(baseline_folder), load_manifest(report_folder)
    check_comparable(baseline, current)
    write_outputs(report_folder / "confronto", baseline, current, comparison_table(baseline, current),
                  composition(baseline, current))
    logger.info("Confronto con la fotografia di partenza scritto in %s", report_folder / "confronto")


def _outcome(task: Task, name: str, status: str, started: float, attempts: int, error: str = "") -> Outcome:
    return Outcome(
        id=task.territory.id, nome=task.territory.nome, livello=task.territory.livello, stato=status,
        cartella=name, secondi=round(time.perf_counter() - started, 2), tentativi=attempts, errore=error,
        generata_il=datetime.now(timezone.utc).isoformat(timespec="seconds") if status == "ok" else "",
    )
