"""Trend models for one annual series, chosen by a rolling-origin back-test.

A series is a ``pandas.Series`` of numbers indexed by year (int). Three candidates:

- ``persistenza`` (naive persistence): the last value carried forward, with a
  random-walk interval ``± z · σ · √h`` where ``σ`` is the root mean square of the
  year-on-year changes. Always a candidate: a model that cannot beat it on the
  series' own past has not earned a place in the report.
- ``tendenza lineare``: OLS of the value on the year (statsmodels ``OLS``), its slope
  continued from the last observed value; the interval is the OLS *prediction* interval,
  which widens away from the mean year, moved with it.
- ``livellamento esponenziale smorzato``: additive-error ETS with a damped additive
  trend (statsmodels ``ETSModel``, ``damped_trend=True``), analytical prediction
  intervals. Damping keeps a recent slope from being extrapolated for ever. The path
  starts from the last observed value, not from the smoothed level. The back-test's
  refits go through ``damped_ets``: the same fit, to the last bit, without statsmodels'
  results object.

Every model is anchored on the last observation: a projection never begins by jumping
away from the latest published figure.

Minimum points (counted on the segment actually used, after breaks):

- fewer than ``MIN_POINTS_TREND`` = 6 points: persistence only — with five points a
  slope has three degrees of freedom and a back-test would rest on one or two origins;
- the linear trend needs ``MIN_POINTS_TREND`` = 6 points;
- damped ETS estimates five quantities (level, slope, α, β, φ), so it is a
  candidate from ``MIN_POINTS_ETS`` = 10 points and is back-tested only from
  origins with at least ``ETS_MIN_TRAIN`` = 8 training points.

Model choice: every candidate is refitted at each origin ``o`` (training on the
first ``o`` points) and forecasts ``1..h`` years ahead; the relative errors
``(forecast - actual) / actual`` are averaged as a MAPE per horizon, and the score
is the mean of the per-horizon MAPEs (so short horizons, which have more origins,
do not dominate). All candidates are scored on the same origins. The lowest score
wins; ties go to the simpler model (persistence, then linear, then ETS).

Known breaks: a series whose definition changed (e.g. MEF taxable income,
not comparable 2003–2006; ISTAT population re-based on the permanent census) is
fitted only on the segment from the last break year on, never across it; the
choice is written in the result's ``note``.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from scipy.stats import norm
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from diagnosis.models import damped_ets

PERSISTENCE = "persistenza"
LINEAR_TREND = "tendenza lineare"
DAMPED_ETS = "livellamento esponenziale smorzato"

MIN_POINTS_TREND = 6
MIN_POINTS_ETS = 10
ETS_MIN_TRAIN = 8
LINEAR_MIN_TRAIN = 4
PERSISTENCE_MIN_TRAIN = 2
LEVELS = (0.80, 0.95)


@dataclass(frozen=True)
class Break:
    """A change of definition: values from ``year`` on are not comparable with earlier ones."""

    year: int
    reason: str


KNOWN_BREAKS = {
    "reddito_imponibile_mef": (
        Break(2003, "MEF: reddito imponibile ridefinito per gli anni d'imposta 2003-2006"),
        Break(2007, "MEF: reddito imponibile di nuovo comparabile dal 2007"),
    ),
    "popolazione_istat": (
        Break(2019, "ISTAT: popolazione riallineata al censimento permanente dal 2019"),
    ),
}


@dataclass(frozen=True)
class Forecast:
    """A fitted model's point forecasts and intervals for years ``last+1 .. last+h``."""

    model: str
    years: np.ndarray
    values: np.ndarray
    lower: dict[float, np.ndarray]
    upper: dict[float, np.ndarray]


@dataclass
class SeriesForecast:
    """The chosen model's forecast, the back-test behind the choice and the breaks used."""

    forecast: Forecast
    backtest: pd.DataFrame  # columns: modello, origine, orizzonte, errore_relativo
    scores: dict[str, float]  # MAPE (%) averaged over horizons, per candidate
    segment: pd.Series
    note: str
    breaks: tuple[Break, ...] = field(default_factory=tuple)

    @property
    def model(self) -> str:
        return self.forecast.model

    def errors_of_chosen_model(self) -> pd.DataFrame:
        return self.backtest[self.backtest["modello"] == self.model]


def _z(level: float) -> float:
    return float(norm.ppf(0.5 + level / 2))


def as_annual_series(series: pd.Series) -> pd.Series:
    """Sorted float series with an int year index and no missing values."""
    clean = pd.Series(series, dtype=float).dropna()
    clean.index = pd.Index(clean.index.astype(int), name="anno")
    clean = clean.sort_index()
    if clean.index.has_duplicates:
        raise ValueError("la serie ha anni ripetuti")
    return clean


def segment_after_breaks(series: pd.Series, breaks=()) -> tuple[pd.Series, str]:
    """The part of ``series`` from the last break inside it on, and an Italian note.

    ``breaks`` are ``Break`` objects or plain years. A break at or before the first
    year, or after the last, does not cut anything.
    """
    series = as_annual_series(series)
    items = [b if isinstance(b, Break) else Break(int(b), "cambio di definizione") for b in breaks]
    inside = [b for b in items if series.index.min() < b.year <= series.index.max()]
    if not inside:
        return series, "nessuna interruzione di serie nel periodo"
    last = max(inside, key=lambda b: b.year)
    segment = series[series.index >= last.year]
    note = (
        f"serie interrotta nel {last.year} ({last.reason}): modello stimato solo sugli anni "
        f"{segment.index.min()}-{segment.index.max()}, mai attraverso l'interruzione"
    )
    return segment, note


def forecast_persistence(series: pd.Series, horizon: int) -> Forecast:
    values = series.to_numpy(float)
    steps = np.arange(1, horizon + 1)
    changes = np.diff(values)
    sigma = np.sqrt(np.mean(changes**2)) if changes.size else np.nan
    point = np.full(horizon, values[-1])
    return _normal_forecast(PERSISTENCE, series, point, sigma * np.sqrt(steps))


def forecast_linear(series: pd.Series, horizon: int) -> Forecast:
    """The OLS slope continued from the last observed value (the line is moved to pass through it)."""
    years = series.index.to_numpy(float)
    values = series.to_numpy(float)
    future = years[-1] + np.arange(1, horizon + 1)
    fit = OLS(values, add_constant(years)).fit()
    prediction = fit.get_prediction(add_constant(future, has_constant="add"))
    shift = values[-1] - float(fit.fittedvalues[-1])
    lower, upper = {}, {}
    for level in LEVELS:
        frame = prediction.summary_frame(alpha=1 - level)
        lower[level] = frame["obs_ci_lower"].to_numpy() + shift
        upper[level] = frame["obs_ci_upper"].to_numpy() + shift
    return Forecast(LINEAR_TREND, future.astype(int), prediction.predicted_mean + shift, lower, upper)


def forecast_damped_ets(series: pd.Series, horizon: int) -> Forecast:
    # a RangeIndex: statsmodels' prediction needs a pandas input, and a year index has no frequency
    values = pd.Series(series.to_numpy(float))
    with warnings.catch_warnings():
        # short series often stop at the iteration limit; the back-test judges the result
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = ETSModel(values, error="add", trend="add", damped_trend=True).fit(disp=False)
        prediction = fit.get_prediction(start=len(values), end=len(values) + horizon - 1)
        # The forecast starts from the smoothed level; it is moved to start from the last observation.
        shift = float(values.iloc[-1] - fit.level.iloc[-1])
        lower, upper = {}, {}
        for level in LEVELS:
            frame = prediction.summary_frame(alpha=1 - level)
            lower[level] = frame["pi_lower"].to_numpy() + shift
            upper[level] = frame["pi_upper"].to_numpy() + shift
    future = series.index[-1] + np.arange(1, horizon + 1)
    return Forecast(DAMPED_ETS, future, prediction.predicted_mean.to_numpy() + shift, lower, upper)


def point_persistence(series: pd.Series, horizon: int) -> np.ndarray:
    return np.full(horizon, float(series.iloc[-1]))


def point_linear(series: pd.Series, horizon: int) -> np.ndarray:
    """The values of :func:`forecast_linear` without its intervals: the OLS slope from the last value."""
    years = series.index.to_numpy(float)
    slope = np.polyfit(years, series.to_numpy(float), 1)[0]
    return float(series.iloc[-1]) + slope * np.arange(1, horizon + 1)


def point_damped_ets(series: pd.Series, horizon: int) -> np.ndarray:
    """The values of :func:`forecast_damped_ets` without its intervals: the same fit, made
    lean because the back-test repeats it at every origin (see ``damped_ets``)."""
    values = series.to_numpy(float)
    path, level = damped_ets.forecast_from_level(values, horizon)
    return path + float(values[-1] - level)


def _normal_forecast(model, series, point, scale) -> Forecast:
    future = series.index[-1] + np.arange(1, len(point) + 1)
    lower = {level: point - _z(level) * scale for level in LEVELS}
    upper = {level: point + _z(level) * scale for level in LEVELS}
    return Forecast(model, future, point, lower, upper)


FORECASTERS = {
    PERSISTENCE: (forecast_persistence, PERSISTENCE_MIN_TRAIN),
    LINEAR_TREND: (forecast_linear, LINEAR_MIN_TRAIN),
    DAMPED_ETS: (forecast_damped_ets, ETS_MIN_TRAIN),
}
# The back-test scores only the central values: each model's own point forecast, without
# computing intervals at every origin (the same numbers, a fraction of the work).
POINT_FORECASTERS = {PERSISTENCE: point_persistence, LINEAR_TREND: point_linear, DAMPED_ETS: point_damped_ets}


def candidate_models(n_points: int) -> list[str]:
    """The models a segment of ``n_points`` years is allowed (see module docstring)."""
    candidates = [PERSISTENCE]
    if n_points >= MIN_POINTS_TREND:
        candidates.append(LINEAR_TREND)
    if n_points >= MIN_POINTS_ETS:
        candidates.append(DAMPED_ETS)
    return candidates


def rolling_origin_errors(series: pd.Series, models, horizon: int) -> pd.DataFrame:
    """Relative errors of each model refitted at each origin, for horizons ``1..h``.

    All models share the origins: from the largest minimum training length among
    ``models`` to the second-last point.
    """
    series = as_annual_series(series)
    first_origin = max(FORECASTERS[m][1] for m in models)
    rows = []
    for origin in range(first_origin, len(series)):
        train, test = series.iloc[:origin], series.iloc[origin : origin + horizon]
        for model in models:
            predicted = POINT_FORECASTERS[model](train, len(test))
            for step, (actual, guess) in enumerate(zip(test.to_numpy(), predicted), start=1):
                rows.append((model, int(series.index[origin - 1]), step, (guess - actual) / actual))
    return pd.DataFrame(rows, columns=["modello", "origine", "orizzonte", "errore_relativo"])


def mape_by_horizon(errors: pd.DataFrame) -> pd.DataFrame:
    """MAPE (%) per model and horizon, from a back-test table."""
    absolute = errors.assign(ape=errors["errore_relativo"].abs() * 100)
    # The table ``pivot_table`` gives, a fifth of its time: every report chooses its series' models.
    return absolute.groupby(["orizzonte", "modello"])["ape"].mean().unstack("modello")


def choose_model(errors: pd.DataFrame, models) -> tuple[str, dict[str, float]]:
    """Lowest mean-over-horizons MAPE; ties (within 1e-9) go to the earlier, simpler model."""
    if errors.empty:
        return models[0], {}
    table = mape_by_horizon(errors)
    scores = {m: float(table[m].mean()) for m in models if m in table}
    best = min(scores.values())
    chosen = next(m for m in models if m in scores and scores[m] <= best + 1e-9)
    return chosen, scores


def forecast_series(series: pd.Series, horizon: int = 5, *, breaks=()) -> SeriesForecast:
    """Choose a model by back-test on the segment after the last break and forecast.

    The back-test uses the same ``horizon`` as the forecast, truncated by the series
    length; its errors feed ``calibration.calibrate`` for honest intervals.
    """
    segment, break_note = segment_after_breaks(series, breaks)
    if segment.empty:
        raise ValueError("la serie è vuota")
    models = candidate_models(len(segment))
    errors = pd.DataFrame(columns=["modello", "origine", "orizzonte", "errore_relativo"])
    if len(segment) > FORECASTERS[models[-1]][1]:
        errors = rolling_origin_errors(segment, models, horizon)
    chosen, scores = choose_model(errors, models)
    rule = (
        f"solo persistenza: {len(segment)} anni, ne servono almeno {MIN_POINTS_TREND} per una tendenza"
        if models == [PERSISTENCE]
        else f"modello scelto per MAPE minimo nel back-test tra: {', '.join(models)}"
    )
    forecast = FORECASTERS[chosen][0](segment, horizon)
    years = as_annual_series(series).index
    used = tuple(
        b if isinstance(b, Break) else Break(int(b), "cambio di definizione")
        for b in breaks
        if years.min() < (b.year if isinstance(b, Break) else int(b)) <= years.max()
    )
    return SeriesForecast(forecast, errors, scores, segment, f"{break_note}; {rule}", used)
