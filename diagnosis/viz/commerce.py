"""Charts of the commercial fabric: group densities against a benchmark, location
quotients, shops and vacant premises on the map."""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnosis.sources.commerce_groups import all_groups
from diagnosis.territory import boundaries
from diagnosis.viz import cartography, style
from diagnosis.viz.bar_limits import limits_widened_once
from diagnosis.viz.inputs import require_columns
from diagnosis.viz.polygons import add_polygons
from diagnosis.viz.ticks import set_major_ticks

VACANT_COLOR = style.CRITICAL_COLOR
GROUP_MARKERS = ("o", "s", "^")
# A degree of latitude on the ground; a degree of longitude is this times the latitude's cosine.
METRES_PER_DEGREE = 111_320


def densita_gruppi(tabella: pd.DataFrame, ax=None, *, nome: str = "Territorio", nome_confronto: str = "Confronto"):
    """Local units per 1,000 inhabitants by group: the territory's bars, the benchmark's ticks.

    ``tabella`` has ``gruppo`` (its name), ``valore`` and ``riferimento`` (the benchmark's
    density; missing where it has none); groups are drawn top to bottom in the table's order."""
    require_columns(tabella, ("gruppo", "valore", "riferimento"), "densita_gruppi")
    ax = style.axes_or_new(ax, 7.0, 0.45 * len(tabella) + 1.4)
    positions = np.arange(len(tabella))
    with limits_widened_once(ax):
        ax.barh(positions, tabella["valore"].astype(float), color=style.accent(), height=0.6, label=nome)
    ax.scatter(tabella["riferimento"].astype(float), positions, marker="|", s=380, linewidths=2.2,
               color=style.BENCHMARK_COLOR, label=nome_confronto, zorder=3)
    set_major_ticks(ax.yaxis, positions, tabella["gruppo"].tolist())
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    style.italian_axis(ax.xaxis, decimals=1)
    ax.set_xlabel("Unità locali per 1.000 abitanti")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    return ax


SPECIALISED, UNDER_REPRESENTED = 1.2, 0.8


def quozienti_localizzazione(tabella: pd.DataFrame, ax=None, *, nome_confronto: str | None = None):
    """Location quotients as bars from 1: above 1.2 specialised, below 0.8 under-represented.

    ``tabella`` has ``gruppo`` (its name) and ``valore`` (the quotient)."""
    require_columns(tabella, ("gruppo", "valore"), "quozienti_localizzazione")
    ax = style.axes_or_new(ax, 7.0, 0.45 * len(tabella) + 1.2)
    values = tabella["valore"].astype(float).to_numpy()
    positions = np.arange(len(tabella))
    colors = [style.HIGHLIGHT_COLOR if v >= SPECIALISED else style.MUTED_COLOR if v > UNDER_REPRESENTED
              else style.TERRITORY_COLOR for v in values]
    with limits_widened_once(ax):
        ax.barh(positions, values - 1, left=1, color=colors, height=0.6)
    ax.axvline(1, color=style.BENCHMARK_COLOR, linewidth=1)
    set_major_ticks(ax.yaxis, positions, tabella["gruppo"].tolist())
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    style.italian_axis(ax.xaxis, decimals=1)
    ax.set_xlabel("Quoziente di localizzazione (1 = stessa composizione "
                  + (f"di {nome_confronto})" if nome_confronto else "del riferimento)"))
    return ax


def _main_group(groups) -> str:
    """The first commercial-mix group of a place's groups, else ``altro``."""
    return next((g for g in groups if g in all_groups() and all_groups()[g].mix), "altro")


def mappa_punti(punti: pd.DataFrame, comuni, ax=None):
    """Active shops and places, coloured by group, and vacant premises, over the comuni's outlines.

    ``punti`` has ``lat``, ``lon``, ``stato`` (``attivo`` or ``sfitto``) and ``gruppi`` (the
    group ids of each place); ``comuni`` are the codes whose outlines are drawn."""
    require_columns(punti, ("lat", "lon", "stato", "gruppi"), "mappa_punti")
    ax = style.axes_or_new(ax, 6.5, 6.0)
    shapes = boundaries.geometries()
    add_polygons(ax, shapes[shapes["codice"].isin(list(comuni))], facecolor=style.BACKGROUND_COLOR,
                 edgecolor=style.MUTED_COLOR, linewidth=0.6)
    located = punti.dropna(subset=["lat", "lon"])
    active = located[located["stato"] == "attivo"]
    vacant = located[located["stato"] == "sfitto"]
    # Vermilion marks the vacant premises: the groups take the other colours, then, once
    # those are used, the same colours with another marker.
    colors = [c for c in style.PALETTE if c != VACANT_COLOR]
    for order, (group_id, rows) in enumerate(active.groupby(active["gruppi"].map(_main_group))):
        label = all_groups()[group_id].nome if group_id in all_groups() else "Altro"
        ax.scatter(rows["lon"], rows["lat"], s=9, color=colors[order % len(colors)],
                   marker=GROUP_MARKERS[order // len(colors) % len(GROUP_MARKERS)],
                   label=f"{label} ({len(rows)})", alpha=0.85)
    if not vacant.empty:
        ax.scatter(vacant["lon"], vacant["lat"], s=28, marker="x", color=VACANT_COLOR, label=f"Sfitti ({len(vacant)})")
    if not located.empty:
        pad = 0.004
        ax.set_xlim(located["lon"].min() - pad, located["lon"].max() + pad)
        ax.set_ylim(located["lat"].min() - pad, located["lat"].max() + pad)
    ax.set_axis_off()
    latitude = np.radians(located["lat"].mean() if not located.empty else 44)
    ax.set_aspect(1 / np.cos(latitude))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7.5)
    # Degrees of longitude, shortened by the latitude, are the map's horizontal unit; up is true north.
    cartography.scale_bar(ax, metres_per_unit=METRES_PER_DEGREE * np.cos(latitude))
    cartography.north_arrow(ax)
    return ax




# Room around the perimeter, a share of its larger side: a shop on its edge is not cut by the
# frame, and the scale bar and the north arrow sit beside the outline rather than on it.
PERIMETER_PAD_SHARE = 0.15


def mappa_negozi_perimetro(punti: pd.DataFrame, perimetro: str, ax=None):
    """The district's perimeter on a plain background, its active shops and vacant premises.

    ``punti`` has ``lat``, ``lon`` and ``stato`` (``attivo`` or ``sfitto``), as
    ``dg.luoghi_nel_perimetro`` gives them; ``perimetro`` is the perimeter's WKT in EPSG:4326
    (``attrs["perimetro"]["geometria"]`` of the same table). Drawn in metres (EPSG:3035)
    with a scale bar and the north."""
    import geopandas as gpd  # a second to import: only a map pays for it

    require_columns(punti, ("lat", "lon", "stato"), "mappa_negozi_perimetro")
    ax = style.axes_or_new(ax, 6.5, 6.0)
    ax.set_axis_off()
    shape = gpd.GeoSeries.from_wkt([perimetro], crs=boundaries.GEOGRAPHIC_CRS).to_crs(boundaries.EQUAL_AREA_CRS)
    add_polygons(ax, shape, facecolor=style.BACKGROUND_COLOR, edgecolor=style.accent(), linewidth=1.6)
    located = punti.dropna(subset=["lat", "lon"])
    places = gpd.GeoDataFrame(located, geometry=gpd.points_from_xy(located["lon"].astype(float),
                                                                    located["lat"].astype(float)),
                              crs=boundaries.GEOGRAPHIC_CRS).to_crs(boundaries.EQUAL_AREA_CRS)
    active, vacant = places[places["stato"] == "attivo"], places[places["stato"] == "sfitto"]
    if not active.empty:
        ax.scatter(active.geometry.x, active.geometry.y, s=12, color=style.TERRITORY_COLOR, alpha=0.85,
                   label=f"Attivi ({len(active)})")
    if not vacant.empty:
        ax.scatter(vacant.geometry.x, vacant.geometry.y, s=30, marker="x", color=VACANT_COLOR,
                   label=f"Sfitti ({len(vacant)})")
    left, bottom, right, top = shape.total_bounds
    pad = PERIMETER_PAD_SHARE * max(right - left, top - bottom)
    ax.set_xlim(left - pad, right + pad)
    ax.set_ylim(bottom - pad, top + pad)
    ax.set_aspect("equal")
    if not places.empty:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7.5)
    cartography.scale_bar(ax)
    cartography.north_arrow(ax, cartography.true_north(boundaries.EQUAL_AREA_CRS, (left + right) / 2,
                                                       (bottom + top) / 2))
    return ax
