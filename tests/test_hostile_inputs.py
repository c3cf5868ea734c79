"""Hostile and careless input: every attack is refused with a reason, nothing poisons a file.

One test per attack, named after what it proves. Output folders have their own suite,
``test_hostile_outputs.py``.
"""

import base64
import csv
import io
import json
import re

import openpyxl
import pandas as pd
import pytest

from diagnosis.batch.results import write_summary
from diagnosis.cli import main
from diagnosis.report.spreadsheets import csv_text, neutralise, safe_frame, write_xlsx

HOSTILE_TEXTS = ('=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-1+1", "\t=1", "\r=1")
FORMULA_DISTRICT = "=cmd|' /C calc'!A0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^-?\d+(,\d+)?([eE][-+]?\d+)?$")  # as a numeric column writes it


def _downloads(html: str) -> dict[str, str]:
    """The CSV files a report page offers for download, by file name."""
    found = re.findall(r'download="([^"]+)" href="data:text/csv;charset=utf-8;base64,([^"]+)"', html)
    return {name: base64.b64decode(data).decode("utf-8-sig") for name, data in found}


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row]


def _assert_no_formula_cell(text: str) -> None:
    dangerous = [cell for cell in _cells(text) if cell.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(cell)]
    assert not dangerous, dangerous


# --- formula injection in the files the tool writes ----------------------------------------


def test_text_starting_like_a_formula_is_quoted_and_numbers_stay_numbers():
    assert [neutralise(text) for text in HOSTILE_TEXTS] == ["'" + text for text in HOSTILE_TEXTS]
    assert neutralise("Sassuolo") == "Sassuolo" and neutralise(-3.2) == -3.2 and neutralise(None) is None
    frame = pd.DataFrame({"variazione": [-3.2, 1.5], "nota": ["-3+2", "ok"], "misto": [-1, "=1"]})
    text = csv_text(frame)
    assert text.splitlines() == ["variazione;nota;misto", "-3,2;'-3+2;-1", "1,5;ok;'=1"]
    assert frame.loc[0, "nota"] == "-3+2"  # the caller's frame is left as it was


def test_survey_free_text_cannot_become_a_formula_in_the_needs_download():
    from diagnosis.survey import read_survey
    from diagnosis.survey.section import survey_section

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["id_risposta", "gruppo", "fascia_eta", "sesso", "pulizia",
                     "negozio_desiderato_1", "negozio_desiderato_2", "negozio_desiderato_3"])
    for number in range(12):
        wishes = [HOSTILE_TEXTS[(number + shift) % len(HOSTILE_TEXTS)] for shift in range(3)]
        writer.writerow([f"R{number}", "residente", "35-44", "F", "4", *wishes])
    html = survey_section(read_survey(buffer.getvalue().encode()), None, "Prova")
    downloads = _downloads(html)
    needs = downloads["bisogni_per_gruppo.csv"]
    assert "'=hyperlink" in needs.lower() and "'@sum(a1" in needs.lower()
    for text in downloads.values():
        _assert_no_formula_cell(text)


def test_district_named_like_a_formula_is_quoted_in_the_indicator_download(tmp_path, monkeypatch):
    from diagnosis.indicators import compute_indicators
    from diagnosis.report.sections import indicator_table
    from diagnosis.territory import resolve_territory

    (tmp_path / "formula.yaml").write_text(
        f'id: distretto-formula\nnome: "{FORMULA_DISTRICT}"\ncomuni:\n  - Sassuolo\n  - Scandiano\n',
        encoding="utf-8")
    monkeypatch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(tmp_path))
    district = resolve_territory("distretto-formula")
    assert district.nome == FORMULA_DISTRICT
    indicators = _downloads(indicator_table(district, compute_indicators(district, 2023)))["indicatori.csv"]
    assert "'" + FORMULA_DISTRICT in indicators.splitlines()[0]
    _assert_no_formula_cell(indicators)


def test_batch_summary_quotes_a_district_named_like_a_formula(tmp_path):
    table = pd.DataFrame([{
        "id": "distretto-formula", "nome": FORMULA_DISTRICT, "livello": "distretto", "stato": "errore",
        "cartella": "distretto-formula", "secondi": 1.5, "tentativi": 2, "errore": "@SUM(A1)",
        "generata_il": "", "popolazione": -12.5, "report": "",
    }])
    write_summary(table, tmp_path)
    text = (tmp_path / "riepilogo.csv").read_text(encoding="utf-8-sig")
    _assert_no_formula_cell(text)
    summary = pd.read_csv(tmp_path / "riepilogo.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert summary.loc[0, "nome"] == "'" + FORMULA_DISTRICT
    assert summary.loc[0, "popolazione"] == -12.5  # a negative number is still a number


def test_xlsx_never_holds_a_formula_cell(tmp_path):
    frame = pd.DataFrame({"testo": list(HOSTILE_TEXTS), "valore": [-1.5, -2, 0, 3, None, 4.25]})
    path = write_xlsx(frame, tmp_path / "prova.xlsx", sheet="prova")
    sheet = openpyxl.load_workbook(path).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert [cell.value for cell in sheet["B"][1:]] == [-1.5, -2, 0, 3, None, 4.25]
    # XML reads a carriage return back as a line feed; the quote in front is what matters
    assert [cell.value for cell in sheet["A"][1:]] == ["'" + text.replace("\r", "\n") for text in HOSTILE_TEXTS]


def test_confronta_writes_no_live_formula_in_csv_or_xlsx(tmp_path, capsys):
    baseline = {
        "schema": 1, "anno": 2023, "generata_il": "2023-03-01T10:00:00+00:00",
        "territorio": {"id": "distretto-formula", "nome": FORMULA_DISTRICT, "livello": "distretto",
                       "comuni": ["036040", "035040"]},
        "indicatori": {"popolazione": {"valore": 1000, "unita": "abitanti", "fonte": "=1+1",
                                       "stato": "@SUM(A1)", "confronti": {}}},
    }
    current = json.loads(json.dumps(baseline))
    current["anno"], current["indicatori"]["popolazione"]["valore"] = 2024, 990
    for name, content in (("base.json", baseline), ("nuovo.json", current)):
        (tmp_path / name).write_text(json.dumps(content), encoding="utf-8")
    assert main(["confronta", str(tmp_path / "base.json"), str(tmp_path / "nuovo.json"),
                 "--output", str(tmp_path / "out")]) == 0
    folder = tmp_path / "out" / "distretto-formula"
    _assert_no_formula_cell((folder / "confronto.csv").read_text(encoding="utf-8-sig"))
    sheet = openpyxl.load_workbook(folder / "confronto.xlsx").active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert "'@SUM(A1)" in [cell.value for cell in cells]
    assert -10 in [cell.value for cell in cells]  # the change is still a number


def test_safe_frame_leaves_numeric_and_date_columns_untouched():
    frame = pd.DataFrame({"n": [-1, 2], "d": pd.to_datetime(["2024-01-01", "2025-01-01"]), "t": ["-x", "y"]})
    safe = safe_frame(frame)
    assert safe["n"].tolist() == [-1, 2] and safe["d"].equals(frame["d"]) and safe["t"].tolist() == ["'-x", "y"]
