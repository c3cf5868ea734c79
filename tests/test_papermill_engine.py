"""The ``diagnosis`` papermill engine: plain papermill runs a notebook in this process's shell."""

import subprocess
import sys
import tomllib

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError
from papermill.execute import ERROR_MARKER_TAG

from diagnosis.report.papermill_engine import ENGINE_NAME, InProcessEngine
from diagnosis.errors import EsecuzioneNotebookFallita
from diagnosis.report.runner import run_notebook

from conftest import PROJECT_ROOT

SHOWING_CELL = """\
import sys
from IPython.display import HTML, display
print("territorio", territorio)
print("avviso", file=sys.stderr)
display(HTML("<b>anno</b>"))
anno + 1"""


def _notebook(tmp_path, *sources: str):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Prova"),
        nbformat.v4.new_code_cell('territorio = "Pioltello"\nanno = 2022', metadata={"tags": ["parameters"]}),
        *(nbformat.v4.new_code_cell(source) for source in sources),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "prova.ipynb"
    nbformat.write(notebook, path)
    return path


def _execute(path, output=None, **parameters):
    return papermill.execute_notebook(
        str(path), str(output) if output else None, parameters=parameters, engine_name=ENGINE_NAME,
        kernel_name="python3", progress_bar=False,
    )


def test_parameters_are_injected_after_the_parameters_cell(tmp_path):
    executed = _execute(_notebook(tmp_path, "print(territorio, anno)"), territorio="Sassuolo", anno=2023)
    injected = executed.cells[2]
    assert injected.metadata.tags == ["injected-parameters"]
    assert executed.cells[3].outputs[0].text == "Sassuolo 2023\n"


def test_outputs_are_those_a_kernel_sends(tmp_path):
    executed = _execute(_notebook(tmp_path, SHOWING_CELL), tmp_path / "eseguito.ipynb", territorio="Sassuolo", anno=2023)
    outputs = executed.cells[3].outputs
    assert [(o.output_type, o.get("name")) for o in outputs] == [
        ("stream", "stdout"), ("stream", "stderr"), ("display_data", None), ("execute_result", None),
    ]
    assert outputs[0].text == "territorio Sassuolo\n"  # the value is not printed again as "Out[n]:"
    assert outputs[2].data["text/html"] == "<b>anno</b>"
    assert outputs[3].data == {"text/plain": "2024"} and outputs[3].execution_count == 3
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"] == [1, 2, 3]
    assert executed.cells[3].metadata.papermill["status"] == "completed"
    assert nbformat.read(tmp_path / "eseguito.ipynb", as_version=4).cells[3].outputs == outputs


def test_each_notebook_starts_from_an_empty_namespace(tmp_path):
    _execute(_notebook(tmp_path, "rimasto = 1"), territorio="Sassuolo")
    executed = _execute(_notebook(tmp_path, "print('rimasto' in dir())"), territorio="Sassuolo")
    assert executed.cells[3].outputs[0].text == "False\n"


def test_a_failing_cell_stops_the_notebook_as_papermill_does(tmp_path):
    path = _notebook(tmp_path, "raise ValueError('guasto voluto')", "print('mai')")
    with pytest.raises(PapermillExecutionError, match="guasto voluto") as raised:
        _execute(path, tmp_path / "eseguito.ipynb", territorio="Sassuolo")
    assert raised.value.exec_count == 3 and raised.value.ename == "ValueError"
    written = nbformat.read(tmp_path / "eseguito.ipynb", as_version=4)
    assert ERROR_MARKER_TAG in written.cells[0].metadata.tags
    failing = next(c for c in written.cells if c.get("execution_count") == 3)
    assert failing.metadata.papermill["status"] == "failed"
    assert any("ValueError" in line for line in failing.outputs[-1].traceback)
    assert not written.cells[-1].outputs  # the cell after the failing one did not run


def test_the_project_names_the_notebook_and_the_cell_in_italian(tmp_path):
    path = _notebook(tmp_path, "1 / 0")
    message = "Il notebook prova.ipynb si è fermato alla cella 3: ZeroDivisionError: division by zero"
    with pytest.raises(EsecuzioneNotebookFallita, match=message):
        run_notebook(path, None, {"territorio": "Sassuolo"}, in_process=True)


def test_the_installed_package_offers_the_engine_to_papermill():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    target = project["project"]["entry-points"]["papermill.engine"][ENGINE_NAME]
    module, name = target.split(":")
    assert (module, name) == (InProcessEngine.__module__, InProcessEngine.__name__)
    assert papermill.engines.papermill_engines.get_engine(ENGINE_NAME) is InProcessEngine


@pytest.mark.slow
@pytest.mark.parametrize("first", ["diagnosis.report.papermill_engine", "papermill"])
def test_the_engine_and_papermill_import_in_either_order(first):
    """papermill loads the installed entry point while it is first imported: whichever comes
    first, the engine must end up registered and whole."""
    code = (f"import {first}\n"
            "import papermill.engines\n"
            "from diagnosis.report import papermill_engine\n"
            "papermill_engine.register()\n"
            "assert papermill.engines.papermill_engines.get_engine('diagnosis') is papermill_engine.InProcessEngine\n")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert completed.returncode == 0, completed.stderr[-2000:]


@pytest.mark.slow
def test_inside_another_ipython_session_the_engine_refuses_instead_of_wiping_it(tmp_path):
    path = _notebook(tmp_path, "print(territorio)")
    script = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "InteractiveShell.instance()\n"
        "from diagnosis.report.runner import run_notebook\n"
        f"run_notebook({str(path)!r}, None, {{'territorio': 'Sassuolo'}}, in_process=True)\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert completed.returncode != 0
    assert "EsecuzioneNotebookFallita: Questo processo ha già una sessione IPython" in completed.stderr
