"""The presences charts: hour by weekday, months, age and sex against the residents.

The origin map is ``maps.mappa_coropletica`` on the presences per comune of origin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from diagnosis.formatting import MONTHS, format_number
from diagnosis.viz import style
from diagnosis.viz.bar_limits import limits_widened_once
from diagnosis.viz.inputs import require_columns
from diagnosis.viz.ticks import set_major_ticks


def presenze_ora_giorno(tabella: pd.DataFrame, ax=None):
    """Mean presences per hour (rows) and weekday (columns), darker for more; an empty cell
    (no complete day with that hour) stays white, never a zero.

    ``tabella`` is ``dg.presenze(..., "ora_giorno")``: ``ora`` and one column per weekday."""
    require_columns(tabella, ("ora",), "presenze_ora_giorno")
    ax = style.axes_or_new(ax, 7.0, 5.0)
    grid = tabella.set_index("ora").astype(float)
    shown = np.ma.masked_invalid(grid.to_numpy())
    image = ax.imshow(shown, aspect="auto", cmap=style.sequential(), interpolation="nearest")
    set_major_ticks(ax.xaxis, range(len(grid.columns)), [day[:3] for day in grid.columns])
    set_major_ticks(ax.yaxis, range(len(grid.index)), [f"{int(hour)}:00" for hour in grid.index])
    colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.8,
                                  format=style.FuncFormatter(lambda v, _p: format_number(v, 0)))
    colorbar.set_label("Presenze medie")
    ax.set_xlabel("Giorno della settimana")
    ax.set_ylabel("Ora")
    ax.grid(False)
    return ax


def presenze_mesi(tabella: pd.DataFrame, ax=None):
    """Mean daily presences per month (``mese`` ``2024-03``, ``presenze_medie_giornaliere``);
    a month without a complete day has no bar and reads n.d."""
    require_columns(tabella, ("mese", "presenze_medie_giornaliere"), "presenze_mesi")
    ax = style.axes_or_new(ax, 7.0, 3.6)
    labels = [f"{MONTHS[int(month[5:]) - 1][:3]} {month[2:4]}" for month in tabella["mese"]]
    values = tabella["presenze_medie_giornaliere"].astype(float).to_numpy()
    positions = np.arange(len(values))
    with limits_widened_once(ax):
        ax.bar(positions, np.nan_to_num(values), color=style.accent(), width=0.7)
    for position, value in zip(positions, values):
        if np.isnan(value):
            ax.annotate("n.d.", (position, 0), ha="center", va="bottom", fontsize=8, color=style.MUTED_COLOR)
    set_major_ticks(ax.xaxis, positions, labels, rotation=45 if len(labels) > 8 else 0)
    style.italian_axis(ax.yaxis, decimals=0)
    ax.set_ylabel("Presenze medie al giorno")
    return ax


def profilo_presenze(tabella: pd.DataFrame, ax=None):
    """Shares of presences (bars) and of residents (black ticks) by age band and sex.

    ``tabella`` is ``dg.presenze(..., "profilo")``; a hidden cell ("meno di 5 presenze") has no
    bar and is named on the axis as hidden."""
    require_columns(tabella, ("fascia_eta", "sesso", "quota_presenze", "quota_residenti"), "profilo_presenze")
    ax = style.axes_or_new(ax, 7.0, 0.45 * len(tabella) + 1.4)
    shares = pd.to_numeric(tabella["quota_presenze"], errors="coerce").to_numpy()
    residents = tabella["quota_residenti"].astype(float).to_numpy()
    sexes = {"M": "maschi", "F": "femmine", "totale": "tutti"}
    labels = [f"{band} {sexes.get(sex, sex)}" + (" (non mostrato)" if np.isnan(share) else "")
              for band, sex, share in zip(tabella["fascia_eta"], tabella["sesso"], shares)]
    colours = [style.MALE_COLOR if sex == "M" else style.FEMALE_COLOR if sex == "F" else style.accent()
               for sex in tabella["sesso"]]
    positions = np.arange(len(tabella))[::-1]
    with limits_widened_once(ax):
        ax.barh(positions, np.nan_to_num(shares), color=colours, height=0.6)
    ticks = ax.scatter(residents, positions, marker="|", s=300, color=style.BENCHMARK_COLOR, zorder=3)
    set_major_ticks(ax.yaxis, positions, labels)
    style.italian_axis(ax.xaxis, decimals=0, suffix=" %")
    ax.set_xlabel("Quota sul totale")
    present = {sex: colour for sex, colour in (("M", style.MALE_COLOR), ("F", style.FEMALE_COLOR))
               if sex in set(tabella["sesso"])} or {"totale": style.accent()}
    handles = [Patch(color=colour, label=f"Presenze, {sexes[sex]}") for sex, colour in present.items()]
    ax.legend(handles=[*handles, ticks], labels=[*(h.get_label() for h in handles), "Residenti"], loc="lower right")
    return ax
