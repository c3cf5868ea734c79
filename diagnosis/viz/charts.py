"""Charts of population and comparisons: age pyramid against a benchmark, projection fan,
indicators against a benchmark.

Each chart is a helper an analyst calls with a tidy table and an ``ax`` (a new figure when
none is given), returning the axes to restyle or annotate; the report's ``Chart`` versions
build that table from the fotografia's figures, call the helper and add title, alt text and
source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from diagnosis.formatting import format_number
from diagnosis.indicators import INDICATORS
from diagnosis.indicators.comparison import EXTENSIVE_UNITS
from diagnosis.indicators.counts import TerritoryCounts
from diagnosis.tables.population_series import REBASING_YEAR
from diagnosis.territory.model import Territorio
from diagnosis.viz import style
from diagnosis.viz.figure import Chart, drawn_chart
from diagnosis.viz.inputs import require_columns

CLASS_WIDTH = 5
LAST_CLASS = 100  # the last class is "100 and over", as ISTAT publishes it
CLASS_LABELS = [f"{start}-{start + CLASS_WIDTH - 1}" for start in range(0, LAST_CLASS, CLASS_WIDTH)] + ["100+"]


def _sex(values: pd.Series) -> pd.Series:
    """``maschi``/``femmine`` as ISTAT writes them, or ``M``/``F``, to ``M``/``F``."""
    return values.astype(str).str.strip().str[0].str.upper()


def _class_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Per cent of all residents in each five-year class (rows) for each sex (columns M, F)."""
    classes = np.minimum(table["eta"].astype(int) // CLASS_WIDTH, LAST_CLASS // CLASS_WIDTH)
    summed = table.assign(classe=classes, sesso=_sex(table["sesso"])).pivot_table(
        index="classe", columns="sesso", values="valore", aggfunc="sum", fill_value=0)
    summed = summed.reindex(index=range(len(CLASS_LABELS)), columns=["M", "F"], fill_value=0)
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
    ax.barh(positions, -shares["M"], color=style.MALE_COLOR, height=0.85, label="Maschi")
    ax.barh(positions, shares["F"], color=style.FEMALE_COLOR, height=0.85, label="Femmine")
    if confronto is not None:
        bench = _class_shares(confronto)
        ax.step(-bench["M"], positions, where="mid", color=style.BENCHMARK_COLOR, linewidth=1.1,
                label=nome_confronto or "Confronto")
        ax.step(bench["F"], positions, where="mid", color=style.BENCHMARK_COLOR, linewidth=1.1)
    ax.set_yticks(positions, CLASS_LABELS)
    ax.set_ylabel("Classe di età (anni)")
    style.italian_axis(ax.xaxis, decimals=1, absolute=True, suffix=" %")
    ax.axvline(0, color="white", linewidth=1.2)
    ax.set_xlabel("Quota sul totale dei residenti (%)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
    return ax


def age_table(counts: TerritoryCounts) -> pd.DataFrame:
    """The age structure of ``counts`` as the tidy table ``piramide`` reads."""
    ages = np.arange(len(counts.maschi))
    return pd.concat([pd.DataFrame({"eta": ages, "sesso": "maschi", "valore": counts.maschi}),
                      pd.DataFrame({"eta": ages, "sesso": "femmine", "valore": counts.femmine})],
                     ignore_index=True)


def _share_over_65(counts: TerritoryCounts) -> float:
    total = int(counts.totale.sum())
    return counts.between(65) / total * 100 if total else 0.0


def age_pyramid(territory: Territorio, counts: TerritoryCounts, benchmark_name: str,
                benchmark: TerritoryCounts) -> Chart:
    """The report's pyramid: shares by five-year class and sex, the benchmark's shares as an outline."""
    ages = counts.eta
    alt = (
        f"Piramide delle età di {territory.nome} al 1° gennaio {ages.anno}, per classi di cinque anni "
        f"e sesso, confrontata con il profilo di {benchmark_name}. Residenti di 65 anni e più: "
        f"{format_number(_share_over_65(counts))} % contro {format_number(_share_over_65(benchmark))} %."
    )
    return drawn_chart(
        lambda ax: piramide(age_table(counts), ax, confronto=age_table(benchmark), nome_confronto=benchmark_name),
        (7.0, 5.2),
        title=f"Piramide delle età al 1° gennaio {ages.anno} — confronto con {benchmark_name}",
        alt=alt,
        source=f"{ages.fonte}, popolazione per età al 1° gennaio {ages.anno} ({ages.stato})",
    )


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
        ax.fill_between(band_years, low, high, color=style.TERRITORY_COLOR, alpha=alpha, linewidth=0,
                        label=f"intervallo {level}%")
    ax.plot(band_years, [last_value] + projected["valore"].tolist(), color=style.TERRITORY_COLOR,
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


def _observed_text(observed: dict[int, float]) -> str:
    years = sorted(observed)
    shown = years if len(years) <= 8 else years[:1] + years[-6:]
    return ", ".join(f"{y} {format_number(observed[y], 0)}" for y in shown)


def projection_fan(territory: Territorio, observed: dict[int, float], rows: list[dict], measure_label: str) -> Chart:
    """The report's fan: observed values, then the projection with its 80% and 95% bands."""
    final = rows[-1]
    observed_table = pd.DataFrame({"anno": list(observed), "valore": list(observed.values())})
    alt = (
        f"{measure_label} di {territory.nome}: osservata {_observed_text(observed)}; "
        f"proiettata al {final['anno']} {format_number(final['valore'], 0)} "
        f"(80%: {format_number(final['basso_80'], 0)}–{format_number(final['alto_80'], 0)})."
    )
    return drawn_chart(
        lambda ax: ventaglio_proiezione(observed_table, pd.DataFrame(rows), ax),
        (7.0, 4.0),
        title=f"{measure_label}: osservata e proiettata al {final['anno']}", alt=alt,
        source=f"Elaborazione diagnosis ({final['modello']}) su dati ISTAT; intervalli calibrati sugli errori misurati",
    )


JUDGEMENT_COLORS = {"favorevole": style.TERRITORY_COLOR, "critico": style.CRITICAL_COLOR, "neutro": style.MUTED_COLOR}
INDEX_BASE = 100
# Bars further than this from the benchmark (index under 0 or over 200) are cut at the
# edge and labelled with their value: one outlier must not flatten every other bar.
MAX_DISTANCE = 100
MAX_BARS = 18


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
    ax.barh(positions, shown, left=INDEX_BASE, height=0.6,
            color=[JUDGEMENT_COLORS.get(verdict, style.MUTED_COLOR) for verdict in verdicts])
    for position, distance, drawn, value in zip(positions, distances, shown, index):
        _index_label(ax, position, drawn, value, cut=drawn != distance)
    ax.axvline(INDEX_BASE, color=style.BENCHMARK_COLOR, linewidth=1)
    ax.set_xlim(INDEX_BASE - min(limit, INDEX_BASE), INDEX_BASE + limit)
    ax.set_yticks(positions, tabella["indicatore"].tolist())
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


def indicator_table(result: dict, benchmark: Territorio) -> pd.DataFrame:
    """The intensive indicators with a benchmark value, furthest from it first (at most ``MAX_BARS``).

    Counts and totals (extensive units) are left out, as are shares in per cent, whose
    index would read as a change of a change."""
    rows = []
    for key, entry in result["indicatori"].items():
        reference = entry["confronti"].get(benchmark.id)
        if entry["valore"] is None or not reference or entry["unita"] in EXTENSIVE_UNITS or entry["unita"] == "%":
            continue
        rows.append({"indicatore": INDICATORS[key].etichetta, "valore": entry["valore"], "riferimento": reference,
                     "giudizio": entry.get("giudizio", "neutro")})
    table = pd.DataFrame(rows, columns=["indicatore", "valore", "riferimento", "giudizio"])
    distance = (benchmark_index(table["valore"], table["riferimento"]) - INDEX_BASE).abs()
    return table.loc[distance.sort_values(ascending=False, kind="stable").index].head(MAX_BARS).reset_index(drop=True)


def benchmark_bars(territory: Territorio, result: dict, benchmark: Territorio) -> Chart | None:
    """The report's comparison: each intensive indicator as an index on the benchmark, coloured by judgement."""
    table = indicator_table(result, benchmark)
    if table.empty:
        return None
    index = benchmark_index(table["valore"], table["riferimento"])
    listed = "; ".join(f"{label} {format_number(value, 0)} ({'+' if value > INDEX_BASE else ''}"
                       f"{format_number(value - INDEX_BASE, 1)} %)"
                       for label, value in zip(table["indicatore"], index))
    return drawn_chart(
        lambda ax: confronto_indicatori(table, ax, nome_confronto=benchmark.nome),
        (7.0, 0.36 * len(table) + 1.3),
        title=f"{territory.nome} rispetto a {benchmark.nome}, {result['anno']}",
        alt=(f"Indicatori di {territory.nome} come indice su {benchmark.nome} (= {INDEX_BASE}), "
             f"tra parentesi lo scarto: {listed}."),
        source="Elaborazione diagnosis sulle fonti indicate nella tabella degli indicatori",
    )
