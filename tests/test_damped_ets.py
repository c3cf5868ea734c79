"""The back-test's lean damped-trend fit gives statsmodels' forecasts, series by series.

The reference is the route the lean fit replaces: ``ETSModel(...).fit()``, its forecast moved
to start from the last observation. Agreement is asked to 1e-9 relative; the likelihood of a
short series is flat, so a fit that took another path would miss by whole percent.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import fmin_l_bfgs_b
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from diagnosis.models import damped_ets
from diagnosis.models.series import ETS_MIN_TRAIN, KNOWN_BREAKS, point_damped_ets, segment_after_breaks
from diagnosis.sources.mef_irpef import parse_mef_csv

HORIZONS = range(1, 6)
RELATIVE_TOLERANCE = 1e-9


def statsmodels_points(series: pd.Series, horizons, **fit_options) -> dict[int, np.ndarray]:
    """Point forecasts for each horizon from one statsmodels fit, started at the last observation."""
    values = pd.Series(series.to_numpy(float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # a flat series fits exactly: log(0)
        fit = ETSModel(values, error="add", trend="add", damped_trend=True).fit(disp=False, **fit_options)
    shift = float(values.iloc[-1] - fit.level.iloc[-1])
    return {h: fit.forecast(h).to_numpy() + shift for h in horizons}


def lean_points(series: pd.Series, horizons) -> dict[int, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return {h: point_damped_ets(series, h) for h in horizons}


def assert_same_forecasts(series: pd.Series, horizons=HORIZONS) -> None:
    expected, got = statsmodels_points(series, horizons), lean_points(series, horizons)
    for h in horizons:
        np.testing.assert_allclose(got[h], expected[h], rtol=RELATIVE_TOLERANCE, atol=0, err_msg=f"orizzonte {h}")


def synthetic_series() -> dict[str, pd.Series]:
    rng = np.random.default_rng(11)
    years = np.arange(2007, 2024)
    steps = np.arange(years.size)
    shapes = {
        "piatta": np.full(years.size, 21500.0),
        "tendenza": 18000 + 350.0 * steps,
        "rumorosa": 20000 + rng.normal(0, 900, years.size),
        "passeggiata": 15000 * np.exp(np.cumsum(rng.normal(0.01, 0.03, years.size))),
        "in_calo": 30000 - 40.0 * steps**2 + rng.normal(0, 50, years.size),
        # large enough for scipy's 1e-8 step to vanish against the level: the relative step takes over
        "grandi_valori": 4.2e8 * (1 + 0.02 * steps) + rng.normal(0, 2e6, years.size),
    }
    found = {name: pd.Series(values, index=years) for name, values in shapes.items()}
    # the shortest training a back-test origin gets, below statsmodels' ten points for its heuristic start
    found["minima"] = found["rumorosa"].iloc[:ETS_MIN_TRAIN]
    found["dieci_punti"] = found["passeggiata"].iloc[:10]
    return found


@pytest.mark.parametrize("name", list(synthetic_series()))
def test_lean_fit_gives_statsmodels_forecasts(name):
    assert_same_forecasts(synthetic_series()[name])


@pytest.mark.parametrize("name", ["grandi_valori", "minima", "rumorosa"])
def test_gradient_walks_the_path_of_scipys_own_differences(name):
    # The damping starts on its upper bound, so the step taken backwards is exercised at once;
    # large values need the relative step, whose effect on the forecast alone is below 1e-9.
    problem = damped_ets._problem(synthetic_series()[name].to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected, _, _ = fmin_l_bfgs_b(damped_ets._Likelihood(problem).value, problem.free_start, approx_grad=True,
                                       bounds=problem.free_bounds, maxiter=damped_ets.MAX_ITERATIONS)
        np.testing.assert_array_equal(damped_ets._minimise(problem), expected)


def test_evaluation_budget_stops_where_statsmodels_stops(monkeypatch):
    # A budget small enough to end the fit early; 64 is no multiple of the six evaluations a
    # point costs statsmodels, so the rounding of the translated budget is tested too.
    series = synthetic_series()["rumorosa"]
    monkeypatch.setattr(damped_ets, "MAX_EVALUATIONS", 64)
    expected = statsmodels_points(series, [5], maxfun=64)[5]
    np.testing.assert_allclose(point_damped_ets(series, 5), expected, rtol=RELATIVE_TOLERANCE, atol=0)
    assert not np.allclose(expected, statsmodels_points(series, [5])[5], rtol=1e-6)


def test_large_values_take_the_relative_step():
    level = synthetic_series()["grandi_valori"].iloc[0]
    assert (level + damped_ets.STEP) - level == 0
    assert damped_ets._forward_step(level) == pytest.approx(damped_ets.RELATIVE_STEP * level)
    assert damped_ets._forward_step(0.5) == damped_ets.STEP


def test_forecast_path_is_damped_from_the_last_level():
    series = synthetic_series()["tendenza"]
    path, level = damped_ets.forecast_from_level(series.to_numpy(), 5)
    steps = np.diff(np.concatenate([[level], path]))
    # a rising trend, damped: each year adds less than the one before, never turning down
    assert np.all(steps > 0) and np.all(np.diff(steps) < 0)


# --- real series ------------------------------------------------------------------------------

REAL_YEARS = range(2007, 2024)  # MEF taxable income is comparable from 2007 on
REAL_SERIES = 240


def real_income_series(folder) -> pd.DataFrame:
    """Taxable income per taxpayer, one column per comune held with both figures in every year."""
    frames = []
    for year in REAL_YEARS:
        path = folder / "mef_irpef" / f"Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_{year}.csv"
        tidy = parse_mef_csv(path.read_bytes())
        frames.append(tidy[tidy["variabile"].isin(["contribuenti", "reddito_imponibile_ammontare"])])
    wide = pd.concat(frames).pivot_table(index="anno", columns=["variabile", "codice"], values="valore", aggfunc="first")
    per_taxpayer = wide["reddito_imponibile_ammontare"] / wide["contribuenti"]
    return per_taxpayer.dropna(axis=1)


@pytest.mark.real_data
def test_lean_fit_gives_statsmodels_forecasts_on_real_income(real_data):
    table = real_income_series(real_data)
    assert table.shape[1] > 7000
    chosen = table.columns[:: table.shape[1] // REAL_SERIES][:REAL_SERIES]
    for k, code in enumerate(chosen):
        segment, _ = segment_after_breaks(table[code], KNOWN_BREAKS["reddito_imponibile_mef"])
        # every training length a back-test origin gets, from the shortest to the whole
        # segment, and every horizon, in turn
        length = ETS_MIN_TRAIN + k % (len(segment) - ETS_MIN_TRAIN + 1)
        horizon = HORIZONS[(k // 10) % len(HORIZONS)]
        assert_same_forecasts(segment.iloc[:length], [horizon])


def test_the_likelihood_smooths_with_the_float64_compilation():
    problem = damped_ets._problem(synthetic_series()["tendenza"].to_numpy())
    smoothing = problem.model._smoothing_func
    assert damped_ets._Likelihood(problem).smooth is smoothing.__signatures__["float64_t"]
    assert damped_ets._for_float64(np.add) is np.add  # a function compiled for one type is used as it is
