"""Maps of a territory's comuni: where they lie among their neighbours, and an indicator per comune."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize

from diagnosis.formatting import format_number, format_value
from diagnosis.territory import boundaries, registry
from diagnosis.viz import cartography, style
from diagnosis.viz.inputs import require_columns
from diagnosis.viz.polygons import add_polygons

# Names are written on the map up to this many comuni; beyond, they would cover it.
MAX_LABELLED = 40
# Around a comune or a district, the neighbours touching it are named, the largest first, up to this many.
MAX_NEIGHBOURS = 12
NEIGHBOUR_COLOR = "#4a5561"
OUTLINE_COLOR = "#1d2630"
LABEL_BOX = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7}


FRAME_MARGIN = 0.35  # of the territory's larger side, on each side of it


def _frame(shapes) -> tuple[float, float, float, float]:
    """The map's frame (left, bottom, right, top): the territory and some of its surroundings."""
    left, bottom, right, top = shapes.total_bounds
    pad = max(right - left, top - bottom) * FRAME_MARGIN
    return left - pad, bottom - pad, right + pad, top + pad


def _frame_on(axes, shapes) -> None:
    """Zoom on the territory, keeping some of its surroundings as context."""
    left, bottom, right, top = _frame(shapes)
    axes.set_xlim(left, right)
    axes.set_ylim(bottom, top)


def _surroundings(members) -> list[str]:
    """The comuni the map's frame shows, whatever their province, region or country's side of
    a border: a comune on a province's edge has neighbours in the next one. In the table's
    order, whatever the spatial index's: the order they are drawn in."""
    import shapely  # geopandas and shapely take a second to import: only a map pays for it

    shapes = boundaries.map_geometries()
    found = shapes.sindex.query(shapely.box(*_frame(members)))
    return shapes["codice"].iloc[np.sort(found)].tolist()


def _shapes_of(codes):
    """The shapes of the comuni with these codes, in the equal-area projection maps are drawn in."""
    shapes = boundaries.map_geometries()
    return shapes[shapes["codice"].isin(list(codes))]


def _label(axes, text: str, point, fontsize: float):
    return axes.annotate(text, (point.x, point.y), ha="center", fontsize=fontsize, color="#111111", bbox=LABEL_BOX)


def _outline(axes, members) -> None:
    """The territory's border, one line around all its comuni, so that it reads apart from its neighbours.

    Drawn as plain lines: a geopandas plot would redraw the whole figure once more."""
    import shapely  # as geopandas: only a map pays for it

    whole = shapely.union_all(members.geometry.to_numpy())
    lines = [np.asarray(line.coords) for line in shapely.get_parts(shapely.line_merge(whole.boundary))]
    axes.add_collection(LineCollection(lines, colors=OUTLINE_COLOR, linewidths=1.1), autolim=False)


def _finish(axes) -> None:
    """What every map of comuni ends with: true proportions, a scale bar, the north at the map's centre."""
    axes.set_aspect("equal")
    cartography.scale_bar(axes)
    (left, right), (bottom, top) = axes.get_xlim(), axes.get_ylim()
    cartography.north_arrow(axes, cartography.true_north(boundaries.EQUAL_AREA_CRS, (left + right) / 2,
                                                         (bottom + top) / 2))


def _neighbours(axes, members, around):
    """The comuni of ``around`` touching the territory, largest on the map first, at most ``MAX_NEIGHBOURS``;
    with, for each, the point where its name goes: inside its part that the map shows."""
    import shapely  # as geopandas: only a map pays for it

    left, right = axes.get_xlim()
    bottom, top = axes.get_ylim()
    frame = shapely.box(left, bottom, right, top)
    touching = around.iloc[around.sindex.query(members.geometry, predicate="intersects")[1]].drop_duplicates("codice")
    shown = touching.geometry.intersection(frame)
    order = shown.area.sort_values(ascending=False, kind="stable").index[:MAX_NEIGHBOURS]
    return [(touching.loc[i, "codice"], shown.loc[i].representative_point()) for i in order if not shown.loc[i].is_empty]


def _name_neighbours(axes, neighbours, territory_labels) -> None:
    names = registry.names()
    labels = [axes.annotate(names[code], (point.x, point.y), ha="center", va="center", fontsize=6.5,
                            fontstyle="italic", color=NEIGHBOUR_COLOR) for code, point in neighbours]
    cartography.keep_apart(axes, labels, placed=territory_labels)


def mappa_comuni(comuni, ax=None, *, contesto=None):
    """The comuni (ISTAT codes) in the accent colour, named and outlined, over the ``contesto`` comuni in grey:
    by default every comune the frame shows around them, ``[]`` for none.

    Around a comune or a district (up to ``MAX_LABELLED`` comuni) the ``contesto`` comuni that
    touch it are named too, the largest first; a scale bar and the north close the map."""
    ax = style.axes_or_new(ax, 6.5, 6.0)
    ax.set_axis_off()
    members = _shapes_of(comuni)
    inside = set(members["codice"])
    around_codes = [code for code in (_surroundings(members) if contesto is None else contesto) if code not in inside]
    around = _shapes_of(around_codes) if around_codes else None
    if around is not None:
        add_polygons(ax, around, facecolor=style.BACKGROUND_COLOR, edgecolor="white", linewidth=0.4)
    add_polygons(ax, members, facecolor=style.accent(), edgecolor="white", linewidth=0.6)
    _outline(ax, members)
    ax.set_aspect("equal")  # metres both ways; before the names are measured on the map's final shape
    _frame_on(ax, members)
    if len(members) <= MAX_LABELLED:
        names = registry.names()
        labels = [_label(ax, names[code], point, 7.5)
                  for code, point in zip(members["codice"], members.representative_point())]
        if around is not None:
            _name_neighbours(ax, _neighbours(ax, members, around), labels)
    _finish(ax)
    return ax


def mappa_coropletica(tabella: pd.DataFrame, ax=None, *, etichetta: str, unita: str):
    """The comuni coloured by a value, light to dark, each named with its value.

    ``tabella`` has ``codice`` (ISTAT code) and ``valore``; a comune without a value is
    hatched grey and reads ``n.d.``, never a zero."""
    require_columns(tabella, ("codice", "valore"), "mappa_coropletica")
    ax = style.axes_or_new(ax, 6.5, 6.0)
    ax.set_axis_off()
    ax.set_aspect("equal")  # metres both ways; before the scale takes its room beside the map
    members = _shapes_of(tabella["codice"]).copy()
    members["valore"] = members["codice"].map(tabella.set_index("codice")["valore"]).astype(float)
    known = members.dropna(subset=["valore"])
    if len(known) >= 2:
        # The scale starts below the lowest value so that no comune is drawn white on white.
        low, high = known["valore"].min(), known["valore"].max()
        _coloured_by_value(ax, known, low - (high - low) * 0.4 - 1e-9, high, f"{etichetta} ({unita})")
    elif not known.empty:
        add_polygons(ax, known, facecolor=style.accent(), edgecolor="white")
    unknown = members[members["valore"].isna()]
    if not unknown.empty:
        add_polygons(ax, unknown, facecolor=style.BACKGROUND_COLOR, edgecolor="white", hatch="//")
    if len(members) <= MAX_LABELLED:
        names = registry.names()
        for code, value, point in zip(members["codice"], members["valore"], members.representative_point()):
            _label(ax, f"{names[code]}\n{format_value(value, unita) if not np.isnan(value) else 'n.d.'}", point, 7)
    _outline(ax, members)
    _finish(ax)
    return ax


def _coloured_by_value(axes, known, low: float, high: float, label: str) -> None:
    """The comuni light to dark by ``valore``, from ``low`` to ``high``, and the scale beside the map."""
    colours = style.sequential()
    add_polygons(axes, known, values=known["valore"].to_numpy(), cmap=colours, vmin=low, vmax=high,
                 edgecolor="white", linewidth=0.5)
    axes.figure.colorbar(ScalarMappable(norm=Normalize(vmin=low, vmax=high), cmap=colours), ax=axes, shrink=0.6,
                         label=label, format=style.FuncFormatter(lambda v, _p: format_number(v, 1)))
