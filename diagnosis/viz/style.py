"""The house style: palette, fonts and Italian number formatting on the axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # reports are rendered headless; notebooks override with their inline backend

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from diagnosis.formatting import format_number  # noqa: E402

TERRITORY_COLOR = "#1f5f8b"
MALE_COLOR = "#3a7cb8"
FEMALE_COLOR = "#c8553d"
BENCHMARK_COLOR = "#222222"
MUTED_COLOR = "#9aa5b1"
HIGHLIGHT_COLOR = "#f2a541"

STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e5e8ec",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
}


def new_figure(width: float = 7.0, height: float = 4.5):
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(width, height))
    return figure, axes


def italian_axis(axis, decimals: int = 0, absolute: bool = False, suffix: str = "") -> None:
    """Tick labels as 1.234,5 (``absolute``: drop the sign, for pyramids)."""
    def label(value, _position):
        shown = abs(value) if absolute else value
        return format_number(shown, decimals) + suffix

    axis.set_major_formatter(FuncFormatter(label))
