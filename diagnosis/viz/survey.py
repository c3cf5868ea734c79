"""The survey's charts in the house style: satisfaction as diverging bars, needs ranked."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from diagnosis.formatting import format_number
from diagnosis.sources.survey.layout import standard_layout
from diagnosis.models.survey.privacy import is_suppressed
from diagnosis.viz.figure import Chart, chart_from_figure
from diagnosis.viz.style import (
    BENCHMARK_COLOR,
    HIGHLIGHT_COLOR,
    MUTED_COLOR,
    TERRITORY_COLOR,
    italian_axis,
    new_figure,
)


def _lighter(color: str, amount: float = 0.5) -> tuple[float, float, float]:
    red, green, blue = to_rgb(color)
    return (red + (1 - red) * amount, green + (1 - green) * amount, blue + (1 - blue) * amount)


# Dissatisfaction in the warm highlight, satisfaction in the territory blue, neutral muted:
# the reader sees the balance of each item before reading any number.
SCORE_COLORS = {1: HIGHLIGHT_COLOR, 2: _lighter(HIGHLIGHT_COLOR), 3: _lighter(MUTED_COLOR),
                4: _lighter(TERRITORY_COLOR, 0.45), 5: TERRITORY_COLOR}


def _published(distribution: pd.DataFrame) -> pd.DataFrame:
    return distribution[~distribution["risposte"].map(is_suppressed)]


def _score_shares(distribution: pd.DataFrame, weighted: bool) -> pd.DataFrame:
    prefix = "quota_ponderata_" if weighted else "quota_"
    scale = standard_layout().likert_scale
    shares = distribution[[f"{prefix}{level}" for level in scale]].astype(float)
    shares.columns = list(scale)
    shares.index = distribution["voce"].to_numpy()
    return shares


def _diverging_starts(shares: pd.DataFrame) -> pd.DataFrame:
    """Left edge of each score's segment: 1-2 left of zero, 3 split across it, 4-5 right."""
    starts = pd.DataFrame(index=shares.index, columns=shares.columns, dtype=float)
    starts[1] = -(shares[1] + shares[2] + shares[3] / 2)
    starts[2] = -(shares[2] + shares[3] / 2)
    starts[3] = -shares[3] / 2
    starts[4] = shares[3] / 2
    starts[5] = shares[3] / 2 + shares[4]
    return starts


def likert_diverging(distribution: pd.DataFrame, *, source: str, weighted: bool = False) -> Chart | None:
    """Diverging stacked bars of ``likert_distribution``; None when no item has enough answers."""
    layout = standard_layout()
    shown = _published(distribution)
    if shown.empty:
        return None
    shares = _score_shares(shown, weighted)
    balance = shares[4] + shares[5] - shares[1] - shares[2]
    shares = shares.loc[balance.sort_values().index]
    starts = _diverging_starts(shares)
    positions = np.arange(len(shares))
    figure, axes = new_figure(7.5, 0.55 * len(shares) + 1.8)
    for level in layout.likert_scale:
        axes.barh(positions, shares[level], left=starts[level], color=SCORE_COLORS[level], height=0.7)
    axes.axvline(0, color=BENCHMARK_COLOR, linewidth=0.9)
    axes.set_axisbelow(True)
    axes.grid(axis="y", visible=False)
    axes.set_yticks(positions, list(shares.index))
    italian_axis(axes.xaxis, decimals=0, absolute=True, suffix=" %")
    axes.set_xlabel("Quota delle risposte: a sinistra insoddisfatti, a destra soddisfatti")
    legend = [Patch(color=SCORE_COLORS[level], label=f"{level} {layout.likert_labels[level].lower()}")
              for level in layout.likert_scale]
    axes.legend(handles=legend, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8)
    kind = "quote ponderate" if weighted else "quote sulle risposte"
    return chart_from_figure(figure, title=f"Soddisfazione per aspetto del centro ({kind})",
                             alt=_likert_alt(shares), source=source)


def _likert_alt(shares: pd.DataFrame) -> str:
    parts = [f"{item}: {format_number(row[4] + row[5])} % soddisfatti (4-5), "
             f"{format_number(row[1] + row[2])} % insoddisfatti (1-2)"
             for item, row in shares.iloc[::-1].iterrows()]
    return "Barre divergenti della soddisfazione per aspetto, dal più al meno apprezzato. " + "; ".join(parts) + "."


def needs_bar(needs: pd.DataFrame, *, source: str, top: int = 10) -> Chart | None:
    """Horizontal bars of ``needs_ranked``: the most named needs on top."""
    shown = needs.head(top)
    if shown.empty:
        return None
    positions = np.arange(len(shown))[::-1]
    figure, axes = new_figure(7.0, 0.45 * len(shown) + 1.4)
    axes.barh(positions, shown["menzioni"], color=TERRITORY_COLOR, height=0.7)
    for position, count in zip(positions, shown["menzioni"]):
        axes.text(count, position, f" {format_number(count, 0)}", va="center", fontsize=8.5)
    axes.set_yticks(positions, list(shown["bisogno"]))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    italian_axis(axes.xaxis, decimals=0)
    axes.set_xlabel("Persone che lo hanno indicato")
    axes.grid(axis="y", visible=False)
    axes.set_axisbelow(True)
    alt = "Negozi e servizi più desiderati: " + "; ".join(
        f"{need} {format_number(count, 0)}" for need, count in zip(shown["bisogno"], shown["menzioni"])) + "."
    return chart_from_figure(figure, title="Negozi e servizi che mancano, secondo chi ha risposto", alt=alt,
                             source=source)
