"""``diagnosis dati scarica``: each file is fetched, recognised from its content, then stored."""

import io
import zipfile

import pytest
import responses

from diagnosis import store
from diagnosis.cli import main
from diagnosis.sources import demo_istat, istat_codes
from diagnosis.downloads.national import parse_years, source
from diagnosis.errors import AnniNonValidi

from test_code_history import SOPPRESSI
from national_files import balance_for_every_comune, demo_bytes
from test_population_store import posas_bytes


@pytest.fixture
def online_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DIAGNOSIS_OFFLINE", "0")
    return tmp_path


def _p2_zip(year: int, comuni: str = "every") -> bytes:
    lines = [f'"Bilancio demografico e popolazione residente al 31 dicembre {year}"',
             '"Codice comune";"Comune";"Popolazione censita al 1° gennaio - Totale";"Nati vivi - Totale";'
             '"Morti - Totale";"Popolazione al 31 dicembre - Totale";"Informazioni"',
             '"015175";"Pioltello";37184;300;280;37709;""', '"Note: p = dato provvisorio."', ""]
    payload = demo_bytes(balance_for_every_comune(lines) if comuni == "every" else lines)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"P2_{year}_it_Comuni.csv", payload)
    return buffer.getvalue()


@responses.activate
def test_balance_year_is_downloaded_read_whole_and_stored(online_store, capsys):
    responses.get(demo_istat.build_url("p2", 2024), body=_p2_zip(2024))
    assert main(["dati", "scarica", "--fonte", "p2", "--anni", "2024"]) == 0
    assert [(e["dataset"], e["years"], e["filename"]) for e in store.entries()] == [
        ("p2", [2024], "P2_2024_it_Comuni.zip")]
    assert "p2 2024" in capsys.readouterr().out


@responses.activate
def test_a_partial_file_served_at_the_url_is_refused_and_nothing_stored(online_store, capsys):
    responses.get(demo_istat.build_url("p2", 2024), body=_p2_zip(2024, comuni="Pioltello only"))
    assert main(["dati", "scarica", "--fonte", "p2", "--anni", "2024"]) == 1
    assert store.entries() == []
    out = capsys.readouterr().out
    assert "p2 2024: non scaricato" in out and "elenca 1 comune" in out and "incompleto" in out


@responses.activate
def test_a_wrong_year_served_at_the_url_is_refused_and_nothing_stored(online_store, capsys):
    responses.get(demo_istat.build_url("posas", 2024), body=posas_bytes(2023, {"015175": ("Pioltello", 2, 3)}))
    assert main(["dati", "scarica", "--fonte", "posas", "--anni", "2024"]) == 1
    assert store.entries() == []
    assert "non scaricato" in capsys.readouterr().out


@responses.activate
def test_html_page_with_200_is_refused(online_store, capsys):
    responses.get(demo_istat.build_url("p2", 2023), body=b"<!DOCTYPE html><html>Manutenzione</html>")
    assert main(["dati", "scarica", "--fonte", "p2", "--anni", "2023"]) == 1
    assert store.entries() == []


@responses.activate
def test_code_history_list_can_be_downloaded(online_store):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Elenco-comuni-soppressi.csv", SOPPRESSI)
    responses.get(istat_codes.SOPPRESSI_URL, body=buffer.getvalue())
    assert main(["dati", "scarica", "--fonte", "comuni_soppressi"]) == 0
    assert store.entries()[0]["dataset"] == "comuni_soppressi"


def test_years_are_parsed_and_checked():
    posas = source("posas")
    assert parse_years("2019-2021", posas) == [2019, 2020, 2021]
    assert parse_years("2020", posas) == [2020]
    for bad in ("2021-2019", "duemila", "1990"):
        with pytest.raises(AnniNonValidi):
            parse_years(bad, posas)
