"""Inside a district's perimeter: the map of its census sections, and its age structure against the rest."""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnosis.formatting import format_number
from diagnosis.viz import cartography, style
from diagnosis.viz.bar_limits import limits_widened_once
from diagnosis.viz.inputs import require_columns
from diagnosis.viz.ticks import set_major_ticks

SECTION_EDGE = "#8795a3"
OUTLINE_COLOR = "#1d2630"
AGE_CLASSES = {"eta_0_14": "0-14", "eta_15_64": "15-64", "eta_65_74": "65-74", "eta_75_oltre": "75 e più"}
MARGIN = 0.15  # of the perimeter's larger side, around it


def mappa_perimetro(strati, ax=None):
    """The perimeter (accent outline) over the census sections (shaded by the share of each
    inside it) and the comuni's outline, on a plain background with a scale bar and the north.

    ``strati`` is ``dg.mappa_perimetro``: a GeoDataFrame in metres with ``strato``
    (``sezione``, ``perimetro``, ``comune``) and ``quota``.
    """
    require_columns(strati, ("strato", "quota", "geometry"), "mappa_perimetro")
    ax = style.axes_or_new(ax, 6.5, 6.0)
    ax.set_axis_off()  # first: geopandas draws the figure after each layer, and ticks are most of a draw
    sections = strati[strati["strato"] == "sezione"]
    perimeter = strati[strati["strato"] == "perimetro"]
    comuni = strati[strati["strato"] == "comune"]
    sections.plot(ax=ax, color=[_shade(share) for share in sections["quota"]], edgecolor=SECTION_EDGE,
                  linewidth=0.3)
    comuni.boundary.plot(ax=ax, color=OUTLINE_COLOR, linewidth=1.0)
    perimeter.boundary.plot(ax=ax, color=style.accent(), linewidth=2.0)
    left, bottom, right, top = perimeter.total_bounds
    pad = max(right - left, top - bottom) * MARGIN
    ax.set_xlim(left - pad, right + pad)
    ax.set_ylim(bottom - pad, top + pad)
    ax.set_aspect("equal")
    cartography.scale_bar(ax)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    cartography.north_arrow(ax, cartography.true_north(str(strati.crs), (x0 + x1) / 2, (y0 + y1) / 2))
    return ax


def _shade(share: float) -> tuple:
    """White for a section outside, the background grey for one inside, in between when cut."""
    background = np.array(_rgb(style.BACKGROUND_COLOR))
    darker = background * 0.85
    return tuple(np.array([1.0, 1.0, 1.0]) + (darker - 1.0) * (0 if pd.isna(share) else share))


def _rgb(colour: str) -> tuple:
    from matplotlib.colors import to_rgb  # as matplotlib, already loaded by the caller

    return to_rgb(colour)


def struttura_eta(tabella: pd.DataFrame, ax=None, *, anno: int):
    """The share of residents in each age class, inside the perimeter and in the rest of the comuni.

    ``tabella`` is ``dg.dentro_perimetro``; a class missing in one area is not drawn there.
    """
    require_columns(tabella, ("misura", "anno", "perimetro", "resto"), "struttura_eta")
    ax = style.axes_or_new(ax, 7.0, 3.6)
    rows = tabella[(tabella["anno"] == anno) & tabella["misura"].isin(AGE_CLASSES)].set_index("misura")
    rows = rows.reindex(list(AGE_CLASSES))
    positions = np.arange(len(AGE_CLASSES))
    width = 0.38
    for offset, (area, label, colour) in zip((-width / 2, width / 2), (
            ("perimetro", "Dentro il perimetro", style.accent()), ("resto", "Resto dei comuni", style.MUTED_COLOR))):
        shares = rows[area] / rows[area].sum(min_count=len(rows)) * 100
        with limits_widened_once(ax):
            bars = ax.bar(positions + offset, shares.to_numpy(dtype=float), width, color=colour, label=label)
        for bar, share in zip(bars, shares):
            if not pd.isna(share):
                ax.annotate(format_number(share, 1), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            ha="center", va="bottom", fontsize=7)
    set_major_ticks(ax.xaxis, positions, [f"{label} anni" for label in AGE_CLASSES.values()])
    style.italian_axis(ax.yaxis, suffix=" %")
    ax.legend(frameon=False, fontsize=8)
    return ax
