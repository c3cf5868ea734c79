"""Italian numbers as a reader sees them: thousands with a dot, decimals with a comma, zero without a sign."""

import math

import numpy as np
import pytest

from diagnosis.formatting import MISSING, format_number, format_value


@pytest.mark.parametrize("value, decimals, shown", [
    (1234.5, 1, "1.234,5"),
    (-1234.5, 1, "-1.234,5"),
    (4.85, 1, "4,9"),  # stored as 4.8499999…, shown as a reader rounds it
    (np.int64(178795), 0, "178.795"),
    (-0.05, 1, "-0,1"),  # a negative value that does not round to zero keeps its sign
])
def test_numbers_are_written_the_italian_way(value, decimals, shown):
    assert format_number(value, decimals) == shown


@pytest.mark.parametrize("value, decimals, shown", [
    (-0.004, 2, "0,00"),
    (-0.04, 1, "0,0"),
    (-0.0, 1, "0,0"),
    (-0.4, 0, "0"),
    (np.float64(-1e-12), 1, "0,0"),
])
def test_a_negative_value_rounding_to_zero_is_shown_as_zero_without_a_sign(value, decimals, shown):
    assert format_number(value, decimals) == shown


@pytest.mark.parametrize("value", [None, math.nan, np.nan, math.inf, -math.inf, np.float64("inf")])
def test_missing_or_infinite_values_are_not_available(value):
    assert format_number(value) == MISSING
    assert format_value(value, "%") == MISSING


def test_a_share_that_fell_by_a_hair_reads_as_no_change():
    assert format_value(-0.02, "%") == "0,0 %"
