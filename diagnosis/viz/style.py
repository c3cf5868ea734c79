"""The house style: palette, fonts and Italian number formatting on the axes."""

from __future__ import annotations

import sys

import matplotlib


def _backend_chosen() -> bool:
    """Whether a backend was asked for (``MPLBACKEND``, matplotlibrc, ``matplotlib.use``) or already running."""
    if matplotlib.__version_info__ >= (3, 10):
        return matplotlib.get_backend(auto_select=False) is not None
    return matplotlib.rcParams._get("backend") is not matplotlib.rcsetup._auto_backend_sentinel


def _in_ipython() -> bool:
    ipython = sys.modules.get("IPython")  # a session exists only if IPython was imported
    return ipython is not None and ipython.get_ipython() is not None


def _headless_unless_chosen() -> None:
    """Agg where nothing chose a backend and no IPython session runs (a script, a worker, the CLI).

    Left to itself matplotlib would look for a window toolkit; a Jupyter kernel asks for its
    inline backend through ``MPLBACKEND``, and the report shell enables it: neither is overridden.
    """
    if not _backend_chosen() and not _in_ipython():
        matplotlib.use("Agg")


_headless_unless_chosen()

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap, is_color_like, to_rgb  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from diagnosis import config  # noqa: E402
from diagnosis.formatting import format_number  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from diagnosis.viz.ticks import set_major_ticks  # noqa: E402

# Okabe & Ito, "Color Universal Design" (2008): eight colours that stay apart for readers
# with any common colour-vision deficiency, and in grey print.
OKABE_ITO = {
    "blu": "#0072B2",
    "arancione": "#E69F00",
    "verde": "#009E73",
    "vermiglio": "#D55E00",
    "porpora": "#CC79A7",
    "azzurro": "#56B4E9",
    "giallo": "#F0E442",
    "nero": "#000000",
}
# The order in which categories take their colours: the strongest contrasts first.
PALETTE = list(OKABE_ITO.values())

TERRITORY_COLOR = OKABE_ITO["blu"]
MALE_COLOR = OKABE_ITO["blu"]
FEMALE_COLOR = OKABE_ITO["arancione"]
HIGHLIGHT_COLOR = OKABE_ITO["arancione"]
CRITICAL_COLOR = OKABE_ITO["vermiglio"]
BENCHMARK_COLOR = "#222222"
MUTED_COLOR = "#9aa5b1"
# Drawn behind the territory: the surrounding comuni, a comune without a value.
BACKGROUND_COLOR = "#eef1f4"

# WCAG 2.1 asks 3:1 against the background for the parts of a chart: a brand colour paler
# than that would leave the territory hard to see, and the house blue is kept instead.
MIN_CONTRAST = 3.0


def _luminance(colour) -> float:
    """WCAG relative luminance of a colour."""
    channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast_on_white(colour) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def accent() -> str:
    """The territory's colour in every chart and map: the brand's (``--marchio``) when the report
    has one that stands out on white, else the house blue. Categories keep the Okabe–Ito colours."""
    chosen = config.chart_accent()
    if chosen and is_color_like(chosen) and contrast_on_white(chosen) >= MIN_CONTRAST:
        return chosen
    return TERRITORY_COLOR


# The lightest step of the sequential scale: this share of the accent on white.
LIGHTEST_SHARE = 0.12


def sequential() -> LinearSegmentedColormap:
    """One hue, light to the accent: a sequential scale a colour-blind reader reads as one
    (maps of a value per comune, grids of presences by hour and day)."""
    accent_rgb = to_rgb(accent())
    lightest = tuple(1 - LIGHTEST_SHARE * (1 - channel) for channel in accent_rgb)
    return LinearSegmentedColormap.from_list("diagnosis_accento", [lightest, accent_rgb])


STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "axes.edgecolor": "#444444",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e5e8ec",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
}


def _theme_rc() -> dict:
    """Seaborn's white-grid style at print size, the Okabe–Ito colours, the house settings on top."""
    return {**sns.axes_style("whitegrid"), **sns.plotting_context("paper"),
            "axes.prop_cycle": plt.cycler(color=PALETTE), **STYLE}


def tema() -> None:
    """Apply the house style to every chart drawn from now on (matplotlib and seaborn alike).

    In a notebook: ``from diagnosis.viz import style; style.tema()``; the charts an analyst
    draws with seaborn then match those of the report."""
    sns.set_theme(context="paper", style="whitegrid", palette=PALETTE, rc=STYLE)


def in_stile():
    """The house style for the charts drawn inside a ``with`` block only; the rest is untouched."""
    return plt.rc_context(_theme_rc())


def axes_or_new(ax, width: float, height: float):
    """The axes given, or the axes of a new figure of the chart's natural size."""
    return ax if ax is not None else plt.subplots(figsize=(width, height))[1]


def italian_axis(axis, decimals: int = 0, absolute: bool = False, suffix: str = "") -> None:
    """Tick labels as 1.234,5 (``absolute``: drop the sign, for pyramids)."""
    def label(value, _position):
        shown = abs(value) if absolute else value
        return format_number(shown, decimals) + suffix

    axis.set_major_formatter(FuncFormatter(label))


# A year axis with a dozen or more labels becomes unreadable: beyond this, fewer whole years.
MAX_YEAR_TICKS = 14


def year_axis(axis, years) -> None:
    """Whole years only, written 2019 (never 2.019 nor 2019,5): every year when few, else a whole-year step."""
    years = sorted({int(year) for year in years})
    if 0 < len(years) <= MAX_YEAR_TICKS:
        set_major_ticks(axis, years)
    else:
        axis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))  # 2000, 2005, 2010…
    axis.set_major_formatter(FuncFormatter(lambda value, _position: f"{round(value):d}"))
