"""The survey's charts in the house style: satisfaction as diverging bars, needs ranked; and
each chart in words, for the readers who cannot see it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from diagnosis.formatting import format_number
from diagnosis.sources.survey.layout import standard_layout
from diagnosis.models.survey.privacy import is_suppressed
from diagnosis.viz import style
from diagnosis.viz.bar_limits import limits_widened_once
from diagnosis.viz.inputs import require_columns
from diagnosis.viz.ticks import set_major_ticks


def _lighter(color: str, amount: float = 0.5) -> tuple[float, float, float]:
    red, green, blue = to_rgb(color)
    return (red + (1 - red) * amount, green + (1 - green) * amount, blue + (1 - blue) * amount)


# Dissatisfaction in the warm highlight, satisfaction in the territory blue, neutral muted:
# the reader sees the balance of each item before reading any number.
SCORE_COLORS = {1: style.HIGHLIGHT_COLOR, 2: _lighter(style.HIGHLIGHT_COLOR), 3: _lighter(style.MUTED_COLOR),
                4: _lighter(style.TERRITORY_COLOR, 0.45), 5: style.TERRITORY_COLOR}


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


def soddisfazione(distribuzione: pd.DataFrame, ax=None, *, ponderata: bool = False):
    """Diverging stacked bars of satisfaction: dissatisfied left of zero, satisfied right.

    ``distribuzione`` is a ``likert_distribution`` table (``voce``, ``risposte``, ``quota_1``
    … ``quota_5`` and their ``quota_ponderata_`` twins); items with too few answers to be
    published are left out, the others ordered from the least to the most appreciated."""
    layout = standard_layout()
    prefix = "quota_ponderata_" if ponderata else "quota_"
    require_columns(distribuzione, ("voce", "risposte") + tuple(f"{prefix}{level}" for level in layout.likert_scale),
                    "soddisfazione")
    shares = _ordered_shares(_published(distribuzione), ponderata)
    ax = style.axes_or_new(ax, 7.5, 0.55 * len(shares) + 1.8)
    starts = _diverging_starts(shares)
    positions = np.arange(len(shares))
    with limits_widened_once(ax):
        for level in layout.likert_scale:
            ax.barh(positions, shares[level], left=starts[level], color=SCORE_COLORS[level], height=0.7)
    ax.axvline(0, color=style.BENCHMARK_COLOR, linewidth=0.9)
    ax.grid(axis="y", visible=False)
    set_major_ticks(ax.yaxis, positions, list(shares.index))
    style.italian_axis(ax.xaxis, decimals=0, absolute=True, suffix=" %")
    ax.set_xlabel("Quota delle risposte (%): a sinistra insoddisfatti, a destra soddisfatti")
    legend = [Patch(color=SCORE_COLORS[level], label=f"{level} {layout.likert_labels[level].lower()}")
              for level in layout.likert_scale]
    ax.legend(handles=legend, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8)
    return ax


def _ordered_shares(shown: pd.DataFrame, weighted: bool) -> pd.DataFrame:
    """Shares per score, the items from the least to the most appreciated (satisfied minus dissatisfied)."""
    shares = _score_shares(shown, weighted)
    balance = shares[4] + shares[5] - shares[1] - shares[2]
    return shares.loc[balance.sort_values().index]


def descrizione_soddisfazione(distribuzione: pd.DataFrame, *, ponderata: bool = False) -> str:
    """The chart of ``soddisfazione`` in words, for readers who cannot see it: each published
    item from the most to the least appreciated, with its satisfied and dissatisfied shares."""
    return _likert_alt(_ordered_shares(_published(distribuzione), ponderata))


def _likert_alt(shares: pd.DataFrame) -> str:
    parts = [f"{item}: {format_number(row[4] + row[5])} % soddisfatti (4-5), "
             f"{format_number(row[1] + row[2])} % insoddisfatti (1-2)"
             for item, row in shares.iloc[::-1].iterrows()]
    return "Barre divergenti della soddisfazione per aspetto, dal più al meno apprezzato. " + "; ".join(parts) + "."


def bisogni(tabella: pd.DataFrame, ax=None, *, primi: int = 10):
    """Horizontal bars of the needs named most (a ``needs_ranked`` table: ``bisogno``, ``menzioni``), the first on top."""
    require_columns(tabella, ("bisogno", "menzioni"), "bisogni")
    shown = tabella.head(primi)
    ax = style.axes_or_new(ax, 7.0, 0.45 * len(shown) + 1.4)
    positions = np.arange(len(shown))[::-1]
    with limits_widened_once(ax):
        ax.barh(positions, shown["menzioni"], color=style.accent(), height=0.7)
    for position, count in zip(positions, shown["menzioni"]):
        ax.text(count, position, f" {format_number(count, 0)}", va="center", fontsize=8.5)
    set_major_ticks(ax.yaxis, positions, list(shown["bisogno"]))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    style.italian_axis(ax.xaxis, decimals=0)
    ax.set_xlabel("Persone che lo hanno indicato")
    ax.grid(axis="y", visible=False)
    return ax


def descrizione_bisogni(tabella: pd.DataFrame, *, primi: int = 10) -> str:
    """The chart of ``bisogni`` in words: the needs named most, with the people naming each."""
    shown = tabella.head(primi)
    return "Negozi e servizi più desiderati: " + "; ".join(
        f"{need} {format_number(count, 0)}" for need, count in zip(shown["bisogno"], shown["menzioni"])) + "."
