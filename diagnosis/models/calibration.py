"""Honest prediction intervals: as wide as the past errors say, never narrower than the model's.

A model's own interval assumes the model is right; the back-test shows how wrong
it actually was. Method (split-conformal on relative errors, per horizon):

1. For each horizon ``h`` take the back-test relative errors
   ``e = (forecast - actual) / actual`` and their absolute values ``|e|``.
2. The half-width for level ``p`` (0.80, 0.95) is the conformal quantile of ``|e|``:
   the ``ceil((n + 1) · p)``-th smallest of the ``n`` values. If the ``n`` errors and
   the future one are exchangeable this covers at least a share ``p`` of future
   outcomes; when ``ceil((n + 1) · p) > n`` there are too few errors for that level
   and the model's own interval is used, with a note.
3. Inverting ``|e| ≤ q`` gives the actual value between ``valore / (1 + q)`` and
   ``valore / (1 - q)`` (exact, so the band is slightly asymmetric upwards).
4. Floor: the band is never narrower than the model's own interval (the union of
   the two is kept), because a lucky back-test on few origins must not shrink an
   interval the model itself says is uncertain. ``floor_at_model=False`` allows
   narrowing.
5. Horizons beyond (or before) those measured scale the nearest measured quantile
   linearly with ``h`` (errors of a persisting drift grow linearly); in between,
   linear interpolation.

Relative errors are meaningless near zero: series that cross zero (balances)
should be calibrated on absolute errors by the caller.

For the cohort projection the quantiles were measured once, on every comune, by
``benchmarks/projections.py`` against the real 2025 populations, by size class
and horizon, and are read from ``cohort_errors.yaml`` next to this module.
"""

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .cohort import METHOD_NAME
from .series import Forecast, LEVELS

COHORT_ERRORS_FILE = Path(__file__).with_name("cohort_errors.yaml")
OUTPUT_COLUMNS = ["anno", "valore", "basso_80", "alto_80", "basso_95", "alto_95", "modello", "errore_backtest"]
MAX_RELATIVE_ERROR = 0.99  # keeps valore / (1 - q) finite

# The smallest comuni get their own class: a few dozen people moving make a large relative
# error there, and bands measured on comuni of up to 1,000 would be too narrow for them.
SIZE_CLASSES = (
    ("fino_300", 0, 300),
    ("300_1k", 300, 1_000),
    ("1k_5k", 1_000, 5_000),
    ("5k_20k", 5_000, 20_000),
    ("20k_100k", 20_000, 100_000),
    ("oltre_100k", 100_000, math.inf),
)
SIZE_CLASS_LABELS = {
    "fino_300": "meno di 300 abitanti",
    "300_1k": "300-1.000 abitanti",
    "1k_5k": "1.000-5.000 abitanti",
    "5k_20k": "5.000-20.000 abitanti",
    "20k_100k": "20.000-100.000 abitanti",
    "oltre_100k": "oltre 100.000 abitanti",
}


def _column(level: float) -> str:
    return f"q{round(level * 100)}"


def conformal_quantile(absolute_errors, level: float) -> float:
    """The ``ceil((n+1)·level)``-th smallest value; NaN when there are too few."""
    values = np.sort(np.asarray(absolute_errors, dtype=float))
    values = values[~np.isnan(values)]
    rank = math.ceil((values.size + 1) * level)
    return float(values[rank - 1]) if 0 < rank <= values.size else float("nan")


def error_quantiles(errors: pd.DataFrame, levels=LEVELS) -> pd.DataFrame:
    """Per horizon: ``n``, MAPE (%) and conformal quantiles ``q80``, ``q95`` of ``|e|``.

    ``errors`` has columns ``orizzonte`` and ``errore_relativo`` (a back-test table).
    """
    rows = {}
    for horizon, group in errors.groupby("orizzonte"):
        absolute = group["errore_relativo"].abs().to_numpy(float)
        row = {"n": absolute.size, "mape": float(np.mean(absolute) * 100)}
        row.update({_column(level): conformal_quantile(absolute, level) for level in levels})
        rows[int(horizon)] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("orizzonte").sort_index()


def values_at_horizons(table: pd.DataFrame, column: str, horizons) -> np.ndarray:
    """A measured quantity at each of ``horizons``: interpolated, or scaled linearly in ``h`` outside."""
    known = table[column].dropna()
    if known.empty:
        return np.full(len(horizons), np.nan)
    measured, values = known.index.to_numpy(float), known.to_numpy(float)
    return np.array([_at_horizon(measured, values, horizon) for horizon in horizons], dtype=float)


def _at_horizon(measured: np.ndarray, values: np.ndarray, horizon) -> float:
    exact = np.flatnonzero(measured == horizon)
    if exact.size:
        return float(values[exact[0]])
    if horizon > measured.max():
        return float(values[-1] * horizon / measured.max())
    if horizon < measured.min():
        return float(values[0] * horizon / measured.min())
    return float(np.interp(horizon, measured, values))


def band_from_relative_error(value, quantile):
    """Outcomes whose relative error against ``value`` is at most ``quantile``."""
    q = np.minimum(np.asarray(quantile, dtype=float), MAX_RELATIVE_ERROR)
    ends = np.stack([np.asarray(value) / (1 + q), np.asarray(value) / (1 - q)])
    return ends.min(axis=0), ends.max(axis=0)


def calibrate(forecast: Forecast, errors: pd.DataFrame, *, floor_at_model: bool = True) -> pd.DataFrame:
    """The forecast with calibrated 80/95% bands, one row per year (``OUTPUT_COLUMNS``).

    ``errors`` is the back-test of the same model (columns ``orizzonte``,
    ``errore_relativo``); ``errore_backtest`` is its MAPE (%) at that horizon.
    """
    table = error_quantiles(errors) if not errors.empty else pd.DataFrame(columns=["n", "mape", "q80", "q95"])
    frame = pd.DataFrame({"anno": forecast.years.astype(int), "valore": forecast.values})
    horizons = np.arange(1, len(forecast.values) + 1)
    for level in LEVELS:
        quantile = values_at_horizons(table, _column(level), horizons)
        low, high = band_from_relative_error(forecast.values, quantile)
        model_low, model_high = forecast.lower[level], forecast.upper[level]
        missing = np.isnan(quantile)
        if floor_at_model:
            low, high = np.fmin(low, model_low), np.fmax(high, model_high)
        low, high = np.where(missing, model_low, low), np.where(missing, model_high, high)
        suffix = round(level * 100)
        frame[f"basso_{suffix}"], frame[f"alto_{suffix}"] = low, high
    # With few back-test errors the 95% quantile may be missing while the 80% one is not: the
    # model's own 95% band can then be the narrower one. A 95% band always holds the 80% one.
    frame["basso_95"] = np.fmin(frame["basso_95"], frame["basso_80"])
    frame["alto_95"] = np.fmax(frame["alto_95"], frame["alto_80"])
    frame["modello"] = forecast.model
    frame["errore_backtest"] = values_at_horizons(table, "mape", horizons)
    return frame[OUTPUT_COLUMNS]


def to_records(frame: pd.DataFrame) -> list[dict]:
    """JSON-ready rows; NaN becomes ``None`` (shown as "non disponibile")."""
    return [{name: json_value(value) for name, value in zip(OUTPUT_COLUMNS, row)}
            for row in frame[OUTPUT_COLUMNS].itertuples(index=False)]


def json_value(value):
    """A value of a projection row as JSON holds it: NaN as ``None``, numpy numbers as Python's."""
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def size_class(population: float) -> str:
    """The id of the size class of a comune with ``population`` residents."""
    for name, low, high in SIZE_CLASSES:
        if low <= population < high:
            return name
    raise ValueError(f"popolazione non valida: {population}")


@lru_cache(maxsize=4)
def load_cohort_errors(path: Path = COHORT_ERRORS_FILE) -> dict:
    """The measured cohort-projection errors (see ``benchmarks/projections.py``)."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def cohort_error_table(size: str, errors: dict | None = None) -> pd.DataFrame:
    """Per-horizon ``n``, ``mape``, ``q80``, ``q95`` for one size class."""
    errors = errors or load_cohort_errors()
    by_horizon = errors["classi"][size]["orizzonti"]
    table = pd.DataFrame.from_dict({int(h): v for h, v in by_horizon.items()}, orient="index")
    return table.rename_axis("orizzonte").sort_index()


def cohort_bands(values, years, base_population: float, *, errors: dict | None = None) -> pd.DataFrame:
    """Calibrated bands for projected totals of one territory (years after the base only).

    ``values`` and ``years`` run from the base year (offset 0, observed) to the horizon;
    ``base_population`` selects the size class whose measured errors are used. A
    district projected comune by comune should use its summed base population: this
    is conservative, since the errors of its comuni partly cancel.
    """
    values, years = np.asarray(values, dtype=float), np.asarray(years)
    table = cohort_error_table(size_class(base_population), errors)
    frame = pd.DataFrame({"anno": years[1:].astype(int), "valore": values[1:]})
    horizons = np.arange(1, len(values))
    for level in LEVELS:
        quantile = values_at_horizons(table, _column(level), horizons)
        low, high = band_from_relative_error(values[1:], quantile)
        suffix = round(level * 100)
        frame[f"basso_{suffix}"], frame[f"alto_{suffix}"] = low, high
    frame["modello"] = METHOD_NAME
    frame["errore_backtest"] = values_at_horizons(table, "mape", horizons)
    return frame[OUTPUT_COLUMNS]
