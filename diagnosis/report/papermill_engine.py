"""The ``diagnosis`` papermill engine: a notebook's cells run in this process's IPython shell.

papermill prepares the notebook (injects the parameters after the ``parameters`` cell, in
a cell tagged ``injected-parameters``), then hands it to an engine; its default engine
starts a kernel. This one runs the cells in :mod:`diagnosis.report.shell`, each notebook
starting as in a new kernel, and reports each cell to papermill's execution manager, so that
papermill's metadata, error cells and ``PapermillExecutionError`` are what a kernel gives.
It serves ``diagnosis batch``, and plain papermill::

    papermill --engine diagnosis -k python3 in.ipynb out.ipynb -p territorio Pioltello

The engine reaches papermill two ways: through the ``papermill.engine`` entry point of the
installed package, for the papermill command, and through ``register`` for code that runs
notebooks. papermill loads every entry point while it is first imported, so the class is
built on first use rather than when this module is imported: a module that imported papermill
at its top would be handed to papermill half-loaded whenever it was imported first.
"""

from __future__ import annotations

from datetime import datetime

ENGINE_NAME = "diagnosis"
_built: type | None = None


def engine_class() -> type:
    """The engine class, built once; importing papermill here may build it through the entry point."""
    global _built
    if _built is None:
        from papermill.engines import Engine, papermill_engines  # see the module's docstring

        if _built is None:  # papermill's own first import may have built it meanwhile
            _built = _engine_on(Engine)
            papermill_engines.register(ENGINE_NAME, _built)
    return _built


def register() -> str:
    """Make sure papermill knows the engine (also without the installed entry point); its name."""
    engine_class()
    return ENGINE_NAME


def __getattr__(name: str):
    # ``InProcessEngine`` is what the entry point names.
    if name == "InProcessEngine":
        return engine_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _engine_on(base: type) -> type:
    class InProcessEngine(base):
        """Runs each code cell in the process's shell; stops at the first failing cell, as papermill does."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            # kernel_name and the kernel options papermill passes (timeouts, log_output) have no
            # meaning here: the cells are Python, run in this process. The shell is imported only
            # now because papermill loads every installed engine whenever it is imported.
            from diagnosis.report.shell import report_shell

            shell = report_shell()
            shell.start_notebook()
            count = 0
            for index, cell in enumerate(nb_man.nb.cells):
                count += cell.cell_type == "code"
                if not cls._execute_cell(nb_man, shell, index, cell, count):
                    break

        @staticmethod
        def _execute_cell(nb_man, shell, index: int, cell, count: int) -> bool:
            """Run one cell between papermill's start and complete hooks; False when it failed."""
            nb_man.cell_start(cell, index)
            try:
                if cell.cell_type != "code":
                    return True
                run = shell.run_for_notebook(cell.source, count)
                cell.outputs, cell.execution_count = run.outputs, count
                if run.failed:
                    nb_man.cell_exception(cell, index)
                return not run.failed
            finally:
                _complete_cell(nb_man, cell, index)

    InProcessEngine.__qualname__ = "InProcessEngine"  # as the entry point names it
    return InProcessEngine


def _complete_cell(nb_man, cell, index: int) -> None:
    """papermill's end of a cell (status, end time, duration), with the duration computed here:
    papermill reads the start time back with a general date parser, a fiftieth of a report's
    time over its seventy cells, where the ISO text it wrote itself needs only ``fromisoformat``."""
    timing = cell.metadata.papermill
    started = timing.pop("start_time", None)  # without it papermill leaves the duration alone
    nb_man.cell_complete(cell, index)
    if started is not None:
        timing["start_time"] = started
        ended = datetime.fromisoformat(timing["end_time"])
        timing["duration"] = (ended - datetime.fromisoformat(started)).total_seconds()
