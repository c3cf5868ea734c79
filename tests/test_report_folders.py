"""Report folders named by territory (``Pioltello-015175``), and those earlier releases named by id alone."""

import json

import pytest

from diagnosis.batch.results import summary_table
from diagnosis.report.folder_names import (
    adopt_earlier_folder, find_report_folder, folder_name, legacy_folder_name, territory_folder_name,
)
from diagnosis.territory import resolve_territory


@pytest.mark.parametrize("name, territory_id, expected", [
    ("Pioltello", "015175", "Pioltello-015175"),
    ("Sant'Angelo Lodigiano", "098047", "Sant-Angelo-Lodigiano-098047"),
    ("Città-Distretto di Sassuolo", "citta-distretto-sassuolo", "Citta-Distretto-di-Sassuolo-citta-distretto-sassuolo"),
    ("Provincia di Modena", "provincia:MO", "Provincia-di-Modena-provincia-MO"),
    ("Bolzano/Bozen", "021008", "Bolzano-Bozen-021008"),
    ("Distretto ostile", "distretto-ostile", "distretto-ostile"),  # the name adds nothing to the id
    ("Ελλάδα", "x1", "x1"),  # nothing of the name is ASCII
])
def test_a_folder_is_named_by_the_territory_then_its_id(name, territory_id, expected):
    assert folder_name(name, territory_id) == expected


def test_a_long_or_hostile_name_gives_a_short_ascii_folder():
    name = folder_name('Distretto <script>alert("x")</script> & Co ' + "molto " * 30, "distretto-ostile")
    assert name.isascii() and name.endswith("-distretto-ostile") and len(name) <= 60 + len("-distretto-ostile")
    assert "--" not in name and not set(name) - set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")


def test_the_registry_names_give_the_folder():
    territory = resolve_territory("Cantù")
    assert territory_folder_name(territory) == f"Cantu-{territory.id}"
    assert legacy_folder_name("provincia:MO") == "provincia-MO"


def _report(output, folder: str, territory_id: str, name: str, generated: str, population: int = 10, extra=()):
    path = output / folder
    path.mkdir(parents=True)
    (path / "fotografia.html").write_text("<html></html>", encoding="utf-8")
    manifest = {"territorio": {"id": territory_id, "nome": name, "livello": "comune"}, "generata_il": generated,
                "indicatori": {"popolazione": {"valore": population}}}
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for extra_name in extra:
        (path / extra_name).write_text("del consulente", encoding="utf-8")
    return path


def test_a_report_is_found_under_any_name_a_release_gave_it(tmp_path):
    assert find_report_folder(tmp_path, "Morterone", "097055") is None
    legacy = _report(tmp_path, "097055", "097055", "Morterone", "2025-01-01T00:00:00+00:00")
    assert find_report_folder(tmp_path, "Morterone", "097055") == legacy
    current = _report(tmp_path, "Morterone-097055", "097055", "Morterone", "2026-01-01T00:00:00+00:00")
    assert find_report_folder(tmp_path, "Morterone", "097055") == current
    # a district renamed since its report was made: found by its id and its manifest
    renamed = _report(tmp_path, "Vecchio-nome-duc-prova", "duc-prova", "Vecchio nome", "2026-01-01T00:00:00+00:00")
    _report(tmp_path, "Altro-duc-prova", "altro-duc-prova", "Altro", "2026-01-01T00:00:00+00:00")
    assert find_report_folder(tmp_path, "Nuovo nome", "duc-prova") == renamed


def test_an_earlier_report_is_taken_over_under_the_current_name(tmp_path):
    territory = resolve_territory("Morterone")
    _report(tmp_path, territory.id, territory.id, "Morterone", "2025-01-01T00:00:00+00:00", extra=[".impronta"])
    adopt_earlier_folder(tmp_path, territory)
    assert sorted(p.name for p in tmp_path.iterdir()) == [territory_folder_name(territory)]
    assert (tmp_path / territory_folder_name(territory) / ".impronta").read_text(encoding="utf-8") == "del consulente"


def test_a_folder_holding_something_else_is_never_taken_over(tmp_path):
    territory = resolve_territory("Morterone")
    _report(tmp_path, territory.id, territory.id, "Morterone", "2025-01-01T00:00:00+00:00", extra=["note.docx"])
    adopt_earlier_folder(tmp_path, territory)
    assert sorted(p.name for p in tmp_path.iterdir()) == [territory.id]
    # nor is one whose manifest is another territory's, nor one when the current name is taken
    other = resolve_territory("Valvarrone")
    _report(tmp_path, other.id, territory.id, "Morterone", "2025-01-01T00:00:00+00:00")
    adopt_earlier_folder(tmp_path, other)
    assert (tmp_path / other.id).is_dir() and not (tmp_path / territory_folder_name(other)).exists()


def test_the_index_lists_a_territory_once_from_its_newest_folder(tmp_path):
    _report(tmp_path, "097055", "097055", "Morterone", "2025-01-01T00:00:00+00:00", population=28)
    _report(tmp_path, "Morterone-097055", "097055", "Morterone", "2026-01-01T00:00:00+00:00", population=29)
    _report(tmp_path, "097093", "097093", "Valvarrone", "2025-06-01T00:00:00+00:00", population=524)
    table = summary_table([], tmp_path).set_index("id")
    assert sorted(table.index) == ["097055", "097093"]
    assert table.loc["097055", "cartella"] == "Morterone-097055" and table.loc["097055", "popolazione"] == 29
    assert table.loc["097093", "report"] == "097093/fotografia.html"  # an id-named report still listed
    outcome = {"id": "097055", "nome": "Morterone", "livello": "comune", "stato": "saltato",
               "cartella": "Morterone-097055", "secondi": 0.1, "tentativi": 0, "errore": "", "generata_il": ""}
    table = summary_table([outcome], tmp_path)
    assert list(table["id"]) == ["097055", "097093"] and list(table["stato"]) == ["saltato", "precedente"]
