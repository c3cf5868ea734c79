"""Charts of the commercial fabric: group densities against a benchmark, location
quotients, shops and vacant premises on the map."""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnosis.sources.commerce_groups import all_groups
from diagnosis.formatting import format_number
from diagnosis.territory import boundaries
from diagnosis.territory.model import Territorio
from diagnosis.viz import style
from diagnosis.viz.figure import Chart, chart_from_figure

VACANT_COLOR = "#c0392b"


def group_density_bars(territory: Territorio, densities: dict[str, float | None],
                       benchmark_name: str, benchmark: dict[str, float | None], year: int) -> Chart:
    """Local units per 1,000 inhabitants by group: the territory's bars, the benchmark's ticks."""
    groups = [gid for gid, value in densities.items() if value is not None]
    names = [all_groups()[gid].nome for gid in groups]
    own = np.array([densities[g] for g in groups], dtype=float)
    other = np.array([benchmark.get(g) if benchmark.get(g) is not None else np.nan for g in groups], dtype=float)
    positions = np.arange(len(groups))
    figure, axes = style.new_figure(7.0, 0.45 * len(groups) + 1.4)
    axes.barh(positions, own, color=style.TERRITORY_COLOR, height=0.6, label=territory.nome)
    axes.scatter(other, positions, marker="|", s=380, linewidths=2.2, color=style.BENCHMARK_COLOR, label=benchmark_name,
                 zorder=3)
    axes.set_yticks(positions, names)
    axes.invert_yaxis()
    style.italian_axis(axes.xaxis, decimals=1)
    axes.set_xlabel("Unità locali per 1.000 abitanti")
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    pairs = "; ".join(f"{n} {format_number(o, 1)} contro {format_number(b, 1)}" for n, o, b in zip(names, own, other))
    return chart_from_figure(
        figure, title=f"Densità commerciale per gruppo, {year} — confronto con {benchmark_name}",
        alt=f"Unità locali per 1.000 abitanti di {territory.nome} e di {benchmark_name}, per gruppo: {pairs}.",
        source=f"ISTAT, ASIA unità locali {year}; popolazione ISTAT al 1° gennaio",
    )


def location_quotient_bars(territory: Territorio, quotients: dict[str, float | None], benchmark_name: str,
                           year: int) -> Chart:
    """Quotients around 1: above means the territory is specialised in the group."""
    groups = [gid for gid, value in quotients.items() if value is not None]
    values = np.array([quotients[g] for g in groups])
    names = [all_groups()[g].nome for g in groups]
    positions = np.arange(len(groups))
    figure, axes = style.new_figure(7.0, 0.45 * len(groups) + 1.2)
    colors = [style.HIGHLIGHT_COLOR if v >= 1.2 else style.MUTED_COLOR if v > 0.8 else style.TERRITORY_COLOR
              for v in values]
    axes.barh(positions, values - 1, left=1, color=colors, height=0.6)
    axes.axvline(1, color=style.BENCHMARK_COLOR, linewidth=1)
    axes.set_yticks(positions, names)
    axes.invert_yaxis()
    style.italian_axis(axes.xaxis, decimals=1)
    axes.set_xlabel(f"Quoziente di localizzazione (1 = stessa composizione di {benchmark_name})")
    listed = "; ".join(f"{n} {format_number(v, 2)}" for n, v in zip(names, values))
    return chart_from_figure(
        figure, title=f"Specializzazione commerciale rispetto a {benchmark_name}, {year}",
        alt=f"Quozienti di localizzazione di {territory.nome} rispetto a {benchmark_name}: {listed}. "
            "Sopra 1,2 il territorio è specializzato, sotto 0,8 il gruppo è sotto-rappresentato.",
        source=f"Elaborazione su ISTAT, ASIA unità locali {year}",
    )


def _outline(axes, territory: Territorio):
    shapes = boundaries.geometries()
    members = shapes[shapes["codice"].isin(territory.comuni)]
    members.plot(ax=axes, color="#f4f6f8", edgecolor="#9aa5b1", linewidth=0.6)
    return members


def points_map(territory: Territorio, points: pd.DataFrame, source: str,
               what: str = "negozi, pubblici esercizi e locali sfitti") -> Chart:
    """Active shops and places (by group) and vacant premises, over the comuni outlines."""
    figure, axes = style.new_figure(6.5, 6.0)
    _outline(axes, territory)
    located = points.dropna(subset=["lat", "lon"])
    active = located[located["stato"] == "attivo"]
    vacant = located[located["stato"] == "sfitto"]
    palette = ["#1f5f8b", "#f2a541", "#3a7cb8", "#6a994e", "#8e6c8a", "#2a9d8f", "#bc6c25", "#555555"]
    main_group = active["gruppi"].map(lambda gs: next((g for g in gs if g in all_groups() and all_groups()[g].mix), "altro"))
    for color, (group_id, rows) in zip(palette * 3, active.groupby(main_group)):
        label = all_groups()[group_id].nome if group_id in all_groups() else "Altro"
        axes.scatter(rows["lon"], rows["lat"], s=9, color=color, label=f"{label} ({len(rows)})", alpha=0.85)
    if not vacant.empty:
        axes.scatter(vacant["lon"], vacant["lat"], s=28, marker="x", color=VACANT_COLOR, label=f"Sfitti ({len(vacant)})")
    if not located.empty:
        pad = 0.004
        axes.set_xlim(located["lon"].min() - pad, located["lon"].max() + pad)
        axes.set_ylim(located["lat"].min() - pad, located["lat"].max() + pad)
    axes.set_axis_off()
    axes.set_aspect(1 / np.cos(np.radians(located["lat"].mean() if not located.empty else 44)))
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7.5)
    return chart_from_figure(
        figure, title=f"{territory.nome}: {what}",
        alt=f"Mappa di {territory.nome} con {len(active)} attività e {len(vacant)} locali sfitti localizzati.",
        source=source,
    )
