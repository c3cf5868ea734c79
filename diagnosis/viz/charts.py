"""Charts of population and comparisons: age pyramid against a benchmark, projection fan, indicators against a benchmark."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from diagnosis.formatting import format_number
from diagnosis.indicators import INDICATORS
from diagnosis.indicators.comparison import EXTENSIVE_UNITS
from diagnosis.indicators.counts import TerritoryCounts
from diagnosis.tables.population_series import REBASING_YEAR
from diagnosis.territory.model import Territorio
from diagnosis.viz import style
from diagnosis.viz.figure import Chart, chart_from_figure

FIVE_YEAR_EDGES = list(range(0, 100, 5)) + [100]


def _five_year_shares(counts: np.ndarray, total: int) -> np.ndarray:
    """Per cent of the whole population in each five-year class (95-99, then 100+)."""
    groups = [counts[start:stop].sum() for start, stop in zip(FIVE_YEAR_EDGES[:-1], FIVE_YEAR_EDGES[1:])]
    groups.append(counts[100:].sum())
    return np.array(groups) / total * 100 if total else np.zeros(len(groups))


def _class_labels() -> list[str]:
    labels = [f"{start}-{start + 4}" for start in FIVE_YEAR_EDGES[:-1]]
    return labels + ["100+"]


def age_pyramid(territory: Territorio, counts: TerritoryCounts, benchmark_name: str,
                benchmark: TerritoryCounts) -> Chart:
    """Shares by five-year age class and sex, with the benchmark's shares as an outline."""
    total = int(counts.totale.sum())
    bench_total = int(benchmark.totale.sum())
    males, females = _five_year_shares(counts.maschi, total), _five_year_shares(counts.femmine, total)
    bench_males = _five_year_shares(benchmark.maschi, bench_total)
    bench_females = _five_year_shares(benchmark.femmine, bench_total)
    positions = np.arange(len(males))
    figure, axes = style.new_figure(7.0, 5.2)
    axes.barh(positions, -males, color=style.MALE_COLOR, height=0.85, label="Maschi")
    axes.barh(positions, females, color=style.FEMALE_COLOR, height=0.85, label="Femmine")
    axes.step(-bench_males, positions, where="mid", color=style.BENCHMARK_COLOR, linewidth=1.1, label=benchmark_name)
    axes.step(bench_females, positions, where="mid", color=style.BENCHMARK_COLOR, linewidth=1.1)
    axes.set_yticks(positions, _class_labels())
    style.italian_axis(axes.xaxis, decimals=1, absolute=True, suffix=" %")
    axes.axvline(0, color="white", linewidth=1.2)
    axes.set_xlabel("Quota sul totale dei residenti")
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3)
    over_65 = counts.between(65) / total * 100 if total else 0
    bench_over_65 = benchmark.between(65) / bench_total * 100 if bench_total else 0
    ages = counts.eta
    alt = (
        f"Piramide delle età di {territory.nome} al 1° gennaio {ages.anno}, per classi di cinque anni "
        f"e sesso, confrontata con il profilo di {benchmark_name}. Residenti di 65 anni e più: "
        f"{format_number(over_65)} % contro {format_number(bench_over_65)} %."
    )
    return chart_from_figure(
        figure,
        title=f"Piramide delle età al 1° gennaio {ages.anno} — confronto con {benchmark_name}",
        alt=alt,
        source=f"{ages.fonte}, popolazione per età al 1° gennaio {ages.anno} ({ages.stato})",
    )


def _observed_text(observed: dict[int, float]) -> str:
    years = sorted(observed)
    shown = years if len(years) <= 8 else years[:1] + years[-6:]
    return ", ".join(f"{y} {format_number(observed[y], 0)}" for y in shown)


def projection_fan(territory: Territorio, observed: dict[int, float], rows: list[dict], measure_label: str) -> Chart:
    """Observed values, then the projection with its 80% and 95% bands."""
    figure, axes = style.new_figure(7.0, 4.0)
    years = [row["anno"] for row in rows]
    last_year, last_value = max(observed), observed[max(observed)]
    band_years = [last_year] + years
    for level, alpha in (("95", 0.18), ("80", 0.32)):
        low = [last_value] + [row[f"basso_{level}"] for row in rows]
        high = [last_value] + [row[f"alto_{level}"] for row in rows]
        axes.fill_between(band_years, low, high, color=style.TERRITORY_COLOR, alpha=alpha, linewidth=0,
                          label=f"intervallo {level}%")
    axes.plot(band_years, [last_value] + [row["valore"] for row in rows], color=style.TERRITORY_COLOR,
              linestyle="--", label="proiezione")
    axes.plot(sorted(observed), [observed[y] for y in sorted(observed)], color=style.BENCHMARK_COLOR,
              marker="o", label="osservato")
    all_years = sorted(observed) + years
    if len(all_years) <= 14:
        axes.set_xticks(all_years)
    else:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    if min(observed) < REBASING_YEAR <= max(observed):
        axes.axvline(REBASING_YEAR - 0.5, color=style.MUTED_COLOR, linestyle=":", linewidth=1.2,
                     label="2019: nuova base (censimento permanente)")
    style.italian_axis(axes.yaxis, decimals=0)
    axes.legend(loc="best")
    final = rows[-1]
    alt = (
        f"{measure_label} di {territory.nome}: osservata {_observed_text(observed)}; "
        f"proiettata al {final['anno']} {format_number(final['valore'], 0)} "
        f"(80%: {format_number(final['basso_80'], 0)}–{format_number(final['alto_80'], 0)})."
    )
    return chart_from_figure(
        figure, title=f"{measure_label}: osservata e proiettata al {final['anno']}", alt=alt,
        source=f"Elaborazione diagnosis ({final['modello']}) su dati ISTAT; intervalli calibrati sugli errori misurati",
    )


JUDGEMENT_COLORS = {"favorevole": "#2e7d32", "critico": "#c62828", "neutro": "#9aa5b1"}
MAX_BARS = 18


def benchmark_bars(territory: Territorio, result: dict, benchmark: Territorio) -> Chart | None:
    """Each intensive indicator as its distance from the benchmark, in per cent, coloured by judgement."""
    rows = []
    for key, entry in result["indicatori"].items():
        reference = entry["confronti"].get(benchmark.id)
        if entry["valore"] is None or not reference or entry["unita"] in EXTENSIVE_UNITS or entry["unita"] == "%":
            continue
        rows.append((INDICATORS[key].etichetta, (entry["valore"] / reference - 1) * 100, entry.get("giudizio", "neutro")))
    if not rows:
        return None
    rows = sorted(rows, key=lambda row: -abs(row[1]))[:MAX_BARS]
    labels, values, verdicts = zip(*rows)
    figure, axes = style.new_figure(7.0, 0.36 * len(rows) + 1.3)
    positions = np.arange(len(rows))
    axes.barh(positions, values, color=[JUDGEMENT_COLORS.get(v, style.MUTED_COLOR) for v in verdicts], height=0.6)
    axes.axvline(0, color=style.BENCHMARK_COLOR, linewidth=1)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    style.italian_axis(axes.xaxis, decimals=0, suffix=" %")
    axes.set_xlabel(f"Differenza rispetto a {benchmark.nome} (verde favorevole, rosso critico, grigio neutro)")
    listed = "; ".join(f"{label} {format_number(value, 1)} %" for label, value, _ in rows)
    return chart_from_figure(
        figure, title=f"{territory.nome} rispetto a {benchmark.nome}, {result['anno']}",
        alt=f"Scarto percentuale degli indicatori di {territory.nome} da {benchmark.nome}: {listed}.",
        source="Elaborazione diagnosis sulle fonti indicate nella tabella degli indicatori",
    )
