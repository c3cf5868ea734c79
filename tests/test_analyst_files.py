"""The analyst's files: shop register and vacant-premises survey, read, checked and counted."""

import datetime as dt
import re

import openpyxl
import pytest

from diagnosis.config import TEMPLATES_DIR
from diagnosis.errors import FileAnalistaNonValido
from diagnosis.tables.analyst_files import (
    format_problems,
    kind_of,
    read_table,
    vacancy_figures,
    validate,
    validate_register,
    validate_vacancies,
)
from diagnosis.sources.commerce_groups import all_groups
from diagnosis.tables.analyst_validation import layout, parse_area
from diagnosis.sources.spreadsheets import BadCell, parse_date
from diagnosis.errors import DiagnosisError

from conftest import FIXTURES

ANALYST = FIXTURES / "analyst"
REGISTER_HEADER = ("nome;indirizzo;civico;comune;ateco;categoria;tipologia;superficie_vendita_mq;stato;"
                   "data_apertura;data_chiusura;lat;lon")
VACANCY_HEADER = "indirizzo;civico;comune;superficie_mq;ultimo_uso;data_sfitto;data_riaffitto;lat;lon"
MONTH = 365.2425 / 12  # days in the mean Gregorian month


def where(validated) -> list[tuple[int, str, str]]:
    return [(p.riga, p.colonna, p.livello) for p in validated.problemi]


def csv_bytes(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# --- reading cells ------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("120", 120.0), ("120,5", 120.5), ("1.250", 1250.0), ("1.250,5", 1250.5), ("1.250.000", 1250000.0),
    ("1 250", 1250.0), ("120.5", 120.5), ("1,250.5", 1250.5), ("0,75", 0.75), ("80 mq", 80.0), ("-5", -5.0),
])
def test_numbers_are_read_the_italian_way(text, expected):
    assert parse_area(text) == expected


@pytest.mark.parametrize("text", ["12O", "", "mq", "1,2,5", "1.25.3", "1.250,5,3", "12-5", "circa 100"])
def test_unreadable_numbers_are_refused(text):
    with pytest.raises(BadCell):
        parse_area(text)


@pytest.mark.parametrize("text", ["31/02/2024", "31/03/24", "2024/03/31", "03/2024", "marzo 2024", "31/03-2024"])
def test_unreadable_dates_are_refused(text):
    with pytest.raises(BadCell):
        parse_date(text)


# --- the clean register -------------------------------------------------------------------


def test_clean_register_with_bom_and_decimal_commas():
    kind, checked = validate(ANALYST / "registro_pulito.csv")
    assert kind == "registro_negozi"
    assert checked.problemi == []
    rows = checked.righe
    assert list(rows.index) == list(range(2, 11))
    assert rows.loc[3, "superficie_vendita_mq"] == 120.5
    assert rows.loc[4, "superficie_vendita_mq"] == 1250.5  # 1.250,5
    assert rows["superficie_vendita_mq"].dtype == "float64"
    assert rows.loc[4, "lat"] == pytest.approx(44.5362) and rows.loc[4, "lon"] == pytest.approx(10.7771)
    # one date format per row: ISO, 01/03/2010, 31.03.2021, 15-06-2015
    assert rows.loc[2, "data_apertura"] == dt.date(2018, 5, 2)
    assert rows.loc[3, "data_apertura"] == dt.date(2010, 3, 1)
    assert rows.loc[4, "data_apertura"] == dt.date(2021, 3, 31)
    assert rows.loc[5, "data_apertura"] == dt.date(2015, 6, 15)
    assert rows.loc[2, "data_chiusura"] is None
    # value synonyms: Attiva, cessata, vuoto, MSV, esercizio di vicinato, bar
    assert rows.loc[3, "stato"] == "attivo"
    assert rows.loc[6, "stato"] == "chiuso"
    assert rows.loc[7, "stato"] == "sfitto"
    assert rows.loc[4, "tipologia"] == "media struttura"
    assert rows.loc[6, "tipologia"] == "vicinato"
    assert rows.loc[5, "tipologia"] is None
    assert rows.loc[5, "categoria"] == "bar_e_ristoranti"
    # groups: from the ATECO code (a pharmacy is in three groups), else from the category
    assert rows.loc[3, "ateco"] == "477310"
    assert rows.loc[3, "gruppi"] == ["persona_e_specializzati", "farmacie", "dettaglio_totale"]
    assert rows.loc[5, "gruppi"] == ["bar_e_ristoranti"]
    assert rows.loc[7, "gruppi"] == []
    assert rows.loc[7, "nome"] == ""  # a vacant premises needs no name


# --- the register with errors ---------------------------------------------------------------


def test_every_bad_cell_of_every_row_with_its_line_and_column():
    _, checked = validate(ANALYST / "registro_errori.csv")
    assert where(checked) == [
        (3, "superficie_vendita_mq", "errore"),  # 12O
        (4, "data_apertura", "errore"),  # 31/02/2019
        (5, "data_chiusura", "errore"),  # closes in 2010, opened in 2012
        (6, "data_chiusura", "errore"),  # chiuso without a date
        (7, "categoria", "errore"),  # varie
        (8, "tipologia", "errore"),  # ipermercato
        # line 9 is empty: skipped, yet the next row is still line 10 as the spreadsheet shows it
        (10, "lat", "errore"),  # lon 1,7840: west of Italy
        (11, "nome", "errore"),  # same shop as line 2
        (12, "ateco", "errore"),  # neither ateco nor categoria
        (13, "lat", "avviso"),  # no coordinates: kept
        (14, "indirizzo", "errore"),
        (14, "ateco", "errore"),
        (14, "tipologia", "errore"),
        (14, "superficie_vendita_mq", "errore"),
        (14, "stato", "errore"),
        (14, "data_apertura", "errore"),
        (14, "data_chiusura", "errore"),
        (14, "lat", "errore"),
        (17, "lat", "errore"),  # lat and lon swapped
    ]
    # rows with only warnings stay; the same bar closed and reopened (15, 16) is no duplicate
    assert list(checked.righe.index) == [2, 13, 15, 16]
    assert checked.righe_escluse == [3, 4, 5, 6, 7, 8, 10, 11, 12, 14, 17]


def test_messages_name_the_value_the_cause_and_the_fix():
    _, checked = validate(ANALYST / "registro_errori.csv")
    by_place = {(p.riga, p.colonna): p for p in checked.problemi}
    assert str(by_place[3, "superficie_vendita_mq"]) == (
        "riga 3, colonna superficie_vendita_mq: «12O» non è un numero: scrivere la superficie di "
        "vendita in metri quadrati, es. 120 o 120,5"
    )
    assert by_place[3, "superficie_vendita_mq"].valore == "12O"
    assert "31/02/2019" in by_place[4, "data_apertura"].messaggio
    assert "precedente all'apertura" in by_place[5, "data_chiusura"].messaggio
    assert "manca la data di chiusura" in by_place[6, "data_chiusura"].messaggio
    assert "«varie»" in by_place[7, "categoria"].messaggio and "alimentare" in by_place[7, "categoria"].messaggio
    assert "vicinato, media struttura o grande struttura" in by_place[8, "tipologia"].messaggio
    assert "fuori dall'Italia" in by_place[10, "lat"].messaggio
    assert "riga 2" in by_place[11, "nome"].messaggio
    assert "mancano sia ateco sia categoria" in by_place[12, "ateco"].messaggio
    assert "invertite" in by_place[17, "lat"].messaggio
    assert not by_place[13, "lat"].grave


def test_format_problems_groups_by_row_and_stops_at_the_limit():
    _, checked = validate(ANALYST / "registro_errori.csv")
    report = format_problems(checked.problemi)
    assert report.startswith("18 errori (11 righe escluse dall'importazione), 1 avviso")
    block = report.split("Riga 14:\n")[1].split("Riga 17:")[0]
    assert block.count("  - errore, colonna ") == 8
    assert "  - avviso, colonna lat: coordinate mancanti" in report
    short = format_problems(checked.problemi, limit=3)
    assert re.findall(r"^Riga (\d+):", short, re.MULTILINE) == ["3", "4", "5"]
    assert "e altri 16 problemi non mostrati" in short
    assert format_problems([]) == "Nessun problema: il file è valido."


# --- other spellings: cp1252, commas, header synonyms, XLSX -------------------------------


def test_cp1252_comma_separated_with_header_synonyms():
    frame = read_table(ANALYST / "registro_cp1252.csv")
    assert frame.columns[0] == "Insegna" and frame.columns[3] == "Località"
    kind, checked = validate(ANALYST / "registro_cp1252.csv")
    assert kind == "registro_negozi"
    assert checked.problemi == []  # "Note" is a column people add: ignored silently
    rows = checked.righe
    assert rows.loc[2, "nome"] == "Caffè Città" and rows.loc[5, "nome"] == "Pescheria Nicolò"
    assert rows.loc[2, "indirizzo"] == "Piazza Libertà"
    assert rows.loc[2, "superficie_vendita_mq"] == 35.5
    assert rows.loc[3, "superficie_vendita_mq"] == 1250.5
    assert rows.loc[4, "superficie_vendita_mq"] == 3200.0
    assert rows.loc[2, "data_apertura"] == dt.date(2015, 3, 1)  # 1.3.2015
    assert rows.loc[6, "data_chiusura"] == dt.date(2024, 6, 15)  # 15.06.2024
    assert list(rows["tipologia"]) == [None, "media struttura", "grande struttura", "vicinato", None]
    assert list(rows["stato"]) == ["attivo", "attivo", "attivo", "chiuso", "sfitto"]
    assert rows.loc[5, "categoria"] == "alimentare" and rows.loc[5, "gruppi"] == ["alimentare", "dettaglio_totale"]
    assert rows.loc[2, "comune"] == "Fiorano Modenese"


@pytest.fixture
def register_xlsx(tmp_path):
    """A sheet with a title on row 1, the header on row 3 and numbers and dates as Excel stores them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "Registro dei negozi del Distretto"
    sheet.append([])
    sheet.append(["Denominazione", "Indirizzo", "Civico", "Codice ATECO", "Superficie di vendita (mq)",
                  "Stato", "Data apertura", "Data chiusura", "Latitudine", "Longitudine"])
    sheet.append(["Forno Bianchi", "Via Roma", 1, 47.24, 120.5, "attivo", dt.datetime(2018, 5, 2), None,
                  44.5431, 10.7852])  # row 4
    sheet.append(["Supermercato Due", "Via Radici", 200, 4711, 1250, "attivo", "31/03/2021", None,
                  44.5362, 10.7771])  # row 5
    sheet.append([])  # row 6, empty
    sheet.append(["Libreria Rossi", "Via Menotti", "5/A", "47.61", "12O", "chiuso", dt.datetime(2012, 9, 1),
                  dt.datetime(2010, 4, 30), 44.5447, 10.7857])  # row 7: two errors
    sheet.append(["Ottica Neri", "Via Roma", 20, "47.78.20", 55, "attivo", dt.date(2023, 9, 1), None,
                  None, None])  # row 8: warning only
    path = tmp_path / "registro.xlsx"
    book.save(path)
    return path


def test_xlsx_line_numbers_are_the_sheet_rows(register_xlsx):
    frame = read_table(register_xlsx)
    assert frame.attrs["riga_intestazione"] == 3
    assert list(frame.index) == [4, 5, 7, 8]
    assert frame.loc[4, "Superficie di vendita (mq)"] == "120,5"
    assert frame.loc[4, "Data apertura"] == "2018-05-02"
    kind, checked = validate(register_xlsx)
    assert kind == "registro_negozi"
    assert where(checked) == [
        (7, "superficie_vendita_mq", "errore"),
        (7, "data_chiusura", "errore"),
        (8, "lat", "avviso"),
    ]
    rows = checked.righe
    assert list(rows.index) == [4, 5, 8]
    assert rows.loc[4, "superficie_vendita_mq"] == 120.5 and rows.loc[5, "superficie_vendita_mq"] == 1250.0
    assert rows.loc[4, "ateco"] == "4724" and rows.loc[5, "ateco"] == "4711"
    assert rows.loc[4, "data_apertura"] == dt.date(2018, 5, 2)
    assert rows.loc[5, "data_apertura"] == dt.date(2021, 3, 31)
    assert rows.loc[4, "civico"] == "1"


def test_xlsx_from_bytes_and_old_xls_refused(register_xlsx):
    kind, checked = validate(register_xlsx.read_bytes(), name="registro.xlsx")
    assert kind == "registro_negozi" and list(checked.righe.index) == [4, 5, 8]
    with pytest.raises(FileAnalistaNonValido, match=r"\.xls.*salvarlo come \.xlsx"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="vecchio.xls")


def test_title_above_the_header_and_quoted_line_breaks_keep_spreadsheet_lines():
    data = csv_bytes(
        "Rilevazione sfitti centro storico;;;;;;;;",
        VACANCY_HEADER,
        'Via Roma;30;Sassuolo;40;"merceria,\npoi vuoto";15/12/2023;;44,5434;10,7856',
        "Via Roma;32;Sassuolo;4O;;01/01/2023;;44,5434;10,7857",
    )
    frame = read_table(data)
    assert frame.attrs["riga_intestazione"] == 2
    assert list(frame.index) == [3, 4]  # the cell with a line break is one spreadsheet row
    _, checked = validate(data)
    assert where(checked) == [(4, "superficie_mq", "errore")]


# --- which file -------------------------------------------------------------------------------


def test_kind_from_the_header_under_any_synonym():
    assert kind_of(REGISTER_HEADER.split(";")) == "registro_negozi"
    assert kind_of(VACANCY_HEADER.split(";")) == "rilevazione_sfitti"
    assert kind_of(["Insegna", "Via", "N.", "Stato", "Codice ATECO"]) == "registro_negozi"
    assert kind_of(["DENOMINAZIONE", "Indirizzo", "Stato", "Categoria merceologica"]) == "registro_negozi"
    assert kind_of(["Indirizzo", "Superficie (m²)", "Sfitto dal", "Riaffittato il"]) == "rilevazione_sfitti"
    assert kind_of(["Codice comune", "Età", "Totale maschi", "Totale femmine"]) is None
    assert kind_of(["nome", "indirizzo", "stato"]) is None  # neither ateco nor categoria


def test_an_unrelated_file_is_refused_naming_the_missing_columns():
    data = csv_bytes("Codice comune;Comune;Età;Totale maschi;Totale femmine", "036040;Sassuolo;0;150;140")
    with pytest.raises(FileAnalistaNonValido) as refused:
        validate(data, name="POSAS_2025.csv")
    message = str(refused.value)
    assert isinstance(refused.value, DiagnosisError)
    assert "'POSAS_2025.csv' non è né un registro dei negozi né una rilevazione dei locali sfitti" in message
    assert "per un registro dei negozi mancano le colonne nome, indirizzo, stato, ateco o categoria" in message
    assert "per una rilevazione dei locali sfitti mancano le colonne indirizzo, data_sfitto" in message
    assert "templates/registro_negozi.csv" in message and "templates/rilevazione_sfitti.csv" in message


def test_a_validator_refuses_the_other_layout():
    frame = read_table(ANALYST / "sfitti_puliti.csv")
    with pytest.raises(FileAnalistaNonValido, match="non ha le colonne di un registro dei negozi: mancano nome, stato, ateco o categoria"):
        validate_register(frame)


def test_empty_file_refused():
    with pytest.raises(FileAnalistaNonValido, match="vuoto"):
        read_table(b";;;\r\n\r\n", name="vuoto.csv")


# --- smaller rules -----------------------------------------------------------------------------


def test_header_warnings_unknown_and_repeated_columns_and_no_coordinates():
    data = csv_bytes("Insegna;Denominazione;Indirizzo;Stato;Ateco;Superfice", "Forno;Forno Bianchi;Via Roma;attivo;47.24;45")
    _, checked = validate(data)
    assert [(p.riga, p.colonna, p.livello) for p in checked.problemi] == [
        (1, "Superfice", "avviso"), (1, "nome", "avviso"), (1, "lat", "avviso"),
    ]
    assert "rinominarla come nel modello" in checked.problemi[0].messaggio
    assert checked.righe.loc[2, "nome"] == "Forno"  # the first of the two name columns


def test_an_unquoted_decimal_comma_in_a_comma_file_is_caught():
    data = csv_bytes(
        "Insegna,Indirizzo,Stato,Codice ATECO,Superficie di vendita (mq),lat,lon",
        'Bar,Via Roma,attivo,56.30,"35,5","44,5361","10,8203"',
        "Forno,Via Roma,attivo,47.24,45,44.5361,10,8203",  # lon 10 and an 8th cell 8203
    )
    frame = read_table(data)
    assert frame.attrs["separatore"] == ","
    assert frame.attrs["colonne_senza_intestazione"] == ["H (senza intestazione)"]
    _, checked = validate(data)
    assert where(checked) == [(3, "H (senza intestazione)", "errore")]
    assert "vanno tra virgolette" in checked.problemi[0].messaggio
    assert checked.righe.loc[2, "lon"] == pytest.approx(10.8203)
    assert list(checked.righe.index) == [2]


def test_a_problem_names_the_header_the_file_uses():
    data = csv_bytes("Insegna;Indirizzo;Stato;Ateco;Superficie di vendita (mq);lat;lon",
                     "Bar;Via Roma;attivo;56.30;12O;44,5361;10,8203")
    _, checked = validate(data)
    assert str(checked.problemi[0]).startswith(
        "riga 2, colonna superficie_vendita_mq («Superficie di vendita (mq)»): «12O» non è un numero"
    )
    assert "colonna superficie_vendita_mq («Superficie di vendita (mq)»)" in format_problems(checked.problemi)


def test_several_comuni_need_the_comune_on_every_row_and_codes_get_their_zeros_back():
    data = csv_bytes(
        REGISTER_HEADER,
        "Forno;Via Roma;1;36040;47.24;;;;attivo;;;44,5431;10,7852",
        "Bar;Via Roma;2;Fiorano Modenese;56.30;;;;attivo;;;44,5361;10,8203",
        "Edicola;Via Roma;3;;47.62;;;;attivo;;;44,5362;10,8204",
        "Ottica;Via Roma;4;12345678;47.78;;;;attivo;;;44,5363;10,8205",
    )
    _, checked = validate(data)
    assert where(checked) == [(4, "comune", "errore"), (5, "comune", "errore")]
    assert "più comuni" in checked.problemi[0].messaggio
    assert checked.righe.loc[2, "comune"] == "036040"


def test_area_not_allowed_for_its_class_and_category_against_ateco_are_warnings():
    data = csv_bytes(
        REGISTER_HEADER,
        "Grande Bazar;Via Roma;1;;47.19;;vicinato;400;attivo;;;44,5431;10,7852",
        "Forno;Via Roma;2;;47.24;bar;;;attivo;;;44,5432;10,7853",
        "Autosalone;Via Roma;3;;45.11;;;;attivo;;;44,5433;10,7854",
        "Gelateria;Via Roma;4;;;47.11;;;attivo;;;44,5434;10,7855",
    )
    _, checked = validate(data)
    assert where(checked) == [
        (2, "superficie_vendita_mq", "avviso"),
        (3, "categoria", "avviso"),
        (4, "ateco", "avviso"),
        (5, "categoria", "errore"),  # an ATECO code in the category column
    ]
    assert checked.righe.loc[3, "gruppi"] == ["alimentare", "dettaglio_totale"]  # the ATECO code decides
    assert checked.righe.loc[4, "gruppi"] == []
    assert "colonna ateco" in checked.problemi[3].messaggio


def test_clean_vacancy_survey():
    kind, checked = validate(ANALYST / "sfitti_puliti.csv")
    assert kind == "rilevazione_sfitti"
    assert checked.problemi == []
    rows = checked.righe
    assert rows.loc[6, "superficie_mq"] == 1020.0  # 1.020
    assert rows.loc[4, "data_riaffitto"] == dt.date(2024, 3, 1)
    assert rows.loc[2, "data_riaffitto"] is None
    assert rows.loc[2, "gruppi_ultimo_uso"] == ["persona_e_specializzati", "dettaglio_totale"]  # 47.71
    assert rows.loc[3, "gruppi_ultimo_uso"] == []  # merceria: free text
    assert rows.loc[7, "gruppi_ultimo_uso"] == ["bar_e_ristoranti"]


def test_vacancy_survey_with_errors():
    checked = validate_vacancies(read_table(ANALYST / "sfitti_errori.csv"))
    assert where(checked) == [
        (3, "superficie_mq", "errore"),  # quaranta
        (4, "data_riaffitto", "errore"),  # re-let before it was vacated
        (5, "indirizzo", "errore"),  # missing
        (6, "indirizzo", "errore"),  # same premises and date as line 2 (2023-12-15 = 15/12/2023)
        (7, "data_sfitto", "avviso"),  # no date: counted, no duration
        (8, "data_sfitto", "errore"),  # 32/01/2024
        (8, "data_riaffitto", "errore"),  # 2024-13-01
        (9, "lon", "avviso"),  # one coordinate only
    ]
    assert list(checked.righe.index) == [2, 7, 9]
    assert "riga 2" in checked.problemi[3].messaggio


# --- vacancy figures -------------------------------------------------------------------------


@pytest.fixture
def register():
    return validate(ANALYST / "registro_pulito.csv")[1]


@pytest.fixture
def survey():
    return validate(ANALYST / "sfitti_puliti.csv")[1]


def test_figures_at_the_end_of_a_past_year(register, survey):
    figures = vacancy_figures(register, survey, 2024, today=dt.date(2025, 6, 30))
    assert figures["data_riferimento"] == dt.date(2024, 12, 31)
    assert figures["fonte_sfitti"] == "rilevazione_sfitti"
    # Active on 31/12/2024 (register): Forno (2018), Farmacia (2010), Supermercato (2021),
    # Bar (2015), Ottica (2023) = 5; Libreria closed 2023, Ferramenta 28/02/2024, the two
    # vacant rows closed 2022 and 2023.
    assert figures["locali_attivi"] == 5
    # Vacant on 31/12/2024 (survey): Via Menotti 7 (since 31/10/2022), Via Roma 30
    # (15/12/2023), Viale XX Settembre 12 (28/02/2024) = 3; Via Menotti 5 and Via Mazzini 3
    # were re-let before, Via Cavour 4 was vacated only in 2025.
    assert figures["locali_sfitti"] == 3
    assert figures["locali_rilevati"] == 8  # 5 + 3
    assert figures["tasso_sfitto"] == pytest.approx(3 / 8)  # 0.375
    assert figures["superficie_sfitta_mq"] == 285.0  # 95 + 40 + 150
    assert figures["sfitti_senza_superficie"] == 0
    # Days vacant to 31/12/2024: 31/10/2022 -> 365 (to 31/10/2023) + 366 (to 31/10/2024,
    # 29/02 included) + 61 (Nov 30 + Dec 31) = 792; 15/12/2023 -> 366 + 16 = 382;
    # 28/02/2024 -> 1 (29/02) + 306 (March to December) = 307.
    assert figures["mesi_sfitto_ancora_sfitti"] == pytest.approx((792 + 382 + 307) / 3 / MONTH)  # 16.22
    # Re-let: 30/04/2023 -> 01/03/2024 = 305 (May to February 2024) + 1 = 306 days;
    # 15/01/2021 -> 15/07/2021 = 31 + 28 + 31 + 30 + 31 + 30 = 181 days.
    assert figures["mesi_sfitto_riaffittati"] == pytest.approx((306 + 181) / 2 / MONTH)  # 8.00
    assert figures["riaffittati_nell_anno"] == 1  # Via Menotti 5, 01/03/2024
    assert figures["riaffitti_per_anno"] == {2021: 1, 2024: 1}
    # Openings 1995 (Merceria), 2000, 2010, 2012, 2015, 2018, 2021, 2023 (Ottica);
    # closings 2022 (Via Menotti 7), 2023 (Libreria, Merceria), 2024 (Ferramenta).
    table = figures["aperture_chiusure"]
    assert list(table) == list(range(1995, 2025))
    assert table[2023] == {"aperture": 1, "chiusure": 2, "saldo": -1}
    assert table[2022] == {"aperture": 0, "chiusure": 1, "saldo": -1}
    assert table[2021] == {"aperture": 1, "chiusure": 0, "saldo": 1}
    assert sum(row["aperture"] for row in table.values()) == 8
    assert sum(row["chiusure"] for row in table.values()) == 4
    assert (figures["aperture_anno"], figures["chiusure_anno"], figures["saldo_anno"]) == (0, 1, -1)
    # Active shops per group: Forno and Supermercato alimentare; Farmacia and Ottica
    # persona_e_specializzati; Farmacia farmacie; Bar bar_e_ristoranti; all but the bar retail.
    per_group = figures["negozi_attivi_per_gruppo"]
    assert set(per_group) == set(all_groups())
    assert {g: n for g, n in per_group.items() if n} == {
        "alimentare": 2, "persona_e_specializzati": 2, "farmacie": 1, "bar_e_ristoranti": 1,
        "dettaglio_totale": 4,
    }
    assert figures["negozi_attivi_senza_gruppo"] == 0
    # Of the 5 active, 4 have a tipologia (the bar has none); one is a media struttura: 1 / 4.
    assert figures["negozi_con_tipologia"] == 4
    assert figures["quota_medie_grandi_strutture"] == pytest.approx(0.25)


def test_figures_today_from_the_register_alone(register):
    today = dt.date(2025, 6, 30)
    figures = vacancy_figures(register, None, today=today)
    assert figures["data_riferimento"] == today
    assert figures["fonte_sfitti"] == "registro_negozi"
    # stato as recorded: 5 attivo, 2 sfitto (Via Menotti 7, 95 mq; Via Roma 30, 40 mq)
    assert (figures["locali_attivi"], figures["locali_sfitti"], figures["locali_rilevati"]) == (5, 2, 7)
    assert figures["tasso_sfitto"] == pytest.approx(2 / 7)
    assert figures["superficie_sfitta_mq"] == 135.0  # 95 + 40
    # 31/10/2022 -> 30/06/2025 = 973 days; 15/12/2023 -> 30/06/2025 = 563 days
    assert figures["mesi_sfitto_ancora_sfitti"] == pytest.approx((973 + 563) / 2 / MONTH)
    # the register does not record re-lets
    assert figures["mesi_sfitto_riaffittati"] is None
    assert figures["riaffittati_nell_anno"] is None and figures["riaffitti_per_anno"] is None
    assert figures["aperture_anno"] is None  # no year asked


def test_figures_from_the_survey_alone_leave_the_rate_unknown(survey):
    figures = vacancy_figures(None, survey, 2024, today=dt.date(2025, 6, 30))
    assert figures["locali_attivi"] is None and figures["tasso_sfitto"] is None
    assert figures["locali_sfitti"] == 3
    assert figures["locali_rilevati"] == 6  # the survey's rows
    assert figures["aperture_chiusure"] is None and figures["negozi_attivi_per_gruppo"] is None
    assert figures["quota_medie_grandi_strutture"] is None


def test_figures_the_dates_cannot_tell_are_none_with_a_note():
    data = csv_bytes(
        REGISTER_HEADER,
        "Forno;Via Roma;1;;47.24;;vicinato;45;attivo;;;44,5431;10,7852",  # opened when?
        "Bar;Via Roma;2;;56.30;;;;attivo;01/01/2010;;44,5432;10,7853",
    )
    register = validate(data)[1]
    past = vacancy_figures(register, None, 2020, today=dt.date(2025, 6, 30))
    assert past["locali_attivi"] is None and past["tasso_sfitto"] is None
    assert past["negozi_attivi_per_gruppo"] is None
    assert any("non calcolabili" in note and "31/12/2020" in note for note in past["note"])
    today = vacancy_figures(register, None, today=dt.date(2025, 6, 30))
    assert today["locali_attivi"] == 2  # today the recorded stato tells
    assert today["locali_sfitti"] == 0 and today["tasso_sfitto"] == 0.0
    assert today["mesi_sfitto_ancora_sfitti"] is None  # no vacant premises: no mean


def test_vacant_area_is_not_summed_when_one_premises_lacks_it():
    data = csv_bytes(
        VACANCY_HEADER,
        "Via Roma;1;;40;;01/01/2024;;44,5431;10,7852",
        "Via Roma;2;;;;01/02/2024;;44,5432;10,7853",
    )
    figures = vacancy_figures(None, validate(data)[1], today=dt.date(2025, 6, 30))
    assert figures["superficie_sfitta_mq"] is None
    assert figures["superficie_sfitta_mq_nota"] == 40.0
    assert figures["sfitti_senza_superficie"] == 1
    assert any("Superficie sfitta" in note for note in figures["note"])


# --- the templates -------------------------------------------------------------------------


@pytest.mark.parametrize("template, kind", [
    ("registro_negozi.csv", "registro_negozi"),
    ("rilevazione_sfitti.csv", "rilevazione_sfitti"),
])
def test_templates_validate_without_problems(template, kind):
    found, checked = validate(TEMPLATES_DIR / template)
    assert found == kind
    assert checked.problemi == []
    assert len(checked.righe) == 3
    assert list(read_table(TEMPLATES_DIR / template).columns) == list(layout(kind).colonne)


def test_the_guide_explains_every_column_and_every_category():
    guide = (TEMPLATES_DIR / "LEGGIMI.md").read_text(encoding="utf-8")
    for kind in ("registro_negozi", "rilevazione_sfitti"):
        for column in layout(kind).colonne:
            assert f"| `{column}` |" in guide, column
    for group_id in all_groups():
        assert f"| `{group_id}` |" in guide, group_id
    assert 'diagnosis dati aggiungi registro_negozi.csv --territorio "Sassuolo (MO)"' in guide
