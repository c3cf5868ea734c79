"""Output folders are the user's: the tool removes only what it created and replaces nothing foreign."""

import json
import os
from pathlib import Path

import pytest

from diagnosis.batch.engine import run_batch
from diagnosis.errors import UscitaOccupata
from diagnosis.report.output_folder import (
    PREVIOUS_PREFIX, STAGING_PREFIX, check_batch_output, check_report_targets, move_into_place,
    prepare_output_dir, tidy_leftovers,
)
from diagnosis.territory.model import comune_territory


def _user_home(root: Path) -> Path:
    """What a home folder or a repository holds: hidden folders and files of the user."""
    for folder in (".git", ".venv", ".ssh", ".config", ".cache"):
        (root / folder).mkdir(parents=True)
        (root / folder / "dato").write_text("del proprietario", encoding="utf-8")
    (root / ".bashrc").write_text("export X=1\n", encoding="utf-8")
    (root / ".097055-abcd1234").mkdir()  # looks like an old staging name, but holds the user's files
    (root / ".097055-abcd1234" / "appunti.txt").write_text("miei", encoding="utf-8")
    (root / ".097093.precedente").mkdir()
    (root / ".097093.precedente" / "chiavi.pem").write_text("segreto", encoding="utf-8")
    return root


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()}


def test_tidying_never_touches_hidden_folders_the_tool_did_not_create(tmp_path):
    home = _user_home(tmp_path)
    before = _snapshot(home)
    assert tidy_leftovers(home) == []
    assert _snapshot(home) == before


def test_tidying_removes_the_tools_own_staging_and_restores_a_report_moved_aside(tmp_path):
    staging = tmp_path / f"{STAGING_PREFIX}097055-x1y2z3"
    staging.mkdir()
    (staging / "fotografia.html").write_text("a metà", encoding="utf-8")
    (tmp_path / f"{STAGING_PREFIX}index.html").write_text("parziale", encoding="utf-8")
    moved = tmp_path / f"{PREVIOUS_PREFIX}097093"
    moved.mkdir()
    (moved / "fotografia.html").write_text("versione precedente", encoding="utf-8")
    removed = tidy_leftovers(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["097093"]
    assert (tmp_path / "097093" / "fotografia.html").read_text(encoding="utf-8") == "versione precedente"
    assert {p.name for p in removed} == {staging.name, f"{STAGING_PREFIX}index.html"}


def test_old_release_leftovers_are_tidied_only_when_they_hold_report_files(tmp_path):
    old_staging = tmp_path / ".097055-abcd1234"
    old_staging.mkdir()
    (old_staging / "fotografia.ipynb").write_text("{}", encoding="utf-8")
    old_previous = tmp_path / ".097093.precedente"
    old_previous.mkdir()
    (old_previous / "fotografia.html").write_text("versione precedente", encoding="utf-8")
    (old_previous / "manifest.json").write_text("{}", encoding="utf-8")
    tidy_leftovers(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["097093"]


def test_a_staging_link_is_removed_without_following_it(tmp_path):
    precious = tmp_path / "fuori"
    precious.mkdir()
    (precious / "tesi.txt").write_text("anni di lavoro", encoding="utf-8")
    output = tmp_path / "out"
    output.mkdir()
    os.symlink(precious, output / f"{STAGING_PREFIX}097055-trap")
    tidy_leftovers(output)
    assert (precious / "tesi.txt").read_text(encoding="utf-8") == "anni di lavoro"
    assert not list(output.iterdir())


def test_a_foreign_folder_with_a_report_name_is_not_replaced(tmp_path):
    mine = tmp_path / "015175"
    mine.mkdir()
    (mine / "fotografia.html").write_text("il mio lavoro", encoding="utf-8")
    (mine / "note.docx").write_text("note", encoding="utf-8")
    with pytest.raises(UscitaOccupata, match="015175") as refused:
        check_report_targets(tmp_path, ["015175"])
    assert "Nulla è stato modificato" in str(refused.value)
    staging = tmp_path / f"{STAGING_PREFIX}015175-abc"
    staging.mkdir()
    with pytest.raises(UscitaOccupata):
        move_into_place(staging, mine)
    assert (mine / "note.docx").exists() and not staging.exists()


def test_a_report_of_the_tool_is_replaced(tmp_path):
    target = tmp_path / "015175"
    target.mkdir()
    for name in ("fotografia.html", "manifest.json", ".impronta"):
        (target / name).write_text("vecchio", encoding="utf-8")
    check_report_targets(tmp_path, ["015175"])
    staging = tmp_path / f"{STAGING_PREFIX}015175-abc"
    staging.mkdir()
    (staging / "fotografia.html").write_text("nuovo", encoding="utf-8")
    move_into_place(staging, target)
    assert (target / "fotografia.html").read_text(encoding="utf-8") == "nuovo"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["015175"]


@pytest.mark.parametrize("name, content", [
    ("index.html", "<html><title>Il mio sito</title></html>"),
    ("riepilogo.csv", "conto;importo\n1;2\n"),
    ("riepilogo.json", '{"mio": true}'),
])
def test_a_batch_refuses_to_overwrite_foreign_index_or_summaries(tmp_path, name, content):
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(UscitaOccupata, match=name):
        check_batch_output(tmp_path, ["097055"])
    assert (tmp_path / name).read_text(encoding="utf-8") == content


def test_a_batch_refuses_a_log_folder_of_someone_else(tmp_path):
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "server.txt").write_text("righe", encoding="utf-8")
    with pytest.raises(UscitaOccupata, match="log"):
        check_batch_output(tmp_path, ["097055"])


def test_the_batch_files_the_tool_wrote_are_its_own(tmp_path):
    (tmp_path / "index.html").write_text('<meta name="generator" content="diagnosis">', encoding="utf-8")
    (tmp_path / "riepilogo.json").write_text(json.dumps([{"id": "1", "nome": "A", "livello": "comune",
                                                            "stato": "ok", "cartella": "1"}]), encoding="utf-8")
    (tmp_path / "riepilogo.csv").write_text("\ufeffid;nome;livello;stato;cartella\n", encoding="utf-8")
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "097055.log").write_text("ok", encoding="utf-8")
    check_batch_output(tmp_path, ["097055"])


def test_an_output_that_is_a_file_or_under_a_file_is_an_italian_error(tmp_path):
    a_file = tmp_path / "uscita.txt"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(UscitaOccupata, match="è un file"):
        prepare_output_dir(a_file)
    with pytest.raises(UscitaOccupata, match="Indicare"):
        prepare_output_dir(a_file / "sotto")


@pytest.mark.slow
def test_a_batch_into_a_home_folder_keeps_every_hidden_folder(tmp_path):
    home = _user_home(tmp_path / "casa")
    before = _snapshot(home)
    result = run_batch([comune_territory("097055")], home, year=2023, workers=1)
    assert [o["stato"] for o in result.outcomes] == ["ok"]
    after = _snapshot(home)
    assert {k: v for k, v in after.items() if k in before} == before
    assert (home / "Morterone-097055" / "fotografia.html").exists() and (home / "index.html").exists()
    assert not [p for p in home.iterdir() if p.name.startswith(STAGING_PREFIX)]


def test_the_cli_refuses_a_batch_over_foreign_content_without_a_traceback(tmp_path, capsys):
    from diagnosis.cli import main

    (tmp_path / "Morterone-097055").mkdir()
    (tmp_path / "Morterone-097055" / "bilancio.xlsx").write_text("del comune", encoding="utf-8")
    assert main(["batch", "097055", "--output", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "Errore:" in error and "Morterone-097055" in error and "Traceback" not in error
    assert (tmp_path / "Morterone-097055" / "bilancio.xlsx").exists()
    assert not (tmp_path / "index.html").exists()
