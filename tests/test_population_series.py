"""The long population series: 2002 reconstruction, the 2019 re-basing, merged comuni rebuilt."""

import pytest

from diagnosis.cli import main
from diagnosis.indicators.compute import compute_indicators
from diagnosis.tables import population
from diagnosis.tables.population_series import total_series
from diagnosis.territory import resolve_territory

from test_code_history import SOPPRESSI

HEADER = ("DATAFLOW,FREQ,REF_AREA,DATA_TYPE,AGE,SEX,CITIZENSHIP,TIME_PERIOD,OBS_VALUE,OBS_STATUS,NOTE_DS,"
          "NOTE_REF_AREA\n")
FLOW = "IT1:164_164_DF_DCIS_RICPOPRES2011_24(1.0)"


def reconstruction(values: dict[tuple[str, int], int]) -> str:
    rows = [f"{FLOW},A,{code},JAN,TOTAL,9,TOTAL,{year},{value},,," for (code, year), value in values.items()]
    rows.append(f"{FLOW},A,036040,JAN,TOTAL,1,TOTAL,2010,20000,,,")  # males only: not a total
    return HEADER + "\n".join(rows) + "\n"


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_series_joins_the_reconstruction_and_the_census_base(own_store):
    path = own_store / "ricostruita.csv"
    path.write_text(reconstruction({("036040", 2002): 40000, ("036040", 2010): 41000, ("036040", 2018): 40800}))
    assert main(["dati", "aggiungi", str(path)]) == 0
    series = total_series(["036040"]).set_index("anno")
    assert list(series.index) == [2002, 2010, 2018, 2022, 2023, 2024, 2025, 2026]
    assert series.loc[2010, "popolazione"] == 41000
    assert series.loc[2002, "base"].startswith("ricostruzione") and series.loc[2022, "base"].startswith("censimento")
    # 1/1/2023: the final total (SDMX 22_289) is preferred to the embedded estimate, and the note says so
    people_2023 = population.totals_by_comune(2023, ["036040"])["036040"]
    assert series.loc[2023, "popolazione"] == people_2023 and series.loc[2023, "stato"] == "definitivo"
    assert "(stima)" in series.loc[2023, "nota"]
    entry = compute_indicators(resolve_territory("Sassuolo"), 2023)["indicatori"]["variazione_popolazione_lungo_periodo_pct"]
    assert entry["valore"] == pytest.approx(round((people_2023 - 40000) / 40000 * 100, 2))
    assert "censimento permanente nel 2019" in entry["fonte"]


def test_a_merged_comune_is_rebuilt_from_its_predecessors(own_store):
    # SOPPRESSI (test_code_history): 015992 merged into 015990 (2016), which merged into Pioltello 015175 (2019)
    (own_store / "soppressi.csv").write_bytes(SOPPRESSI)
    data = {("015990", 2010): 30000, ("015992", 2010): 1200, ("036013", 2010): 16000}
    (own_store / "ricostruita.csv").write_text(reconstruction(data))
    assert main(["dati", "aggiungi", str(own_store / "soppressi.csv"), str(own_store / "ricostruita.csv")]) == 0
    series = total_series(["015175"]).set_index("anno")
    assert series.loc[2010, "popolazione"] == 31200
    assert "015175 = 015990 + 015992" in series.loc[2010, "nota"]
    assert total_series(["036013"]).set_index("anno").loc[2010, "nota"] == ""
    # in SOPPRESSI Località Già (036901) joined Sassuolo in 2018: a 2010 table without it lacks part of Sassuolo
    assert 2010 not in set(total_series(["036040"])["anno"])


def test_a_year_missing_a_comune_is_left_out_not_summed_on_part(own_store):
    (own_store / "ricostruita.csv").write_text(reconstruction({("036040", 2010): 41000}))
    assert main(["dati", "aggiungi", str(own_store / "ricostruita.csv")]) == 0
    district = resolve_territory("citta-distretto-sassuolo")
    assert 2010 not in set(total_series(district.comuni)["anno"])
