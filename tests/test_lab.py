"""``diagnosis lab``: JupyterLab on the shipped notebooks or on an analyst's copy of them."""

import subprocess
import sys
from pathlib import Path

import pytest

from diagnosis import cli, config
from diagnosis.config import NOTEBOOKS_DIR, TEMPLATES_DIR
from diagnosis.report import lab
from diagnosis.report.brand import load_brand

SHIPPED_NOTEBOOKS = sorted(path.name for path in NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.fixture
def launched(monkeypatch):
    """The JupyterLab command lines ``diagnosis lab`` would start, with their environment."""
    calls = []
    monkeypatch.setattr(subprocess, "call", lambda command, env: calls.append((command, env)) or 0)
    monkeypatch.setattr(lab, "runs_as_root", lambda: False)
    return calls


def test_lab_opens_the_shipped_notebooks_with_the_running_interpreter(launched, capsys):
    assert cli.main(["lab", "--porta", "8899"]) == 0
    [(command, environment)] = launched
    assert command[:4] == [sys.executable, "-m", "jupyter", "lab"]
    assert f"--ServerApp.root_dir={NOTEBOOKS_DIR}" in command and "--ServerApp.port=8899" in command
    assert (NOTEBOOKS_DIR / "fotografia.ipynb").is_file()
    # The kernels start beside the notebooks, yet read the store of the folder lab was started from.
    assert environment[config.DATA_DIR_VARIABLE] == str(config.data_dir().resolve())
    assert "diagnosis lab --cartella CARTELLA" in capsys.readouterr().out


def test_options_after_the_double_dash_go_to_jupyterlab_as_they_are(launched):
    assert cli.main(["lab", "--", "--no-browser", "--ServerApp.port=9999"]) == 0
    [(command, _)] = launched
    assert command[-2:] == ["--no-browser", "--ServerApp.port=9999"]
    assert "--" not in command and "--allow-root" not in command


def test_as_root_jupyterlab_is_allowed_to_start(launched, monkeypatch):
    monkeypatch.setattr(lab, "runs_as_root", lambda: True)
    cli.main(["lab"])
    cli.main(["lab", "--", "--allow-root", "--no-browser"])
    assert [command.count("--allow-root") for command, _ in launched] == [1, 1]


def test_help_shows_how_to_pass_options_to_jupyterlab(capsys):
    with pytest.raises(SystemExit):
        cli.main(["lab", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "diagnosis lab -- --no-browser --ServerApp.port=9999" in shown
    assert "--cartella" in shown and "--allow-root" in shown


def test_working_folder_gets_a_copy_and_an_edited_notebook_is_never_overwritten(launched, tmp_path, capsys):
    folder = tmp_path / "mio_lavoro"
    assert cli.main(["lab", "--cartella", str(folder)]) == 0
    assert sorted(path.name for path in folder.glob("*.ipynb")) == SHIPPED_NOTEBOOKS
    assert (folder / "templates" / "registro_negozi.csv").read_bytes() == (TEMPLATES_DIR / "registro_negozi.csv").read_bytes()
    assert not (folder / "templates" / "fotografia").exists()  # the report's template is not for editing
    brand = folder / "templates" / "marchio.yaml"  # the consultant edits the example brand in place
    assert brand.read_bytes() == (TEMPLATES_DIR / "marchio.yaml").read_bytes()
    assert load_brand(brand).logo.startswith("data:image/svg")  # its logo came along, where the file says
    assert launched[0][0][4] == f"--ServerApp.root_dir={folder}"
    first = capsys.readouterr().out
    assert f"Copiati in {folder}: " in first and "fotografia.ipynb" in first

    edited = folder / "demografia.ipynb"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Demografia", "Demografia rivista"), encoding="utf-8")
    mine = edited.read_bytes()
    (folder / "redditi.ipynb").unlink()
    assert cli.main(["lab", "--cartella", str(folder)]) == 0
    again = capsys.readouterr().out
    assert edited.read_bytes() == mine
    assert "modificati, lasciati come sono: demografia.ipynb" in again
    assert f"Copiati in {folder}: redditi.ipynb." in again
    assert (folder / "redditi.ipynb").read_bytes() == (NOTEBOOKS_DIR / "redditi.ipynb").read_bytes()


def test_a_file_given_as_working_folder_is_refused(launched, tmp_path, capsys):
    not_a_folder = tmp_path / "appunti.txt"
    not_a_folder.write_text("x")
    assert cli.main(["lab", "--cartella", str(not_a_folder)]) == cli.EXIT_ERROR
    assert "è un file, non una cartella" in capsys.readouterr().err
    assert launched == []


def test_the_shipped_folders_are_printed_for_plain_papermill_and_nbconvert(launched, capsys):
    assert cli.main(["lab", "--percorso-notebook"]) == 0
    assert cli.main(["lab", "--percorso-modelli"]) == 0
    notebooks, templates = capsys.readouterr().out.splitlines()
    assert sorted(path.name for path in Path(notebooks).glob("*.ipynb")) == SHIPPED_NOTEBOOKS
    assert (Path(templates) / "fotografia" / "conf.json").is_file()
    assert launched == []
