"""Hostile and careless input: every attack is refused with a reason, nothing poisons a file.

One test per attack, named after what it proves. Output folders have their own suite,
``test_hostile_outputs.py``.
"""

import base64
import csv
import functools
import html
import io
import json
import os
import re
import time
import tracemalloc
import zipfile

import openpyxl
import pandas as pd
import pytest

from diagnosis.batch.results import write_summary
from diagnosis.cli import main
from diagnosis.report.folder_names import folder_name
from diagnosis.report.spreadsheets import csv_text, neutralise, safe_frame, write_xlsx
from diagnosis.store import limits
from diagnosis.intake import importing
from national_files import balance_for_every_comune, demo_bytes

HOSTILE_TEXTS = ('=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-1+1", "\t=1", "\r=1")
FORMULA_DISTRICT = "=cmd|' /C calc'!A0"
REGISTER_HEADER = "nome;indirizzo;civico;comune;ateco;stato;data_apertura;lat;lon\n"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^-?\d+(,\d+)?([eE][-+]?\d+)?$")  # as a numeric column writes it


def _shop(number: int, comune: str = "Sassuolo") -> str:
    return f"Negozio {number};Via Roma;{number};{comune};47.24;attivo;02/05/2018;44,5431;10,7852\n"


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


def test_survey_free_text_cannot_become_a_formula_in_the_needs_download(tmp_path):
    import diagnosis as dg
    from diagnosis.report.frames import tabella

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["id_risposta", "gruppo", "fascia_eta", "sesso", "pulizia",
                     "negozio_desiderato_1", "negozio_desiderato_2", "negozio_desiderato_3"])
    for number in range(12):
        wishes = [HOSTILE_TEXTS[(number + shift) % len(HOSTILE_TEXTS)] for shift in range(3)]
        writer.writerow([f"R{number}", "residente", "35-44", "F", "4", *wishes])
    survey = tmp_path / "questionario.csv"
    survey.write_text(buffer.getvalue(), encoding="utf-8")
    needs = dg.ascolto("Sassuolo", "bisogni_per_gruppo", questionario=str(survey))
    downloads = _downloads(tabella(needs, csv="bisogni_per_gruppo.csv")._repr_html_())
    text = downloads["bisogni_per_gruppo.csv"]
    assert "'=hyperlink" in text.lower() and "'@sum(a1" in text.lower()
    _assert_no_formula_cell(text)


def test_district_named_like_a_formula_is_quoted_in_the_indicator_download(tmp_path, monkeypatch):
    from diagnosis.report.runner import run_notebook
    from diagnosis.territory import resolve_territory

    from conftest import PROJECT_ROOT

    (tmp_path / "formula.yaml").write_text(
        f'id: distretto-formula\nnome: "{FORMULA_DISTRICT}"\ncomuni:\n  - Sassuolo\n  - Scandiano\n',
        encoding="utf-8")
    monkeypatch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(tmp_path))
    assert resolve_territory("distretto-formula").nome == FORMULA_DISTRICT
    executed = run_notebook(PROJECT_ROOT / "notebooks" / "demografia.ipynb", None,
                            {"territorio": "distretto-formula", "anno": 2023}, in_process=True)
    page = "".join(output.get("data", {}).get("text/html", "") for cell in executed.cells
                   if cell.cell_type == "code" for output in cell.get("outputs", []))
    indicators = _downloads(page)["indicatori.csv"]
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
    folder = tmp_path / "out" / folder_name(FORMULA_DISTRICT, "distretto-formula")
    assert folder.name == "cmd-C-calc-A0-distretto-formula"  # no character a shell or a sheet would act on
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


# --- size and decompression limits ------------------------------------------------------------

POSAS_HEAD = ('\ufeff"Popolazione residente per età e sesso al 1° gennaio 2025"\r\n'
              '"Codice comune";"Comune";"Età";"Totale maschi";"Totale femmine";"Totale"\r\n').encode("utf-8")
POSAS_ROWS = b'"036040";"Sassuolo";0;150;140;290\r\n"036040";"Sassuolo";999;150;140;290\r\n'
P2_HEADER = ('"Codice comune";"Comune";"Popolazione censita al 1° gennaio - Totale";"Nati vivi - Totale";'
             '"Morti - Totale";"Popolazione al 31 dicembre - Totale";"Informazioni"')


@functools.cache
def _p2_of(year: int) -> bytes:
    """A whole P2 of ``year`` in the demo.istat.it dialect: Sassuolo as written, every other comune filled in."""
    lines = [f'"Bilancio demografico e popolazione residente al 31 dicembre {year}"', P2_HEADER,
             '"036040";"Sassuolo";41116;250;420;41123;"p"', '"Note: p = dato provvisorio."', ""]
    return demo_bytes(balance_for_every_comune(lines))


@pytest.fixture
def empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _zip(path, members: dict, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _refused_quickly(argv: list[str], capsys, seconds: float = 2.0) -> str:
    """Run the command with memory traced; it must fail within ``seconds`` using little memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        code = main(argv)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    output = capsys.readouterr().out
    assert code == 1, output
    assert elapsed < seconds, elapsed
    assert peak < 50 * 1024 * 1024, peak
    return output


def test_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked(empty_store, tmp_path, capsys):
    bomb = tmp_path / "bomba.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("POSAS_2025_it_Comuni.csv", "w") as member:
            member.write(POSAS_HEAD)
            for _ in range(40):
                member.write(b"0" * (1024 * 1024))
    assert bomb.stat().st_size < 100_000
    output = _refused_quickly(["dati", "aggiungi", str(bomb)], capsys)
    assert "MAX_COMPRESSION_RATIO" in output and "bomba ZIP" in output
    assert not (empty_store / "raw" / "posas").exists()


def test_bzip2_member_is_refused_since_its_memory_cannot_be_bounded(empty_store, tmp_path, capsys):
    archive = _zip(tmp_path / "bz.zip", {"POSAS_2025_it_Comuni.csv": POSAS_HEAD + POSAS_ROWS}, zipfile.ZIP_BZIP2)
    output = _refused_quickly(["dati", "aggiungi", str(archive)], capsys)
    assert "deflate" in output and "POSAS_2025_it_Comuni.csv" in output


def test_archive_unpacking_beyond_the_limit_is_refused(empty_store, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 100_000)
    archive = _zip(tmp_path / "grande.zip", {"POSAS_2025_it_Comuni.csv": POSAS_HEAD + POSAS_ROWS * 3000},
                   zipfile.ZIP_STORED)
    output = _refused_quickly(["dati", "aggiungi", str(archive)], capsys)
    assert "MAX_UNPACKED_BYTES" in output and "si espande a" in output


def test_member_flood_is_refused_at_once(empty_store, tmp_path, capsys):
    archive = _zip(tmp_path / "mille.zip", {f"parte{n:04d}.csv": "a;b\n1;2\n" for n in range(1000)})
    output = _refused_quickly(["dati", "aggiungi", str(archive)], capsys, seconds=1.0)
    assert "1.000 file" in output and "MAX_ZIP_MEMBERS" in output


def test_many_members_under_the_limit_take_linear_time(empty_store, tmp_path):
    from diagnosis.errors import FileNonRiconosciuto
    from diagnosis.intake.recognise import recognise

    archive = _zip(tmp_path / "tanti.zip", {f"parte{n:03d}.csv": "a;b\n1;2\n" for n in range(450)})
    with pytest.raises(FileNonRiconosciuto):
        recognise(archive)  # the first call imports the recognisers' modules
    started = time.perf_counter()
    with pytest.raises(FileNonRiconosciuto, match="non è tra i file riconosciuti"):
        recognise(archive)
    assert time.perf_counter() - started < 2.0


def test_member_lying_about_its_size_is_refused_and_never_unpacked_beyond_it(empty_store, tmp_path, capsys):
    honest = io.BytesIO()
    with zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("POSAS_2025_it_Comuni.csv", POSAS_HEAD + POSAS_ROWS * 200_000)
    data = bytearray(honest.getvalue())
    declared = len(POSAS_HEAD + POSAS_ROWS * 200_000)
    small = (len(POSAS_HEAD) + 200).to_bytes(4, "little")
    data = data.replace(declared.to_bytes(4, "little"), small)  # local header and central directory
    liar = tmp_path / "bugiardo.zip"
    liar.write_bytes(bytes(data))
    output = _refused_quickly(["dati", "aggiungi", str(liar)], capsys)
    assert "danneggiato" in output
    assert not (empty_store / "raw" / "posas").exists()
    with zipfile.ZipFile(liar) as archive, pytest.raises(zipfile.BadZipFile):
        limits.read_member(archive, "POSAS_2025_it_Comuni.csv", "Il file")


def test_file_larger_than_any_publication_is_refused_before_reading(empty_store, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "enorme.csv"
    big.write_bytes(POSAS_HEAD + POSAS_ROWS * 100)
    output = _refused_quickly(["dati", "aggiungi", str(big)], capsys)
    assert "MAX_FILE_BYTES" in output and "pesa" in output


def test_register_beyond_the_row_limit_is_refused_before_its_rows_are_checked(empty_store, tmp_path, monkeypatch,
                                                                                capsys):
    monkeypatch.setattr(limits, "MAX_ANALYST_ROWS", 100)
    register = tmp_path / "registro.csv"
    register.write_text(REGISTER_HEADER + "".join(_shop(n) for n in range(150)), encoding="utf-8")
    output = _refused_quickly(["dati", "aggiungi", str(register), "--territorio", "Sassuolo"], capsys)
    assert "più di 100 righe" in output and "MAX_ANALYST_ROWS" in output


def test_register_larger_than_an_analyst_file_is_refused(empty_store, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(limits, "MAX_ANALYST_FILE_BYTES", 2000)
    register = tmp_path / "registro.csv"
    register.write_text(REGISTER_HEADER + "".join(_shop(n) for n in range(150)), encoding="utf-8")
    output = _refused_quickly(["dati", "aggiungi", str(register), "--territorio", "Sassuolo"], capsys)
    assert "MAX_ANALYST_FILE_BYTES" in output and "dividerlo per comune" in output


def test_long_register_import_shows_its_progress(empty_store, tmp_path, monkeypatch, capsys):
    from diagnosis.commands import progress
    from diagnosis.tables import analyst_validation as validation

    monkeypatch.setattr(progress, "SHOWN_FROM_ROWS", 100)
    monkeypatch.setattr(validation, "PROGRESS_EVERY", 50)
    register = tmp_path / "registro.csv"
    register.write_text(REGISTER_HEADER + "".join(_shop(n) for n in range(300)), encoding="utf-8")
    assert main(["dati", "aggiungi", str(register), "--territorio", "Sassuolo"]) == 0
    captured = capsys.readouterr()
    assert "Controllo di registro.csv" in captured.err and "300/300" in captured.err
    assert "300 righe valide" in captured.out


# --- no traceback reaches the user ----------------------------------------------------------------

SDMX_HEADER = "DATAFLOW,FREQ,REF_AREA,DATA_TYPE,SEX,AGE,MARITAL_STATUS,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n"
SDMX_ROW = "IT1:22_289(1.0),A,036040,JAN,9,TOTAL,99,2023-01-01,{value},\n"


def _good_csv(tmp_path):
    good = tmp_path / "bilancio.csv"
    good.write_bytes(_p2_of(2025))
    return good


def _no_traceback(captured) -> None:
    assert "Traceback" not in captured.out + captured.err
    assert "_csv.Error" not in captured.out + captured.err


def test_publisher_file_saved_with_mac_line_ends_is_refused_and_the_next_file_still_imported(
        empty_store, tmp_path, capsys):
    mac = tmp_path / "mac.csv"
    mac.write_bytes((POSAS_HEAD + POSAS_ROWS).replace(b"\r\n", b"\r"))
    assert main(["dati", "aggiungi", str(mac), str(_good_csv(tmp_path))]) == 1
    captured = capsys.readouterr()
    _no_traceback(captured)
    assert "mac.csv: rifiutato" in captured.out and "CSV (Macintosh)" in captured.out
    assert "bilancio.csv: riconosciuto come p2 2025" in captured.out


def test_random_bytes_are_refused_with_a_reason_and_the_next_file_still_imported(empty_store, tmp_path, capsys):
    noise = tmp_path / "rumore.csv"
    noise.write_bytes(bytes(range(256)) * 40)
    assert main(["dati", "aggiungi", str(noise), str(_good_csv(tmp_path))]) == 1
    captured = capsys.readouterr()
    _no_traceback(captured)
    assert "rumore.csv: rifiutato" in captured.out and "byte binari" in captured.out
    assert "bilancio.csv: riconosciuto come p2 2025" in captured.out


def test_register_saved_with_mac_line_ends_is_read_as_any_other(empty_store, tmp_path, capsys):
    register = tmp_path / "registro_mac.csv"
    register.write_bytes((REGISTER_HEADER + _shop(1) + _shop(2)).replace("\n", "\r").encode("cp1252"))
    assert main(["dati", "aggiungi", str(register), "--territorio", "Sassuolo"]) == 0
    assert "2 righe valide" in capsys.readouterr().out


def test_unexpected_failure_of_one_file_is_reported_and_the_files_after_it_imported(
        empty_store, tmp_path, monkeypatch, capsys):
    real_add = importing.add_file

    def failing_on_the_first(path, **kwargs):
        if str(path).endswith("primo.csv"):
            raise RuntimeError("guasto simulato")
        return real_add(path, **kwargs)

    monkeypatch.setattr(importing, "add_file", failing_on_the_first)
    first = tmp_path / "primo.csv"
    first.write_bytes(POSAS_HEAD + POSAS_ROWS)
    assert main(["dati", "aggiungi", str(first), str(_good_csv(tmp_path))]) == 1
    captured = capsys.readouterr()
    _no_traceback(captured)
    assert "primo.csv: non importato — Errore imprevisto" in captured.out and "--debug" in captured.out
    assert "bilancio.csv: riconosciuto come p2 2025" in captured.out


def _broken_search(monkeypatch):
    from diagnosis.commands import territori

    def broken(_name):
        raise ValueError("stato interno inatteso")

    monkeypatch.setattr(territori, "print_search", broken)
    monkeypatch.setenv("DIAGNOSIS_DEBUG", "0")


def test_unexpected_error_is_an_italian_message_with_its_own_exit_code(monkeypatch, capsys):
    _broken_search(monkeypatch)
    assert main(["territori", "cerca", "Sassuolo"]) == 3
    captured = capsys.readouterr()
    _no_traceback(captured)
    assert "Errore imprevisto durante «diagnosis territori cerca»" in captured.err
    assert "ValueError: stato interno inatteso" in captured.err and "--debug" in captured.err


@pytest.mark.parametrize("argv", [["--debug", "territori", "cerca", "Sassuolo"],
                                  ["territori", "cerca", "Sassuolo", "--debug"]])
def test_debug_flag_shows_the_traceback(monkeypatch, capsys, argv):
    _broken_search(monkeypatch)
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "Errore imprevisto" in err


def test_known_errors_keep_exit_code_two_and_show_no_traceback(capsys):
    assert main(["indicatori", "Nessunluogo"]) == 2
    captured = capsys.readouterr()
    _no_traceback(captured)
    assert captured.err.startswith("Errore: ")


def test_sdmx_answer_with_text_in_obs_value_is_refused_with_the_line(empty_store, tmp_path, capsys):
    from diagnosis.errors import FormatoNonRiconosciuto
    from diagnosis.sources.istat_sdmx import parse_sdmx_csv

    body = SDMX_HEADER + SDMX_ROW.format(value="41000.0") + SDMX_ROW.format(value="quarantamila")
    with pytest.raises(FormatoNonRiconosciuto, match="riga 3: 'quarantamila'"):
        parse_sdmx_csv(body.encode())
    assert len(parse_sdmx_csv((SDMX_HEADER + SDMX_ROW.format(value="NaN")).encode())) == 1
    answer = tmp_path / "risposta.csv"
    answer.write_text(body, encoding="utf-8")
    assert main(["dati", "aggiungi", str(answer)]) == 1
    captured = capsys.readouterr()
    _no_traceback(captured)
    assert "risposta.csv: rifiutato" in captured.out and "OBS_VALUE" in captured.out


@pytest.mark.slow
def test_batch_worker_failing_before_the_build_reports_an_error_not_a_traceback(tmp_path, monkeypatch, capfd):
    from diagnosis.batch import worker

    def unreadable_inputs(*_args):
        raise RuntimeError("ingressi illeggibili")

    monkeypatch.setattr(worker, "fingerprint", unreadable_inputs)  # inherited by the forked workers
    assert main(["batch", "097055", "--output", str(tmp_path / "out"), "--workers", "1"]) == 1
    captured = capfd.readouterr()
    _no_traceback(captured)
    assert "errore 097055" in captured.out and "ingressi illeggibili" in captured.out
    summary = json.loads((tmp_path / "out" / "riepilogo.json").read_text(encoding="utf-8"))
    assert summary[0]["stato"] == "errore"


# --- confronta refuses what cannot be compared ----------------------------------------------------


def _manifest(**changes) -> dict:
    content = {
        "schema": 1, "anno": 2023, "generata_il": "2023-03-01T10:00:00+00:00",
        "territorio": {"id": "036040", "nome": "Sassuolo", "livello": "comune", "comuni": ["036040"]},
        "indicatori": {"popolazione": {"valore": 40000, "unita": "abitanti", "fonte": "ISTAT", "stato": "definitivo",
                                       "confronti": {}}},
    }
    content.update(changes)
    return content


def _confronta(tmp_path, baseline, current) -> int:
    for name, content in (("base.json", baseline), ("nuovo.json", current)):
        text = content if isinstance(content, str) else json.dumps(content)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return main(["confronta", str(tmp_path / "base.json"), str(tmp_path / "nuovo.json"),
                 "--output", str(tmp_path / "out")])


@pytest.mark.parametrize("current, reason", [
    (_manifest(territorio={"id": "035040", "nome": "Scandiano", "livello": "comune", "comuni": ["035040"]}),
     "territori diversi"),
    (_manifest(anno=2099), "2099 è nel futuro"),
    (_manifest(anno=1980), "precedente al 1990"),
    (_manifest(schema=2), "formato 2, più recente"),
    (_manifest(schema=None), "formato di manifest conosciuto"),
    ({"cells": [], "metadata": {}, "nbformat": 4}, "non è il manifest di una fotografia"),
    (_manifest(anno=2022), "argomenti sono forse invertiti"),
], ids=["altro-territorio", "anno-futuro", "anno-1980", "schema-futuro", "schema-assente", "notebook",
        "invertiti"])
def test_confronta_refuses_what_cannot_be_compared_with_the_reason(tmp_path, capsys, current, reason):
    assert _confronta(tmp_path, _manifest(), current) == 2
    captured = capsys.readouterr()
    _no_traceback(captured)
    assert reason in captured.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", [
    "[1, 2, 3]", '"testo"', "null",
    json.dumps(_manifest(territorio="Sassuolo")),
    json.dumps(_manifest(territorio={"id": "036040", "nome": "Sassuolo", "comuni": "036040"})),
    json.dumps(_manifest(anno="2023")),
    json.dumps(_manifest(indicatori=[1, 2])),
    json.dumps(_manifest(indicatori={"popolazione": 40000})),
    json.dumps(_manifest(indicatori={"popolazione": {"valore": "quarantamila"}})),
    json.dumps(_manifest(proiezioni={"proiezioni": {"popolazione": [{"anno": 2024, "basso_80": "x"}]}})),
], ids=["lista", "testo", "null", "territorio-testo", "comuni-testo", "anno-testo", "indicatori-lista",
        "indicatore-numero", "valore-testo", "proiezione-testo"])
def test_manifest_of_unexpected_shape_is_refused_not_a_traceback(tmp_path, capsys, content):
    assert _confronta(tmp_path, content, _manifest()) == 2
    captured = capsys.readouterr()
    _no_traceback(captured)
    assert "base.json" in captured.err and "manifest" in captured.err


# --- strict territory syntax ---------------------------------------------------------------------


@pytest.mark.parametrize("argument", ["regione:", "regione:   ", "provincia:"])
def test_empty_province_or_region_is_an_error_listing_the_valid_ones(argument):
    from diagnosis.errors import TerritorioSconosciuto
    from diagnosis.territory import resolve_territory

    with pytest.raises(TerritorioSconosciuto, match="senza nulla dopo i due punti") as refused:
        resolve_territory(argument)
    assert "Piemonte" in str(refused.value) or "MO" in str(refused.value)


@pytest.mark.parametrize("argument, candidates", [
    ("regione:Ca", ("Calabria", "Campania")),
    ("provincia:Reggio", ("Reggio nell'Emilia", "Reggio di Calabria")),
])
def test_ambiguous_province_or_region_lists_every_candidate(argument, candidates):
    from diagnosis.errors import TerritorioAmbiguo
    from diagnosis.territory import resolve_territory

    with pytest.raises(TerritorioAmbiguo) as refused:
        resolve_territory(argument)
    assert all(name in str(refused.value) for name in candidates)
    assert len(refused.value.candidates) == len(candidates)


@pytest.mark.parametrize("argument, expected", [
    ("regione:08", "regione:08"), ("regione:8", "regione:08"), ("regione:Lombardia", "regione:03"),
    ("regione:emilia", "regione:08"), ("provincia:MO", "provincia:MO"), ("provincia:Modena", "provincia:MO"),
    ("provincia:036", "provincia:MO"), ("provincia:Bolzano", "provincia:BZ"), ("provincia:CA", "provincia:CA"),
])
def test_valid_province_and_region_forms_still_resolve(argument, expected):
    from diagnosis.territory import resolve_territory

    assert resolve_territory(argument).id == expected


def test_batch_with_an_empty_region_stops_before_planning_a_single_fotografia(tmp_path, capsys):
    assert main(["batch", "Deruta", "regione:", "--output", str(tmp_path / "out")]) == 2
    assert "senza nulla dopo i due punti" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- analyst rows outside the territory -------------------------------------------------------------


def test_register_rows_of_another_comune_are_reported_and_not_counted(empty_store, tmp_path, capsys):
    from diagnosis.tables import analyst

    written = ["Sassuolo", "SASSUOLO", "036040", "36040", "Sassuolo (MO)", "Fiorano Modenese", "Sasuolo", "035040"]
    register = tmp_path / "registro.csv"
    register.write_text(REGISTER_HEADER + "".join(_shop(n, comune) for n, comune in enumerate(written)),
                        encoding="utf-8")
    assert main(["dati", "aggiungi", str(register), "--territorio", "Sassuolo"]) == 0
    out = capsys.readouterr().out
    assert "5 righe valide" in out
    for line, comune in ((7, "Fiorano Modenese"), (8, "Sasuolo"), (9, "035040")):
        assert f"Riga {line}:\n  - errore, colonna comune: «{comune}» non è un comune del territorio" in out
    assert "--territorio di quel comune" in out
    assert analyst.figures("036040")["locali_attivi"] == 5  # the stored file is read the same way


def test_vacancy_rows_outside_a_district_are_left_out(empty_store, tmp_path, monkeypatch, capsys):
    from diagnosis.tables import analyst

    survey = tmp_path / "sfitti.csv"
    survey.write_text("indirizzo;civico;comune;superficie_mq;data_sfitto\n"
                      "Via Roma;1;Sassuolo;40;01/02/2023\nVia Emilia;2;Scandiano;55;01/03/2023\n"
                      "Via Giardini;3;Modena;70;01/04/2023\n", encoding="utf-8")
    (tmp_path / "duc.yaml").write_text("id: duc-prova\nnome: Prova\ncomuni:\n  - Sassuolo\n  - Scandiano\n",
                                       encoding="utf-8")
    monkeypatch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(tmp_path))
    assert main(["dati", "aggiungi", str(survey), "--territorio", "duc-prova"]) == 0
    out = capsys.readouterr().out
    assert "2 righe valide" in out and "Riga 4:" in out and "«Modena» non è un comune del territorio" in out
    assert analyst.figures("duc-prova")["locali_sfitti"] == 2


# --- leftovers of interrupted imports ------------------------------------------------------------------


def _old(path, hours: float = 2):
    stamp = time.time() - hours * 3600
    os.utime(path, (stamp, stamp))
    return path


def test_stale_part_file_is_reported_by_status_and_removed_by_the_next_import(empty_store, tmp_path, capsys):
    assert main(["dati", "aggiungi", str(_good_csv(tmp_path))]) == 0
    stale = empty_store / "raw" / "p2" / ".P2_2025_it_Comuni.csv.k1ll3d.part"
    stale.write_bytes(b"x" * 3 * 1024 * 1024)  # what a SIGKILL midway through a copy leaves
    _old(stale)
    capsys.readouterr()
    assert main(["dati", "stato"]) == 0
    out = capsys.readouterr().out
    assert "p2/.P2_2025_it_Comuni.csv.k1ll3d.part  3 MB" in out and "importazione interrotta" in out
    assert main(["dati", "aggiungi", str(_good_csv(tmp_path))]) == 0
    assert "rimossi 1 file temporanei" in capsys.readouterr().err
    assert not stale.exists()
    assert (empty_store / "raw" / "p2" / "P2_2025_it_Comuni.csv").exists()


def test_part_file_of_an_import_still_running_is_left_alone(empty_store):
    from diagnosis.store import leftovers, raw

    folder = empty_store / "raw" / "posas"
    folder.mkdir(parents=True)
    running = folder / ".POSAS_2025_it_Comuni.csv.vivo.part"
    running.write_bytes(b"in scrittura")
    _old(running)
    owner = leftovers.claim(running)  # what the importing process holds until it ends
    try:
        assert raw.tidy_leftovers() == [] and running.exists()
        assert [found.in_progress for found in raw.leftover_files()] == [True]
    finally:
        owner.release()
    assert [found.path for found in raw.tidy_leftovers()] == [running] and not running.exists()


def test_file_moved_aside_by_an_import_killed_before_the_manifest_is_put_back(empty_store, tmp_path):
    from diagnosis.store import raw

    assert main(["dati", "aggiungi", str(_good_csv(tmp_path))]) == 0
    stored = empty_store / "raw" / "p2" / "P2_2025_it_Comuni.csv"
    original = stored.read_bytes()
    backup = stored.with_name(f".{stored.name}.previous")
    stored.replace(backup)  # killed just after moving the old file aside
    assert [found.path for found in raw.tidy_leftovers()] == [backup]
    assert stored.read_bytes() == original and not backup.exists()
    assert raw.verify() == []


# --- what held, kept holding -----------------------------------------------------------------------------

SCRIPT_NAME = '<script>alert("x")</script>'


def test_hostile_names_are_escaped_in_the_batch_index_and_the_comparison_page():
    from diagnosis.batch.results import index_page
    from diagnosis.report.compare import comparison_table, composition
    from diagnosis.report.compare_output import comparison_page

    table = pd.DataFrame([{"nome": SCRIPT_NAME, "livello": "distretto", "popolazione": 10.0, "indice_vecchiaia": None,
                           "variazione_popolazione_pct": None, "stato": "errore", "errore": "<img src=x onerror=1>",
                           "generata_il": "", "report": f"{SCRIPT_NAME}/fotografia.html"}])
    baseline = _manifest(territorio={"id": "x", "nome": SCRIPT_NAME, "livello": "distretto", "comuni": ["036040"]})
    current = {**baseline, "anno": 2024}
    pages = [index_page(table),
             comparison_page(baseline, current, comparison_table(baseline, current), composition(baseline, current))]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert SCRIPT_NAME in html.unescape(page)  # shown to the reader as text


def test_zip_member_paths_climbing_out_of_the_store_write_nothing_outside(empty_store, tmp_path, capsys):
    archive = _zip(tmp_path / "scala.zip", {"../../../../fuori/P2_2025_it_Comuni.csv": _p2_of(2025),
                                           "/etc/diagnosis-prova.txt": "a;b\n"})
    before = sorted(p for p in tmp_path.rglob("*") if empty_store not in p.parents)
    main(["dati", "aggiungi", str(archive)])
    capsys.readouterr()
    assert sorted(p for p in tmp_path.rglob("*") if empty_store not in p.parents and p != empty_store) == before
    assert not (tmp_path.parent / "fuori").exists() and not os.path.exists("/etc/diagnosis-prova.csv")
    stored = [p for p in (empty_store / "raw").rglob("*") if p.is_file() and p.name != "manifest.json"]
    assert [p.name for p in stored] == ["P2_2025_it_Comuni.zip"]  # kept whole, never unpacked on disk


def test_symlink_planted_in_the_store_is_replaced_not_written_through(empty_store, tmp_path):
    precious = tmp_path / "prezioso.txt"
    precious.write_text("del proprietario", encoding="utf-8")
    folder = empty_store / "raw" / "p2"
    folder.mkdir(parents=True)
    (folder / "P2_2025_it_Comuni.csv").symlink_to(precious)
    (folder / ".P2_2025_it_Comuni.csv.trappola.part").symlink_to(precious)
    (folder / ".P2_2025_it_Comuni.csv.previous").symlink_to(precious)
    assert main(["dati", "aggiungi", str(_good_csv(tmp_path))]) == 0
    assert precious.read_text(encoding="utf-8") == "del proprietario"
    assert not (folder / "P2_2025_it_Comuni.csv").is_symlink()
    assert sorted(p.name for p in folder.iterdir()) == ["P2_2025_it_Comuni.csv"]  # the links tidied, not followed


def test_yaml_tags_in_a_district_file_run_nothing(tmp_path, monkeypatch):
    from diagnosis.errors import DistrettoNonValido
    from diagnosis.territory import resolve_territory

    marker = tmp_path / "eseguito"
    (tmp_path / "tag.yaml").write_text(
        f"id: tag\nnome: !!python/object/apply:os.system ['touch {marker}']\ncomuni:\n"
        f"  - !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    monkeypatch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(tmp_path))
    with pytest.raises(DistrettoNonValido):
        resolve_territory("tag")
    assert not marker.exists()


def test_importing_the_same_file_twice_keeps_one_entry_and_the_same_bytes(empty_store, tmp_path):
    from diagnosis import store

    for _ in range(2):
        assert main(["dati", "aggiungi", str(_good_csv(tmp_path))]) == 0
    entries = store.entries("p2")
    assert len(entries) == 1 and store.verify() == []
    assert (empty_store / "raw" / entries[0]["path"]).read_bytes() == _p2_of(2025)


def _add_one(path: str) -> str:
    return importing.add_file(path)["filename"]


@pytest.mark.slow
def test_concurrent_imports_into_one_store_keep_every_entry(empty_store, tmp_path):
    import multiprocessing

    files = []
    for year in (2021, 2022, 2023, 2024):
        path = tmp_path / f"bilancio_{year}.csv"
        path.write_bytes(_p2_of(year))
        files.append(str(path))
    with multiprocessing.get_context("fork").Pool(4) as pool:
        names = pool.map(_add_one, files)
    from diagnosis import store

    assert sorted(e["filename"] for e in store.entries("p2")) == sorted(names) and len(set(names)) == 4
    assert store.verify() == [] and store.raw.leftover_files() == []
