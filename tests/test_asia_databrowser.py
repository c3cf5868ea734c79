"""ASIA local units exported with the esploradati data browser: an XLSX in the same layout."""

import io

import openpyxl
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.sources import asia_databrowser
from xlsx_fixture import with_declared_dimension, workbook_bytes

# Title and filter lines with two trailing spaces, the indicator header, the "Territory" row,
# then Italy, NUTS areas and comuni as "[code] name  "; the sheet declares dimension A1:A1.
ROWS = [
    ["Size class of persons employed, Economic activities (Nace 2 digit) - municipalities  "],
    ["Frequency: [A] Annual  "],
    ["Time: 2018  "],
    ["Size classes of persons employed: [TOTAL] Total  "],
    ["Economic activity (NACE Rev. 2): [0010] TOTAL  "],
    [],
    ["Indicator  ", "[LU] Number of local units of active enterprises  ",
     "[LUEMPDAA] Number of persons employed of local units of active enterprises (annual average values)  "],
    ["Territory  ", "  ", None],
    ["[IT] Italy  ", 4759774, 17287890.51],
    ["[ITC4] Lombardia  ", 820000, 3800000.5],
    ["[015175] Pioltello  ", 1800, 9100.25],
    ["[036040] Sassuolo  ", 4300, 19250],
    ["[001168] None  ", 500, None],
]


def _xlsx(rows=ROWS) -> bytes:
    return with_declared_dimension(workbook_bytes({"A 2018 TOTAL 0010": rows}), "A1:A1")


def test_comuni_rows_one_per_indicator():
    frame = asia_databrowser.parse_asia_databrowser(_xlsx())
    expected = pd.DataFrame({
        "codice": ["001168", "001168", "015175", "015175", "036040", "036040"],
        "anno": [2018] * 6,
        "variabile": ["addetti", "unita_locali"] * 3,
        "valore": [float("nan"), 500.0, 9100.25, 1800.0, 19250.0, 4300.0],
        "ateco": "0010",
        "classe_addetti": "TOTAL",
    }).astype({"codice": "str", "variabile": "str", "ateco": "str", "classe_addetti": "str"})
    assert_frame_equal(frame, expected)


def test_the_fixture_misleads_read_only_mode_like_the_real_export():
    sheet = openpyxl.load_workbook(io.BytesIO(_xlsx()), read_only=True).worksheets[0]
    assert sheet.calculate_dimension() == "A1:A1"
    assert len(list(sheet.iter_rows(values_only=True))) == 1


def test_export_without_filter_lines_is_refused():
    with pytest.raises(FormatoNonRiconosciuto, match="Time"):
        asia_databrowser.parse_asia_databrowser(_xlsx(ROWS[5:]))


def test_text_in_a_value_cell_is_refused():
    rows = ROWS[:10] + [["[015175] Pioltello  ", "n.d.", 9100.25]]
    with pytest.raises(FormatoNonRiconosciuto, match="015175"):
        asia_databrowser.parse_asia_databrowser(_xlsx(rows))


@pytest.mark.real_data
def test_real_export_2018(real_data):
    path = real_data / "istat_asia" / "183_285_DF_DICA_ASIAULP_7_2018_TOTAL_0010_all_territories.databrowser.xlsx"
    frame = asia_databrowser.parse_asia_databrowser(path.read_bytes())
    assert frame["codice"].nunique() == 7903
    values = frame.set_index(["codice", "variabile"])["valore"]
    assert values[("015175", "unita_locali")] == 1787
    assert values[("015175", "addetti")] == pytest.approx(9111.45)
    assert values[("036040", "unita_locali")] == 4335
    assert values[("036040", "addetti")] == pytest.approx(19252.29)
