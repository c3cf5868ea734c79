"""Foreign residents and households from the ISTAT SDMX answers in the store."""

import pytest

from diagnosis import store
from diagnosis.cli import main
from diagnosis.indicators.compute import compute_indicators
from diagnosis.tables import measures, population
from diagnosis.territory import resolve_territory

FOREIGN = """DATAFLOW,FREQ,REF_AREA,DATA_TYPE,SEX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,NOTE_DS,NOTE_REF_AREA,NOTE_DATA_TYPE,NOTE_SEX,BASE_PER,UNIT_MEAS,UNIT_MULT
IT1:29_316(1.0),A,036040,FJAN,9,2023-01-01,5700.0,,,,,,,,
IT1:29_316(1.0),A,036013,FJAN,9,2023-01-01,1500.0,,,,,,,,
IT1:29_316(1.0),A,036040,FJAN,1,2023-01-01,2800.0,,,,,,,,
IT1:29_316(1.0),A,036040,FJAN,9,2024-01-01,5800.0,e,,,,,,,
"""

HOUSEHOLDS = """DATAFLOW,FREQ,REF_AREA,DATA_TYPE,SEX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,NOTE_DS
IT1:22_315_DF_DCIS_POPORESBIL1_24(1.0),A,036040,NUMPRHO_CP,9,2022,17000.0,,
IT1:22_315_DF_DCIS_POPORESBIL1_24(1.0),A,036040,HOUSMEMB_CP,9,2022,40120.0,,
IT1:22_315_DF_DCIS_POPORESBIL1_24(1.0),A,036040,LBIRTH,9,2022,300.0,,
"""


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_foreign_share_and_households_from_imported_sdmx_answers(own_store, capsys):
    (own_store / "stranieri.csv").write_text(FOREIGN)
    (own_store / "famiglie.csv").write_text(HOUSEHOLDS)
    assert main(["dati", "aggiungi", str(own_store / "stranieri.csv"), str(own_store / "famiglie.csv")]) == 0
    assert {e["dataset"] for e in store.entries()} == {"stranieri_sdmx", "bilancio_sdmx"}
    values = compute_indicators(resolve_territory("036040"), 2023)["indicatori"]
    people = population.totals_by_comune(2023, ["036040"])["036040"]  # final 1/1/2023, same date
    assert values["quota_stranieri"]["valore"] == pytest.approx(round(5700 / people * 100, 2))
    assert values["quota_stranieri"]["riferimento"] == "al 1° gennaio 2023"
    # households counted at 31 December 2022 are the stock of 1 January 2023
    assert values["famiglie"]["valore"] == 17000
    assert values["componenti_per_famiglia"]["valore"] == pytest.approx(2.36)  # 40120 / 17000
    # a district: the two comuni imported take the place of the snapshot, the others keep it
    district = resolve_territory("citta-distretto-sassuolo")
    others = [c for c in district.comuni if c not in ("036040", "036013")]
    snapshot = measures.resolve("stranieri", 2023)
    expected = 5700 + 1500 + sum(snapshot.values_of(c)[0] for c in others)
    share = compute_indicators(district, 2023)["indicatori"]["quota_stranieri"]["valore"]
    people = sum(population.totals_by_comune(2023, district.comuni).values())
    assert share == pytest.approx(round(expected / people * 100, 2))
    # the 2024 estimate in the file does not replace the final figure of the snapshot
    assert measures.resolve("stranieri", 2024).sum_for(["036040"]).stato == "definitivo"


@pytest.mark.real_data
def test_real_foreign_residents_file_gives_the_share_with_benchmarks(own_store, real_data):
    path = real_data / "istat_sdmx" / "29_316_popstrbil1_FJAN_2020_2025.sdmx.csv"
    assert main(["dati", "aggiungi", str(path)]) == 0
    result = compute_indicators(resolve_territory("Sassuolo"), 2022)["indicatori"]["quota_stranieri"]
    people = population.totals_by_comune(2022, ["036040"])["036040"]
    assert result["valore"] == pytest.approx(round(5634 / people * 100, 2))  # 5634 read from the file
    assert result["confronti"]["provincia:MO"] is not None and result["confronti"]["italia"] is not None
    assert 5 < result["confronti"]["italia"] < 12
