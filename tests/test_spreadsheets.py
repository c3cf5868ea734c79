"""The shared spreadsheet input: decoding, separators, header rows, line numbers, Italian cells."""

import datetime as dt

import pytest

from diagnosis.errors import DiagnosisError
from diagnosis.sources.spreadsheets import (
    AVVISO,
    BadCell,
    Problem,
    Refusal,
    cell_text,
    detect_separator,
    parse_date,
    parse_number,
    read_sheet,
)
from diagnosis.text import decode_text, normalise_label, text_encoding
from xlsx_fixture import with_declared_dimension, workbook_bytes


class Rifiutato(DiagnosisError):
    pass


REFUSAL = Refusal(error=Rifiutato, advice="esportarlo di nuovo", missing="controllare il percorso",
                  rows_limit="MAX_ANALYST_ROWS")
KNOWN = {normalise_label(label) for label in ("Indirizzo", "Stato", "Superficie (mq)")}


# --- text --------------------------------------------------------------------------------


@pytest.mark.parametrize("data, text, encoding", [
    ("Città;Età\n".encode("utf-8"), "Città;Età\n", "utf-8"),
    (b"\xef\xbb\xbf" + "Città\n".encode("utf-8"), "Città\n", "utf-8"),
    ("Città “x”\n".encode("cp1252"), "Città “x”\n", "cp1252"),
    (b"A\x81B", "A\ufffdB", "cp1252"),  # a byte cp1252 leaves undefined
])
def test_decode_text_utf8_first_then_cp1252(data, text, encoding):
    assert decode_text(data) == text
    assert text_encoding(data) == encoding


def test_decode_text_refuses_cp1252_when_the_source_is_utf8_only():
    assert decode_text("Città".encode("utf-8"), utf8_only=True) == "Città"
    with pytest.raises(UnicodeDecodeError):
        decode_text("Città".encode("cp1252"), utf8_only=True)


def test_normalise_label_as_written_folds_case_spaces_and_apostrophes_but_keeps_accents():
    assert normalise_label("  Popolazione\nal 1°\u00a0gennaio ", as_written=True) == "popolazione al 1° gennaio"
    assert normalise_label("Dall\u2019estero", as_written=True) == "dall'estero"
    assert normalise_label("dall'estero", as_written=True) == "dall'estero"
    assert normalise_label("ETÀ", as_written=True) == "età"
    assert normalise_label(None, as_written=True) == ""


@pytest.mark.parametrize("text, expected", [
    ("Sup. vendita (m²)", "sup vendita m2"), ("CITTÀ", "citta"), ("città'", "citta"),
    ("Sant'Angelo  Lodigiano", "sant angelo lodigiano"), ("Weißenbach", "weissenbach"), ("", ""), (None, ""),
])
def test_normalise_label_keeps_only_ascii_words(text, expected):
    assert normalise_label(text) == expected


def test_normalise_label_with_another_separator_makes_identifiers():
    assert normalise_label("Reddito da lavoro autonomo sez.E-IA - Frequenza", "_") == (
        "reddito_da_lavoro_autonomo_sez_e_ia_frequenza")


# --- numbers and dates ---------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("1.234,5", 1234.5), ("1.234", 1234.0), ("1234,5", 1234.5), ("0,75", 0.75), ("120.5", 120.5),
    ("1,250.5", 1250.5), ("1 250", 1250.0), ("1\u202f250", 1250.0), ("-5", -5.0), ("+5", 5.0), ("0", 0.0),
])
def test_italian_numbers(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", " ", "12O", "1,2,5", "1.25.3", "12-5", "circa 100", "-", "..", "12,5%"])
def test_what_is_not_a_number_is_refused_never_zero(text):
    with pytest.raises(BadCell):
        parse_number(text)


@pytest.mark.parametrize("text", ["2024-03-31", "31/03/2024", "31-03-2024", "31.03.2024", "31/3/2024",
                                  "2024-03-31 10:15", "2024-03-31 00:00:00"])
def test_dates(text):
    assert parse_date(text) == dt.date(2024, 3, 31)


@pytest.mark.parametrize("text, cause", [("31/02/2024", "esistente"), ("31/03/24", "quattro cifre"),
                                         ("marzo 2024", "non è una data"), ("01/01/1850", "fuori luogo")])
def test_bad_dates_say_why(text, cause):
    with pytest.raises(BadCell, match=cause):
        parse_date(text)


@pytest.mark.parametrize("value, text", [
    (None, ""), (120.5, "120,5"), (1.125, "1,125"), (1250.0, "1250"), (47, "47"), (True, "VERO"),
    (dt.datetime(2024, 3, 31), "2024-03-31"), (dt.datetime(2024, 3, 31, 10, 15), "2024-03-31 10:15:00"),
    (dt.date(2024, 3, 31), "2024-03-31"), ("  testo ", "testo"),
])
def test_xlsx_cells_are_written_as_an_italian_spreadsheet_shows_them(value, text):
    assert cell_text(value) == text


def test_an_xlsx_decimal_never_reads_as_thousands():
    assert parse_number(cell_text(1.125)) == 1.125


# --- reading a sheet -------------------------------------------------------------------------


@pytest.mark.parametrize("text, separator", [
    ("a;b;c\n1;2;3\n", ";"), ("a,b,c\n", ","), ("a\tb\tc\n", "\t"), ('"x;y",b,c\n', ","),
])
def test_separator_from_the_first_line(text, separator):
    assert detect_separator(text) == separator


def test_separator_from_known_labels_beats_a_title_line():
    text = "Rilevazione, centro storico, 2024\nIndirizzo;Stato;Superficie (mq)\n"
    assert detect_separator(text) == ","
    assert detect_separator(text, KNOWN) == ";"


def test_csv_rows_keep_their_spreadsheet_lines():
    data = ("Rilevazione centro;;\n\nIndirizzo;Stato;Superficie (mq)\n"
            'Via Roma;"sfitto,\ndal 2023";40\n;;\nVia Po;attivo; 55 \n').encode("cp1252")
    sheet = read_sheet(data, "sfitti.csv", REFUSAL, KNOWN)
    assert sheet.separator == ";" and sheet.from_csv
    assert sheet.header_line == 3 and sheet.header == ["Indirizzo", "Stato", "Superficie (mq)"]
    assert sheet.rows == [(4, ["Via Roma", "sfitto,\ndal 2023", "40"]), (6, ["Via Po", "attivo", "55"])]


def test_without_known_labels_the_first_filled_row_is_the_header():
    sheet = read_sheet(b"\n\ngruppo,voto\nresidente,4\n", None, REFUSAL)
    assert (sheet.header_line, sheet.header, sheet.rows) == (3, ["gruppo", "voto"], [(4, ["residente", "4"])])


def test_xlsx_rows_are_the_sheet_rows_even_when_the_sheet_lies_about_its_size():
    data = workbook_bytes({"Foglio1": [["Titolo"], [], ["Indirizzo", "Stato", "Superficie (mq)"],
                                       ["Via Roma", "attivo", 120.5], [], ["Via Po", True, dt.datetime(2024, 3, 31)]]})
    sheet = read_sheet(with_declared_dimension(data, "A1:A1"), "registro.xlsx", REFUSAL, KNOWN)
    assert sheet.separator is None and sheet.header_line == 3
    assert sheet.rows == [(4, ["Via Roma", "attivo", "120,5"]), (6, ["Via Po", "VERO", "2024-03-31"])]


@pytest.mark.parametrize("data, fragment", [
    (b"", "vuoto"), (b" \r\n;;;\r\n", "vuoto"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 20, r"\.xls"),
    (b"<!DOCTYPE html><html></html>", "pagina web"), (b"a;b\x00\x01", "CSV"),
    (b"PK\x03\x04non uno zip", r"\.xlsx"),
])
def test_unreadable_files_are_refused_by_the_callers_error_with_its_advice(data, fragment):
    with pytest.raises(Rifiutato, match=fragment) as refused:
        read_sheet(data, "file.csv", REFUSAL)
    assert "'file.csv'" in str(refused.value)


# --- problems ----------------------------------------------------------------------------------


def test_a_problem_reads_as_its_line_column_value_and_fix():
    problem = Problem(7, "gruppo", "pensionato", "valore non previsto: ammessi residente, impresa")
    assert str(problem) == "riga 7, colonna gruppo, valore «pensionato»: valore non previsto: ammessi residente, impresa"
    assert problem.grave


def test_a_problem_does_not_repeat_a_value_its_message_quotes():
    problem = Problem(3, "superficie_mq", "12O", "«12O» non è un numero", AVVISO, "Metri quadri")
    assert str(problem) == "riga 3, colonna superficie_mq («Metri quadri»): avviso: «12O» non è un numero"
    assert not problem.grave


def test_a_whole_row_problem_names_no_column():
    assert str(Problem(4, "", "", "la riga ha 3 campi invece di 5")) == "riga 4, intera riga: la riga ha 3 campi invece di 5"
