"""The analyst's files through ``diagnosis dati aggiungi``: checks, storage per territory, indicators."""

import pytest

from diagnosis import store
from diagnosis.cli import main
from diagnosis.indicators.compute import compute_indicators
from diagnosis.territory import resolve_territory


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_register_and_vacancy_survey_feed_the_territory_indicators(own_store, fixtures, capsys):
    files = [str(fixtures / "analyst" / name) for name in ("registro_pulito.csv", "sfitti_puliti.csv")]
    assert main(["dati", "aggiungi", *files, "--territorio", "Sassuolo"]) == 0
    assert {(e["dataset"], e["territorio"]) for e in store.entries()} == {
        ("registro_negozi", "036040"), ("rilevazione_sfitti", "036040")}
    values = compute_indicators(resolve_territory("Sassuolo"), 2023)["indicatori"]
    # active now: Forno, Farmacia, Supermercato, Bar, Ottica (5); vacant now in the survey: Via Menotti 7,
    # Via Roma 30, Viale XX Settembre 12, Via Cavour 4 (4; Via Menotti 5 and Via Mazzini 3 re-let)
    assert values["locali_sfitti_rilevazione"]["valore"] == 4
    assert values["tasso_sfitti_rilevazione"]["valore"] == pytest.approx(round(4 / 9 * 100, 2))
    assert "Rilevazione dell'analista" in values["tasso_sfitti_rilevazione"]["fonte"]
    # the survey belongs to Sassuolo: the district and the province do not inherit it
    district = compute_indicators(resolve_territory("citta-distretto-sassuolo"), 2023)["indicatori"]
    assert district["tasso_sfitti_rilevazione"]["valore"] is None
    assert "templates/registro_negozi.csv" in district["tasso_sfitti_rilevazione"]["nota"]


def test_bad_rows_are_reported_with_their_line_and_the_good_ones_imported(own_store, fixtures, capsys):
    path = str(fixtures / "analyst" / "registro_errori.csv")
    assert main(["dati", "aggiungi", path, "--territorio", "Sassuolo"]) == 0
    out = capsys.readouterr().out
    assert "Riga 3:" in out and "«12O» non è un numero" in out and "Riga 4:" in out
    assert len(store.entries("registro_negozi")) == 1


def test_an_analyst_file_needs_its_territory(own_store, fixtures, capsys):
    assert main(["dati", "aggiungi", str(fixtures / "analyst" / "registro_pulito.csv")]) == 1
    assert "--territorio" in capsys.readouterr().out
    assert store.entries() == []


def test_status_lists_per_territory_files_as_used_with_their_territory(own_store, fixtures, capsys):
    from diagnosis.intake.status import store_status

    files = [str(fixtures / "analyst" / name) for name in ("registro_pulito.csv", "sfitti_puliti.csv")]
    assert main(["dati", "aggiungi", *files, "--territorio", "Sassuolo"]) == 0
    fiorano = str(fixtures / "analyst" / "registro_cp1252.csv")  # its rows are of Fiorano Modenese
    assert main(["dati", "aggiungi", fiorano, "--territorio", "Fiorano Modenese"]) == 0
    table = store_status()
    registers = table[table["dataset"] == "registro_negozi"]
    assert registers["in_uso"].all() and set(registers["territorio"]) == {"036040", "036013"}
    capsys.readouterr()
    assert main(["dati", "stato"]) == 0
    assert "[036013]" in capsys.readouterr().out


def test_a_survey_import_reports_its_bad_rows(own_store, fixtures, capsys):
    assert main(["dati", "aggiungi", str(fixtures / "survey" / "google_forms.csv"), "--territorio", "Sassuolo"]) == 0
    out = capsys.readouterr().out
    assert "24 risposte valide (Google Moduli)" in out
    assert "riga 7, colonna" in out and "«7»" in out
    assert [e["territorio"] for e in store.entries("questionario")] == ["036040"]


def test_register_and_survey_points_for_the_map(own_store, fixtures):
    from diagnosis.tables.analyst import points

    files = [str(fixtures / "analyst" / name) for name in ("registro_pulito.csv", "sfitti_puliti.csv")]
    assert main(["dati", "aggiungi", *files, "--territorio", "Sassuolo"]) == 0
    found = points("036040")
    # 5 active shops of the register; vacant: the register's two "sfitto" rows (Via Menotti 7, Via Roma 30) and
    # the survey's four still vacant, the two addresses in both files drawn once → 4
    assert (found["stato"] == "attivo").sum() == 5
    assert sorted(found.loc[found["stato"] == "sfitto", "indirizzo"]) == [
        "Via Cavour 4", "Via Menotti 7", "Via Roma 30", "Viale XX Settembre 12"]
