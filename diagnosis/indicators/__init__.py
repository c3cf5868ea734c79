"""Indicators: named formulas with metadata, computed the same way for every territory."""

from diagnosis.indicators.base import Indicator
from diagnosis.indicators.catalogue import INDICATORS
from diagnosis.indicators.compute import compute_indicators, indicator_values

__all__ = ["INDICATORS", "Indicator", "compute_indicators", "indicator_values"]
