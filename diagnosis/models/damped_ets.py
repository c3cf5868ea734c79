"""Damped-trend ETS point forecasts, fitted exactly as statsmodels fits them, at a fraction of the cost.

Why it exists: the rolling-origin back-test (``series.rolling_origin_errors``) refits the
additive damped-trend model at every origin of every series, thousands of fits in a batch,
and reads only the point forecasts. statsmodels' ``ETSModel.fit`` spends most of each fit
around a likelihood that costs microseconds: scipy's general finite-difference machinery
for the gradient, statsmodels' likelihood wrapper, then a results object that smooths the
series again and computes a Hessian the back-test never reads.

What it does: the same fit with less around it. The start values, bounds and fixed
parameters come from the statsmodels model itself, as ``ETSModel.fit`` prepares them; the
likelihood is statsmodels' compiled smoothing followed by the same expression, into arrays
allocated once; the gradient is scipy's forward difference (absolute step 1e-8, taken
backwards at a bound) reproduced operation by operation; L-BFGS-B runs with the options
statsmodels passes, driven as scipy drives it (``lbfgsb``). The optimiser therefore walks
the same path to the same parameters, and the forecasts equal statsmodels' to the last bit.
Nothing that changes that path is allowed (a warm start, an analytic gradient): on short
series the likelihood is flat, and a different path ends at parameters that move the
forecasts by whole percent. The tests compare with statsmodels on synthetic and real series.
"""

from dataclasses import dataclass

import numpy as np
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from diagnosis.models import lbfgsb

# The optimiser settings statsmodels uses: ETSModel.fit's maxiter, and fmin_l_bfgs_b's own
# defaults for the finite-difference step and the evaluation budget, which it leaves alone.
MAX_ITERATIONS = 1000
STEP = 1e-8
MAX_EVALUATIONS = 15000
# scipy's fallback when STEP vanishes against a large value (from about 1.3e8 on): a step
# relative to the value, sqrt(machine epsilon) times it.
RELATIVE_STEP = float(np.finfo(np.float64).eps ** 0.5)


@dataclass(frozen=True)
class _Problem:
    """The optimisation ``ETSModel.fit`` sets up: free parameters, their bounds, the fixed ones."""

    model: ETSModel
    free_start: np.ndarray
    free_bounds: list
    is_fixed: np.ndarray
    fixed_values: np.ndarray
    use_beta_star: bool
    use_gamma_star: bool


def _problem(values: np.ndarray) -> _Problem:
    model = ETSModel(values, error="add", trend="add", damped_trend=True)
    # These two calls also record, in model.bounds, the parameters this model does not have.
    start = model._convert_and_bound_start_params(model.start_params)
    bounds = model._setup_bounds()
    # Fitted on beta* = beta / alpha and gamma* = gamma / (1 - alpha) unless bounded explicitly:
    # the constraints beta < alpha and gamma < 1 - alpha become plain intervals.
    use_beta_star = "smoothing_trend" not in model.bounds
    if use_beta_star:
        start[1] /= start[0]
    use_gamma_star = "smoothing_seasonal" not in model.bounds
    if use_gamma_star:
        start[2] /= 1 - start[0]
    is_fixed = np.array([low == high for low, high in bounds], dtype=np.int64)
    fixed_values = np.empty_like(start)
    fixed_values[is_fixed == 1] = [low for low, high in bounds if low == high]
    return _Problem(
        model=model, free_start=start[is_fixed == 0],
        free_bounds=[pair for pair in bounds if pair[0] != pair[1]],
        is_fixed=is_fixed, fixed_values=fixed_values,
        use_beta_star=use_beta_star, use_gamma_star=use_gamma_star,
    )


class _Likelihood:
    """The mean negative log-likelihood L-BFGS-B minimises, and its forward-difference gradient."""

    def __init__(self, problem: _Problem):
        self.problem = problem
        model = problem.model
        self.data = model.endog
        self.nobs = len(self.data)
        self.yhat = np.zeros(self.nobs)
        self.states = np.zeros((self.nobs, model._k_states_internal))
        self.squares = np.empty(self.nobs)
        self.smooth = _for_float64(model._smoothing_func)
        self.low = [low for low, _ in problem.free_bounds]
        self.high = [high for _, high in problem.free_bounds]

    def value(self, free: np.ndarray):
        """statsmodels' ``-loglike / nobs``, operation for operation, so the floats are the same."""
        p = self.problem
        self.smooth(free, self.data, self.yhat, self.states, p.is_fixed, p.fixed_values,
                    p.use_beta_star, p.use_gamma_star)
        np.subtract(self.data, self.yhat, out=self.squares)
        np.multiply(self.squares, self.squares, out=self.squares)
        # np.mean is np.add.reduce divided by the count: the same pairwise sum, the same division
        mean_square = np.add.reduce(self.squares) / self.nobs
        loglike = -self.nobs / 2 * (np.log(2 * np.pi * mean_square) + 1)
        return -loglike / self.nobs

    def value_and_gradient(self, free: np.ndarray) -> tuple[float, np.ndarray]:
        """The value and the gradient scipy's ``approx_grad`` would compute, to the bit."""
        centre = self.value(free)
        gradient = np.empty(len(free))
        moved = free.copy()
        for i, x in enumerate(free.tolist()):
            step = _forward_step(x)
            ahead = x + step
            if ahead < self.low[i] or ahead > self.high[i]:
                # scipy steps backwards from a bound; a bounded parameter's range is far wider
                # than the step, so its other adjustment (shortening the step) never applies.
                ahead = x - step
            moved[i] = ahead
            gradient[i] = (self.value(moved) - centre) / (ahead - x)
            moved[i] = x
        return centre, gradient


def _for_float64(smoothing):
    """statsmodels' smoothing, compiled for several number types, picks one from its arguments
    at every call, a sixth of the likelihood's time: the float64 one, picked once."""
    return getattr(smoothing, "__signatures__", {}).get("float64_t", smoothing)


def _forward_step(x: float) -> float:
    if (x + STEP) - x != 0:
        return STEP
    return RELATIVE_STEP * (1.0 if x >= 0 else -1.0) * max(1.0, abs(x))


def _minimise(problem: _Problem) -> np.ndarray:
    likelihood = _Likelihood(problem)
    # scipy counts every finite-difference evaluation against the budget: one gradient here
    # stands for 1 + (free parameters) of its evaluations, so the budget is divided alike.
    budget = MAX_EVALUATIONS // (len(problem.free_start) + 1)
    return lbfgsb.minimise(likelihood.value_and_gradient, problem.free_start, problem.free_bounds,
                           max_iterations=MAX_ITERATIONS, max_evaluations=budget)


def _fitted_parameters(problem: _Problem, best: np.ndarray) -> np.ndarray:
    """The internal parameters ``ETSModel.fit`` ends with: fixed ones put back, beta* undone."""
    full = problem.fixed_values.copy()
    full[problem.is_fixed == 0] = best
    if problem.use_beta_star:
        full[1] *= full[0]
    if problem.use_gamma_star:
        full[2] *= 1 - full[0]
    model = problem.model
    return model._internal_params(model._model_params(full))


def _last_level_and_trend(model: ETSModel, internal: np.ndarray) -> tuple[float, float]:
    yhat = np.zeros(model.nobs)
    states = np.zeros((model.nobs, model._k_states_internal))
    model._smoothing_func(internal, model.endog, yhat, states,
                          np.zeros(len(internal), dtype=np.int64), np.empty(len(internal)))
    return states[-1, 0], states[-1, 1]


def _damped_path(level: float, trend: float, phi: float, horizon: int) -> np.ndarray:
    """statsmodels' forecast: each year the trend is damped by phi, then added to the level."""
    path = np.empty(horizon)
    for step in range(horizon):
        trend = trend * phi
        level = level + trend
        path[step] = level
    return path


def forecast_from_level(values: np.ndarray, horizon: int) -> tuple[np.ndarray, float]:
    """``ETSModel(values, error="add", trend="add", damped_trend=True).fit().forecast(horizon)``
    and the last smoothed level: the same numbers, without the results object."""
    problem = _problem(np.asarray(values, dtype=float))
    internal = _fitted_parameters(problem, _minimise(problem))
    level, trend = _last_level_and_trend(problem.model, internal)
    return _damped_path(level, trend, internal[3], horizon), level
