"""The income chart: taxable income per taxpayer over the tax years, against a benchmark."""

from __future__ import annotations

from diagnosis.formatting import format_value
from diagnosis.territory.model import Territorio
from diagnosis.viz import style
from diagnosis.viz.figure import Chart, chart_from_figure


def income_trend(territory: Territorio, series: dict[int, float], benchmark_name: str | None,
                 benchmark: dict[int, float] | None) -> Chart:
    """Taxable income per taxpayer over the stored tax years (2003-2006 shaded: other definition)."""
    figure, axes = style.new_figure(7.0, 3.8)
    years = sorted(series)
    axes.plot(years, [series[y] for y in years], marker="o", color=style.TERRITORY_COLOR, label=territory.nome)
    if benchmark:
        other = sorted(benchmark)
        axes.plot(other, [benchmark[y] for y in other], marker=".", color=style.BENCHMARK_COLOR,
                  linestyle="--", label=benchmark_name)
    if any(2003 <= y <= 2006 for y in years):
        axes.axvspan(2002.5, 2006.5, color=style.MUTED_COLOR, alpha=0.2, label="2003-2006: definizione diversa")
    style.italian_axis(axes.yaxis, decimals=0, suffix=" €")
    axes.legend(loc="best")
    listed = ", ".join(f"{y} {format_value(series[y], 'euro')}" for y in years)
    return chart_from_figure(
        figure, title="Reddito imponibile per contribuente (euro correnti)",
        alt=f"Reddito imponibile IRPEF per contribuente di {territory.nome}: {listed}.",
        source=f"MEF - Dipartimento delle Finanze, anni d'imposta {years[0]}-{years[-1]}",
    )
