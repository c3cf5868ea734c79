"""Projection and trend models on synthetic data with known answers."""

import json

import numpy as np
import pandas as pd
import pytest

from diagnosis.models import calibration, cohort, series
from diagnosis.models.calibration import calibrate, cohort_bands, conformal_quantile, to_records
from diagnosis.models.cohort import N_AGES, project_cohorts, stabilised_ratios
from diagnosis.models.series import Break, forecast_series


def stationary_population(size: float = 1000.0) -> np.ndarray:
    """Survival 0.99 a year from age 0, same for both sexes, open class 100+ twice age 99."""
    ages = np.arange(N_AGES, dtype=float)
    counts = size * 0.99**ages
    counts[-1] = 2 * counts[-2]
    return np.stack([counts, counts])


def noisy_population(rng, size: float) -> np.ndarray:
    return rng.poisson(stationary_population(size)).astype(float)


# --- cohort ---------------------------------------------------------------------------------


def test_stationary_population_reproduces_itself():
    population = stationary_population()
    result = project_cohorts(population, population, horizon=5)
    for year in range(6):
        np.testing.assert_allclose(result.population[year], population, rtol=1e-12)


def test_constant_ratios_are_applied_each_year():
    prev = stationary_population()
    base = prev.copy()
    base[:, 1:100] = prev[:, :99] * 0.98  # every cohort shrinks 2% a year
    result = project_cohorts(prev, base, horizon=3)
    np.testing.assert_allclose(result.population[3][:, 10], base[:, 7] * 0.98**3)


def test_open_class_and_births():
    prev = stationary_population()
    base = prev.copy()
    base[:, 100] = (prev[:, 99] + prev[:, 100]) * 0.5
    base[:, 0] = prev[:, 0] * 1.1
    result = project_cohorts(prev, base, horizon=1)
    ahead = result.population[1]
    np.testing.assert_allclose(ahead[:, 100], 0.5 * (base[:, 99] + base[:, 100]))
    cwr = base[:, 0].sum() / base[1, 15:50].sum()
    assert ahead[:, 0].sum() == pytest.approx(cwr * ahead[1, 15:50].sum())
    assert ahead[0, 0] / ahead[1, 0] == pytest.approx(base[0, 0] / base[1, 0])


def test_any_horizon_with_multi_year_step_interpolates():
    population = stationary_population()
    result = project_cohorts(population, population, step=5, horizon=7)
    assert result.population.shape == (8, 2, N_AGES)
    np.testing.assert_allclose(result.totals(), population.sum(), rtol=1e-9)


def test_vectorised_and_per_comune_agree():
    rng = np.random.default_rng(1)
    prev = np.stack([noisy_population(rng, s) for s in (5, 50, 500)])
    base = np.stack([noisy_population(rng, s) for s in (5, 50, 500)])
    reference = (prev.sum(0), base.sum(0))
    batch = project_cohorts(prev, base, horizon=5, reference=reference)
    assert batch.population.shape == (3, 6, 2, N_AGES)
    for i in range(3):
        single = project_cohorts(prev[i], base[i], horizon=5, reference=reference)
        np.testing.assert_allclose(batch.population[i], single.population)


def test_shrinkage_pulls_small_populations_more():
    prev_small, prev_large = stationary_population(10), stationary_population(10_000)
    base_small, base_large = prev_small * 1.0, prev_large * 1.0
    base_small[:, 1:100] = prev_small[:, :99] * 1.2  # both comuni grow 20% a year at every age
    base_large[:, 1:100] = prev_large[:, :99] * 1.2
    reference = (stationary_population(), stationary_population())  # reference ratio 0.99
    local = 1.2
    small = stabilised_ratios(prev_small, base_small, reference=reference).ccr[:, 40]
    large = stabilised_ratios(prev_large, base_large, reference=reference).ccr[:, 40]
    assert np.all(np.abs(small - 0.99) < np.abs(large - 0.99))
    assert np.all(np.abs(large - local) < np.abs(small - local))
    n = prev_small[0, 39]
    weight = n / (n + cohort.DEFAULT_RATIO_CREDIBILITY)
    assert small[0] == pytest.approx(weight * local + (1 - weight) * 0.99)


def test_ratios_are_clipped_and_empty_cells_take_the_reference():
    prev = stationary_population(10)
    base = prev.copy()
    prev[:, 30] = 0.0  # nobody at risk of becoming 31
    base[:, 50] = prev[:, 49] * 10  # an implausible jump
    reference = (stationary_population(), stationary_population())
    ratios = stabilised_ratios(prev, base, reference=reference, ratio_credibility=0).ccr
    np.testing.assert_allclose(ratios[:, 31], 0.99)
    np.testing.assert_allclose(ratios[:, 50], cohort.CCR_BOUNDS_PER_YEAR[1])


def test_age_groups_and_indicators():
    population = np.zeros((2, N_AGES))
    population[:, 5] = 10  # 20 young
    population[:, 30] = 20  # 40 working age
    population[:, 85] = 5  # 10 old, all 80+
    groups = cohort.age_group_totals(population)
    assert (groups["0-14"], groups["15-64"], groups["65+"], groups["80+"]) == (20, 40, 10, 10)
    indicators = cohort.structural_indicators(population)
    assert indicators["indice_vecchiaia"] == pytest.approx(50)
    assert indicators["indice_dipendenza_strutturale"] == pytest.approx(75)
    assert indicators["indice_dipendenza_anziani"] == pytest.approx(25)


def test_to_frame_for_one_comune():
    population = stationary_population()
    frame = project_cohorts(population, population, horizon=3, base_year=2023).to_frame()
    assert frame["anno"].tolist() == [2023, 2024, 2025, 2026]
    assert {"totale", "0-14", "65+", "indice_vecchiaia"} <= set(frame.columns)


def test_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="sesso"):
        project_cohorts(np.zeros((2, 100)), np.zeros((2, 100)))


# --- series ---------------------------------------------------------------------------------


def linear_series(start=2010, end=2023, intercept=1000.0, slope=25.0, wiggle=0.5):
    years = np.arange(start, end + 1)
    noise = wiggle * np.where(years % 2 == 0, 1.0, -1.0)
    return pd.Series(intercept + slope * (years - start) + noise, index=years)


def test_linear_series_is_recovered_and_chosen():
    data = linear_series()
    result = forecast_series(data, horizon=3)
    assert result.model == series.LINEAR_TREND
    assert result.scores[series.LINEAR_TREND] < result.scores[series.PERSISTENCE]
    expected = 1000 + 25 * (np.arange(2024, 2027) - 2010)
    np.testing.assert_allclose(result.forecast.values, expected, rtol=1e-3)
    assert result.forecast.years.tolist() == [2024, 2025, 2026]


def test_break_is_never_crossed():
    before = linear_series(2005, 2016, intercept=5000, slope=-100)
    after = linear_series(2017, 2024, intercept=1000, slope=10)
    data = pd.concat([before, after])
    result = forecast_series(data, horizon=2, breaks=[Break(2017, "ridefinizione")])
    assert result.segment.index.min() == 2017
    assert result.backtest["origine"].min() >= 2017
    assert "2017" in result.note
    assert result.forecast.values[0] == pytest.approx(1000 + 10 * 8, rel=1e-2)


def test_short_segment_gets_persistence_only():
    data = linear_series(2015, 2023)
    result = forecast_series(data, horizon=3, breaks=[2019])
    assert len(result.segment) == 5
    assert result.model == series.PERSISTENCE
    assert "solo persistenza" in result.note
    np.testing.assert_allclose(result.forecast.values, data.iloc[-1])


@pytest.mark.parametrize("forecaster", [series.forecast_persistence, series.forecast_linear, series.forecast_damped_ets])
def test_intervals_widen_with_horizon(forecaster):
    rng = np.random.default_rng(3)
    years = np.arange(2005, 2024)
    data = pd.Series(1000 + 5 * (years - 2005) + rng.normal(0, 10, years.size), index=years)
    forecast = forecaster(data, 5)
    for level in series.LEVELS:
        width = forecast.upper[level] - forecast.lower[level]
        assert np.all(np.diff(width) > 0)
    assert np.all(forecast.upper[0.95] - forecast.lower[0.95] > forecast.upper[0.80] - forecast.lower[0.80])


def test_damped_ets_is_a_candidate_on_long_series():
    assert series.candidate_models(5) == [series.PERSISTENCE]
    assert series.candidate_models(6) == [series.PERSISTENCE, series.LINEAR_TREND]
    assert series.DAMPED_ETS in series.candidate_models(12)
    rng = np.random.default_rng(5)
    data = pd.Series(rng.normal(100, 1, 14).cumsum(), index=range(2010, 2024))
    result = forecast_series(data, horizon=2)
    assert set(result.scores) == {series.PERSISTENCE, series.LINEAR_TREND, series.DAMPED_ETS}


# --- calibration ----------------------------------------------------------------------------


def synthetic_errors(rng, n_per_horizon: int, horizons=(1, 2, 3)) -> pd.DataFrame:
    rows = [(h, e) for h in horizons for e in rng.normal(0, 0.02 * h, n_per_horizon)]
    return pd.DataFrame(rows, columns=["orizzonte", "errore_relativo"])


def test_conformal_quantile_rank():
    assert conformal_quantile(np.arange(1, 10), 0.8) == 8  # ceil(10 * 0.8) = 8th of 9
    assert np.isnan(conformal_quantile(np.arange(1, 4), 0.95))  # too few for 95%


def test_calibration_reaches_target_coverage():
    rng = np.random.default_rng(7)
    table = calibration.error_quantiles(synthetic_errors(rng, 2000))
    fresh = synthetic_errors(rng, 20000)
    for level, column in ((0.80, "q80"), (0.95, "q95")):
        limits = fresh["orizzonte"].map(table[column])
        coverage = (fresh["errore_relativo"].abs() <= limits).mean()
        assert coverage == pytest.approx(level, abs=0.015)


def test_calibrate_widens_a_too_narrow_model_interval():
    rng = np.random.default_rng(11)
    values = np.full(3, 100.0)
    narrow = series.Forecast(
        series.LINEAR_TREND, np.array([2024, 2025, 2026]), values,
        {0.80: values - 0.1, 0.95: values - 0.2}, {0.80: values + 0.1, 0.95: values + 0.2},
    )
    frame = calibrate(narrow, synthetic_errors(rng, 500))
    assert list(frame.columns) == calibration.OUTPUT_COLUMNS
    width_95 = (frame["alto_95"] - frame["basso_95"]).to_numpy()
    assert np.all(width_95 > 0.4) and np.all(np.diff(width_95) > 0)
    assert np.all(frame["alto_80"] - frame["basso_80"] < width_95)
    # outcomes drawn from the same error law fall inside the 80% band about 80% of the time
    outcomes = 100.0 / (1 + rng.normal(0, 0.02, 20000))
    inside = (outcomes >= frame.loc[0, "basso_80"]) & (outcomes <= frame.loc[0, "alto_80"])
    assert inside.mean() == pytest.approx(0.80, abs=0.03)
    record = to_records(frame)[0]
    assert set(record) == {"anno", "valore", "basso_80", "alto_80", "basso_95", "alto_95", "modello", "errore_backtest"}
    json.dumps(record)


def test_model_interval_is_the_floor_and_the_fallback():
    values = np.full(2, 100.0)
    wide = series.Forecast(
        series.PERSISTENCE, np.array([2024, 2025]), values,
        {0.80: values - 30, 0.95: values - 50}, {0.80: values + 30, 0.95: values + 50},
    )
    tiny_errors = pd.DataFrame({"orizzonte": [1] * 50, "errore_relativo": np.linspace(-0.01, 0.01, 50)})
    frame = calibrate(wide, tiny_errors)
    assert frame.loc[0, "basso_95"] == 50 and frame.loc[0, "alto_95"] == 150
    frame = calibrate(wide, tiny_errors.iloc[:0])
    assert frame.loc[1, "basso_80"] == 70 and np.isnan(frame.loc[1, "errore_backtest"])


def test_series_forecast_feeds_calibration():
    result = forecast_series(linear_series(wiggle=5.0), horizon=3)
    frame = calibrate(result.forecast, result.errors_of_chosen_model())
    assert (frame["modello"] == series.LINEAR_TREND).all()
    assert np.all(frame["basso_95"] <= frame["valore"]) and np.all(frame["valore"] <= frame["alto_95"])


def test_cohort_bands_from_measured_errors():
    errors = {
        "classi": {
            "1k_5k": {"orizzonti": {2: {"n": 100, "mape": 1.0, "q80": 0.02, "q95": 0.04},
                                    3: {"n": 100, "mape": 1.5, "q80": 0.03, "q95": 0.06}}}
        }
    }
    frame = cohort_bands([2000, 1990, 1980, 1970, 1960, 1950], np.arange(2023, 2029), 2000, errors=errors)
    assert frame["anno"].tolist() == [2024, 2025, 2026, 2027, 2028]
    assert frame.loc[1, "alto_80"] == pytest.approx(1980 / 0.98)
    assert frame.loc[4, "alto_95"] == pytest.approx(1950 / (1 - 0.06 * 5 / 3))  # linear beyond h=3
    assert (frame["modello"] == "Hamilton-Perry").all()


def test_shipped_cohort_errors_cover_every_class():
    measured = calibration.load_cohort_errors()
    assert {name for name, _, _ in calibration.SIZE_CLASSES} <= set(measured["classi"])
    for size in measured["classi"]:
        table = calibration.cohort_error_table(size, measured)
        assert (table["q95"] >= table["q80"]).all()


@pytest.mark.parametrize("model", [series.PERSISTENCE, series.LINEAR_TREND, series.DAMPED_ETS])
def test_the_back_test_scores_each_model_on_its_own_central_values(model):
    rng = np.random.default_rng(7)
    years = np.arange(2007, 2024)
    values = pd.Series(18_000 + 250 * (years - 2007) + rng.normal(0, 120, years.size), index=years)
    full, _minimum = series.FORECASTERS[model]
    assert np.allclose(series.POINT_FORECASTERS[model](values, 5), full(values, 5).values, rtol=1e-9)
