"""Plain Jupyter tools on the shipped notebooks: papermill's own command line, and
``jupyter nbconvert`` with the report template giving the same page as ``diagnosis fotografia``.

Every notebook runs under ``python -m papermill`` (its default engine: a new ``python3``
kernel) for a comune, a district across two provinces and a province, offline, on the
embedded snapshot, with the tests' temporary store. The runs are started once for the
module, a few at a time, and each test reads its own run.
"""

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from diagnosis import config
from diagnosis.config import NOTEBOOKS_DIR
from diagnosis.report.export import page_contents, export_html

from conftest import PROJECT_ROOT, _session_data_dir
from html_checks import external_references

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted(path.stem for path in NOTEBOOKS_DIR.glob("*.ipynb"))
TERRITORIES = ["Pioltello", "citta-distretto-sassuolo", "provincia:LC"]
# The README's own commands run the fotografia of Pioltello: that run stands for its cell.
README_RUN = ("fotografia", "Pioltello")
PARALLEL_RUNS = min(4, os.cpu_count() or 1)  # each run is one process and one kernel


def _readme_commands() -> dict[str, str]:
    """The README's papermill and nbconvert commands, as a shell would read them."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```bash\n(.*?)```", readme, re.S) if "jupyter nbconvert" in b)
    lines = block.replace("\\\n", " ").splitlines()
    return {"papermill": next(line for line in lines if line.startswith("papermill ")),
            "nbconvert": next(line for line in lines if line.startswith("jupyter nbconvert "))}


def _environment(store: Path) -> dict[str, str]:
    """Offline, the given store, and this interpreter's programs (papermill, jupyter, diagnosis) first."""
    environment = os.environ | {config.OFFLINE_VARIABLE: "1", config.DATA_DIR_VARIABLE: str(store),
                                "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    environment.pop(config.DISTRICTS_DIR_VARIABLE, None)
    return environment


def _run(command, folder: Path, environment: dict, shell: bool = False) -> subprocess.CompletedProcess:
    folder.mkdir(parents=True, exist_ok=True)
    argv = ["bash", "-c", command] if shell else command
    return subprocess.run(argv, cwd=folder, env=environment, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[tuple[str, str], tuple[subprocess.CompletedProcess, Path]]:
    """(notebook, territory) → the papermill run and the executed notebook it wrote."""
    if not shutil.which("bash"):
        pytest.skip("serve bash per eseguire i comandi del README")
    base = tmp_path_factory.mktemp("papermill")
    environment = _environment(_session_data_dir(tmp_path_factory))
    done = {}
    # First the README's run alone: it fills the store's caches, if no test has yet, for the other runs.
    readme_folder = base / "readme"
    done[README_RUN] = (_run(_readme_commands()["papermill"], readme_folder, environment, shell=True),
                        readme_folder / "eseguito.ipynb")

    def run_one(cell):
        notebook, territory = cell
        folder = base / re.sub(r"\W", "-", f"{notebook}-{territory}")
        command = [sys.executable, "-m", "papermill", str(NOTEBOOKS_DIR / f"{notebook}.ipynb"), "eseguito.ipynb",
                   "-p", "territorio", territory, "--no-progress-bar"]
        return cell, (_run(command, folder, environment), folder / "eseguito.ipynb")

    cells = [(n, t) for n in NOTEBOOKS for t in TERRITORIES if (n, t) != README_RUN]
    with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        done.update(pool.map(run_one, cells))
    return done


def test_every_notebook_asks_for_the_kernel_papermills_default_engine_starts():
    for name in NOTEBOOKS:
        notebook = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
        assert notebook.metadata.kernelspec.name == "python3", name


@pytest.mark.parametrize("territory", TERRITORIES)
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_plain_papermill_runs_the_notebook(runs, notebook, territory):
    completed, executed_path = runs[(notebook, territory)]
    assert completed.returncode == 0, completed.stderr[-3000:]
    executed = nbformat.read(executed_path, as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and f'territorio = "{territory}"' in injected[0].source
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(o.output_type in ("display_data", "execute_result") for o in outputs)


def test_readme_nbconvert_command_gives_the_report_page(runs):
    """The README's nbconvert command on the README's papermill run: the very page
    ``diagnosis fotografia`` exports from that notebook, with nothing loaded from elsewhere."""
    completed, executed_path = runs[README_RUN]
    assert completed.returncode == 0, completed.stderr[-3000:]
    converted = _run(_readme_commands()["nbconvert"], executed_path.parent,
                     _environment(Path(os.environ[config.DATA_DIR_VARIABLE])), shell=True)
    assert converted.returncode == 0, converted.stderr[-3000:]
    page = executed_path.with_suffix(".html").read_text(encoding="utf-8")
    notebook = nbformat.read(executed_path, as_version=4)
    # nbconvert ends by parsing its page again (to add tabindex and alt text): the same page
    # once both are read the same way, but for the contents, which the package's export
    # reduces to the sections the page holds.
    ours = export_html(notebook, notebook.metadata.title)
    assert str(BeautifulSoup(page_contents(page), "html.parser")) == str(BeautifulSoup(ours, "html.parser"))
    assert 'href="#perimetro"' in page and 'href="#perimetro"' not in ours  # plain: every section a fotografia can have
    assert external_references(page) == []
    assert "<script" not in page and "FotografiaContext" not in page
    assert 'lang="it"' in page and '<meta content="diagnosis" name="generator"/>' in page  # the house template
    assert len(re.findall(r'src="data:image/(?:png|svg\+xml);base64,', page)) >= 2 and "Pioltello" in page
