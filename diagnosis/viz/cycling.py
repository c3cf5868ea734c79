"""The cycle network map: streets and cycle infrastructure by class, the gaps, poles and stations."""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from diagnosis.formatting import format_number
from diagnosis.viz import cartography, style
from diagnosis.viz.inputs import require_columns

# Cycle infrastructure in strong colours, streets in grey underneath; gaps in the critical colour.
CLASS_STYLES = {  # class → (legend label, colour, line width)
    "strada": ("Strade ordinarie", style.MUTED_COLOR, 0.6),
    "corsia_ciclabile": ("Corsie ciclabili su strada", style.OKABE_ITO["azzurro"], 1.8),
    "percorso_promiscuo": ("Percorsi promiscui e strade ciclabili", style.OKABE_ITO["arancione"], 1.8),
    "pista_ciclabile": ("Piste ciclabili", style.OKABE_ITO["verde"], 2.2),
}
GAP_COLOR = style.CRITICAL_COLOR
POLE_COLOR = style.OKABE_ITO["porpora"]
STATION_COLOR = style.OKABE_ITO["nero"]
MARGIN_SHARE = 0.05  # of the network's larger side, around it
LABEL_BOX = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8}


def _lines(frame) -> list:
    import shapely  # geopandas' geometry library, loaded with the map's table: only a map pays for it

    parts = shapely.get_parts(frame.geometry.to_numpy())
    return [np.asarray(part.coords)[:, :2] for part in parts if not part.is_empty]


def mappa_ciclabile(rete, ax=None):
    """The network of ``dg.rete_ciclabile`` on a plain background, with a scale bar and the north.

    Ways by class, the gaps on the routes between poles and stations over them (solid when
    longer than the tolerance, dashed when tolerated), the commercial poles with their names
    and number of shops, the stations."""
    require_columns(rete, ("elemento", "classe", "nome", "tollerata", "negozi", "geometry"), "mappa_ciclabile")
    ax = style.axes_or_new(ax, 7.0, 7.0)
    ax.set_axis_off()
    ways = rete[rete["elemento"] == "via"]
    handles = []
    for kind, (label, color, width) in CLASS_STYLES.items():
        chosen = ways[ways["classe"] == kind]
        if chosen.empty:
            continue
        ax.add_collection(LineCollection(_lines(chosen), colors=color, linewidths=width, capstyle="round"))
        km = format_number(chosen["lunghezza_m"].sum() / 1000, 1)
        handles.append(Line2D([], [], color=color, linewidth=width, label=f"{label} ({km} km)"))
    gaps = rete[rete["elemento"] == "lacuna"]
    for tolerated, dashes, text in ((False, "solid", "Lacune oltre la tolleranza"),
                                    (True, (0, (2, 2)), "Lacune tollerate")):
        chosen = gaps[gaps["tollerata"].astype(bool) == tolerated]
        if not chosen.empty:
            ax.add_collection(LineCollection(_lines(chosen), colors=GAP_COLOR, linewidths=3.0, linestyles=dashes))
            handles.append(Line2D([], [], color=GAP_COLOR, linewidth=3.0, linestyle=dashes, label=text))
    poles, labels = rete[rete["elemento"] == "polo"], []
    if not poles.empty:
        ax.scatter(poles.geometry.x, poles.geometry.y, s=40 + 4 * poles["negozi"].astype(float), color=POLE_COLOR,
                   edgecolor="white", linewidth=0.8, zorder=4)
        labels = [ax.annotate(f"{name} · {int(shops)} negozi", (point.x, point.y), xytext=(6, 6),
                              textcoords="offset points", fontsize=7, bbox=LABEL_BOX)
                  for name, shops, point in zip(poles["nome"], poles["negozi"], poles.geometry)]
        handles.append(Line2D([], [], marker="o", linestyle="", color=POLE_COLOR, label="Poli commerciali"))
    stations = rete[rete["elemento"] == "stazione"]
    if not stations.empty:
        ax.scatter(stations.geometry.x, stations.geometry.y, s=55, marker="s", color=STATION_COLOR, zorder=5)
        handles.append(Line2D([], [], marker="s", linestyle="", color=STATION_COLOR, label="Stazioni ferroviarie"))
    _frame_on(ax, rete)
    cartography.keep_apart(ax, labels)  # once the frame is set: the largest poles' names first
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7.5, frameon=False)
    cartography.scale_bar(ax)
    (left, right), (bottom, top) = ax.get_xlim(), ax.get_ylim()
    cartography.north_arrow(ax, cartography.true_north(str(rete.crs), (left + right) / 2, (bottom + top) / 2))
    return ax


def _frame_on(ax, rete) -> None:
    left, bottom, right, top = rete.total_bounds
    pad = max(right - left, top - bottom, 1.0) * MARGIN_SHARE
    ax.set_xlim(left - pad, right + pad)
    ax.set_ylim(bottom - pad, top + pad)
    ax.set_aspect("equal")
