"""Aree interne list: an XLSX written in the layout of the list of 15 July 2022."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.sources import aree_interne
from xlsx_fixture import workbook_bytes

TITLE = "Classificazioni dei Comuni secondo le caratteristiche di Area Interna (geografia amministrativa al 30 settembre 2020)."
HEADER = [
    "PROCOM_T", "PROCOM_N", "CODICE CATASTALE", "COD_REG", "REGIONE", "COD_PROV", "SIGLA AUTOM.",
    "PROVINCIA/CITTA' METROPOLITANA", "DENOMINAZIONE_COMUNE", "CODICE_Aree_Interne 2014-2020",
    "DESCRIZIONE_Aree_Interne 2014-2020", "CODICE_Aree_Interne 2021-2027", "DESCRIZIONE_Aree_Interne 2021-2027",
    "PROCOM_Comune di destinazione prevalente \n(AI 2021-27)", "COMUNE di destinazione prevalente \n(AI 2021-27)",
    "CODICE POLO DI DESTINAZIONE PREVALENTE \n(AI 2021-27)", None, None, None,
]
ROWS = [
    ["025070", 25070, "M332", 5, "Veneto", 25, "BL", "Belluno", "Quero Vas", "C", "C - Cintura", "C", "C - Cintura",
     26086, "Valdobbiadene", "B - 05_01", None, None, None],
    ["001001", 1001, "A074", 1, "Piemonte", 201, "TO", "Torino", "Agliè", "C", "C - Cintura", "C", "C - Cintura",
     1125, "Ivrea", "A - 01_03", None, None, None],
    ["025002", 25002, "A121", 5, "Veneto", 25, "BL", "Belluno", "Alano di Piave", "D", "D - Intermedio", "C",
     "C - Cintura", 26086, "Valdobbiadene", "B - 05_01", None, None, None],
    [None] * 19,
]


def _xlsx(rows=ROWS, title=TITLE) -> bytes:
    return workbook_bytes({"Classificazione Aree Interne": [[title], [], HEADER, *rows]})


def test_classes_with_the_geography_of_the_title():
    frame = aree_interne.parse_aree_interne(_xlsx())
    expected = pd.DataFrame({
        "codice": ["001001", "025002", "025070"],
        "codice_catastale": ["A074", "A121", "M332"],
        "area_interna_2014_20": ["C", "D", "C"],
        "area_interna_2021_27": ["C", "C", "C"],
        "data_geografia": pd.Series([pd.Timestamp("2020-09-30")] * 3, dtype="datetime64[ns]"),
    }).astype({"codice": "str", "codice_catastale": "str", "area_interna_2014_20": "str", "area_interna_2021_27": "str"})
    assert_frame_equal(frame, expected)


def test_title_without_geography_is_refused():
    with pytest.raises(FormatoNonRiconosciuto, match="geografia amministrativa"):
        aree_interne.parse_aree_interne(_xlsx(title="Classificazione dei Comuni"))


def test_unknown_class_is_refused():
    rows = [ROWS[0][:9] + ["G"] + ROWS[0][10:]]
    with pytest.raises(FormatoNonRiconosciuto, match="025070"):
        aree_interne.parse_aree_interne(_xlsx(rows))


@pytest.mark.real_data
def test_real_list_2022(real_data):
    frame = aree_interne.parse_aree_interne(
        (real_data / "istat_codes" / "20220715_Elenco_Comuni_Classi_di_Aree_Interne.xlsx").read_bytes()
    )
    assert len(frame) == 7903
    rows = frame.set_index("codice")
    assert rows.loc["015175", ["area_interna_2014_20", "area_interna_2021_27"]].tolist() == ["C", "C"]
    assert rows.loc["025002", ["area_interna_2014_20", "area_interna_2021_27"]].tolist() == ["D", "C"]
    assert frame["area_interna_2021_27"].value_counts()["A"] == 182
