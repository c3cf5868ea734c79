"""An analyst's edited copy of a notebook builds the report: ``--notebook`` of fotografia and batch."""

import nbformat
import pytest

from diagnosis import cli
from diagnosis.report.folder_names import folder_name
from diagnosis.report.lab import copy_collection

pytestmark = pytest.mark.slow

MORTERONE = "097055"  # the smallest comune: quick to draw
FOLDER = folder_name("Morterone", MORTERONE)


def _edited_copy(folder, note: str):
    """The working copy ``diagnosis lab --cartella`` makes, with a note the analyst added.

    The demography notebook stands for an edited fotografia: any notebook with the
    ``territorio`` and ``anno`` parameters builds a report, and this one runs quickly."""
    copy_collection(folder)
    path = folder / "demografia.ipynb"
    _add_note(path, note)
    return path


def _add_note(path, note: str) -> None:
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell(note))
    nbformat.write(notebook, path)


def test_fotografia_is_built_from_the_analysts_copy(tmp_path, capfd):
    note = "Nota dell'analista: i negozi sono stati contati a marzo."
    copy = _edited_copy(tmp_path / "mio_lavoro", note)
    output = tmp_path / "reports"
    assert cli.main(["fotografia", "Morterone", "--anno", "2023", "--notebook", str(copy), "--output", str(output)]) == 0
    # the kernel's stderr is the user's terminal: nothing there but what the command says
    terminal = capfd.readouterr().err
    assert "WARNING" not in terminal and "[IPKernelApp]" not in terminal
    page = (output / FOLDER / "fotografia.html").read_text(encoding="utf-8")
    assert note in page and "Morterone" in page
    assert "Piramide delle età" in page  # the copy's own content ran, not the shipped fotografia
    assert 'id="commercio"' not in page


def test_a_missing_notebook_is_refused_before_anything_is_written(tmp_path, capsys):
    output = tmp_path / "reports"
    missing = tmp_path / "manca.ipynb"
    assert cli.main(["fotografia", "Morterone", "--notebook", str(missing), "--output", str(output)]) == cli.EXIT_ERROR
    assert cli.main(["batch", MORTERONE, "--notebook", str(missing), "--output", str(output)]) == cli.EXIT_ERROR
    errors = capsys.readouterr().err
    assert errors.count(f"Notebook non trovato: {missing}") == 2 and "diagnosis lab --cartella" in errors
    assert not output.exists()


def test_batch_uses_the_copy_and_redoes_the_report_when_the_copy_changes(tmp_path, capsys):
    copy = _edited_copy(tmp_path / "mio_lavoro", "Prima stesura della nota.")
    output = tmp_path / "batch"
    command = ["batch", MORTERONE, "--anno", "2023", "--workers", "1", "--notebook", str(copy), "--output", str(output)]
    assert cli.main(command) == 0
    assert "Generate 1, già aggiornate 0, con errori 0" in capsys.readouterr().out
    assert "Prima stesura della nota." in (output / FOLDER / "fotografia.html").read_text(encoding="utf-8")

    assert cli.main(command) == 0
    assert "Generate 0, già aggiornate 1, con errori 0" in capsys.readouterr().out

    _add_note(copy, "Seconda stesura della nota.")
    assert cli.main(command) == 0
    assert "Generate 1, già aggiornate 0, con errori 0" in capsys.readouterr().out
    assert "Seconda stesura della nota." in (output / FOLDER / "fotografia.html").read_text(encoding="utf-8")
