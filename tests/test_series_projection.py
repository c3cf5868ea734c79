"""With a population series in the store, ``proiezioni`` adds the back-tested series model."""

import pytest

from diagnosis.models.territory_projection import territory_projection
from diagnosis.territory import resolve_territory

from test_population_store import posas_bytes, stored_as_landed


@pytest.fixture
def series_in_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    # Pioltello growing by exactly 202 people (1 male and 1 female at each of 101 ages) a year.
    for year in range(2016, 2022):
        people = 170 + year - 2016
        stored_as_landed(f"posas{year}.zip", posas_bytes(year, {"015175": ("Pioltello", people, people)}))


def test_series_model_appears_with_enough_years_and_respects_the_2019_break(series_in_store):
    result = territory_projection(resolve_territory("Pioltello"), horizon=3)
    assert "popolazione_serie" in result["proiezioni"]
    # 2016-2018 precede ISTAT's 2019 re-basing: only 2019 onwards may be fitted, up to the base (2026).
    assert result["serie"]["anni"] == list(range(2019, 2027))
    assert "2019" in result["serie"]["nota"]
    rows = result["proiezioni"]["popolazione_serie"]
    assert [row["anno"] for row in rows] == [2027, 2028, 2029]
    for row in rows:
        assert row["basso_95"] <= row["basso_80"] <= row["valore"] <= row["alto_80"] <= row["alto_95"]


def test_without_a_series_only_the_cohort_projection_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "vuoto"))
    result = territory_projection(resolve_territory("Pioltello"), horizon=3)
    assert "popolazione_serie" not in result["proiezioni"] and "serie" not in result



def test_income_per_taxpayer_is_projected_from_the_mef_series_after_the_last_break(tmp_path, monkeypatch):
    from diagnosis.tables import income

    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "vuoto"))
    result = territory_projection(resolve_territory("Pioltello"), horizon=3)
    rows = result["proiezioni"]["reddito_imponibile_per_contribuente"]
    # the snapshot's tax years end in 2023: the series runs from 2024 to the end of the cohort projection
    assert [row["anno"] for row in rows] == list(range(2024, 2030))
    # MEF redefined taxable income in 2003-2006: the model starts in 2007
    assert result["serie_reddito"]["anni"][0] == 2007 and result["serie_reddito"]["anni"][-1] == 2023
    last = income.per_taxpayer_series(["015175"])[2023]
    assert rows[0]["basso_95"] <= last * 1.1 and rows[0]["alto_95"] >= last * 0.9
