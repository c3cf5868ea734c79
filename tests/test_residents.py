"""Foreign residents and households from the ISTAT SDMX answers in the store."""

import pytest

from diagnosis import store
from diagnosis.cli import main
from diagnosis.indicators.compute import compute_indicators
from diagnosis.tables import population
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
    people = int(population.cube(2023).total_for(["036040"]).sum())
    assert values["quota_stranieri"]["valore"] == pytest.approx(round(5700 / people * 100, 2))
    # households counted at 31 December 2022 are the stock of 1 January 2023
    assert values["famiglie"]["valore"] == 17000
    assert values["componenti_per_famiglia"]["valore"] == pytest.approx(2.36)  # 40120 / 17000
    # a district with a comune missing gets no share rather than a partial one
    district = compute_indicators(resolve_territory("citta-distretto-sassuolo"), 2023)["indicatori"]
    assert district["quota_stranieri"]["valore"] is None
    assert "--fonte stranieri_sdmx" in district["quota_stranieri"]["nota"]


@pytest.mark.real_data
def test_real_foreign_residents_file_gives_the_share_with_benchmarks(own_store, real_data):
    path = real_data / "istat_sdmx" / "29_316_popstrbil1_FJAN_2020_2025.sdmx.csv"
    assert main(["dati", "aggiungi", str(path)]) == 0
    result = compute_indicators(resolve_territory("Sassuolo"), 2022)["indicatori"]["quota_stranieri"]
    people = int(population.cube(2022).total_for(["036040"]).sum())
    assert result["valore"] == pytest.approx(round(5634 / people * 100, 2))  # 5634 read from the file
    assert result["confronti"]["provincia:MO"] is not None and result["confronti"]["italia"] is not None
    assert 5 < result["confronti"]["italia"] < 12
