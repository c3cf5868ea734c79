"""The IPython shell that runs report cells in this process, and the notebook outputs of a cell.

Starting a kernel and importing the scientific stack costs seconds per notebook; a batch of
hundreds of reports pays it once per worker by running every notebook in one shell kept for
the life of the process. What a kernel would send to the notebook as messages is recorded
here instead: printed text as streams, ``display()`` calls as display data, the value of the
last expression as the execute result and an exception as an error output, so the executed
notebook and its HTML show what a kernel would give (each cell's printed text first, then its
displays, then its value).
"""

from __future__ import annotations

from dataclasses import dataclass

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets.config import MultipleInstanceError

from diagnosis.errors import EsecuzioneNotebookFallita


@dataclass(frozen=True)
class CellRun:
    """What a cell gave the notebook, and whether it raised."""

    outputs: list
    failed: bool


class _RecordingDisplayHook(DisplayHook):
    """Keeps the formatted value of a cell's last expression instead of printing ``Out[n]:``."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        self.shell.last_result = (format_dict, md_dict or {})


class ReportShell(InteractiveShell):
    """An IPython shell that gives a cell's value and traceback to the notebook, as a kernel does."""

    displayhook_class = _RecordingDisplayHook

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.last_result: tuple[dict, dict] | None = None
        self.last_traceback: list[str] = []

    def _showtraceback(self, etype, evalue, stb: list[str]) -> None:
        # IPython's hook for putting a traceback somewhere else than stdout: the error output.
        self.last_traceback = stb

    def fresh_namespace(self) -> None:
        """Each notebook starts from an empty namespace, as in a new kernel.

        ``InteractiveShell.reset`` would also force a full garbage collection, which costs
        more than a whole report; clearing and re-initialising the namespace is enough.
        """
        self.user_ns.clear()
        self.user_ns_hidden.clear()
        self.init_user_ns()

    def run_for_notebook(self, source: str, count: int) -> CellRun:
        """Run one cell; its outputs in the order a report has always shown them."""
        self.last_result, self.last_traceback = None, []
        with capture_output(stdout=True, stderr=True, display=True) as captured:
            result = self.run_cell(source, store_history=False, silent=False)
        outputs = _streams(captured) + [
            nbformat.v4.new_output("display_data", data=item.data, metadata=item.metadata or {})
            for item in captured.outputs
        ]
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            outputs.append(nbformat.v4.new_output(
                "error", ename=type(error).__name__, evalue=str(error), traceback=self.last_traceback,
            ))
        elif self.last_result is not None:
            data, metadata = self.last_result
            outputs.append(nbformat.v4.new_output("execute_result", data=data, metadata=metadata, execution_count=count))
        return CellRun(outputs=outputs, failed=error is not None)


def report_shell() -> ReportShell:
    """The process's shell, created on first use and kept (IPython keeps one per process)."""
    try:
        return ReportShell.instance()
    except MultipleInstanceError:
        raise EsecuzioneNotebookFallita(
            "Questo processo ha già una sessione IPython (per esempio un kernel Jupyter): eseguire qui "
            "il notebook ne cancellerebbe le variabili. Genera la fotografia da terminale con "
            "`diagnosis fotografia` o `diagnosis batch`, oppure usa papermill senza `--engine diagnosis`."
        ) from None


def _streams(captured) -> list:
    return [
        nbformat.v4.new_output("stream", name=name, text=text)
        for name, text in (("stdout", captured.stdout), ("stderr", captured.stderr)) if text
    ]
