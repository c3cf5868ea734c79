"""L-BFGS-B as ``scipy.optimize.fmin_l_bfgs_b`` runs it, without its wrappers around each evaluation.

Why it exists: the damped-trend back-test (``damped_ets``) runs thousands of small fits, each
a few dozen evaluations of a likelihood that costs tens of microseconds. scipy passes each
evaluation through three objects (``ScalarFunction``, ``MemoizeJac`` and the scalar wrapper),
which cost about as much as the likelihood itself: a quarter of a fit's time.

What it does: scipy's own loop around its compiled step (``_lbfgsb.setulb``), with the same
inputs in the same order, so the step sees the same numbers and the fit ends at the same
parameters, to the bit. Like scipy, it evaluates once at the start (clipped to the bounds),
evaluates again only at a point it has not just evaluated, counts each evaluation against
the budget, and checks the iteration count and the budget at each new iteration.

The compiled step is scipy's private interface: its arguments are those of scipy 1.15 on
(before, the step took text messages). With an older scipy, or a step that refuses a first
call or answers it otherwise, the fit goes through ``fmin_l_bfgs_b`` itself, which gives the
same result more slowly.
"""

from __future__ import annotations

import functools

import numpy as np
import scipy
from scipy.optimize import fmin_l_bfgs_b

# fmin_l_bfgs_b's defaults, which the fits leave alone: stored corrections, the tolerance on the
# decrease (as the factor of machine epsilon it is given in) and on the projected gradient,
# line-search steps.
CORRECTIONS = 10
DECREASE_FACTOR = 1e7
GRADIENT_TOLERANCE = 1e-5
LINE_SEARCH_STEPS = 20
# The compiled step's answers (scipy's task codes): evaluate here, a new iteration began;
# and what scipy writes when it stops the step itself, with why.
EVALUATE, NEW_ITERATION, STOP = 3, 1, 5
STOPPED_AT_ITERATIONS, STOPPED_AT_EVALUATIONS = 504, 502
FIRST_KNOWN_STEP = (1, 15)  # the scipy release whose step takes the arguments used here


@functools.cache
def _known_step():
    """scipy's compiled L-BFGS-B step when it is the one this loop drives, else None: from a
    release that has it, and asking, at the start of a one-parameter problem, for an evaluation."""
    release = tuple(int(part) for part in scipy.__version__.split(".")[:2] if part.isdigit())
    if release < FIRST_KNOWN_STEP:
        return None
    try:
        from scipy.optimize import _lbfgsb  # private: a scipy without it, or with another, is run its own way

        state = _State(1)
        _lbfgsb.setulb(CORRECTIONS, np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1, dtype=np.int32),
                       np.array(0.0), np.zeros(1), DECREASE_FACTOR, GRADIENT_TOLERANCE, *state.arrays(),
                       LINE_SEARCH_STEPS, state.line_task)
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    return _lbfgsb.setulb if state.task[0] == EVALUATE else None


class _State:
    """The arrays the step keeps its work and its state in between two calls."""

    def __init__(self, size: int):
        self.workspace = np.zeros(2 * CORRECTIONS * size + 5 * size + 11 * CORRECTIONS ** 2 + 8 * CORRECTIONS)
        self.integer_workspace = np.zeros(3 * size, dtype=np.int32)
        self.task, self.line_task = np.zeros(2, dtype=np.int32), np.zeros(2, dtype=np.int32)
        self.logical, self.integer = np.zeros(4, dtype=np.int32), np.zeros(44, dtype=np.int32)
        self.real = np.zeros(29)

    def arrays(self) -> tuple:
        """In the step's order, from its work arrays to its saved reals."""
        return self.workspace, self.integer_workspace, self.task, self.logical, self.integer, self.real


def minimise(value_and_gradient, start: np.ndarray, bounds: list, *, max_iterations: int,
             max_evaluations: int) -> np.ndarray:
    """The point ``fmin_l_bfgs_b(value_and_gradient, start, bounds=bounds, maxiter=max_iterations,
    maxfun=max_evaluations)`` returns; ``value_and_gradient(x)`` gives the value and the gradient."""
    step = _known_step()
    if step is None:
        best, _, _ = fmin_l_bfgs_b(value_and_gradient, start, bounds=bounds, maxiter=max_iterations,
                                   maxfun=max_evaluations)
        return best
    return _driven(step, value_and_gradient, start, bounds, max_iterations, max_evaluations)


def _bound_codes(bounds: list) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The bounds as scipy hands them to the step: lowest and highest values (infinite when
    open), then the step's own three arrays: lower and upper values (zero when open) and a code
    per parameter (0 free, 1 lower only, 2 both, 3 upper only)."""
    lowest = np.array([-np.inf if low is None else low for low, _ in bounds], dtype=np.float64)
    highest = np.array([np.inf if high is None else high for _, high in bounds], dtype=np.float64)
    has_lower, has_upper = ~np.isinf(lowest), ~np.isinf(highest)
    lower, upper = np.where(has_lower, lowest, 0.0), np.where(has_upper, highest, 0.0)
    codes = np.select([has_lower & has_upper, has_lower, has_upper], [2, 1, 3], 0).astype(np.int32)
    return lowest, highest, lower, upper, codes


def _driven(step, value_and_gradient, start, bounds, max_iterations: int, max_evaluations: int) -> np.ndarray:
    # As fmin_l_bfgs_b: the decrease tolerance goes to the step as factor → tolerance → factor.
    epsilon = np.finfo(float).eps
    factor = DECREASE_FACTOR * epsilon / epsilon
    lowest, highest, lower, upper, codes = _bound_codes(bounds)
    x = np.array(np.clip(np.asarray(start).ravel(), lowest, highest), dtype=np.float64)
    size = len(x)
    evaluated_at = x.copy()
    value, gradient = value_and_gradient(x.copy())
    evaluations = 1
    f, g = np.array(0.0), np.zeros(size)
    state = _State(size)
    iterations = 0
    while True:
        g = g.astype(np.float64)  # the step works on a copy, as in scipy's loop
        step(CORRECTIONS, x, lower, upper, codes, f, g, factor, GRADIENT_TOLERANCE, *state.arrays(),
             LINE_SEARCH_STEPS, state.line_task)
        task = state.task
        if task[0] == EVALUATE:
            if not np.array_equal(x, evaluated_at):
                evaluated_at = x.copy()
                value, gradient = value_and_gradient(x.copy())
                evaluations += 1
            f, g = value, gradient
        elif task[0] == NEW_ITERATION:
            iterations += 1
            if iterations >= max_iterations:
                task[:] = STOP, STOPPED_AT_ITERATIONS
            elif evaluations > max_evaluations:
                task[:] = STOP, STOPPED_AT_EVALUATIONS
        else:
            return x
