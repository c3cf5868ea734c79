"""What an analyst adds to a notebook renders the same in a batch, in ``diagnosis fotografia``,
under plain papermill and in JupyterLab: figures through matplotlib's inline backend, tables,
displays, in the order a kernel sends them; and a batch's memory does not grow with its reports."""

import gc
import os
import re
import subprocess
import sys
import weakref

import nbformat
import pytest
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from diagnosis.batch.engine import run_batch
from diagnosis.report.folder_names import folder_name
from diagnosis.report.fotografia import NOTEBOOK, build_fotografia
from diagnosis.report.runner import run_notebook
from diagnosis.report.shell import report_shell
from diagnosis.territory.model import comune_territory

from conftest import PROJECT_ROOT

COMUNE = "097055"  # Morterone, the smallest comune: quick to draw
FOLDER = folder_name("Morterone", COMUNE)
PNG_IN_PAGE = 'src="data:image/png;base64,'
IMAGE_IN_PAGE = re.compile(r'src="data:image/(?:png|svg\+xml);base64,')

SETUP = """\
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display
from diagnosis.report.figure import chart_from_figure
tabella = pd.DataFrame({"comune": ["Morterone", "Valvarrone"], "residenti": [32.0, 520.5]})"""

# The cells an analyst adds, each with the images and tables Jupyter shows for it. The inline
# backend shows every figure still open when a cell ends, so a figure given back as the cell's
# value, or displayed, is shown a second time unless it was closed, as in JupyterLab.
ADDED_CELLS = [
    ("plt.plot([1, 2, 3])\nplt.show()", 1, 0),
    ("fig, ax = plt.subplots()\nax.plot([3, 1])\nfig", 2, 0),
    ("fig, ax = plt.subplots()\nax.bar(['a', 'b'], [1, 2])\ndisplay(fig)", 2, 0),
    ("display(tabella)", 0, 1),
    ("tabella", 0, 1),
    ("tabella.style.format({'residenti': '{:.1f}'})", 0, 1),
    ("%matplotlib inline\n%config InlineBackend.figure_format = 'png'", 0, 0),
    ("plt.figure()\nplt.plot([0, 1])\nprint('aperta')\ntabella", 1, 1),
    ("plt.plot([1, 0]);", 1, 0),
    ("grafico = chart_from_figure(plt.subplots()[0], title='Prova', alt='Prova', source='ISTAT')\n"
     "display(grafico)", 1, 0),  # the package's own chart: one image, its figure already closed
]


def _notebook(folder, *sources: str):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('territorio = "Pioltello"\nanno = 2022', metadata={"tags": ["parameters"]}),
        *(nbformat.v4.new_code_cell(source) for source in sources),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "aggiunte.ipynb"
    nbformat.write(notebook, path)
    return path


def _analyst_notebook(folder):
    return _notebook(folder, SETUP, *(source for source, _, _ in ADDED_CELLS))


def _added_outputs(notebook) -> list[list]:
    """The outputs of the added cells (after the parameters, the injected ones and the set-up)."""
    return [cell.outputs for cell in notebook.cells[3:]]


def _kinds(notebook) -> list[list[tuple]]:
    """Per code cell, each output's type and what it carries (a stream's name, a display's mime types)."""
    return [
        [(o.output_type, o.get("name") or tuple(sorted(o.get("data", {})))) for o in cell.outputs]
        for cell in notebook.cells if cell.cell_type == "code"
    ]


def _images(outputs) -> int:
    return sum("image/png" in o.get("data", {}) or bool(IMAGE_IN_PAGE.search(o.get("data", {}).get("text/html", "")))
               for o in outputs)


def _tables(outputs) -> int:
    return sum("<table" in o.get("data", {}).get("text/html", "") for o in outputs)


def _run_in_process(path, **parameters):
    return run_notebook(path, None, {"territorio": COMUNE, **parameters}, in_process=True)


def test_each_added_cell_shows_what_jupyter_shows(tmp_path):
    added = _added_outputs(_run_in_process(_analyst_notebook(tmp_path)))
    assert [(_images(outputs), _tables(outputs)) for outputs in added] == [(i, t) for _, i, t in ADDED_CELLS]
    for outputs in added:
        assert not any(o.output_type == "error" for o in outputs)
        assert not any(o.get("data", {}).get("text/plain", "").startswith("<Figure size")
                       for o in outputs if "image/png" not in o.get("data", {}))
    assert plt.get_fignums() == []  # every figure was closed when its cell ended


def test_a_figure_left_open_is_shown_after_the_cell_value_as_a_kernel_sends_it(tmp_path):
    executed = _run_in_process(_notebook(tmp_path, "import matplotlib.pyplot as plt\n"
                                                   "plt.plot([0, 1])\nprint('prima')\n41 + 1"))
    assert _kinds(executed)[-1] == [
        ("stream", "stdout"), ("execute_result", ("text/plain",)), ("display_data", ("image/png", "text/plain")),
    ]
    assert executed.cells[-1].outputs[1].data["text/plain"] == "42"


def test_updated_and_cleared_displays_end_as_in_a_notebook(tmp_path):
    executed = _run_in_process(_notebook(
        tmp_path,
        "from IPython.display import clear_output, display\nh = display('primo', display_id=True)",
        "print('scritto')\nh.update('aggiornato')",
        "print('cancellato')\nclear_output()\nprint('rimasto')",
    ))
    assert executed.cells[-3].outputs[0].data["text/plain"] == "'aggiornato'"  # the earlier cell's display
    assert [o.text for o in executed.cells[-1].outputs] == ["rimasto\n"]


def test_each_notebook_starts_with_the_first_figure_settings(tmp_path):
    """What a notebook changes in matplotlib or in the inline backend does not reach the next one,
    as with a new kernel; figures kept open by one are closed before the next starts."""
    changing = _notebook(
        tmp_path,
        "import matplotlib.pyplot as plt\nprint(plt.rcParams['axes.facecolor'])",
        "plt.style.use('ggplot')\n%config InlineBackend.close_figures = False\n"
        "%config InlineBackend.figure_format = 'svg'\nplt.ioff()\nplt.figure()",
    )
    first = _run_in_process(changing)
    assert plt.get_fignums()  # kept open, as asked
    again = _run_in_process(changing)
    assert again.cells[2].outputs[0].text == first.cells[2].outputs[0].text
    shown = _run_in_process(_notebook(tmp_path, "import matplotlib.pyplot as plt\nplt.plot([1, 2]);"))
    assert _kinds(shown)[-1] == [("display_data", ("image/png", "text/plain"))]
    assert plt.get_fignums() == []


def test_a_batch_of_notebooks_keeps_no_figure_and_no_output(tmp_path):
    path = _notebook(tmp_path, "import matplotlib.pyplot as plt\nfig = plt.figure(figsize=(2, 2))\n"
                               "plt.plot([1, 2])\nplt.show()\nprint('mostrata')",
                     "plt.figure(figsize=(2, 2))\nplt.plot([2, 1]);")
    _run_in_process(path)
    figures = _live_figures()
    for _ in range(8):
        _run_in_process(path)
    assert _live_figures() <= figures  # only those the last notebook's variables still name
    assert plt.get_fignums() == []
    assert not any(getattr(report_shell().history_manager, "outputs", {}).values())


def _live_figures() -> int:
    gc.unfreeze()  # what the shell set aside between notebooks is counted too
    gc.collect()
    return sum(isinstance(item, Figure) for item in gc.get_objects())


def test_what_a_notebook_leaves_in_reference_cycles_is_freed_before_the_next_one():
    shell = report_shell()
    shell.start_notebook()
    shell.run_for_notebook("class Nodo:\n    pass\nnodo = Nodo()\nnodo.stesso = nodo", 1)
    left = weakref.ref(shell.user_ns["nodo"])
    shell.start_notebook()
    assert left() is None  # collected, not set aside with what lasts
    assert gc.get_freeze_count() > 0


@pytest.mark.slow
def test_batch_fotografia_and_papermill_give_the_same_outputs(tmp_path):
    path = _analyst_notebook(tmp_path)
    batch = run_batch([comune_territory(COMUNE)], tmp_path / "batch", year=2023, workers=1, notebook=path)
    assert [o["stato"] for o in batch.outcomes] == ["ok"]
    page = (tmp_path / "batch" / FOLDER / "fotografia.html").read_text(encoding="utf-8")
    assert len(IMAGE_IN_PAGE.findall(page)) == sum(images for _, images, _ in ADDED_CELLS)
    assert page.count("<table") == sum(tables for _, _, tables in ADDED_CELLS)
    assert "Figure size" not in page

    in_batch = nbformat.read(tmp_path / "batch" / FOLDER / "fotografia.ipynb", as_version=4)
    kernel = build_fotografia(comune_territory(COMUNE), year=2023, output_dir=tmp_path / "foto", notebook=path)
    papermill = tmp_path / "papermill.ipynb"
    subprocess.run([sys.executable, "-m", "papermill", str(path), str(papermill), "-k", "python3",
                    "-p", "territorio", COMUNE, "-p", "anno", "2023", "--no-progress-bar"],
                   check=True, capture_output=True, cwd=PROJECT_ROOT)
    expected = _kinds(in_batch)
    assert _kinds(nbformat.read(kernel.notebook, as_version=4)) == expected
    assert _kinds(nbformat.read(papermill, as_version=4)) == expected


@pytest.mark.slow
def test_the_fotografia_with_an_added_plt_show_shows_it_in_a_batch(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\nplt.plot([3, 1, 2])\nplt.title('Aggiunto')\nplt.show()"))
    path = tmp_path / "fotografia.ipynb"
    nbformat.write(notebook, path)
    batch = run_batch([comune_territory(COMUNE)], tmp_path / "batch", year=2023, workers=1, notebook=path)
    assert [o["stato"] for o in batch.outcomes] == ["ok"]
    executed = nbformat.read(tmp_path / "batch" / FOLDER / "fotografia.ipynb", as_version=4)
    added = executed.cells[-1].outputs
    assert [o.output_type for o in added] == ["display_data"] and "image/png" in added[0].data
    page = (tmp_path / "batch" / FOLDER / "fotografia.html").read_text(encoding="utf-8")
    package_charts = sum(_images(cell.outputs) for cell in executed.cells[:-1] if cell.cell_type == "code")
    assert package_charts > 0
    assert len(IMAGE_IN_PAGE.findall(page)) == package_charts + 1
    assert f"{PNG_IN_PAGE}{added[0].data['image/png']}" in page
    assert "Figure size" not in page


@pytest.mark.slow
@pytest.mark.parametrize(("backend", "ipython", "chosen"), [
    (None, False, "agg"),  # a script, a worker, the command line: headless
    ("module://matplotlib_inline.backend_inline", False, "module://matplotlib_inline.backend_inline"),  # a kernel
    (None, True, None),  # an IPython session chooses its own
])
def test_the_house_style_picks_agg_only_where_nothing_chose_a_backend(backend, ipython, chosen):
    code = ("from IPython.core.interactiveshell import InteractiveShell\nInteractiveShell.instance()\n" if ipython else "")
    code += "import matplotlib\nimport diagnosis.viz.style\nprint(matplotlib.get_backend(auto_select=False))"
    environment = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    if backend:
        environment["MPLBACKEND"] = backend
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment,
                               cwd=PROJECT_ROOT, check=True)
    assert completed.stdout.strip().lower() == str(chosen).lower()
