"""Ministry of the Interior list of comuni: hand-written bytes in the published layout."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.sources import viminale

HEADER = "NR.;DESCRIZIONE COMUNE;SIGLA;CODICE ELETTORALE;CODICE ISTAT;CODICE BELFIORE"
# ASCII, ";", LF; the ISTAT code as an Excel formula (one row unpadded, as a re-saved copy
# would have it); rows in name order, not code order.
ROWS = [
    '1;ABANO TERME;PD;1050540010;="028001";A001',
    "2;AGLIE';TO;1010810010;=\"001001\";A074",
    '3;ALGHERO;SS;3200220030;="112001";A192',
    "4;NONE;TO;1010811650;1168;F931",
]


def _bytes(rows=ROWS) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("ascii")


def test_excel_formula_codes_become_six_characters():
    frame = viminale.parse_viminale_comuni(_bytes())
    expected = pd.DataFrame({
        "codice": ["001001", "001168", "028001", "112001"],
        "nome": ["AGLIE'", "NONE", "ABANO TERME", "ALGHERO"],
        "provincia_sigla": ["TO", "TO", "PD", "SS"],
        "codice_elettorale": ["1010810010", "1010811650", "1050540010", "3200220030"],
        "codice_catastale": ["A074", "F931", "A001", "A192"],
    }).astype("str")
    assert_frame_equal(frame, expected)


def test_missing_column_is_named():
    data = "NR.;DESCRIZIONE COMUNE;SIGLA;CODICE ISTAT\n1;ABANO TERME;PD;=\"028001\"\n".encode("ascii")
    with pytest.raises(FormatoNonRiconosciuto, match="codice belfiore"):
        viminale.parse_viminale_comuni(data)


def test_repeated_code_is_refused():
    with pytest.raises(FormatoNonRiconosciuto, match="028001"):
        viminale.parse_viminale_comuni(_bytes(ROWS + ['5;ABANO BIS;PD;1050540011;="028001";A002']))


def test_code_that_is_not_digits_is_refused():
    with pytest.raises(FormatoNonRiconosciuto, match="ABC"):
        viminale.parse_viminale_comuni(_bytes(ROWS + ['5;X;PD;1;="ABC";A003']))


@pytest.mark.real_data
def test_real_list_of_15_march_2026(real_data):
    frame = viminale.parse_viminale_comuni(
        (real_data / "istat_codes" / "viminale_codici_comuni_15-03-2026.csv").read_bytes()
    )
    assert len(frame) == 7895
    rows = frame.set_index("codice")
    assert rows.loc["015175", ["provincia_sigla", "codice_catastale"]].tolist() == ["MI", "G686"]
    assert rows.loc["112001", ["nome", "provincia_sigla"]].tolist() == ["ALGHERO", "SS"]
    assert "018082" not in rows.index  # Lirio, merged after 1 January 2026
