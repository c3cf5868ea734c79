"""Charts of population and comparisons: age pyramid against a benchmark, projection fan,
indicators against a benchmark.

Each chart is a helper an analyst calls with a tidy table and an ``ax`` (a new figure when
none is given), returning the axes to restyle or annotate; the notebooks add title, alt
text and source with ``report.frames.grafico``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from diagnosis.formatting import format_number
from diagnosis.tables.population_series import REBASING_YEAR
from diagnosis.viz import style
from diagnosis.viz.bar_limits import limits_widened_once
from diagnosis.viz.inputs import require_columns
from diagnosis.viz.ticks import set_major_ticks

CLASS_WIDTH = 5
LAST_CLASS = 100  # the last class is "100 and over", as ISTAT publishes it
CLASS_LABELS = [f"{start}-{start + CLASS_WIDTH - 1}" for start in range(0, LAST_CLASS, CLASS_WIDTH)] + ["100+"]


def _sex(values: pd.Series) -> pd.Series:
    """``maschi``/``femmine`` as ISTAT writes them, or ``M``/``F``, to ``M``/``F``."""
    return values.astype(str).str.strip().str[0].str.upper()


def _class_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Per cent of all residents in each five-year class (rows) for each sex (columns M, F)."""
    classes = np.minimum(table["eta"].astype(int).to_numpy() // CLASS_WIDTH, LAST_CLASS // CLASS_WIDTH)
    sexes = _sex(table["sesso"]).to_numpy()
    residents = pd.to_numeric(table["valore"]).astype(float).fillna(0.0).to_numpy()  # a blank counts no one
    # Summed by counting into the classes: a pivot table would cost more than drawing the bars.
    summed = pd.DataFrame({sex: np.bincount(classes[chosen], weights=residents[chosen], minlength=len(CLASS_LABELS))
                           for sex in ("M", "F") for chosen in [(sexes == sex) & (classes >= 0)]})
    total = summed.to_numpy().sum()
    return summed / total * 100 if total else summed * 0.0


def piramide(tabella: pd.DataFrame, ax=None, *, confronto: pd.DataFrame | None = None,
             nome_confronto: str | None = None):
    """Age pyramid: per cent of all residents by five-year class, males left, females right.

    ``tabella`` has the columns ``eta`` (0-100, 100 meaning 100 and over), ``sesso``
    (``maschi``/``femmine`` or ``M``/``F``) and ``valore`` (residents). ``confronto``, with
    the same columns, is drawn as an outline: a benchmark of another size is comparable
    because both are shares of their own total."""
    for table in (tabella, confronto) if confronto is not None else (tabella,):
        require_columns(table, ("eta", "sesso", "valore"), "piramide")
    ax = style.axes_or_new(ax, 7.0, 5.2)
    shares = _class_shares(tabella)
    positions = np.arange(len(CLASS_LABELS))
    with limits_widened_once(ax):
        ax.barh(positions, -shares["M"], color=style.MALE_COLOR, height=0.85, label="Maschi")
        ax.barh(positions, shares["F"], color=style.FEMALE_COLOR, height=0.85, label="Femmine")
    if confronto is not None:
        bench = _class_shares(confronto)
        ax.step(-bench["M"], positions, where="mid", color=style.BENCHMARK_COLOR, linewidth=1.1,
                label=nome_confronto or "Confronto")
        ax.step(bench["F"], positions, where="mid", color=style.BENCHMARK_COLOR, linewidth=1.1)
    set_major_ticks(ax.yaxis, positions, CLASS_LABELS)
    ax.set_ylabel("Classe di età (anni)")
    style.italian_axis(ax.xaxis, decimals=1, absolute=True, suffix=" %")
    ax.axvline(0, color="white", linewidth=1.2)
    ax.set_xlabel("Quota sul totale dei residenti (%)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
    return ax


BANDS = (("95", 0.18), ("80", 0.32))  # the wider band first, lighter, so the 80% band shows on top


def ventaglio_proiezione(osservato: pd.DataFrame, proiezione: pd.DataFrame, ax=None, *,
                         unita: str = "Residenti al 1° gennaio"):
    """Observed values, then the projection with its 80% and 95% bands, on whole-year ticks.

    ``osservato`` has ``anno`` and ``valore``; ``proiezione`` has ``anno``, ``valore``,
    ``basso_80``, ``alto_80``, ``basso_95`` and ``alto_95`` (the rows of a projection). The
    bands start from the last observed value, where the projection starts."""
    require_columns(osservato, ("anno", "valore"), "ventaglio_proiezione")
    require_columns(proiezione, ("anno", "valore", "basso_80", "alto_80", "basso_95", "alto_95"),
                    "ventaglio_proiezione")
    ax = style.axes_or_new(ax, 7.0, 4.0)
    observed = osservato.sort_values("anno")
    projected = proiezione.sort_values("anno")
    last_year, last_value = int(observed["anno"].iloc[-1]), float(observed["valore"].iloc[-1])
    band_years = [last_year] + projected["anno"].astype(int).tolist()
    for level, alpha in BANDS:
        low = [last_value] + projected[f"basso_{level}"].tolist()
        high = [last_value] + projected[f"alto_{level}"].tolist()
        ax.fill_between(band_years, low, high, color=style.accent(), alpha=alpha, linewidth=0,
                        label=f"intervallo {level}%")
    ax.plot(band_years, [last_value] + projected["valore"].tolist(), color=style.accent(),
            linestyle="--", label="proiezione")
    ax.plot(observed["anno"], observed["valore"], color=style.BENCHMARK_COLOR, marker="o", label="osservato")
    if observed["anno"].min() < REBASING_YEAR <= observed["anno"].max():
        ax.axvline(REBASING_YEAR - 0.5, color=style.MUTED_COLOR, linestyle=":", linewidth=1.2,
                   label=f"{REBASING_YEAR}: nuova base (censimento permanente)")
    style.year_axis(ax.xaxis, observed["anno"].tolist() + band_years)
    style.italian_axis(ax.yaxis, decimals=0)
    ax.set_ylabel(unita)
    ax.legend(loc="best")
    return ax


JUDGEMENT_COLORS = {"favorevole": style.TERRITORY_COLOR, "critico": style.CRITICAL_COLOR, "neutro": style.MUTED_COLOR}
INDEX_BASE = 100
# Bars further than this from the benchmark (index under 0 or over 200) are cut at the
# edge and labelled with their value: one outlier must not flatten every other bar.
MAX_DISTANCE = 100


def benchmark_index(valore: pd.Series, riferimento: pd.Series) -> pd.Series:
    """Each value as an index on its benchmark (benchmark = 100): one scale for every unit."""
    return valore / riferimento * INDEX_BASE


def _index_limit(distances: np.ndarray) -> float:
    """Half the width of the axis around 100: the largest distance, up to ``MAX_DISTANCE``, plus room for labels."""
    largest = float(np.nanmax(np.abs(distances))) if len(distances) else 0.0
    return max(min(largest, MAX_DISTANCE), 5.0) * 1.25


def confronto_indicatori(tabella: pd.DataFrame, ax=None, *, nome_confronto: str = "Riferimento"):
    """Indicators against a benchmark on one scale: an index with the benchmark at 100.

    ``tabella`` has ``indicatore`` (its label), ``valore``, ``riferimento`` (the benchmark's
    value) and, optionally, ``giudizio`` (``favorevole``, ``critico``, ``neutro``), which
    colours the bar. Rows are drawn top to bottom in the table's order. A bar beyond 0 or
    200 stops at the edge of the axis and carries its value."""
    require_columns(tabella, ("indicatore", "valore", "riferimento"), "confronto_indicatori")
    ax = style.axes_or_new(ax, 7.0, 0.36 * len(tabella) + 1.3)
    index = benchmark_index(tabella["valore"].astype(float), tabella["riferimento"].astype(float)).to_numpy()
    distances = index - INDEX_BASE
    limit = _index_limit(distances)
    shown = np.clip(distances, -min(limit, INDEX_BASE), limit)
    verdicts = tabella["giudizio"] if "giudizio" in tabella else pd.Series("neutro", index=tabella.index)
    positions = np.arange(len(tabella))
    with limits_widened_once(ax):
        ax.barh(positions, shown, left=INDEX_BASE, height=0.6,
                color=[JUDGEMENT_COLORS.get(verdict, style.MUTED_COLOR) for verdict in verdicts])
    for position, distance, drawn, value in zip(positions, distances, shown, index):
        _index_label(ax, position, drawn, value, cut=drawn != distance)
    ax.axvline(INDEX_BASE, color=style.BENCHMARK_COLOR, linewidth=1)
    ax.set_xlim(INDEX_BASE - min(limit, INDEX_BASE), INDEX_BASE + limit)
    set_major_ticks(ax.yaxis, positions, tabella["indicatore"].tolist())
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    style.italian_axis(ax.xaxis, decimals=0)
    ax.set_xlabel(f"Indice: {nome_confronto} = {INDEX_BASE}")
    if "giudizio" in tabella:
        present = [verdict for verdict in JUDGEMENT_COLORS if verdict in set(verdicts)]
        ax.legend(handles=[Patch(color=JUDGEMENT_COLORS[v], label=v.capitalize()) for v in present],
                  loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(present))
    return ax


def _index_label(ax, position: float, drawn: float, value: float, cut: bool) -> None:
    """The index beside its bar; inside the bar's end, after an arrow, when the bar is cut."""
    end = INDEX_BASE + drawn
    if cut:
        arrow = "▶" if drawn > 0 else "◀"
        text = f"{format_number(value, 0)} {arrow}" if drawn > 0 else f"{arrow} {format_number(value, 0)}"
        ax.text(end, position, f" {text} ", va="center", ha="right" if drawn > 0 else "left",
                color="white", fontweight="bold", fontsize=8)
    else:
        ax.text(end, position, f" {format_number(value, 0)} ", va="center", ha="left" if drawn >= 0 else "right",
                fontsize=8, color=style.BENCHMARK_COLOR)
