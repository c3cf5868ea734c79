"""ISTAT "Classificazioni statistiche e dimensione dei comuni": an XLSX written in the real layout."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.sources import istat_classificazioni
from xlsx_fixture import workbook_bytes

# Edition of 1 January 2026: header cells with line breaks, codes and altitude zone as text,
# flags as numbers, a comune named "None", one comune without altitude, empty rows at the end.
HEADER = [
    "Codice Regione", "Codice Istat del Comune \n(alfanumerico)", "Codice Istat del Comune \n(numerico)",
    "Denominazione (Italiana e straniera)", "Denominazione altra lingua",
    "Superficie territoriale (kmq) al 01/01/2025", "Popolazione legale 2021 (31/12/2021)",
    "Popolazione residente al 31/12/2024", "Zona altimetrica", "Altitudine del centro (metri)",
    "Comune litoraneo", "Comune isolano", "Zone costiere 2021", "Grado di urbanizzazione 2021",
]
ROWS = [
    ["01", "001168", 1168, "None", None, 24.6422, 7830, 7662, "5", 246, 0, 0, 0, 2],
    ["04", "021008", 21008, "Bolzano/Bozen", "Bozen", 52.29, 106951, 107000, "2", 262, 0, 0, 0, 1],
    ["19", "081025", 81025, "Misiliscemi", None, 92.5346, 8415, 8461, "5", None, 1, 0, 1, 3],
    [None] * 14,
    [None] * 14,
]


def _xlsx(rows=ROWS, header=HEADER) -> bytes:
    return workbook_bytes({"Comuni 01-01-2026": [header, *rows], "Legenda": [["Campo", "Descrizione/Legenda"]]})


def test_one_row_per_comune_with_dated_population_columns():
    frame = istat_classificazioni.parse_classificazioni(_xlsx())
    expected = pd.DataFrame({
        "codice": ["001168", "021008", "081025"],
        "regione_codice": ["01", "04", "19"],
        "nome": ["None", "Bolzano/Bozen", "Misiliscemi"],
        "nome_altra_lingua": [None, "Bozen", None],
        "superficie_kmq": [24.6422, 52.29, 92.5346],
        "popolazione_legale_2021": [7830, 106951, 8415],
        "popolazione_31_12_2024": [7662, 107000, 8461],
        "zona_altimetrica": pd.array([5, 2, 5], dtype="Int64"),
        "altitudine_m": [246.0, 262.0, float("nan")],
        "litoraneo": pd.array([False, False, True], dtype="boolean"),
        "isolano": pd.array([False, False, False], dtype="boolean"),
        "zone_costiere": pd.array([0, 0, 1], dtype="Int64"),
        "grado_urbanizzazione": pd.array([2, 1, 3], dtype="Int64"),
    }).astype({"codice": "str", "regione_codice": "str", "nome": "str", "nome_altra_lingua": "str"})
    assert_frame_equal(frame, expected)


def test_missing_column_is_named():
    header = HEADER[:8] + ["Altra colonna"] + HEADER[9:]
    with pytest.raises(FormatoNonRiconosciuto, match="zona altimetrica"):
        istat_classificazioni.parse_classificazioni(_xlsx(header=header))


def test_flag_other_than_zero_or_one_is_refused():
    rows = [ROWS[0][:10] + [2] + ROWS[0][11:]]
    with pytest.raises(FormatoNonRiconosciuto, match="litoraneo"):
        istat_classificazioni.parse_classificazioni(_xlsx(rows))


def test_bytes_that_are_not_xlsx_are_refused():
    with pytest.raises(FormatoNonRiconosciuto, match="XLSX"):
        istat_classificazioni.parse_classificazioni(b"Codice Regione;Codice Istat\n01;001001\n")


@pytest.mark.real_data
def test_real_edition_2026(real_data):
    frame = istat_classificazioni.parse_classificazioni(
        (real_data / "istat_codes" / "Classificazioni statistiche-e-dimensione-dei-comuni_01_01_2026.xlsx").read_bytes()
    )
    assert len(frame) == 7896
    rows = frame.set_index("codice")
    assert rows.loc["001168", "nome"] == "None"
    # The legal population (31/12/2021) is the SDMX 22_289 figure for 1/1/2022, the resident
    # population at 31/12/2024 the P2 2025 census population at 1/1/2025.
    assert rows.loc["015175", ["popolazione_legale_2021", "popolazione_31_12_2024"]].tolist() == [36202, 37184]
    assert rows.loc["015175", ["zona_altimetrica", "grado_urbanizzazione"]].tolist() == [5, 1]
    assert rows["altitudine_m"].isna().sum() == 2
