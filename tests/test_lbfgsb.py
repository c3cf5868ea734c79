"""The L-BFGS-B loop ends where ``scipy.optimize.fmin_l_bfgs_b`` ends, to the bit, and falls
back on it when scipy's compiled step is not the one it drives."""

import numpy as np
import pytest
from scipy.optimize import fmin_l_bfgs_b

from diagnosis.models import damped_ets, lbfgsb


class Counted:
    """A function returning value and gradient that counts its calls and records where."""

    def __init__(self, function):
        self.function, self.points = function, []

    def __call__(self, x):
        self.points.append(x.copy())
        return self.function(x)


def rosenbrock(x):
    value = np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    gradient = np.zeros_like(x)
    gradient[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    gradient[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return np.float64(value), gradient


# Every kind of bound the step knows: both, lower only, upper only, none; a start outside them.
BOUNDS = [(0.5, 1.5), (-0.25, None), (None, 0.75), (None, None)]
START = np.array([2.0, -1.0, 0.3, 1.2])


def scipy_result(function, start, bounds, **limits):
    counted = Counted(function)
    best, _, _ = fmin_l_bfgs_b(counted, start, bounds=bounds, **limits)
    return best, counted.points


def loop_result(function, start, bounds, maxiter=15000, maxfun=15000):
    counted = Counted(function)
    best = lbfgsb.minimise(counted, start, bounds, max_iterations=maxiter, max_evaluations=maxfun)
    return best, counted.points


def test_this_scipy_has_the_step_the_loop_drives():
    assert lbfgsb._known_step() is not None


@pytest.mark.parametrize("limits", [{}, {"maxiter": 3}, {"maxfun": 7}], ids=["a_termine", "iterazioni", "valutazioni"])
def test_the_loop_evaluates_where_scipy_does_and_ends_at_its_point(limits):
    expected, expected_points = scipy_result(rosenbrock, START, BOUNDS, **limits)
    got, points = loop_result(rosenbrock, START, BOUNDS, **limits)
    np.testing.assert_array_equal(got, expected)
    assert len(points) == len(expected_points)
    for point, expected_point in zip(points, expected_points):
        np.testing.assert_array_equal(point, expected_point)


def test_a_damped_trend_fit_ends_at_scipys_parameters():
    rng = np.random.default_rng(5)
    values = 20000 + np.cumsum(rng.normal(150, 400, 14))
    problem = damped_ets._problem(values)
    likelihood = damped_ets._Likelihood(problem)
    budget = damped_ets.MAX_EVALUATIONS // (len(problem.free_start) + 1)
    expected, _ = scipy_result(likelihood.value_and_gradient, problem.free_start, problem.free_bounds,
                               maxiter=damped_ets.MAX_ITERATIONS, maxfun=budget)
    np.testing.assert_array_equal(damped_ets._minimise(problem), expected)


def test_without_the_known_step_scipy_runs_the_fit(monkeypatch):
    monkeypatch.setattr(lbfgsb, "_known_step", lambda: None)
    monkeypatch.setattr(lbfgsb, "_driven", lambda *arguments: pytest.fail("the loop ran without a known step"))
    expected, _ = scipy_result(rosenbrock, START, BOUNDS)
    np.testing.assert_array_equal(loop_result(rosenbrock, START, BOUNDS)[0], expected)


def test_an_older_scipy_is_not_driven(monkeypatch):
    lbfgsb._known_step.cache_clear()
    monkeypatch.setattr(lbfgsb.scipy, "__version__", "1.14.1")
    try:
        assert lbfgsb._known_step() is None
    finally:
        lbfgsb._known_step.cache_clear()
