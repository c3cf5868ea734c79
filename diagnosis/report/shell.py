"""The IPython shell that runs report cells in this process, and the notebook outputs of a cell.

Starting a kernel and importing the scientific stack costs seconds per notebook; a batch of
hundreds of reports pays it once per worker by running every notebook in one shell kept for
the life of the process. The shell behaves as a Jupyter kernel does, so that a notebook gives
the same outputs here, under papermill's own kernel and in JupyterLab:

- what a kernel would send to the notebook as messages is recorded in the same order
  (:class:`CellOutputs`): printed text as streams, ``display()`` calls as display data, the
  value of the last expression as the execute result, an exception as an error output;
- figures go through matplotlib's inline backend, the one a kernel uses: a figure is an
  ``image/png`` wherever it is displayed, ``plt.show()`` shows the open figures, a figure
  still open when its cell ends is shown and closed, and ``%matplotlib inline`` or
  ``%config InlineBackend...`` work as in a kernel.

Each notebook starts as in a new kernel: an empty namespace, no open figure, matplotlib's
settings and the inline backend's options as they were when the shell started.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import io
from dataclasses import dataclass

import matplotlib
import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from matplotlib import pyplot as plt
from matplotlib_inline.backend_inline import InlineBackend
from traitlets import Instance, Type
from traitlets.config import MultipleInstanceError

from diagnosis.errors import EsecuzioneNotebookFallita
from diagnosis.report.prepared_cells import (
    ReusingCompiler, ReusingTransformerManager, ends_with_semicolon, may_await,
)

INLINE_BACKEND = "inline"  # matplotlib's name for module://matplotlib_inline.backend_inline
STREAMS = ("stdout", "stderr")


@dataclass(frozen=True)
class CellRun:
    """What a cell gave the notebook, and whether it raised."""

    outputs: list
    failed: bool


def notebook_output(output_type: str, **fields) -> nbformat.NotebookNode:
    """A cell output as ``nbformat.v4.new_output`` makes it, not checked against the schema on
    its own: the notebook is checked whole when it is written, and checking each output again,
    large images and tables included, was about 1 % of a report's time."""
    return nbformat.from_dict({"output_type": output_type, **fields})


class CellOutputs:
    """A cell's outputs as a notebook client records them from a kernel's messages.

    ipykernel buffers printed text and sends it, stdout first, before anything else it shows
    (a display, the value, a traceback) and when the cell ends; the client appends each
    message to the cell, empties it on ``clear_output`` (at the next output when asked to
    wait), and rewrites every output of a display id when that display is updated.
    """

    def __init__(self, displays: dict[str, list]):
        self.outputs: list = []
        self._pending: dict[str, list[str]] = {name: [] for name in STREAMS}
        self._clear_at_next_output = False
        self._displays = displays  # display id -> its outputs, across the notebook

    def write(self, stream: str, text: str) -> None:
        if text:
            self._pending[stream].append(text)

    def flush(self) -> None:
        for name, parts in self._pending.items():
            if parts:
                self._append(notebook_output("stream", name=name, text="".join(parts)))
                parts.clear()

    def add(self, output, display_id: str | None = None) -> None:
        self.flush()
        self._append(output)
        if display_id:
            self._displays.setdefault(display_id, []).append(output)

    def update(self, display_id: str, data: dict, metadata: dict) -> None:
        self.flush()
        for output in self._displays.get(display_id, []):
            output.data, output.metadata = data, metadata

    def clear(self, wait: bool) -> None:
        self.flush()
        if wait:
            self._clear_at_next_output = True
        else:
            self.outputs.clear()

    def _append(self, output) -> None:
        if self._clear_at_next_output:
            self.outputs.clear()
            self._clear_at_next_output = False
        self.outputs.append(output)


class _StreamRecorder(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr`` while a cell runs: the text goes to the cell's outputs."""

    def __init__(self, shell: ReportShell, name: str):
        super().__init__()
        self._shell, self._name = shell, name

    @property
    def encoding(self) -> str:
        return "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._shell.cell_outputs.write(self._name, text)
        return len(text)


class _RecordingDisplayPublisher(DisplayPublisher):
    """Gives ``display()``, ``update_display`` and ``clear_output`` to the running cell's outputs, printing nothing."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
        display_id = (transient or {}).get("display_id")
        if display_id:  # every output already shown for this display is rewritten, as in a notebook
            self.shell.cell_outputs.update(display_id, data, metadata or {})
        if not update:
            output = notebook_output("display_data", data=data, metadata=metadata or {})
            self.shell.cell_outputs.add(output, display_id)

    def clear_output(self, wait=False) -> None:
        self.shell.cell_outputs.clear(wait)


class _RecordingDisplayHook(DisplayHook):
    """Records the formatted value of a cell's last expression instead of printing ``Out[n]:``."""

    def quiet(self) -> bool:
        # A value is not shown when the cell ends with ``;``. IPython finds the cell in the
        # input history, which a report does not keep. A cell without any ``;`` (nearly every
        # cell of a report) is not looked at a second time to find none.
        source = self.shell.cell_source
        return ";" in source and ends_with_semicolon(self.shell.transform_cell(source))

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        self.shell.cell_outputs.add(notebook_output(
            "execute_result", data=format_dict, metadata=md_dict or {}, execution_count=self.shell.cell_count,
        ))


class ReportShell(InteractiveShell):
    """An IPython shell that gives a cell's outputs to the notebook, as a kernel does."""

    displayhook_class = _RecordingDisplayHook
    display_pub_class = _RecordingDisplayPublisher
    # Every report runs the same cells: what IPython prepares from a source is kept (prepared_cells).
    input_transformer_manager = Instance(ReusingTransformerManager, ())
    compiler_class = Type(ReusingCompiler)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.display_ids: dict[str, list] = {}  # the notebook's displays that an update rewrites
        self.cell_outputs = CellOutputs(self.display_ids)
        self.cell_count, self.cell_source = 0, ""
        self.notebooks_started = 0
        self.enable_matplotlib(INLINE_BACKEND)
        self._matplotlib_settings = _matplotlib_settings()
        self._inline_options = InlineBackend.instance().trait_values(config=True)

    def enable_gui(self, gui=None) -> None:
        # A kernel starts the event loop of a window toolkit here; a report has no windows,
        # and the inline backend (gui None) needs no loop.
        pass

    def should_run_async(self, raw_cell: str, *, transformed_cell=None, preprocessing_exc_tuple=None) -> bool:
        if transformed_cell is not None and not may_await(transformed_cell):
            return False  # IPython would compile the whole cell to find what the text already rules out
        return super().should_run_async(raw_cell, transformed_cell=transformed_cell,
                                        preprocessing_exc_tuple=preprocessing_exc_tuple)

    def transform_ast(self, node):
        # The compiler hands the same statements to every run of a source; a transformer an
        # extension adds changes what it visits, so it visits a copy.
        if self.ast_transformers:
            node = copy.deepcopy(node)
        return super().transform_ast(node)

    def _showtraceback(self, etype, evalue, stb: list[str]) -> None:
        # IPython's hook for putting a traceback somewhere else than stdout: the error output.
        self.cell_outputs.add(notebook_output(
            "error", ename=etype.__name__, evalue=str(evalue), traceback=stb,
        ))

    def start_notebook(self) -> None:
        """Start a notebook as a new kernel would: empty namespace, no figure, first settings."""
        self._fresh_namespace()
        self.display_ids.clear()
        plt.close("all")
        if self.notebooks_started:
            _set_aside_what_lasts()
        self.notebooks_started += 1
        matplotlib.interactive(True)  # as the inline backend left it, whatever the last notebook did
        matplotlib.rcParams.update(self._matplotlib_settings)
        inline = InlineBackend.instance()
        for option, value in self._inline_options.items():
            setattr(inline, option, value)

    def _fresh_namespace(self) -> None:
        # ``InteractiveShell.reset`` would also force a full garbage collection, which costs
        # more than a whole report; clearing and re-initialising the namespace is enough.
        self.user_ns.clear()
        self.user_ns_hidden.clear()
        self.init_user_ns()

    def run_for_notebook(self, source: str, count: int) -> CellRun:
        """Run one cell; its outputs in the order a kernel sends them."""
        self.cell_outputs = CellOutputs(self.display_ids)
        self.cell_count, self.cell_source = count, source
        with contextlib.redirect_stdout(_StreamRecorder(self, "stdout")), \
                contextlib.redirect_stderr(_StreamRecorder(self, "stderr")):
            result = self.run_cell(source, store_history=False, silent=False)
        self.cell_outputs.flush()
        self._forget_outputs()
        return CellRun(outputs=self.cell_outputs.outputs, failed=not result.success)

    def _forget_outputs(self) -> None:
        # IPython 9 keeps what each cell printed and showed (for ``%notebook``): over a batch
        # it would hold every report's text, tables and images for the life of the worker.
        outputs = getattr(self.history_manager, "outputs", None)
        if outputs is not None:
            outputs.clear()


def _set_aside_what_lasts() -> None:
    """Keep what is alive now out of the collector's rounds.

    What earlier notebooks loaded and kept (modules, the data read for them) lives as long as
    the process; Python's full collection walks all of it, hundreds of thousands of objects,
    every few reports, a pause worth several charts. Frozen, it is skipped; what the last
    notebook left in reference cycles is collected first, so that it is not kept with it."""
    gc.collect()
    gc.freeze()


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


def _matplotlib_settings() -> dict:
    """matplotlib's settings now, but the backend: restoring them must not switch it."""
    settings = dict(matplotlib.rcParams.copy())
    del settings["backend"]
    return settings
