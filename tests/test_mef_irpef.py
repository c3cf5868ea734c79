"""MEF "Redditi e principali variabili IRPEF su base comunale": URLs, parser, recogniser."""

import datetime
import io
import sys
import time
import types
import zipfile

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import diagnosis
from diagnosis.errors import (
    AnnoNonDisponibile,
    ArchivioSenzaCsv,
    DatiNonDisponibili,
    DiagnosisError,
    FormatoNonRiconosciuto,
    RispostaHtml,
    RisorsaOffline,
)
from diagnosis.sources import mef_irpef
from diagnosis.sources.mef_irpef import (
    build_urls,
    income_year_range,
    parse_mef,
    parse_mef_csv,
    parse_mef_zip,
    recognise_mef,
    request_headers,
    variable_id,
)
from diagnosis.text import normalise_label

FONTE = "MEF - Dipartimento delle Finanze"
BANDS = [
    "minore_o_uguale_a_zero_euro", "da_0_a_10000_euro", "da_10000_a_15000_euro", "da_15000_a_26000_euro",
    "da_26000_a_55000_euro", "da_55000_a_75000_euro", "da_75000_a_120000_euro", "oltre_120000_euro",
]


def _pairs(stems):
    return [f"{stem}_{measure}" for stem in stems for measure in ("frequenza", "ammontare")]


EARLY_IDS = ["contribuenti"] + _pairs([
    "reddito_da_fabbricati", "reddito_da_lavoro_dipendente", "reddito_da_pensione",
    "reddito_da_lavoro_autonomo_sez_e_ia", "reddito_da_lavoro_autonomo_sez_e_ib",
    "reddito_imprenditore_contabilita_ordinaria", "reddito_imprenditore_contabilita_semplificata",
    "reddito_da_partecipazione", "reddito_imponibile", "imposta_netta", "reddito_imponibile_addizionale",
    "addizionale_regionale_dovuta", "addizionale_comunale_dovuta",
] + [f"reddito_complessivo_{band}" for band in BANDS])

LATE_IDS = ["contribuenti"] + _pairs([
    "reddito_da_fabbricati", "reddito_da_lavoro_dipendente_e_assimilati", "reddito_da_pensione",
    "reddito_da_lavoro_autonomo_compresi_nulli", "reddito_imprenditore_contabilita_ordinaria_compresi_nulli",
    "reddito_imprenditore_contabilita_semplificata_compresi_nulli", "reddito_da_partecipazione_compresi_nulli",
    "reddito_imponibile", "imposta_netta", "trattamento_spettante", "reddito_imponibile_addizionale",
    "addizionale_regionale_dovuta", "addizionale_comunale_dovuta", "reddito_complessivo",
] + [f"reddito_complessivo_{band}" for band in BANDS])

NA = np.nan
# The values typed into tests/fixtures/mef/*.csv, by comune, in file column order.
EARLY_VALUES = {
    "001001": [1850, 820, 1203456, 960, 15234567, 610, 8123456, 41, 1023456, 3, 12345, 2, 54321, 48, 987654,
               95, 1456789, 1402, 20123456, 1350, 4012345, 1520, 28012345, 1490, 245678, 1100, 98765,
               18, -123456, 520, 2612345, 300, 3712345, 650, 12812345, 330, 11234567, 20, 1212345, 9, 812345,
               3, 612345],
    "015175": [23012, 11234, 12003456, 16012, 398123456, 5234, 70123456, 302, 11234567, 21, 98765, 18, 912345,
               601, 10123456, 640, 12345678, 19012, 301234567, 17234, 60123456, 20123, 420123456, 19876,
               4123456, 18765, 1234567, 102, -712345, 4512, 23123456, 3012, 38123456, 8712, 178123456,
               5912, 201234567, 402, 25123456, 250, 22123456, 122, 24123456],
    "103072": [23456, 12345, 13456789, 13012, 260123456, 8123, 120123456, 356, 12345678, NA, NA, 25, 1234567,
               702, 12345678, 698, 14567890, 18321, 330123456, 17012, 70123456, 20012, 450123456, 19765,
               5012345, 17654, 1512345, 120, -812345, 5234, 26123456, 3456, 43123456, 7654, 160123456,
               6123, 215123456, 512, 32123456, 300, 28123456, NA, NA],
}
LATE_VALUES = {
    "001001": [1702, 905, 1012345, 870, 21234567, 720, 13123456, 20, 812345, 2, 112345, 45, 1012345, 60,
               1234567, 1650, 34123456, 1310, 6812345, 150, 132345, 1320, 33012345, 1300, 512345, 1280,
               212345, 1690, 35012345, 8, -45678, 380, 1812345, 200, 2512345, 560, 11812345, 470, 16012345,
               40, 2512345, 22, 2012345, 10, 2123456],
    "015175": [26100, 13001, 10123456, 17501, 405123456, 7101, 162123456, 180, 12912345, 24, 1123456, 490,
               15012345, 520, 13912345, 25300, 612345678, 21900, 115123456, 3800, 3212345, 21600, 590123456,
               21300, 8412345, 20800, 4212345, 25800, 640123456, NA, NA, 5300, 25012345, 2800, 35512345,
               8100, 170012345, 8200, 285123456, 610, 39012345, 400, 36912345, NA, NA],
}


def expected_tidy(year, ids, values_by_code, not_comparable=()):
    codes = sorted(values_by_code)
    n = len(codes) * len(ids)
    variabile = ids * len(codes)
    return pd.DataFrame({
        "codice": pd.array([code for code in codes for _ in ids], dtype="str"),
        "anno": np.full(n, year, dtype="int64"),
        "variabile": pd.array(variabile, dtype="str"),
        "valore": np.array([v for code in codes for v in values_by_code[code]], dtype="float64"),
        "fonte": pd.array([FONTE] * n, dtype="str"),
        "vintage": pd.array([f"dichiarazioni {year + 1} (anno d'imposta {year})"] * n, dtype="str"),
        "stato": pd.array(["definitivo"] * n, dtype="str"),
        "confrontabile": np.array([name not in not_comparable for name in variabile]),
    })


@pytest.fixture
def early_bytes(fixtures):
    return (fixtures / "mef" / "irpef_comunale_2004_cp1252.csv").read_bytes()


@pytest.fixture
def late_bytes(fixtures):
    return (fixtures / "mef" / "irpef_comunale_2023_utf8.csv").read_bytes()


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


HTML_PAGE = (
    b"<!DOCTYPE html>\r\n<html lang=\"it\">\r\n<head><title>Dipartimento delle Finanze - Analisi statistiche"
    b"</title></head>\r\n<body><p>Sessione scaduta</p></body></html>\r\n"
)


# --- URLs and years ------------------------------------------------------------------


def test_income_year_range_follows_publication_lag():
    assert income_year_range(datetime.date(2026, 3, 31)) == range(2000, 2024)
    assert income_year_range(datetime.date(2026, 4, 1)) == range(2000, 2025)
    assert income_year_range(datetime.date(2025, 11, 24))[-1] == 2023


def test_build_urls_for_every_tax_year():
    for year in income_year_range(datetime.date(2026, 1, 1)):
        first, second = build_urls(year)
        assert first == (
            "https://www1.finanze.gov.it/finanze3/analisi_stat/v_4_0_0/contenuti/"
            f"Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_{year}.zip?d=1615465800"
        )
        assert second == (
            "https://www1.finanze.gov.it/finanze/analisi_stat/public/v_4_0_0/contenuti/"
            f"Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_{year}.zip?d=1615465800"
        )


@pytest.mark.parametrize("year", [1999, "2020", 2020.0, True])
def test_build_urls_refuses_invalid_years(year):
    with pytest.raises(AnnoNonDisponibile, match="dal 2000"):
        build_urls(year)


def test_request_headers_carry_referer_and_browser_user_agent():
    headers = request_headers()
    assert headers["Referer"].startswith("https://www1.finanze.gov.it/finanze3/analisi_stat/index.php")
    assert "cCOMUNE" in headers["Referer"]
    assert headers["User-Agent"].startswith("Mozilla/5.0")


# --- Header labels -------------------------------------------------------------------


@pytest.mark.parametrize(("label", "expected"), [
    ("Numero contribuenti", "contribuenti"),
    ("Reddito imponibile - Ammontare in euro", "reddito_imponibile_ammontare"),
    ("Reddito imponibile - Ammontare", "reddito_imponibile_ammontare"),
    ("Reddito da lavoro autonomo\xa0sez.E-IB - Frequenza\xa0", "reddito_da_lavoro_autonomo_sez_e_ib_frequenza"),
    ("Reddito da lavoro dipendente  - Frequenza", "reddito_da_lavoro_dipendente_frequenza"),
    ("Reddito di spettanza dell'imprenditore in contabilità ordinaria (compresi valori nulli) - Ammontare",
     "reddito_imprenditore_contabilita_ordinaria_compresi_nulli_ammontare"),
    ("Reddito spettanza imprenditore ordinaria  (compresi nulli) - Frequenza",
     "reddito_imprenditore_contabilita_ordinaria_compresi_nulli_frequenza"),
    ("Reddito imponibile addizionale IRPEF - Ammontare", "reddito_imponibile_addizionale_ammontare"),
    ("Reddito complessivo minore di zero euro - Frequenza",
     "reddito_complessivo_minore_o_uguale_a_zero_euro_frequenza"),
    ("Bonus spettante - Frequenza", "bonus_spettante_frequenza"),
    ("Trattamento spettante - Ammontare in euro", "trattamento_spettante_ammontare"),
    (" ", None),
    ("", None),
])
def test_variable_ids_are_stable_across_wordings(label, expected):
    assert variable_id(label) == expected


def test_normalise_label_drops_accents_apostrophes_and_nbsp():
    label = "Reddito da\xa0lavoro  autonomo - Contabilità' X"
    assert normalise_label(label, "_") == "reddito_da_lavoro_autonomo_contabilita_x"


# --- Parsing -------------------------------------------------------------------------


def test_parse_early_year_cp1252_unpadded_codes(early_bytes):
    expected = expected_tidy(2004, EARLY_IDS, EARLY_VALUES,
                             not_comparable={"reddito_imponibile_frequenza", "reddito_imponibile_ammontare"})
    assert_frame_equal(parse_mef_csv(early_bytes), expected)


def test_parse_late_year_utf8_drops_junk_row_keeps_suppressed_missing(late_bytes):
    expected = expected_tidy(2023, LATE_IDS, LATE_VALUES)
    tidy = parse_mef_csv(late_bytes)
    assert_frame_equal(tidy, expected)
    suppressed = tidy[(tidy["codice"] == "015175") & tidy["variabile"].str.startswith("reddito_complessivo_oltre")]
    assert suppressed["valore"].isna().all()


def test_parse_tolerates_a_bom(late_bytes):
    assert_frame_equal(parse_mef_csv(b"\xef\xbb\xbf" + late_bytes), parse_mef_csv(late_bytes))


def test_parse_with_given_year_and_vintage(early_bytes):
    tidy = parse_mef_csv(early_bytes, year=2004, vintage="scaricato il 2026-11-24")
    assert set(tidy["vintage"]) == {"scaricato il 2026-11-24"}


def test_parse_refuses_a_year_that_contradicts_the_content(early_bytes):
    with pytest.raises(FormatoNonRiconosciuto, match="anno d'imposta 2004, non del 2005"):
        parse_mef_csv(early_bytes, year=2005)


def small_csv(code_cell: str, value: str = "1234", year_column: bool = True) -> bytes:
    """A 2012-like file (quoted codes) with one comune and one junk row."""
    anno = "Anno di imposta;" if year_column else ""
    year = "2012;" if year_column else ""
    lines = [
        f"{anno}Codice catastale;Codice Istat Comune;Denominazione Comune;Numero contribuenti;"
        "Reddito imponibile - Frequenza;Reddito imponibile - Ammontare;",
        f'{year}A074;"001001";AGLIE\';{value};1200;20123456;',
        f"{year}0000;{code_cell};Non indicato;2067;10;1000;",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@pytest.mark.parametrize("junk_code", ['"000000"', "0", ""])
def test_junk_row_variants_are_dropped(junk_code):
    tidy = parse_mef_csv(small_csv(junk_code))
    assert list(tidy["codice"].unique()) == ["001001"]
    assert list(tidy["variabile"]) == ["contribuenti", "reddito_imponibile_frequenza", "reddito_imponibile_ammontare"]
    assert list(tidy["valore"]) == [1234.0, 1200.0, 20123456.0]


def test_italian_number_format_is_read():
    tidy = parse_mef_csv(small_csv("0", value="1.234.567"))
    assert tidy.loc[tidy["variabile"] == "contribuenti", "valore"].item() == 1234567.0


def test_text_in_a_value_cell_is_refused_with_the_column_named():
    with pytest.raises(FormatoNonRiconosciuto, match="«Numero contribuenti».*«n.d.»"):
        parse_mef_csv(small_csv("0", value="n.d."))


def test_missing_year_column_needs_a_year():
    with pytest.raises(FormatoNonRiconosciuto, match="Anno di imposta"):
        parse_mef_csv(small_csv("0", year_column=False))
    assert set(parse_mef_csv(small_csv("0", year_column=False), year=2012)["anno"]) == {2012}
    assert set(parse_mef(small_csv("0", year_column=False), name="redditi_CSV_2012.csv")["anno"]) == {2012}


def test_values_under_an_unnamed_column_mean_shifted_rows():
    data = small_csv("0").replace(b"20123456;", b"20123456;99", 1)
    with pytest.raises(FormatoNonRiconosciuto, match="colonna senza nome"):
        parse_mef_csv(data)


def test_the_mef_code_of_lonato_before_2008_is_its_istat_code():
    # 2000-2007 files list Lonato del Garda as 17566, no ISTAT code; ISTAT's is 017092
    data = small_csv("0").replace(b'A074;"001001";AGLIE\'', b"E667;17566;LONATO")
    assert list(parse_mef_csv(data)["codice"].unique()) == ["017092"]


@pytest.mark.parametrize(("code", "message"), [
    ('"001001"', "ripete i codici 001001"),
    ("A1234", "Codici ISTAT non validi"),
])
def test_repeated_or_invalid_codes_are_refused(code, message):
    with pytest.raises(FormatoNonRiconosciuto, match=message):
        parse_mef_csv(small_csv(code))


def test_foreign_csv_is_refused():
    data = "Codice;Comune;Popolazione\r\n001001;Agliè;2600\r\n".encode("cp1252")
    with pytest.raises(FormatoNonRiconosciuto, match="mancano Codice Istat Comune"):
        parse_mef_csv(data)


def test_html_passed_as_csv_is_refused():
    with pytest.raises(RispostaHtml, match="pagina HTML"):
        parse_mef_csv(HTML_PAGE)


# --- ZIP -----------------------------------------------------------------------------


def test_parse_zip_finds_the_csv_whatever_its_name(late_bytes):
    data = zipped({"LEGGIMI.txt": b"note", "cartella/dati irpef.CSV": late_bytes})
    assert_frame_equal(parse_mef_zip(data), expected_tidy(2023, LATE_IDS, LATE_VALUES))
    assert_frame_equal(parse_mef(data), expected_tidy(2023, LATE_IDS, LATE_VALUES))


def test_parse_zip_picks_the_mef_csv_among_several(late_bytes):
    data = zipped({"note.csv": b"a;b\r\n1;2\r\n", "Redditi_2023.csv": late_bytes})
    assert set(parse_mef_zip(data)["anno"]) == {2023}


def test_html_with_status_200_is_refused_with_the_fix():
    with pytest.raises(RispostaHtml, match="pagina HTML.*diagnosis dati aggiungi"):
        parse_mef_zip(HTML_PAGE)


def test_zip_without_csv_is_refused_listing_its_content():
    data = zipped({"Redditi_2023.xlsx": b"not really", "LEGGIMI.txt": b"note"})
    with pytest.raises(ArchivioSenzaCsv, match="non contiene alcun file CSV.*Redditi_2023.xlsx"):
        parse_mef_zip(data)


def test_truncated_or_non_zip_bytes_are_refused(late_bytes):
    with pytest.raises(FormatoNonRiconosciuto, match="non è un archivio ZIP"):
        parse_mef_zip(late_bytes)
    with pytest.raises(FormatoNonRiconosciuto, match="danneggiato"):
        parse_mef_zip(zipped({"a.csv": late_bytes})[:200])


def test_errors_are_diagnosis_errors():
    for error in (FormatoNonRiconosciuto, RispostaHtml, ArchivioSenzaCsv, AnnoNonDisponibile):
        assert issubclass(error, DiagnosisError)


# --- Recogniser ----------------------------------------------------------------------


def test_recognise_csv_reads_the_year_from_the_content(early_bytes, late_bytes):
    assert recognise_mef(early_bytes, name="qualcosa_2019.csv") == {
        "source": "mef_irpef", "year": 2004, "year_from": "content", "encoding": "cp1252",
        "columns": 50, "container": "csv", "member": None,
    }
    assert recognise_mef(late_bytes)["year"] == 2023


def test_recognise_zip_names_the_member(late_bytes):
    found = recognise_mef(zipped({"x/Redditi_comunali.csv": late_bytes}))
    assert found["container"] == "zip"
    assert found["member"] == "x/Redditi_comunali.csv"
    assert (found["year"], found["year_from"], found["columns"]) == (2023, "content", 53)


def test_recognise_falls_back_to_the_file_name_only_without_year_column():
    data = small_csv("0", year_column=False)
    assert recognise_mef(data)["year"] is None
    found = recognise_mef(data, name="/tmp/Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_2012.csv")
    assert (found["year"], found["year_from"]) == (2012, "file_name")


@pytest.mark.parametrize("data", [
    HTML_PAGE,
    b"",
    b"\x00\x01garbage",
    "Codice;Comune;Popolazione\r\n001001;Agliè;2600\r\n".encode("cp1252"),
    zipped({"LEGGIMI.txt": b"note"}),
    zipped({"altro.csv": b"a;b\r\n1;2\r\n"}),
    b"PK\x03\x04 truncated",
])
def test_recognise_says_none_for_foreign_bytes(data):
    assert recognise_mef(data) is None


# --- Fetch (no network: the shared session is replaced) --------------------------------


@pytest.fixture
def fake_http(monkeypatch):
    calls = []
    module = types.ModuleType("diagnosis.http")
    module.responses = []

    def fetch(url, headers=None):
        calls.append((url, headers))
        answer = module.responses.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    module.fetch = fetch
    module.calls = calls
    monkeypatch.setitem(sys.modules, "diagnosis.http", module)
    monkeypatch.setattr(diagnosis, "http", module, raising=False)
    return module


def test_fetch_year_falls_back_to_the_second_url(fake_http, late_bytes):
    fake_http.responses = [HTML_PAGE, zipped({"Redditi.csv": late_bytes})]
    tidy = mef_irpef.fetch_year(2023)
    assert_frame_equal(tidy, expected_tidy(2023, LATE_IDS, LATE_VALUES))
    assert [url for url, _ in fake_http.calls] == build_urls(2023)
    assert all(headers == request_headers() for _, headers in fake_http.calls)


def test_fetch_year_stops_at_once_when_offline(fake_http):
    fake_http.responses = [RisorsaOffline("offline")]
    with pytest.raises(RisorsaOffline):
        mef_irpef.fetch_year(2023)
    assert len(fake_http.calls) == 1


def test_fetch_year_explains_when_no_url_works(fake_http):
    fake_http.responses = [HTML_PAGE, HTML_PAGE]
    with pytest.raises(DatiNonDisponibili, match="usa il 2023"):
        mef_irpef.fetch_year(2024)


# --- Real published files ----------------------------------------------------------------

REAL_YEARS = list(range(2000, 2024))
CORE_VARIABLES = {
    "contribuenti", "reddito_imponibile_frequenza", "reddito_imponibile_ammontare",
    "imposta_netta_frequenza", "imposta_netta_ammontare", "reddito_da_fabbricati_ammontare",
    "reddito_da_pensione_ammontare", "addizionale_comunale_dovuta_ammontare",
    *(f"reddito_complessivo_{band}_{m}" for band in BANDS for m in ("frequenza", "ammontare")),
}


def real_file(folder, year):
    return folder / "mef_irpef" / f"Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_{year}.csv"


@pytest.mark.real_data
@pytest.mark.parametrize("year", REAL_YEARS)
def test_real_file_parses(real_data, year):
    data = real_file(real_data, year).read_bytes()
    started = time.perf_counter()
    tidy = parse_mef_csv(data)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{year}: {elapsed:.2f} s"

    assert list(tidy.columns) == mef_irpef.TIDY_COLUMNS
    assert set(tidy["anno"]) == {year}
    codes = pd.Series(tidy["codice"].unique())
    assert codes.dtype == "str" and codes.str.fullmatch(r"\d{6}").all()
    assert "000000" not in set(codes)
    assert 7800 <= len(codes) <= 8110
    variables = set(tidy["variabile"].unique())
    # One row per comune and variable: every comune has every variable exactly once.
    assert (tidy["codice"].value_counts() == len(variables)).all()
    assert CORE_VARIABLES <= variables
    assert ("trattamento_spettante_ammontare" in variables) == (year >= 2021)
    assert ("bonus_spettante_ammontare" in variables) == (2015 <= year <= 2020)
    assert ("reddito_complessivo_ammontare" in variables) == (year >= 2023)
    assert ("reddito_da_lavoro_dipendente_e_assimilati_ammontare" in variables) == (year >= 2008)
    assert 38 <= len(variables) <= 47
    not_comparable = set(tidy.loc[~tidy["confrontabile"], "variabile"])
    expected = {"reddito_imponibile_frequenza", "reddito_imponibile_ammontare"} if 2003 <= year <= 2006 else set()
    assert not_comparable == expected
    # Contribuenti are never suppressed; every comune has some.
    contribuenti = tidy.loc[tidy["variabile"] == "contribuenti", "valore"]
    assert contribuenti.notna().all() and (contribuenti > 0).all()

    assert recognise_mef(data) == {
        "source": "mef_irpef", "year": year, "year_from": "content",
        "encoding": "cp1252" if year in (2000, 2001, 2002, 2003, 2004, 2005, 2009, 2010, 2011) else "utf-8",
        "columns": len(data.split(b"\r\n", 1)[0].split(b";")), "container": "csv", "member": None,
    }


# (year, code, numero contribuenti, reddito imponibile ammontare in euro), read from the files.
REAL_FIGURES = [
    (2000, "036040", 30635, 550528544), (2000, "015175", 21513, 339285197),
    (2000, "014061", 16734, 286378368), (2000, "054017", 5946, 70006791),
    (2005, "036040", 31335, 492027020), (2005, "054017", 6536, 57086988),
    (2010, "036040", 29726, 623205376), (2010, "015175", 24257, 467608337),
    (2010, "014061", 16757, 378428042), (2010, "054017", 6989, 110618942),
    (2023, "036040", 31082, 818785622), (2023, "015175", 26428, 616579914),
    (2023, "014061", 16777, 435217002), (2023, "054017", 7477, 150287358),
]


@pytest.fixture(scope="module")
def real_tables():
    """Each real year parsed once for the module, with its values indexed by code and variable."""
    cache = {}

    def table(folder, year):
        if year not in cache:
            cache[year] = parse_mef_csv(real_file(folder, year).read_bytes())
        return cache[year]

    return table


def real_values(table: pd.DataFrame) -> pd.Series:
    return table.set_index(["codice", "variabile"])["valore"]


@pytest.mark.real_data
@pytest.mark.parametrize("year", sorted({year for year, *_ in REAL_FIGURES}))
def test_real_figures(real_data, real_tables, year):
    values = real_values(real_tables(real_data, year))
    for _, code, contribuenti, imponibile in (row for row in REAL_FIGURES if row[0] == year):
        assert values[(code, "contribuenti")] == contribuenti, code
        assert values[(code, "reddito_imponibile_ammontare")] == imponibile, code


@pytest.mark.real_data
def test_real_suppressed_cells_stay_missing(real_data, real_tables):
    rows = real_values(real_tables(real_data, 2023))
    # Pioltello 2023: the top band is suppressed in the file (empty), the total is not.
    assert np.isnan(rows[("015175", "reddito_complessivo_oltre_120000_euro_frequenza")])
    assert rows[("015175", "reddito_complessivo_frequenza")] == 25896
    assert rows[("015175", "reddito_complessivo_da_0_a_10000_euro_frequenza")] == 5379


@pytest.mark.real_data
def test_real_file_through_a_zip(real_data, real_tables):
    data = real_file(real_data, 2009).read_bytes()
    archive = zipped({"Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_2009.csv": data}, zipfile.ZIP_STORED)
    assert recognise_mef(archive)["year"] == 2009
    assert_frame_equal(parse_mef_zip(archive), real_tables(real_data, 2009))
