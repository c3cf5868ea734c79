"""Maps of a territory's comuni: where they lie among their neighbours, and an indicator per comune."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap

from diagnosis.formatting import format_number, format_value
from diagnosis.territory import boundaries, registry
from diagnosis.viz import style
from diagnosis.viz.inputs import require_columns

# Names are written on the map up to this many comuni; beyond, they would cover it.
MAX_LABELLED = 40
# One hue, light to the house blue: a sequential scale a colour-blind reader reads as one.
SEQUENTIAL = LinearSegmentedColormap.from_list("diagnosis_blu", ["#e3eef7", style.TERRITORY_COLOR])
LABEL_BOX = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7}


def _frame_on(axes, shapes, margin: float = 0.35) -> None:
    """Zoom on the territory, keeping some of its surroundings as context."""
    left, bottom, right, top = shapes.total_bounds
    pad = max(right - left, top - bottom) * margin
    axes.set_xlim(left - pad, right + pad)
    axes.set_ylim(bottom - pad, top + pad)


def _shapes_of(codes):
    """The shapes of the comuni with these codes, in the equal-area projection maps are drawn in."""
    shapes = boundaries.geometries()
    return shapes[shapes["codice"].isin(list(codes))].to_crs(boundaries.EQUAL_AREA_CRS)


def _names() -> pd.Series:
    return registry.comuni().set_index("codice")["nome"]


def _label(axes, text: str, point, fontsize: float) -> None:
    axes.annotate(text, (point.x, point.y), ha="center", fontsize=fontsize, color="#111111", bbox=LABEL_BOX)


def mappa_comuni(comuni, ax=None, *, contesto=None):
    """The comuni (ISTAT codes) in the house blue, named, over the ``contesto`` comuni in grey."""
    ax = style.axes_or_new(ax, 6.5, 6.0)
    members = _shapes_of(comuni)
    around = [code for code in (contesto or ()) if code not in set(members["codice"])]
    if around:
        _shapes_of(around).plot(ax=ax, color=style.BACKGROUND_COLOR, edgecolor="white", linewidth=0.4)
    members.plot(ax=ax, color=style.TERRITORY_COLOR, edgecolor="white", linewidth=0.6)
    _frame_on(ax, members)
    if 1 < len(members) <= MAX_LABELLED:
        names = _names()
        for code, point in zip(members["codice"], members.representative_point()):
            _label(ax, names[code], point, 7.5)
    ax.set_axis_off()
    ax.set_aspect("equal")
    return ax


def mappa_coropletica(tabella: pd.DataFrame, ax=None, *, etichetta: str, unita: str):
    """The comuni coloured by a value, light to dark, each named with its value.

    ``tabella`` has ``codice`` (ISTAT code) and ``valore``; a comune without a value is
    hatched grey and reads ``n.d.``, never a zero."""
    require_columns(tabella, ("codice", "valore"), "mappa_coropletica")
    ax = style.axes_or_new(ax, 6.5, 6.0)
    members = _shapes_of(tabella["codice"]).copy()
    members["valore"] = members["codice"].map(tabella.set_index("codice")["valore"]).astype(float)
    known = members.dropna(subset=["valore"])
    if len(known) >= 2:
        # The scale starts below the lowest value so that no comune is drawn white on white.
        low, high = known["valore"].min(), known["valore"].max()
        known.plot(ax=ax, column="valore", cmap=SEQUENTIAL, vmin=low - (high - low) * 0.4 - 1e-9, vmax=high,
                   legend=True, edgecolor="white", linewidth=0.5,
                   legend_kwds={"shrink": 0.6, "label": f"{etichetta} ({unita})",
                                "format": style.FuncFormatter(lambda v, _p: format_number(v, 1))})
    else:
        known.plot(ax=ax, color=style.TERRITORY_COLOR, edgecolor="white")
    unknown = members[members["valore"].isna()]
    if not unknown.empty:
        unknown.plot(ax=ax, color=style.BACKGROUND_COLOR, edgecolor="white", hatch="//")
    if len(members) <= MAX_LABELLED:
        names = _names()
        for code, value, point in zip(members["codice"], members["valore"], members.representative_point()):
            _label(ax, f"{names[code]}\n{format_value(value, unita) if not np.isnan(value) else 'n.d.'}", point, 7)
    ax.set_axis_off()
    ax.set_aspect("equal")
    return ax
