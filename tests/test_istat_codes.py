"""ISTAT code lists: Elenco comuni, comuni soppressi, Sardinian re-coding, alias chains."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.sources import istat_codes

CRLF = "\r\n"

# 2023 layout, 26 columns; two header cells hold a line break inside quotes; progressive
# padded with spaces; comune numeric code unpadded; cp1252 bytes, CRLF rows.
ELENCO_HEADER = (
    "Codice Regione;\"Codice dell'Unità territoriale sovracomunale \n(valida a fini statistici)\";"
    "Codice Provincia (Storico)(1);Progressivo del Comune (2);Codice Comune formato alfanumerico;"
    "Denominazione (Italiana e straniera);Denominazione in italiano;Denominazione altra lingua;"
    "Codice Ripartizione Geografica;Ripartizione geografica;Denominazione Regione;"
    "\"Denominazione dell'Unità territoriale sovracomunale \n(valida a fini statistici)\";"
    "Tipologia di Unità territoriale sovracomunale ;"
    "Flag Comune capoluogo di provincia/città metropolitana/libero consorzio;Sigla automobilistica;"
    "Codice Comune formato numerico;Codice Comune numerico con 110 province (dal 2010 al 2016);"
    "Codice Comune numerico con 107 province (dal 2006 al 2009);"
    "Codice Comune numerico con 103 province (dal 1995 al 2005);Codice Catastale del comune;"
    "Codice NUTS1 2010;Codice NUTS2 2010 (3) ;Codice NUTS3 2010;Codice NUTS1 2021;Codice NUTS2 2021 (3) ;Codice NUTS3 2021"
)
ELENCO_ROWS = [
    "01;201;001; 001 ;001001;Agliè;Agliè;;1;Nord-ovest;Piemonte;Torino;3;0;TO;1001;1001;1001;1001;A074;ITC;ITC1;ITC11;ITC;ITC1;ITC11",
    "01;201;001; 004 ;001004;Albiano d'Ivrea;Albiano d'Ivrea;;1;Nord-ovest;Piemonte;Torino;3;0;TO;1004;1004;1004;1004;A157;ITC;ITC1;ITC11;ITC;ITC1;ITC11",
    "03;215;015; 175 ;015175;Pioltello;Pioltello;;1;Nord-ovest;Lombardia;Milano;3;0;MI;15175;15175;15175;15175;G686;ITC;ITC4;ITC4C;ITC;ITC4;ITC4C",
    "04;021;021; 008 ;021008;Bolzano/Bozen;Bolzano;Bozen;2;Nord-est;Trentino-Alto Adige/Südtirol;Bolzano/Bozen;2;1;BZ;21008;21008;21008;21008;A952;ITH;ITH1;ITH10;ITH;ITH1;ITH10",
]
ELENCO_BYTES = (CRLF.join([ELENCO_HEADER] + ELENCO_ROWS) + CRLF).encode("cp1252")

# ISO-8859-1, ";" and five trailing empty fields; a Veneto merger (two codes, one new code),
# a verbatim repeated row, a split ("scorporo") with two successors, a two-step chain.
SOPPRESSI_LINES = [
    "Anno;Sigla Automobilistica;Codice Unità territoriale sovracomunale (Uts);Codice Comune;"
    "Denominazione Comune;Comune soppresso per scorporo;Data evento;Codice del Comune associato alla variazione;"
    "Denominazione Comune associato alla variazione;Codice Unità territoriale sovracomunale associato alla variazione;"
    "Sigla Automobilistica associata alla variazione;;;;;",
    "2024;VI;024;024044;Gambugliano;;22/01/2024;024128;Sovizzo;024;VI;;;;;",
    "2024;VI;024;024103;Sovizzo;;22/01/2024;024128;Sovizzo;024;VI;;;;;",
    "2024;VI;024;024044;Gambugliano;;22/01/2024;024128;Sovizzo;024;VI;;;;;",
    "1928;TO;001;001801;Città Vecchia;1;01/03/1928;001272;Torino;001;TO;;;;;",
    "1928;TO;001;001801;Città Vecchia;1;01/03/1928;001024;Beinasco;001;TO;;;;;",
    "1927;TO;001;001802;Borgo Primo;;01/01/1927;001803;Borgo Secondo;001;TO;;;;;",
    "1930;TO;001;001803;Borgo Secondo;;01/01/1930;001804;Borgo Terzo;001;TO;;;;;",
    "2016;CA;092;092120;Comune Sardo;;01/01/2016;092121;Nuovo Sardo;092;CA;;;;;",
]
SOPPRESSI_BYTES = (CRLF.join(SOPPRESSI_LINES) + CRLF).encode("iso-8859-1")

SARDEGNA_BYTES = (
    "Codice Comune;Denominazione;Codice Comune precedente\r\n"
    "112001;Alghero;090003\r\n"
    "112002;Alà dei Sardi;090001\r\n"
    "118001;Nuovo Sardo;092121\r\n"
).encode("latin-1")


def history(rows):
    frame = pd.DataFrame(rows, columns=istat_codes.HISTORY_COLUMNS)
    frame["data"] = pd.to_datetime(frame["data"]).astype("datetime64[ns]")
    return frame


# --- Elenco comuni -----------------------------------------------------------------------

def test_fixture_is_cp1252_not_utf8():
    with pytest.raises(UnicodeDecodeError):
        ELENCO_BYTES.decode("utf-8")
    assert "Agliè" in ELENCO_BYTES.decode("cp1252")


def test_elenco_comuni_columns_by_substring():
    frame = istat_codes.parse_elenco_comuni(ELENCO_BYTES)
    expected = pd.DataFrame({
        "codice": ["001001", "001004", "015175", "021008"],
        "nome": ["Agliè", "Albiano d'Ivrea", "Pioltello", "Bolzano/Bozen"],
        "nome_italiano": ["Agliè", "Albiano d'Ivrea", "Pioltello", "Bolzano"],
        "codice_catastale": ["A074", "A157", "G686", "A952"],
        "codice_provincia": ["001", "001", "015", "021"],
        "codice_uts": ["201", "201", "215", "021"],
        "nome_uts": ["Torino", "Torino", "Milano", "Bolzano/Bozen"],
        "sigla_provincia": ["TO", "TO", "MI", "BZ"],
        "codice_regione": ["01", "01", "03", "04"],
        "nome_regione": ["Piemonte", "Piemonte", "Lombardia", "Trentino-Alto Adige/Südtirol"],
    })
    assert_frame_equal(frame, expected)


def test_elenco_comuni_older_layout_without_italian_name():
    header = (
        "Codice Regione;Codice Città Metropolitana;Codice Provincia (1);Progressivo del Comune (2);"
        "Codice Comune formato alfanumerico;Denominazione in italiano;Denominazione Regione;"
        "Sigla automobilistica;Codice Catastale del comune"
    )
    data = (header + CRLF + "05;;028; 001 ;028001;Abano Terme;Veneto;PD;A001" + CRLF).encode("cp1252")
    frame = istat_codes.parse_elenco_comuni(data)
    assert frame.loc[0, ["codice", "nome", "codice_provincia", "codice_uts"]].tolist() == ["028001", "Abano Terme", "028", ""]


def test_elenco_comuni_unknown_file_names_the_missing_column():
    with pytest.raises(FormatoNonRiconosciuto, match="codice comune formato alfanumerico"):
        istat_codes.parse_elenco_comuni("Codice;Nome\r\n1;A\r\n".encode("cp1252"))


# --- soppressi and Sardinia --------------------------------------------------------------

def test_soppressi_to_history_rows():
    frame = istat_codes.parse_soppressi(SOPPRESSI_BYTES)
    expected = history([
        ("024044", "Gambugliano", "2024-01-22", "024128", "Sovizzo", "soppressione"),
        ("024103", "Sovizzo", "2024-01-22", "024128", "Sovizzo", "soppressione"),
        ("001801", "Città Vecchia", "1928-03-01", "001272", "Torino", "soppressione per scorporo"),
        ("001801", "Città Vecchia", "1928-03-01", "001024", "Beinasco", "soppressione per scorporo"),
        ("001802", "Borgo Primo", "1927-01-01", "001803", "Borgo Secondo", "soppressione"),
        ("001803", "Borgo Secondo", "1930-01-01", "001804", "Borgo Terzo", "soppressione"),
        ("092120", "Comune Sardo", "2016-01-01", "092121", "Nuovo Sardo", "soppressione"),
    ])
    assert_frame_equal(frame, expected)


def test_sardinia_recoding_to_history_rows():
    frame = istat_codes.parse_sardegna(SARDEGNA_BYTES)
    expected = history([
        ("090003", "Alghero", "2026-01-01", "112001", "Alghero", "ricodifica Sardegna"),
        ("090001", "Alà dei Sardi", "2026-01-01", "112002", "Alà dei Sardi", "ricodifica Sardegna"),
        ("092121", "Nuovo Sardo", "2026-01-01", "118001", "Nuovo Sardo", "ricodifica Sardegna"),
    ])
    assert_frame_equal(frame, expected)


def test_sardinia_file_without_rows_is_refused():
    with pytest.raises(FormatoNonRiconosciuto, match="Sardegna"):
        istat_codes.parse_sardegna(b"solo un titolo\r\n")


# --- aliases -----------------------------------------------------------------------------

def test_aliases_follow_chains_across_files():
    aliases = istat_codes.build_aliases(
        istat_codes.parse_soppressi(SOPPRESSI_BYTES), istat_codes.parse_sardegna(SARDEGNA_BYTES)
    ).set_index("codice_vecchio")
    assert aliases.loc["001802", ["codice_nuovo", "catena"]].tolist() == ["001804", "001802 → 001803 → 001804"]
    assert aliases.loc["001802", "data"] == pd.Timestamp("1930-01-01")
    assert aliases.loc["001802", "motivo"] == "soppressione"
    assert aliases.loc["092120", ["codice_nuovo", "catena"]].tolist() == ["118001", "092120 → 092121 → 118001"]
    assert aliases.loc["092120", "data"] == pd.Timestamp("2026-01-01")
    assert aliases.loc["090003", "codice_nuovo"] == "112001"
    assert aliases.loc["024044", "codice_nuovo"] == aliases.loc["024103", "codice_nuovo"] == "024128"
    assert not aliases.loc["024044", "ambiguo"]
    assert aliases.loc["001801", "ambiguo"] and aliases.loc["001801", "codice_nuovo"] == "001272"
    assert aliases.index.is_unique


def test_aliases_do_not_chain_backwards_in_time():
    rows = history([
        ("000001", "A", "2000-01-01", "000002", "B", "soppressione"),
        ("000002", "B vecchio", "1990-01-01", "000003", "C", "soppressione"),
    ])
    aliases = istat_codes.build_aliases(rows).set_index("codice_vecchio")
    assert aliases.loc["000001", "codice_nuovo"] == "000002"


def test_aliases_skip_codes_that_exist_today():
    aliases = istat_codes.build_aliases(
        istat_codes.parse_soppressi(SOPPRESSI_BYTES), current_codes=["024103"]
    )
    assert "024103" not in set(aliases["codice_vecchio"])
    assert list(aliases.columns) == istat_codes.ALIAS_COLUMNS


def test_cycles_stop():
    rows = history([
        ("000001", "A", "2000-01-01", "000002", "B", "soppressione"),
        ("000002", "B", "2000-01-01", "000001", "A", "soppressione"),
    ])
    aliases = istat_codes.build_aliases(rows).set_index("codice_vecchio")
    assert aliases.loc["000001", "codice_nuovo"] == "000002"


# --- codes of earlier province layouts ----------------------------------------------------

# Same 2023 layout: Monza (Milano until 2009), Olbia (Olbia-Tempio 2006-2016, then back to its
# 1995 code), Pioltello (never changed).
EARLIER_ROWS = [
    "03;215;015; 175 ;015175;Pioltello;Pioltello;;1;Nord-ovest;Lombardia;Milano;3;0;MI;15175;15175;15175;15175;G686;ITC;ITC4;ITC4C;ITC;ITC4;ITC4C",
    "03;108;108; 033 ;108033;Monza;Monza;;1;Nord-ovest;Lombardia;Monza e della Brianza;1;1;MB;108033;108033;15149;15149;F704;ITC;ITC4;ITC4D;ITC;ITC4;ITC4D",
    "20;090;090; 047 ;090047;Olbia;Olbia;;5;Isole;Sardegna;Sassari;1;0;SS;90047;104017;104017;90047;G015;ITG;ITG2;ITG25;ITG;ITG2;ITGC",
]
EARLIER_BYTES = (CRLF.join([ELENCO_HEADER] + EARLIER_ROWS) + CRLF).encode("cp1252")


def test_earlier_codes_one_row_per_comune_and_layout():
    frame = istat_codes.parse_earlier_codes(EARLIER_BYTES)
    expected = pd.DataFrame({
        "codice": ["015175"] * 3 + ["090047"] * 3 + ["108033"] * 3,
        "nome": ["Pioltello"] * 3 + ["Olbia"] * 3 + ["Monza"] * 3,
        "codice_precedente": ["015175"] * 3 + ["090047", "104017", "104017"] + ["015149", "015149", "108033"],
        "province": [103, 107, 110] * 3,
        "valido_dal": [1995, 2006, 2010] * 3,
        "valido_al": [2005, 2009, 2016] * 3,
    }).astype({"codice": "str", "nome": "str", "codice_precedente": "str"})
    assert_frame_equal(frame, expected)


def test_earlier_codes_need_the_layout_columns():
    header = "Codice Comune formato alfanumerico;Denominazione (Italiana e straniera);Codice Catastale del comune"
    data = (CRLF.join([header, "015175;Pioltello;G686"]) + CRLF).encode("cp1252")
    with pytest.raises(FormatoNonRiconosciuto, match="province"):
        istat_codes.parse_earlier_codes(data)


# --- real files --------------------------------------------------------------------------

@pytest.mark.real_data
def test_real_elenco_comuni_2023(real_data):
    frame = istat_codes.parse_elenco_comuni((real_data / "istat_codes" / "Elenco-comuni-italiani_2023.csv").read_bytes())
    assert len(frame) == 7901
    rows = frame.set_index("codice")
    assert rows.loc["036040", ["nome", "codice_catastale", "sigla_provincia", "codice_regione", "nome_regione"]].tolist() == [
        "Sassuolo", "I462", "MO", "08", "Emilia-Romagna"
    ]
    assert rows.loc["015175", ["codice_catastale", "codice_uts", "nome_uts", "codice_provincia"]].tolist() == [
        "G686", "215", "Milano", "015"
    ]
    assert rows.loc["021008", ["nome", "nome_italiano"]].tolist() == ["Bolzano/Bozen", "Bolzano"]
    assert rows.loc["001001", "nome"] == "Agliè"


@pytest.mark.real_data
def test_real_soppressi_and_aliases(real_data):
    folder = real_data / "istat_codes"
    history_rows = istat_codes.parse_soppressi((folder / "Elenco comuni soppressi.csv").read_bytes())
    assert (history_rows["codice_vecchio"] == "024044").sum() == 1
    aliases = istat_codes.build_aliases(history_rows).set_index("codice_vecchio")
    assert aliases.loc["005079", ["codice_nuovo", "data"]].tolist() == ["005122", pd.Timestamp("2023-01-01")]
    assert aliases.loc["012009", "codice_nuovo"] == "012144"
    assert aliases.loc["024044", "codice_nuovo"] == "024128"
    assert aliases.loc["025002", "codice_nuovo"] == "025075"
    assert aliases.index.is_unique


@pytest.mark.real_data
def test_real_earlier_codes_2023(real_data):
    frame = istat_codes.parse_earlier_codes((real_data / "istat_codes" / "Elenco-comuni-italiani_2023.csv").read_bytes())
    monza = frame[frame["codice"] == "108033"].set_index("province")["codice_precedente"]
    assert monza.to_dict() == {103: "015149", 107: "015149", 110: "108033"}
    changed = frame.loc[frame["codice_precedente"] != frame["codice"], "codice_precedente"]
    assert changed.nunique() == 348
