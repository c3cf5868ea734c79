"""demo.istat.it readers: URL builders and parsers on hand-written bytes in the real dialect."""

import io
import zipfile

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from diagnosis.errors import ArchivioSenzaCsv, DiagnosisError, FormatoNonRiconosciuto, RispostaHtml, TotaliIncoerenti
from diagnosis.sources import demo_istat

CRLF = "\r\n"

POSAS_HEADER = (
    '"Codice comune";"Comune";"Età";"Celibi";"Coniugati";"Divorziati";"Vedovi";"Uniti civilmente";'
    '"Maschi già in unione civile (per scioglimento unione)";"Maschi già in unione civile (per decesso del partner)";'
    '"Totale maschi";"Nubili";"Coniugate";"Divorziate";"Vedove";"Unite civilmente";'
    '"Femmine già in unione civile (per scioglimento unione)";"Femmine già in unione civile (per decesso del partner)";'
    '"Totale femmine";"Totale"'
)
POSAS_LINES = [
    '"Popolazione residente per età, sesso e stato civile al 1° gennaio 2025"',
    POSAS_HEADER,
    '"001001";"Agliè";0;5;0;0;0;0;0;0;5;4;0;0;0;0;0;0;4;9',
    '"001001";"Agliè";1;6;0;0;0;0;0;0;6;7;0;0;0;0;0;0;7;13',
    '"001001";"Agliè";"100 e più";0;0;0;0;0;0;0;0;0;0;0;2;0;0;0;2;2',
    '"001001";"Agliè";999;11;0;0;0;;;;11;11;0;0;2;;;;13;24',
    '"015146";"Milano";0;4000;0;0;0;0;0;0;4000;3800;0;0;0;0;0;0;3800;7800',
    '"015146";"Milano";1;4100;0;0;0;0;0;0;4100;3900;0;0;0;0;0;0;3900;8000',
    '"015146";"Milano";"100 e più";0;0;0;60;0;0;0;60;0;0;0;300;0;0;0;300;360',
    '"015146";"Milano";999;8100;0;0;60;;;;8160;7700;0;0;300;;;;8000;16160',
    '"Nota: i dati del 2025 sono definitivi."',
    "",
]
POSAS_STIMA_LINES = [
    '"Popolazione residente per età e sesso al 1° gennaio 2026 (stima)"',
    '"Codice comune";"Comune";"Età";"Totale maschi";"Totale femmine";"Totale"',
    '"001001";"Agliè";0;5;4;9',
    '"001001";"Agliè";"100 e più";1;2;3',
    '"001001";"Agliè";999;6;6;12',
    "",
]
STRASA_LINES = [
    '"Popolazione straniera residente per età e sesso al 1° gennaio 2025"',
    '"Codice comune";"Comune";"Età";"Maschi";"Femmine"',
    '"036040";"Sassuolo";0;30;28',
    '"036040";"Sassuolo";1;25;27',
    '"036040";"Sassuolo";999;55;55',
    '"Nota: stranieri = cittadini non italiani"',
    "",
]
# P2 2025 shape: BOM, quoted title, sex blocks M then F then T, "(v)" after the sex,
# last column Informazioni ("p" = provisional), trailing one-field note; LF as in the real file.
P2_HEADER = (
    '"Codice comune";"Comune";'
    '"Popolazione censita al 1° gennaio - Maschi";"Nati vivi - Maschi";"Morti - Maschi";'
    '"Saldo migratorio con l\'estero - Maschi";"Popolazione al 31 dicembre - Maschi";'
    '"Iscritti in anagrafe per altri motivi - Maschi (v)";'
    '"Popolazione censita al 1° gennaio - Femmine";"Nati vivi - Femmine";"Morti - Femmine";'
    '"Saldo migratorio con l\'estero - Femmine";"Popolazione al 31 dicembre - Femmine";'
    '"Iscritti in anagrafe per altri motivi - Femmine (v)";'
    '"Popolazione censita al 1° gennaio - Totale";"Nati vivi - Totale";"Morti - Totale";'
    '"Saldo migratorio con l\'estero - Totale";"Popolazione al 31 dicembre - Totale";'
    '"Iscritti in anagrafe per altri motivi - Totale (v)";"Informazioni"'
)
P2_LINES = [
    '"Bilancio demografico e popolazione residente al 31 dicembre 2025"',
    P2_HEADER,
    '"015175";"Pioltello";100;2;1;3;104;1;110;1;2;-1;108;0;210;3;3;2;212;1;"p"',
    '"036040";"Sassuolo";50;1;1;0;50;0;60;0;1;1;60;2;110;1;2;1;110;2;""',
    '"Note: p = dato provvisorio. Il dato della popolazione censita al 1°gennaio è definitivo."',
    "",
]
P3_HEADER = (
    '"Codice comune";"Comune";'
    '"Acquisizioni della cittadinanza italiana - Totale";'
    '"Nati vivi - Totale";"Morti - Totale";"Popolazione al 31 dicembre - Totale";'
    '"Cancellati dall\'anagrafe per altri motivi (v) - Totale";"Informazioni"'
)
P3_LINES = [
    '"Cittadini stranieri: popolazione residente per sesso e bilancio demografico al 31 dicembre 2025"',
    P3_HEADER,
    '"015175";"Pioltello";40;10;1;9700;5;"p"',
    "",
]


def utf8_bom(lines, newline=CRLF) -> bytes:
    return ("\ufeff" + newline.join(lines)).encode("utf-8")


def zipped(member: str, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, payload)
    return buffer.getvalue()


def age_frame(rows, anno, fonte, vintage, stato):
    frame = pd.DataFrame(rows, columns=["codice", "sesso", "eta", "valore"])
    frame.insert(1, "anno", anno)
    frame["anno"] = frame["anno"].astype("int64")
    frame["fonte"], frame["vintage"], frame["stato"] = fonte, vintage, stato
    return frame[demo_istat.AGE_COLUMNS]


# --- URLs --------------------------------------------------------------------------------

def test_urls_follow_the_portal_patterns():
    assert demo_istat.posas_url(2025) == "https://demo.istat.it/data/posas/POSAS_2025_it_Comuni.zip"
    assert demo_istat.strasa_url(2024) == "https://demo.istat.it/data/strasa/STRASA_2024_it_Comuni.zip"
    assert demo_istat.p2_url(2025) == "https://demo.istat.it/data/p2/P2_2025_it_Comuni.zip"
    assert demo_istat.p3_url(2025) == "https://demo.istat.it/data/p3/P3_2025_it_Comuni.zip"
    spec = demo_istat.build_request("POSAS", 2026, "Province")
    assert spec.url == "https://demo.istat.it/data/posas/POSAS_2026_it_Province.zip"
    assert spec.params == {} and spec.headers == {}


def test_unknown_dataset_is_refused_with_the_valid_values():
    with pytest.raises(FormatoNonRiconosciuto, match="posas, strasa, p2, p3"):
        demo_istat.build_url("popolazione", 2025)
    with pytest.raises(FormatoNonRiconosciuto, match="Comuni"):
        demo_istat.build_url("posas", 2025, "Frazioni")


# --- container ---------------------------------------------------------------------------

def test_csv_member_is_found_whatever_its_name():
    payload = utf8_bom(POSAS_LINES)
    assert demo_istat.csv_member(zipped("cartella/qualsiasi nome.CSV", payload)) == payload


def test_zip_without_csv_is_refused():
    with pytest.raises(ArchivioSenzaCsv, match="nessun file CSV"):
        demo_istat.csv_member(zipped("leggimi.txt", b"niente"))


def test_html_error_page_with_status_200_is_refused():
    page = b"<!DOCTYPE html>\n<html><head><title>Errore</title></head><body>Servizio non disponibile</body></html>"
    with pytest.raises(RispostaHtml, match="pagina HTML"):
        demo_istat.parse_posas(page)
    assert issubclass(RispostaHtml, DiagnosisError)


def test_truncated_zip_is_refused():
    with pytest.raises(FormatoNonRiconosciuto, match="ZIP"):
        demo_istat.csv_member(b"\x00\x01 non zip")


# --- POSAS and STRASA --------------------------------------------------------------------

def test_posas_final_layout_from_zip():
    frame = demo_istat.parse_posas(zipped("POSAS_2025_it_Comuni.csv", utf8_bom(POSAS_LINES)))
    title = "Popolazione residente per età, sesso e stato civile al 1° gennaio 2025"
    expected = age_frame(
        [
            ("001001", "M", 0, 5), ("001001", "M", 1, 6), ("001001", "M", 100, 0),
            ("001001", "F", 0, 4), ("001001", "F", 1, 7), ("001001", "F", 100, 2),
            ("015146", "M", 0, 4000), ("015146", "M", 1, 4100), ("015146", "M", 100, 60),
            ("015146", "F", 0, 3800), ("015146", "F", 1, 3900), ("015146", "F", 100, 300),
        ],
        2025, "ISTAT POSAS", title, "definitivo",
    )
    assert_frame_equal(frame, expected)


def test_posas_bare_csv_gives_the_same_table():
    payload = utf8_bom(POSAS_LINES)
    assert_frame_equal(demo_istat.parse_posas(payload), demo_istat.parse_posas(zipped("x.csv", payload)))


def test_posas_estimate_layout_is_read_by_column_name():
    frame = demo_istat.parse_posas(utf8_bom(POSAS_STIMA_LINES), vintage="POSAS 2026 stima, zip del 2026-03")
    expected = age_frame(
        [("001001", "M", 0, 5), ("001001", "M", 100, 1), ("001001", "F", 0, 4), ("001001", "F", 100, 2)],
        2026, "ISTAT POSAS", "POSAS 2026 stima, zip del 2026-03", "stima",
    )
    assert_frame_equal(frame, expected)


def test_posas_ages_not_adding_up_to_the_999_row_raise():
    lines = list(POSAS_LINES)
    lines[3] = '"001001";"Agliè";1;6;0;0;0;0;0;0;6;8;0;0;0;0;0;0;8;14'
    with pytest.raises(TotaliIncoerenti, match="001001"):
        demo_istat.parse_posas(utf8_bom(lines))


def test_posas_male_plus_female_must_equal_total():
    lines = list(POSAS_LINES)
    lines[2] = '"001001";"Agliè";0;5;0;0;0;0;0;0;5;4;0;0;0;0;0;0;4;10'
    with pytest.raises(TotaliIncoerenti, match="maschi \\+ femmine"):
        demo_istat.parse_posas(utf8_bom(lines))


def test_posas_unknown_layout_names_the_missing_column():
    lines = [POSAS_LINES[0], '"Codice comune";"Comune";"Età";"Maschi"', '"001001";"Agliè";0;5', ""]
    with pytest.raises(FormatoNonRiconosciuto, match="totale maschi"):
        demo_istat.parse_posas(utf8_bom(lines))


def test_title_without_year_is_refused():
    lines = ['"Popolazione residente"'] + POSAS_LINES[1:]
    with pytest.raises(FormatoNonRiconosciuto, match="anno"):
        demo_istat.parse_posas(utf8_bom(lines))


def test_strasa_has_no_total_column():
    frame = demo_istat.parse_strasa(zipped("STRASA_2025_it_Comuni.csv", utf8_bom(STRASA_LINES)))
    expected = age_frame(
        [("036040", "M", 0, 30), ("036040", "M", 1, 25), ("036040", "F", 0, 28), ("036040", "F", 1, 27)],
        2025, "ISTAT STRASA", "Popolazione straniera residente per età e sesso al 1° gennaio 2025", "definitivo",
    )
    assert_frame_equal(frame, expected)


# --- P2 and P3 ---------------------------------------------------------------------------

def balance_frame(rows, fonte, vintage):
    frame = pd.DataFrame(rows, columns=["codice", "anno", "sesso", "variabile", "valore", "stato"])
    frame["anno"] = frame["anno"].astype("int64")
    frame.insert(2, "anno_bilancio", 2025)
    frame["anno_bilancio"] = frame["anno_bilancio"].astype("int64")
    frame["fonte"], frame["vintage"] = fonte, vintage
    return frame[demo_istat.BALANCE_COLUMNS]


def test_p2_wide_to_tidy_with_years_and_status():
    frame = demo_istat.parse_p2(zipped("P2_2025_it_Comuni.csv", utf8_bom(P2_LINES, newline="\n")))
    p, d = "provvisorio", "definitivo"
    rows = []
    for code, values, row_status in (
        ("015175", [(100, 110, 210), (2, 1, 3), (1, 2, 3), (3, -1, 2), (104, 108, 212), (1, 0, 1)], p),
        ("036040", [(50, 60, 110), (1, 0, 1), (1, 1, 2), (0, 1, 1), (50, 60, 110), (0, 2, 2)], d),
    ):
        names = ["popolazione_1_gennaio", "nati_vivi", "morti", "saldo_migratorio_estero",
                 "popolazione_31_dicembre", "iscritti_altri_motivi"]
        for name, triple in zip(names, values):
            year = 2026 if name == "popolazione_31_dicembre" else 2025
            status = d if name == "popolazione_1_gennaio" else (p if name == "iscritti_altri_motivi" else row_status)
            rows += [(code, year, sex, name, value, status) for sex, value in zip("MFT", triple)]
    expected = balance_frame(
        rows, "ISTAT P2 bilancio demografico", "Bilancio demografico e popolazione residente al 31 dicembre 2025"
    )
    assert_frame_equal(frame, expected)


def test_p3_validation_mark_before_the_sex():
    frame = demo_istat.parse_p3(utf8_bom(P3_LINES))
    p = "provvisorio"
    expected = balance_frame(
        [
            ("015175", 2025, "T", "acquisizioni_cittadinanza", 40, p),
            ("015175", 2025, "T", "nati_vivi", 10, p),
            ("015175", 2025, "T", "morti", 1, p),
            ("015175", 2026, "T", "popolazione_31_dicembre", 9700, p),
            ("015175", 2025, "T", "cancellati_altri_motivi", 5, p),
        ],
        "ISTAT P3 bilancio demografico stranieri",
        "Cittadini stranieri: popolazione residente per sesso e bilancio demografico al 31 dicembre 2025",
    )
    assert_frame_equal(frame, expected)


def test_balance_label_parsing():
    column = demo_istat.parse_balance_label("Iscritti in anagrafe per altri motivi (v) - Femmine")
    assert (column.variabile, column.sesso, column.under_validation) == ("iscritti_altri_motivi", "F", True)
    column = demo_istat.parse_balance_label("Numero di famiglie")
    assert (column.variabile, column.sesso) == ("famiglie", "T")
    assert demo_istat.parse_balance_label("Saldo per altri motivi - Totale").variabile == "saldo_per_altri_motivi"


def test_population_from_balance_keeps_both_stocks():
    stocks = demo_istat.population_from_balance(demo_istat.parse_p2(utf8_bom(P2_LINES)))
    pioltello = stocks[(stocks["codice"] == "015175") & (stocks["sesso"] == "T")]
    assert pioltello[["anno", "valore"]].values.tolist() == [[2025, 210], [2026, 212]]
    assert list(stocks.columns) == demo_istat.TOTAL_COLUMNS


def test_balance_missing_required_columns_raise():
    lines = [P2_LINES[0], '"Codice comune";"Comune";"Nati vivi - Totale"', '"015175";"Pioltello";3', ""]
    with pytest.raises(FormatoNonRiconosciuto, match="morti"):
        demo_istat.parse_p2(utf8_bom(lines))


# --- the R copy of the POSAS totals -------------------------------------------------------

# R write.csv: "," separator, LF, text quoted, the row number in a column named "", codes as
# unpadded numbers, only the 999 (total) rows.
POSAS_R_LINES = [
    '"","codice_comune","comune","et_a","totale_maschi","totale_femmine","totale"',
    '"1",28001,"Abano Terme",999,9721,10629,20350',
    '"2",1168,"None",999,3800,3862,7662',
    '"3",112001,"Alghero",999,20000,21000,41000',
    "",
]


def test_posas_r_totals_by_sex_with_padded_codes():
    frame = demo_istat.parse_posas_totals_r("\n".join(POSAS_R_LINES).encode("utf-8"), 2024)
    expected = pd.DataFrame({
        "codice": ["001168"] * 3 + ["028001"] * 3 + ["112001"] * 3,
        "anno": [2024] * 9,
        "sesso": ["M", "F", "T"] * 3,
        "valore": [3800, 3862, 7662, 9721, 10629, 20350, 20000, 21000, 41000],
        "fonte": "ISTAT POSAS",
        "vintage": "POSAS, popolazione al 1° gennaio 2024 (copia R dei totali)",
        "stato": "definitivo",
    }).astype({"codice": "str", "sesso": "str", "fonte": "str", "vintage": "str", "stato": "str"})
    assert_frame_equal(frame, expected)


def test_posas_r_sex_sum_is_checked():
    lines = POSAS_R_LINES[:2] + ['"2",1168,"None",999,3800,3862,7000', ""]
    with pytest.raises(TotaliIncoerenti, match="001168"):
        demo_istat.parse_posas_totals_r("\n".join(lines).encode("utf-8"), 2024)


def test_posas_r_other_layout_is_refused():
    with pytest.raises(FormatoNonRiconosciuto, match="et_a"):
        demo_istat.parse_posas_totals_r(b'"codice_comune","totale"\n28001,5\n', 2024)


# --- real files --------------------------------------------------------------------------

@pytest.mark.real_data
def test_real_p2_2025(real_data):
    frame = demo_istat.parse_p2((real_data / "demo_istat" / "P2_2025_it_Comuni.csv").read_bytes())
    assert frame["codice"].nunique() == 7896
    assert frame["codice"].str.fullmatch(r"\d{6}").all()
    sassuolo = frame[(frame["codice"] == "036040") & (frame["sesso"] == "T")].set_index("variabile")
    assert sassuolo.loc["popolazione_1_gennaio", ["anno", "valore", "stato"]].tolist() == [2025, 41116, "definitivo"]
    assert sassuolo.loc["popolazione_31_dicembre", ["anno", "valore", "stato"]].tolist() == [2026, 41123, "provvisorio"]
    assert sassuolo.loc["nati_vivi", "valore"] == 254
    assert sassuolo.loc["morti", "valore"] == 449
    assert sassuolo.loc["saldo_migratorio_estero", "valore"] == 221
    abano = frame[(frame["codice"] == "028001") & (frame["variabile"] == "popolazione_31_dicembre")]
    assert abano.set_index("sesso")["valore"].to_dict() == {"M": 9805, "F": 10674, "T": 20479}


@pytest.mark.real_data
def test_real_p3_2025(real_data):
    frame = demo_istat.parse_p3((real_data / "demo_istat" / "P3_2025_it_Comuni.csv").read_bytes())
    abano = frame[(frame["codice"] == "028001") & (frame["sesso"] == "T")].set_index("variabile")
    assert abano.loc["acquisizioni_cittadinanza", "valore"] == 91
    assert abano.loc["popolazione_31_dicembre", ["anno", "valore"]].tolist() == [2026, 2190]
    assert abano.loc["iscritti_altri_motivi", "stato"] == "provvisorio"


@pytest.mark.real_data
def test_real_posas_r_totals_2024(real_data):
    frame = demo_istat.parse_posas_totals_r((real_data / "demo_istat" / "posas_2024_totals_derived.csv").read_bytes(), 2024)
    assert frame["codice"].nunique() == 7901
    totals = frame[frame["sesso"] == "T"].set_index("codice")["valore"]
    assert totals["015175"] == 36657
    assert totals["036040"] == 41014
