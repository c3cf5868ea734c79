"""With a population series in the store, ``proiezioni`` adds the back-tested series model."""

import pytest

from diagnosis import store
from diagnosis.models.series import PERSISTENCE
from diagnosis.models.territory import territory_projection
from diagnosis.territory import resolve_territory

from test_population_store import posas_bytes


@pytest.fixture
def series_in_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    # Pioltello growing by exactly 202 people (1 male and 1 female at each of 101 ages) a year.
    for year in range(2016, 2022):
        path = tmp_path / f"posas{year}.zip"
        path.write_bytes(posas_bytes(year, {"015175": ("Pioltello", 170 + year - 2016, 170 + year - 2016)}))
        store.add_file(path)


def test_series_model_appears_with_enough_years_and_respects_the_2019_break(series_in_store):
    result = territory_projection(resolve_territory("Pioltello"), horizon=3)
    assert "popolazione_serie" in result["proiezioni"]
    # 2016-2018 precede ISTAT's 2019 re-basing: only 2019 onwards may be fitted.
    assert result["serie"]["anni"][0] >= 2019
    assert "2019" in result["serie"]["nota"]
    # 2019-2023 is five years: too few for a trend, so persistence is the honest model.
    assert result["serie"]["anni"] == [2019, 2020, 2021, 2022, 2023]
    assert result["serie"]["modello"] == PERSISTENCE
    rows = result["proiezioni"]["popolazione_serie"]
    assert [row["anno"] for row in rows] == [2024, 2025, 2026]
    for row in rows:
        assert row["basso_95"] <= row["basso_80"] <= row["valore"] <= row["alto_80"] <= row["alto_95"]


def test_without_a_series_only_the_cohort_projection_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "vuoto"))
    result = territory_projection(resolve_territory("Pioltello"), horizon=3)
    assert "popolazione_serie" not in result["proiezioni"] and "serie" not in result



def test_income_per_taxpayer_is_projected_from_a_stored_mef_series(tmp_path, monkeypatch, fixtures):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    template = (fixtures / "mef" / "irpef_comunale_2023_utf8.csv").read_bytes().decode("utf-8")
    # The same file declared for tax years 2012-2023 with income growing 2 % a year (taxpayers fixed).
    for step, year in enumerate(range(2012, 2024)):
        text = template.replace("2023;", f"{year};").replace("612345678", str(round(612345678 * 1.02 ** (step - 11))))
        path = tmp_path / f"mef{year}.csv"
        path.write_text(text, encoding="utf-8")
        assert store.add_file(path)["years"] == [year]
    result = territory_projection(resolve_territory("Pioltello"), horizon=3)
    rows = result["proiezioni"]["reddito_imponibile_per_contribuente"]
    assert [row["anno"] for row in rows] == [2024, 2025, 2026]
    last = 612345678 / 26100
    assert rows[0]["valore"] > last * 0.99  # a growing series is not projected downwards
    assert result["serie_reddito"]["anni"][0] >= 2012 and result["serie_reddito"]["modello"]
