"""Run a parameterised notebook through papermill, in a new kernel or in this process.

papermill injects the parameters and records the execution either way; only the engine
differs. A new kernel keeps a single report apart from the command that asked for it; the
``diagnosis`` engine (:mod:`diagnosis.report.papermill_engine`) runs the cells in this
process, so that a batch worker pays the imports and caches once for hundreds of reports.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from diagnosis.errors import EsecuzioneNotebookFallita
from diagnosis.report import papermill_engine

KERNEL_NAME = "python3"
# A kernel logs on its stderr, which is the user's terminal, things the user cannot act on: that
# it talks over local TCP without encryption (true of every local kernel), and, at ERROR level,
# "KeyboardInterrupt caught in kernel" when the interrupt jupyter_client sends before every
# shutdown lands while it is still answering a message. Cell errors reach us through the
# notebook's outputs, not this log.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]


def run_notebook(notebook: Path, executed: Path | None, parameters: dict,
                 in_process: bool = False) -> nbformat.NotebookNode:
    """The executed notebook, also written to ``executed`` (with papermill's error cells if a cell failed)."""
    # papermill imports every installed engine, this package's too, when it is imported:
    # only a notebook being run pays for it.
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        return papermill.execute_notebook(
            str(notebook), str(executed) if executed else None, parameters=parameters,
            engine_name=papermill_engine.register() if in_process else None, kernel_name=KERNEL_NAME,
            **({} if in_process else {"extra_arguments": KERNEL_ARGUMENTS}),
            cwd=str(Path.cwd()), progress_bar=False, log_output=False,
            # The notebook is written once, when it has run or failed: a report is built in a
            # staging folder nobody reads while it runs.
            request_save_on_cell_execute=False,
        )
    except PapermillExecutionError as error:
        raise EsecuzioneNotebookFallita(
            f"Il notebook {Path(notebook).name} si è fermato alla cella {error.exec_count}: "
            f"{error.ename}: {error.evalue}"
        ) from error

