"""Trend and projection models with back-tests and calibrated intervals.

- ``cohort``: Hamilton–Perry projection by single year of age and sex, vectorised
  over comuni, with small-area shrinkage toward a reference population.
- ``series``: trend models for an annual series chosen by rolling-origin back-test,
  never fitted across a known break.
- ``calibration``: 80/95% intervals widened to the coverage the back-tests measured.
"""

from .calibration import calibrate, cohort_bands, size_class, to_records
from .cohort import ProjectionResult, age_group_totals, project_cohorts, structural_indicators
from .series import KNOWN_BREAKS, Break, forecast_series

__all__ = [
    "Break",
    "KNOWN_BREAKS",
    "ProjectionResult",
    "age_group_totals",
    "calibrate",
    "cohort_bands",
    "forecast_series",
    "project_cohorts",
    "size_class",
    "structural_indicators",
    "to_records",
]
