"""Run a batch: local worker processes or a Dask cluster, progress with ETA, clean stops.

Re-running the same batch resumes it: every territory whose report is up to date (same
input fingerprint) is skipped. A report an earlier release kept in a folder named by the
territory's id alone is first given its current name (``Pioltello-015175``), so it is
found, skipped when up to date, and never left beside a second copy. Leftovers of an interrupted run (the tool's own staging
folders, a report moved aside but not replaced) are tidied before starting, so no
half-written report is ever left in place; nothing else in the output folder is touched,
and a batch that would replace something it did not create refuses to start.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from diagnosis import config
from diagnosis.batch.comparisons import share_comparisons
from diagnosis.batch.preload import preload
from diagnosis.batch.results import STATUS_LABELS, summary_table, write_index, write_summary
from diagnosis.batch.worker import Task, run_task, warm_up
from diagnosis.errors import BatchInterrotto, DiagnosisError
from diagnosis.report.brand import Brand
from diagnosis.report.folder_names import ReportFolders, adopt_earlier_folder, territory_folder_name
from diagnosis.report.fotografia import check_edition, check_notebook
from diagnosis.report.pdf import find_browser
from diagnosis.report.output_folder import check_batch_output, prepare_output_dir, tidy_leftovers
from diagnosis.tables import measures
from diagnosis.territory.model import Territorio

@dataclass
class BatchResult:
    outcomes: list[dict]
    index: Path

    @property
    def failed(self) -> list[dict]:
        return [o for o in self.outcomes if o["stato"] == "errore"]


def worker_environment() -> dict:
    """What a worker must see as this process does: data folder, offline switch, districts, debug."""
    keys = (config.DATA_DIR_VARIABLE, config.OFFLINE_VARIABLE, config.DISTRICTS_DIR_VARIABLE, config.DEBUG_VARIABLE)
    environment = {key: os.environ[key] for key in keys if key in os.environ}
    environment.setdefault(config.DATA_DIR_VARIABLE, str(config.data_dir().resolve()))
    return environment


def _progress(total: int):
    return tqdm(total=total, unit="fotografia", desc="Fotografie", dynamic_ncols=True, mininterval=1.0)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _run_local(tasks: list[Task], workers: int, on_done) -> None:
    # fork shares the parent's loaded registry and tables (see ``preload``) with the workers.
    method = "fork" if _can_fork() else "spawn"
    # Frozen, the objects loaded so far are left alone by the workers' garbage collector,
    # which would otherwise write to, and so copy into each worker, the pages they share.
    gc.freeze()
    pool = multiprocessing.get_context(method).Pool(processes=workers, maxtasksperchild=None)
    try:
        for outcome in pool.imap_unordered(run_task, tasks):
            on_done(outcome)
        pool.close()
    except KeyboardInterrupt:
        pool.terminate()
        raise
    finally:
        pool.terminate()
        pool.join()
        gc.unfreeze()


def _run_dask(tasks: list[Task], scheduler: str, on_done) -> None:
    try:
        from distributed import Client, as_completed  # only a batch on a cluster pays for its import
    except ImportError as error:
        raise DiagnosisError("Per --scheduler serve il pacchetto distributed: pip install 'dask[distributed]'") from error
    try:
        client = Client(scheduler, timeout="20s")
    except OSError as error:
        raise DiagnosisError(
            f"Scheduler Dask {scheduler} non raggiungibile ({error}). Avviarlo con: dask scheduler, "
            "e i worker con: dask worker INDIRIZZO (nello stesso ambiente, con la stessa cartella dati)."
        ) from error
    try:
        if tasks:
            # Each worker reads what every report reads before its first report, as a local
            # pool's workers inherit it from the parent.
            client.run(warm_up, tasks[0])
        futures = [client.submit(run_task, task, pure=False) for task in tasks]
        for future in as_completed(futures):
            on_done(future.result())
    finally:
        client.close()


def run_batch(territories: list[Territorio], output: Path, *, year: int | None = None, workers: int | None = None,
              force: bool = False, scheduler: str | None = None, baseline: Path | None = None,
              notebook: Path | None = None, brand: Brand | None = None, pdf: bool = False,
              edition: str = config.DEFAULT_EDITION) -> BatchResult:
    """Every territory's fotografia in ``output``; ``notebook`` replaces the shipped ``fotografia.ipynb``,
    ``brand`` marks every report as the consultant's, ``pdf`` prints each one too, ``edition`` says
    who the reports are for (``cliente`` or ``analista``)."""
    notebook_path = str(check_notebook(notebook)) if notebook else None
    check_edition(edition)
    if pdf and not scheduler:
        find_browser()  # a cluster's workers have their own browser; a local batch needs this one
    output = prepare_output_dir(Path(output))
    check_batch_output(output, [territory_folder_name(territory) for territory in territories])
    tidy_leftovers(output)
    folders = ReportFolders(output)
    for territory in territories:
        adopt_earlier_folder(output, territory, folders)
    year = measures.check_year(year)
    environment = worker_environment()
    baseline_dir = str(Path(baseline).resolve()) if baseline else None
    tasks = biggest_first([Task(territory, year, str(output.resolve()), force or bool(baseline), environment,
                                baseline_dir, notebook_path, brand, pdf, edition)
                           for territory in territories])
    outcomes: list[dict] = []
    bar = _progress(len(tasks))

    def on_done(outcome: dict) -> None:
        outcomes.append(outcome)
        bar.set_postfix_str(f"{outcome['nome']}: {STATUS_LABELS.get(outcome['stato'], outcome['stato'])}")
        bar.update(1)

    try:
        if scheduler:
            _run_dask(tasks, scheduler, on_done)
        else:
            workers = workers or os.cpu_count() or 1
            if tasks:
                preload(year, territories[0])
            if _can_fork():  # spawned workers would not inherit what is shared
                share_comparisons(territories, year, workers)
            _run_local(tasks, workers, on_done)
    except KeyboardInterrupt as interrupt:
        _finish(outcomes, territories, output)
        raise BatchInterrotto(
            f"Batch interrotto: {len(outcomes)} territori su {len(tasks)} completati e conservati. "
            "Rilanciare lo stesso comando per riprendere (quelli già fatti vengono saltati)."
        ) from interrupt
    finally:
        bar.close()
    return BatchResult(outcomes=_ordered(outcomes, territories), index=_finish(outcomes, territories, output))


def biggest_first(tasks: list[Task]) -> list[Task]:
    """The tasks in the order workers take them: territories of many comuni first (a region's
    report takes several times a comune's), the others as given. Handed out last, a big report
    would keep one worker busy while the others, done, wait for it."""
    return sorted(tasks, key=lambda task: -len(task.territory.comuni))


def _ordered(outcomes: list[dict], territories: list[Territorio]) -> list[dict]:
    position = {t.id: i for i, t in enumerate(territories)}
    return sorted(outcomes, key=lambda o: position.get(o["id"], len(position)))


def _finish(outcomes: list[dict], territories: list[Territorio], output: Path) -> Path:
    table = summary_table(_ordered(outcomes, territories), output)
    write_summary(table, output)
    return write_index(table, output)
