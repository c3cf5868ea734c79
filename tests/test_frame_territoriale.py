"""ISTAT Frame territoriale appendix: an XLSX with the comune sheets in the real layout."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.sources import frame_territoriale
from xlsx_fixture import workbook_bytes

HEADER = [
    "Ripartizione", "Codice Regione", "Denominazione Regione", "Denominazione Unità territoriale sovracomunale",
    "Flag Capoluogo", "Denominazione Sistema Locale", "Denominazione Comune", "Codice Comune Istat",
    "Numero unità locali", "Addetti", "Retribuzioni  (migliaia di euro)",
    "Valore aggiunto sul fatturato (valori percentuali)",
]
FOOTNOTES = [
    ["Note: i dati sono arrotondati al primo numero intero e trattati secondo le norme per la tutela della riservatezza"],
    ["(*) Dato oscurato per la tutela del segreto statistico"],
    ["(**) Indicatore con valore aggiunto negativo o pari a 0"],
]


def _sheet(title: str, rows: list[list]) -> list[list]:
    return [[title], [], HEADER, *rows, *FOOTNOTES]


TOTAL = _sheet("Tavola 39 -  Principali aggregati e indicatori economici per Comune. Anno 2023", [
    ["Nord-ovest", "03", "Lombardia", "Milano", "-", "MILANO", "Pioltello", "015175", 2000, 10000, 330000, 22.3],
    ["Mezzogiorno", "20", "Sardegna", "Sud Sardegna", "1", "CARBONIA", "Carbonia", "111009", 300, 880, 16000, "**"],
])
INDUSTRY = _sheet("Tavola 40 - Principali aggregati e indicatori economici nell'industria per Comune. Anno 2023", [
    ["Nord-ovest", "03", "Lombardia", "Milano", "-", "MILANO", "Pioltello", "015175", 440, "*", "*", "*"],
])
SERVICES = _sheet("Tavola 41 - Principali aggregati e indicatori economici nei servizi per Comune. Anno 2023", [
    ["Nord-ovest", "03", "Lombardia", "Milano", "-", "MILANO", "Pioltello", "015175", 1600, 7700, None, 21.8],
])


def _xlsx(total=TOTAL) -> bytes:
    return workbook_bytes({
        "Tav.1 Regioni": [["Tavola 1"]],
        "Tav.39_Comuni_Totale": total,
        "Tav.40_Comuni_Industria": INDUSTRY,
        "Tav.41_Comuni_Servizi": SERVICES,
    })


def test_one_row_per_comune_sector_and_variable():
    frame = frame_territoriale.parse_frame_comuni(_xlsx())
    nan = float("nan")
    variables = ["unita_locali", "addetti", "retribuzioni", "valore_aggiunto_sul_fatturato"]
    units = ["numero", "numero", "migliaia di euro", "valori percentuali"]
    expected = pd.DataFrame({
        "codice": ["015175"] * 4 + ["111009"] * 4 + ["015175"] * 8,
        "anno": 2023,
        "settore": ["totale"] * 8 + ["industria"] * 4 + ["servizi"] * 4,
        "variabile": variables * 4,
        "valore": [2000, 10000, 330000, 22.3, 300, 880, 16000, nan, 440, nan, nan, nan, 1600, 7700, nan, 21.8],
        "unita": units * 4,
        "nota": ["", "", "", "", "", "", "", "valore aggiunto negativo o nullo",
                 "", "oscurato", "oscurato", "oscurato", "", "", "", ""],
    }).astype({"codice": "str", "settore": "str", "variabile": "str", "unita": "str", "nota": "str"})
    assert_frame_equal(frame, expected)


def test_missing_comune_sheet_is_refused():
    data = workbook_bytes({"Tav.39_Comuni_Totale": TOTAL, "Tav.41_Comuni_Servizi": SERVICES})
    with pytest.raises(FormatoNonRiconosciuto, match="comuni_industria"):
        frame_territoriale.parse_frame_comuni(data)


def test_unknown_marker_is_refused():
    total = _sheet("Tavola 39 - Principali aggregati per Comune. Anno 2023", [
        ["Nord-ovest", "03", "Lombardia", "Milano", "-", "MILANO", "Pioltello", "015175", 2000, "n.d.", 1, 1],
    ])
    with pytest.raises(FormatoNonRiconosciuto, match="n.d."):
        frame_territoriale.parse_frame_comuni(_xlsx(total))


def test_title_without_year_is_refused():
    total = _sheet("Tavola 39 - Principali aggregati per Comune", TOTAL[3:5])
    with pytest.raises(FormatoNonRiconosciuto, match="Anno"):
        frame_territoriale.parse_frame_comuni(_xlsx(total))


@pytest.mark.real_data
def test_real_frame_2023(real_data):
    frame = frame_territoriale.parse_frame_comuni(
        (real_data / "istat_asia" / "frame_territoriale_2023_appendice_statistica.xlsx").read_bytes()
    )
    values = frame.set_index(["settore", "codice", "variabile"])["valore"]
    assert values[("totale", "015175", "unita_locali")] == 2070
    assert values[("totale", "015175", "addetti")] == 10293
    assert frame.groupby("settore")["codice"].nunique().to_dict() == {"industria": 7856, "servizi": 7899, "totale": 7900}
    assert (frame["nota"] == "oscurato").sum() == 9340
