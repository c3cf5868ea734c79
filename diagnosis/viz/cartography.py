"""What makes a map readable on paper: a scale bar, a north arrow, names that do not overlap.

The maps of comuni are drawn in ETRS89-LAEA (``EPSG:3035``), whose units are metres; its
scale error over Italy stays within about 1 % (it is exact along 52° N, 10° E), well
below what a scale bar shows. Its grid north turns away from true north with the distance
from 10° E (some 6° in Apulia), so the arrow points to true north at the map's centre.
"""

from __future__ import annotations

import functools
import math

from matplotlib.font_manager import FontProperties
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from diagnosis.formatting import format_number

# The bar covers about a fifth of the map's width, rounded down to 1, 2 or 5 times a power of ten.
SCALE_SHARE = 0.2
ROUND_STEPS = (5, 2, 1)
SCALE_GID = "barra-di-scala"
NORTH_GID = "freccia-nord"
ARROW_POINTS = 22
MARK_COLOR = "#222222"
# Towards true north, one step is enough to read the direction and small enough to stay on the map.
NORTH_STEP_DEGREES = 0.05


def round_length(width: float) -> float:
    """The bar's length: the largest 1, 2 or 5 × 10ⁿ not above ``SCALE_SHARE`` of ``width``."""
    target = width * SCALE_SHARE
    power = 10 ** math.floor(math.log10(target))
    return next(step * power for step in ROUND_STEPS if step * power <= target)


def length_label(metres: float) -> str:
    """``500 m`` under a kilometre, ``2 km`` from one up: a round length reads as a whole number."""
    if metres < 1000:
        return f"{format_number(metres, 0)} m"
    return f"{format_number(metres / 1000, 0)} km"


def scale_bar(ax, metres_per_unit: float = 1.0) -> AnchoredSizeBar:
    """A bar of a round length in the lower left corner; ``metres_per_unit`` for axes not in metres."""
    left, right = ax.get_xlim()
    metres = round_length(abs(right - left) * metres_per_unit)
    bar = AnchoredSizeBar(ax.transData, metres / metres_per_unit, length_label(metres), loc="lower left",
                          pad=0.4, borderpad=0.6, sep=3, frameon=True, color=MARK_COLOR, size_vertical=0,
                          fontproperties=FontProperties(size=7.5))
    bar.patch.set(facecolor="white", alpha=0.8, edgecolor="none")
    bar.set_gid(SCALE_GID)
    ax.add_artist(bar)
    return bar


def north_arrow(ax, degrees_from_up: float = 0.0) -> None:
    """An arrow with an ``N`` in the upper right corner, turned ``degrees_from_up`` clockwise."""
    angle = math.radians(degrees_from_up)
    dx, dy = math.sin(angle), math.cos(angle)
    tip = (0.95, 0.88)
    arrow = ax.annotate("", xy=tip, xycoords="axes fraction", xytext=(-dx * ARROW_POINTS, -dy * ARROW_POINTS),
                        textcoords="offset points",
                        arrowprops={"arrowstyle": "-|>,head_length=0.6,head_width=0.3", "color": MARK_COLOR,
                                    "linewidth": 1.4, "shrinkA": 0, "shrinkB": 0})
    letter = ax.annotate("N", xy=tip, xycoords="axes fraction", xytext=(dx * 7, dy * 7), textcoords="offset points",
                         ha="center", va="center", fontsize=9, fontweight="bold", color=MARK_COLOR,
                         rotation=-degrees_from_up)
    for artist in (arrow, letter):
        artist.set_gid(NORTH_GID)


@functools.cache
def _transformers(crs: str):
    import pyproj  # as geopandas, which brings it: loaded only when a map is drawn

    to_degrees = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    to_map = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return to_degrees, to_map


def true_north(crs: str, x: float, y: float) -> float:
    """Degrees clockwise from the map's up to true north at the point ``x``, ``y`` of ``crs``."""
    to_degrees, to_map = _transformers(crs)
    lon, lat = to_degrees.transform(x, y)
    north_x, north_y = to_map.transform(lon, lat + NORTH_STEP_DEGREES)
    return math.degrees(math.atan2(north_x - x, north_y - y))


def _renderer(figure):
    get = getattr(figure.canvas, "get_renderer", None)
    return get() if get else None


def keep_apart(ax, labels: list, placed: list | None = None) -> list:
    """``labels`` (texts already drawn, most important first) minus those that would cover one
    kept before them or one of ``placed``; the others are removed from the map. Returns those kept."""
    renderer = _renderer(ax.figure)
    if renderer is None:  # a canvas that cannot measure text: every label is kept
        return labels
    ax.apply_aspect()  # measure where the labels will be drawn, after the map takes its final shape
    taken = [text.get_window_extent(renderer) for text in placed or ()]
    kept = []
    for text in labels:
        box = text.get_window_extent(renderer)
        if any(box.overlaps(other) for other in taken):
            text.remove()
            continue
        taken.append(box)
        kept.append(text)
    return kept
