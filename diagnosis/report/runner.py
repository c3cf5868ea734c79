"""Execute a parameterised notebook inside this process, as papermill would in a kernel.

Starting a kernel and importing the scientific stack costs seconds per notebook; a batch
of hundreds of reports pays it once per worker instead. The cells run in this process's
IPython shell with a fresh namespace each time, the parameters are injected after the
``parameters`` cell exactly as papermill does (a cell tagged ``injected-parameters``), and
every display becomes an ordinary notebook output, so the executed notebook and its HTML
are the same as papermill's.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from diagnosis.errors import DiagnosisError

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"


class EsecuzioneNotebookFallita(DiagnosisError):
    """A notebook cell raised while building a report."""


def parameters_cell(parameters: dict) -> nbformat.NotebookNode:
    lines = ["# Parametri inseriti"] + [f"{name} = {value!r}" for name, value in parameters.items()]
    return nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": [INJECTED_TAG]})


def with_parameters(notebook: nbformat.NotebookNode, parameters: dict) -> nbformat.NotebookNode:
    """A copy of ``notebook`` with the injected cell after its ``parameters`` cell."""
    executed = copy.deepcopy(notebook)
    tagged = [i for i, cell in enumerate(executed.cells) if PARAMETERS_TAG in cell.get("metadata", {}).get("tags", [])]
    position = tagged[0] + 1 if tagged else 0
    executed.cells.insert(position, parameters_cell(parameters))
    return executed


class InProcessRunner:
    """Runs notebooks in one IPython shell kept for the life of the process."""

    def __init__(self):
        from IPython.core.interactiveshell import InteractiveShell

        self.shell = InteractiveShell.instance()

    def execute(self, notebook_path: Path, parameters: dict) -> nbformat.NotebookNode:
        notebook = with_parameters(nbformat.read(notebook_path, as_version=4), parameters)
        self._fresh_namespace()
        count = 0
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            count += 1
            cell.outputs = self._run(cell.source, count, notebook_path)
            cell.execution_count = count
        return notebook

    def _fresh_namespace(self) -> None:
        """Each notebook starts from an empty namespace, as in a new kernel.

        ``InteractiveShell.reset`` would also force a full garbage collection, which costs
        more than a whole report; clearing and re-initialising the namespace is enough.
        """
        self.shell.user_ns.clear()
        self.shell.user_ns_hidden.clear()
        self.shell.init_user_ns()

    def _run(self, source: str, count: int, notebook_path: Path) -> list:
        from IPython.utils.capture import capture_output

        with capture_output(stdout=True, stderr=True, display=True) as captured:
            result = self.shell.run_cell(source, store_history=False, silent=False)
        outputs = [nbformat.v4.new_output("stream", name="stdout", text=captured.stdout)] if captured.stdout else []
        if captured.stderr:
            outputs.append(nbformat.v4.new_output("stream", name="stderr", text=captured.stderr))
        outputs += [
            nbformat.v4.new_output("display_data", data=item.data, metadata=item.metadata or {})
            for item in captured.outputs
        ]
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            raise EsecuzioneNotebookFallita(
                f"Il notebook {Path(notebook_path).name} si è fermato alla cella {count}: "
                f"{type(error).__name__}: {error}"
            ) from error
        if result.result is not None:
            data, metadata = self.shell.display_formatter.format(result.result)
            outputs.append(nbformat.v4.new_output("execute_result", data=data, metadata=metadata, execution_count=count))
        return outputs
