"""The ``diagnosis`` papermill engine: plain papermill runs a notebook in this process's shell."""

import re
import subprocess
import sys
import tomllib
from datetime import datetime

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
    timing = executed.cells[3].metadata.papermill
    assert timing["duration"] == (datetime.fromisoformat(timing["end_time"])
                                  - datetime.fromisoformat(timing["start_time"])).total_seconds() >= 0
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


def _traceback_text(cell) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(cell.outputs[-1].traceback))


# A batch runs the same cells again and again: what IPython prepared the first time is reused,
# so each behaviour below is checked on a notebook run twice.
def _executed_twice(path, **parameters):
    return [_execute(path, **parameters) for _ in range(2)]


def test_a_failing_cell_run_again_still_shows_its_code_and_line(tmp_path):
    path = _notebook(tmp_path, "totale = anno + 1\nraise ValueError(f'guasto {totale}')")
    tracebacks = []
    for year in (2022, 2023):
        with pytest.raises(PapermillExecutionError, match=f"guasto {year + 1}"):
            _execute(path, tmp_path / "eseguito.ipynb", anno=year)
        written = nbformat.read(tmp_path / "eseguito.ipynb", as_version=4)
        failing = next(c for c in written.cells if c.get("execution_count") == 3)
        tracebacks.append(_traceback_text(failing))
    for text in tracebacks:
        assert "line 2" in text
        assert "----> 2 raise ValueError(f'guasto {totale}')" in text
    assert tracebacks[0].replace("2023", "2024") == tracebacks[1].replace("2023", "2024")


def test_a_cell_ending_with_a_semicolon_hides_its_value_every_time(tmp_path):
    path = _notebook(tmp_path, "anno + 1;", "anno + 1  # non nascosto; il ; è nel commento", "print(1); anno + 2")
    for executed in _executed_twice(path, anno=2023):
        hidden, shown, printed = (cell.outputs for cell in executed.cells[3:])
        assert hidden == []
        assert [o.data["text/plain"] for o in shown] == ["2024"]
        assert [o.get("text") or o.data["text/plain"] for o in printed] == ["1\n", "2025"]


def test_a_top_level_await_runs_every_time(tmp_path):
    path = _notebook(tmp_path, "import asyncio\nawait asyncio.sleep(0)\nanno * 2",
                     "async def valori():\n    for n in (1, 2):\n        yield n\n[2 * v async for v in valori()]")
    for executed in _executed_twice(path, anno=2023):
        assert [cell.outputs[0].data["text/plain"] for cell in executed.cells[3:]] == ["4046", "[2, 4]"]


def test_magics_and_shell_lines_run_every_time(tmp_path):
    path = _notebook(tmp_path, "righe = !echo ciao $anno\nprint(righe[0])",
                     "%%capture catturato\nprint('nascosto', anno)",
                     "print(catturato.stdout.strip())\n%who_ls int")
    for executed in _executed_twice(path, anno=2023):
        echoed, captured, shown = (cell.outputs for cell in executed.cells[3:])
        assert echoed[0].text == "ciao 2023\n"
        assert captured == []
        assert (shown[0].text, shown[1].data["text/plain"]) == ("nascosto 2023\n", "['anno']")


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
