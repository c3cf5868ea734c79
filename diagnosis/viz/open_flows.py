"""The commuting chart: residents who stay, residents who leave, people who arrive, by reason."""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnosis.viz import style
from diagnosis.viz.bar_limits import limits_widened_once
from diagnosis.viz.inputs import require_columns
from diagnosis.viz.ticks import set_major_ticks

MOVES = {"restano": "restano", "escono": "escono", "entrano": "entrano"}
REASONS = {"lavoro": "lavoro", "studio": "studio"}


def bilancio_pendolari(tabella: pd.DataFrame, ax=None, *, nome: str = "Territorio"):
    """Horizontal bars of who stays, leaves and arrives, work and study side by side.

    ``tabella`` is a ``dg.pendolarismo`` table (its rows of one territory are used: ``motivo``,
    ``variabile``, ``valore``; with ``anno`` each reason's census year is in the legend, the
    two reasons may come from different censuses)."""
    require_columns(tabella, ("motivo", "variabile", "valore"), "bilancio_pendolari")
    ax = style.axes_or_new(ax, 7.0, 3.0)
    counts = tabella[tabella["variabile"].isin(MOVES)].pivot_table(
        index="variabile", columns="motivo", values="valore", aggfunc="sum").reindex(index=list(MOVES))
    positions = np.arange(len(MOVES))
    height = 0.38
    colours = (style.accent(), style.MUTED_COLOR)
    years = tabella.groupby("motivo")["anno"].max().to_dict() if "anno" in tabella else {}
    with limits_widened_once(ax):
        for offset, (reason, label), colour in zip((-height / 2, height / 2), REASONS.items(), colours):
            if reason in counts:  # an unknown count draws no bar, never a bar of zero
                ax.barh(positions + offset, counts[reason].to_numpy(), height=height, color=colour,
                        label=f"{label} ({years[reason]})" if reason in years else label)
    set_major_ticks(ax.yaxis, positions, [MOVES[move] for move in MOVES])
    ax.invert_yaxis()
    style.italian_axis(ax.xaxis)
    ax.set_xlabel(f"Pendolari ({nome})")
    ax.legend(loc="best", title="motivo")
    return ax
