"""``diagnosis dati rimuovi``: an import undone, file and manifest entry together, after a confirmation."""

import json

import pytest

from diagnosis import store
from diagnosis.cli import main
from diagnosis.store import leftovers, raw
from diagnosis.intake import importing
from diagnosis.tables import measures
from national_files import balance_for_every_comune, demo_bytes

P2_HEADER = ('"Codice comune";"Comune";"Popolazione censita al 1° gennaio - Totale";"Nati vivi - Totale";'
             '"Morti - Totale";"Popolazione al 31 dicembre - Totale";"Informazioni"')


def _p2(year: int) -> bytes:
    lines = [f'"Bilancio demografico e popolazione residente al 31 dicembre {year}"', P2_HEADER,
             '"036040";"Sassuolo";41116;250;420;41006;"p"', '"Note: p = dato provvisorio."', ""]
    return demo_bytes(balance_for_every_comune(lines))


@pytest.fixture
def two_balances(tmp_path, monkeypatch):
    """A store holding the P2 of 2024 and of 2025, imported by hand."""
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    for year in (2024, 2025):
        path = tmp_path / f"bilancio_{year}.csv"
        path.write_bytes(_p2(year))
        importing.add_file(path)
    return tmp_path / "data" / "raw"


def _manifest_paths(folder) -> list[str]:
    return [entry["path"] for entry in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["file"]]


def test_a_file_named_by_its_path_goes_with_its_manifest_entry(two_balances, capsys):
    assert main(["dati", "rimuovi", "p2/P2_2025_it_Comuni.csv", "--si"]) == 0
    out = capsys.readouterr().out
    assert "Sarà rimosso dall'archivio:\n  p2/P2_2025_it_Comuni.csv  (p2 2025, provvisorio" in out
    assert "Rimosso 1 file con la sua voce nel manifesto" in out
    assert not (two_balances / "p2" / "P2_2025_it_Comuni.csv").exists()
    assert _manifest_paths(two_balances) == ["p2/P2_2024_it_Comuni.csv"]
    assert store.verify() == [] and raw.leftover_files() == []


def test_the_figures_it_gave_come_again_from_the_snapshot(two_balances):
    assert measures.resolve("bilancio", 2025).sum_for(["036040"]).get("nati_vivi|T") == 250
    assert main(["dati", "rimuovi", "P2_2025_it_Comuni.csv", "--si"]) == 0
    after = measures.resolve("bilancio", 2025).sum_for(["036040"])
    assert [e.origine for e in after.edizioni] == ["snapshot"]


def test_files_chosen_by_dataset_and_year_or_by_dataset_alone(two_balances, capsys):
    assert main(["dati", "rimuovi", "--dataset", "p2", "--anno", "2024", "--si"]) == 0
    assert _manifest_paths(two_balances) == ["p2/P2_2025_it_Comuni.csv"]
    assert main(["dati", "rimuovi", "--dataset", "p2", "--si"]) == 0
    assert _manifest_paths(two_balances) == [] and not (two_balances / "p2").exists()


def test_nothing_is_removed_without_a_yes(two_balances, monkeypatch, capsys):
    before = _manifest_paths(two_balances)
    monkeypatch.setattr("builtins.input", lambda _prompt: "n")
    assert main(["dati", "rimuovi", "p2/P2_2025_it_Comuni.csv"]) == 1
    assert "Nulla è stato rimosso" in capsys.readouterr().out
    assert _manifest_paths(two_balances) == before and (two_balances / "p2" / "P2_2025_it_Comuni.csv").exists()


def test_a_script_without_a_terminal_is_told_about_the_yes_flag(two_balances, monkeypatch, capsys):
    def no_terminal(_prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)
    assert main(["dati", "rimuovi", "p2/P2_2025_it_Comuni.csv"]) == 1
    assert "aggiungere --si" in capsys.readouterr().out
    assert len(_manifest_paths(two_balances)) == 2


def test_the_answer_yes_removes(two_balances, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda _prompt: "sì")
    assert main(["dati", "rimuovi", str(two_balances / "p2" / "P2_2024_it_Comuni.csv")]) == 0
    assert _manifest_paths(two_balances) == ["p2/P2_2025_it_Comuni.csv"]


@pytest.mark.parametrize("argv, listed", [
    (["dati", "rimuovi", "P2_2023_it_Comuni.csv"], "Nessun file dell'archivio si chiama 'P2_2023_it_Comuni.csv'"),
    (["dati", "rimuovi", "--dataset", "mef_irpef", "--anno", "2023"], "non c'è alcun file mef_irpef 2023"),
])
def test_an_unknown_name_lists_what_is_stored(two_balances, capsys, argv, listed):
    assert main([*argv, "--si"]) == 2
    err = capsys.readouterr().err
    assert listed in err and "File archiviati" in err
    assert "p2/P2_2024_it_Comuni.csv  (p2 2024, provvisorio" in err and "p2/P2_2025_it_Comuni.csv" in err
    assert len(_manifest_paths(two_balances)) == 2


def test_a_name_held_by_two_files_asks_for_the_path(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    for dataset in ("registro_negozi", "rilevazione_sfitti"):
        store.save_bytes(dataset, "sassuolo.csv", b"nome;comune\n", source="s", vintage="v", status="definitivo",
                         years=[2026], extra={"territorio": "036040", "comuni": ["036040"]})
    assert main(["dati", "rimuovi", "sassuolo.csv", "--si"]) == 2
    err = capsys.readouterr().err
    assert "corrisponde a più file" in err and "registro_negozi/sassuolo.csv" in err
    assert main(["dati", "rimuovi", "--dataset", "registro_negozi", "--territorio", "Sassuolo", "--si"]) == 0
    assert [e["path"] for e in store.entries()] == ["rilevazione_sfitti/sassuolo.csv"]


def test_a_removal_that_fails_before_the_manifest_puts_the_file_back(two_balances, monkeypatch):
    stored = two_balances / "p2" / "P2_2025_it_Comuni.csv"
    original = stored.read_bytes()

    def disk_full(_entries):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(raw, "_write_manifest", disk_full)
    with pytest.raises(OSError):
        raw.remove(store.entries("p2"))
    assert stored.read_bytes() == original and len(_manifest_paths(two_balances)) == 2
    assert raw.leftover_files() == []


def test_a_removal_killed_midway_is_settled_by_the_next_import(two_balances):
    listed, unlisted = two_balances / "p2" / "P2_2025_it_Comuni.csv", two_balances / "p2" / "P2_2024_it_Comuni.csv"
    # Killed before the manifest: the entry is still there, so the file goes back.
    listed.replace(listed.with_name(f".{listed.name}{leftovers.REMOVED_SUFFIX}"))
    # Killed after the manifest: the entry is gone, so the file moved aside goes too.
    raw._write_manifest([e for e in store.entries() if e["path"] != "p2/P2_2024_it_Comuni.csv"])
    unlisted.replace(unlisted.with_name(f".{unlisted.name}{leftovers.REMOVED_SUFFIX}"))
    assert {leftover.kind for leftover in raw.leftover_files()} == {"file in rimozione"}
    assert len(raw.tidy_leftovers()) == 2
    assert sorted(p.name for p in (two_balances / "p2").iterdir()) == ["P2_2025_it_Comuni.csv"]
    assert store.verify() == []
