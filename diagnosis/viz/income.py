"""The income chart: taxable income per taxpayer over the tax years, against a benchmark."""

from __future__ import annotations

import pandas as pd

from diagnosis.viz import style
from diagnosis.viz.inputs import require_columns

# MEF tax years 2003-2006 count taxable income under another definition (the "no tax
# area" deductions), hence the dip: the years are shaded so that no one reads it as a crisis.
OTHER_DEFINITION = (2003, 2006)


def andamento_reddito(tabella: pd.DataFrame, ax=None, *, nome: str = "Territorio",
                      confronto: pd.DataFrame | None = None, nome_confronto: str | None = None):
    """Taxable income per taxpayer (euro) over the tax years, with a benchmark's series dashed.

    ``tabella`` and ``confronto`` have ``anno`` and ``valore``; the x axis shows whole years."""
    require_columns(tabella, ("anno", "valore"), "andamento_reddito")
    ax = style.axes_or_new(ax, 7.0, 3.8)
    own = tabella.sort_values("anno")
    ax.plot(own["anno"], own["valore"], marker="o", color=style.accent(), label=nome)
    years = own["anno"].astype(int).tolist()
    if confronto is not None and not confronto.empty:
        require_columns(confronto, ("anno", "valore"), "andamento_reddito")
        other = confronto.sort_values("anno")
        ax.plot(other["anno"], other["valore"], marker=".", color=style.BENCHMARK_COLOR, linestyle="--",
                label=nome_confronto or "Confronto")
        years += other["anno"].astype(int).tolist()
    first, last = OTHER_DEFINITION
    if any(first <= year <= last for year in own["anno"]):
        ax.axvspan(first - 0.5, last + 0.5, color=style.MUTED_COLOR, alpha=0.2,
                   label=f"{first}-{last}: definizione diversa")
    style.year_axis(ax.xaxis, years)
    style.italian_axis(ax.yaxis, decimals=0, suffix=" €")
    ax.set_xlabel("Anno d'imposta")
    ax.set_ylabel("Euro per contribuente")
    ax.legend(loc="best")
    return ax
