"""Weights that give the sample the comune's mix of age band × sex.

Post-stratification when every cell of the population has respondents: each respondent
of cell h weighs P_h / p_h (population share over sample share), so the weighted sample
reproduces the population shares exactly. When some cell is empty that ratio does not
exist, and the weights are raked instead (iterative proportional fitting on the age and
sex margins), which matches the two margins but not every cell.

Respondents whose sex is "altro-non indicato" or missing, or whose age band is missing,
keep a relative weight of 1: the population tables have no such category, and giving
them an age or sex would be a guess. The weights of the others are scaled so that their
total stays their number, so those respondents keep their share of the sample and all
weights have mean 1.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from diagnosis.sources.survey.layout import AGE, SEX, band_bounds, standard_layout
from diagnosis.models.survey.privacy import MIN_RESPONDENTS, SUPPRESSED, hidden_cells

SEXES = ("M", "F")
MIN_AGE = 15
RAKING_ITERATIONS = 200
RAKING_TOLERANCE = 1e-10
POST_STRATIFICATION = "post-stratificazione"
RAKING = "raking"
NONE = "nessuna"


@dataclass(frozen=True)
class Weighting:
    pesi: pd.Series  # one weight per respondent, same index as the answers, mean 1
    metodo: str
    effetto_disegno: float  # Kish: n Σw² / (Σw)²
    campione_effettivo: float  # n / effetto_disegno
    confronto: pd.DataFrame  # per cell: sample, population and weighted shares (%), small cells hidden
    avvisi: tuple[str, ...] = field(default_factory=tuple)


def population_by_cell(population: pd.DataFrame, bands: list[str] | None = None) -> pd.Series:
    """Residents aged 15 and over per (age band, sex), from single-year counts (eta, sesso, popolazione)."""
    bands = bands or list(standard_layout().columns[AGE].values)
    adults = population[(population["eta"] >= MIN_AGE) & population["sesso"].isin(SEXES)]
    labels = adults["eta"].map(lambda age: _band_of(int(age), bands))
    summed = adults.assign(fascia=labels).dropna(subset=["fascia"]).groupby(["fascia", "sesso"])["popolazione"].sum()
    index = pd.MultiIndex.from_product([bands, SEXES], names=[AGE, SEX])
    return summed.rename_axis([AGE, SEX]).reindex(index, fill_value=0).astype(float)


def _band_of(age: int, bands: list[str]) -> str | None:
    for band in bands:
        first, last = band_bounds(band)
        if age >= first and (last is None or age <= last):
            return band
    return None


def kish_design_effect(weights) -> float:
    w = np.asarray(weights, dtype=float)
    return float(len(w) * (w ** 2).sum() / w.sum() ** 2) if len(w) and w.sum() else float("nan")


def compute_weights(risposte: pd.DataFrame, population: pd.DataFrame) -> Weighting:
    targets = population_by_cell(population)
    cells = _respondent_cells(risposte, targets)
    classified = cells.notna()
    raw = pd.Series(1.0, index=risposte.index)
    notes: list[str] = []
    if classified.sum():
        method, cell_weights = _cell_weights(cells[classified], targets, notes)
        scaled = cells[classified].map(lambda cell: cell_weights[cell])
        raw[classified] = scaled * classified.sum() / scaled.sum()
    else:
        method = NONE
        notes.append("Nessuna risposta con fascia d'età e sesso (M o F): le risposte non sono ponderate.")
    weights = raw / raw.mean() if len(raw) else raw
    deff = kish_design_effect(weights)
    return Weighting(
        pesi=weights,
        metodo=method,
        effetto_disegno=deff,
        campione_effettivo=len(weights) / deff if len(weights) else 0.0,
        confronto=_comparison(cells, weights, targets, method),
        avvisi=tuple(notes + _unclassified_note(classified)),
    )


def _respondent_cells(risposte: pd.DataFrame, targets: pd.Series) -> pd.Series:
    """Each respondent's (band, sex) cell, or None when sex is not M/F, the band is missing,
    or the population has nobody in that cell (nothing to weight towards)."""
    known = {cell for cell, count in targets.items() if count > 0}
    pairs = [(band, sex) if (band, sex) in known else None for band, sex in zip(risposte[AGE], risposte[SEX])]
    return pd.Series(pairs, index=risposte.index, dtype=object)


def _cell_counts(cells: pd.Series, index: pd.MultiIndex) -> pd.Series:
    counted = Counter(cell for cell in cells if cell is not None)
    return pd.Series([float(counted.get(cell, 0)) for cell in index], index=index)


def _cell_weights(cells: pd.Series, targets: pd.Series, notes: list[str]) -> tuple[str, dict]:
    sample = _cell_counts(cells, targets.index)
    populated = targets[targets > 0]
    if (sample[populated.index] > 0).all():
        shares = populated / populated.sum()
        sample_shares = sample / sample.sum()
        return POST_STRATIFICATION, {cell: shares[cell] / sample_shares[cell] for cell in populated.index}
    notes.append("Alcune combinazioni di fascia d'età e sesso non hanno risposte: pesi calcolati con il raking "
                 "sui margini di età e sesso, che riproduce le quote per fascia e per sesso ma non per cella.")
    return RAKING, _raked(sample, targets, notes)


def _raked(sample: pd.Series, targets: pd.Series, notes: list[str]) -> dict:
    """Iterative proportional fitting on the margins the sample can reach."""
    age_target = _reachable(targets, sample, AGE, "fasce d'età", notes)
    sex_target = _reachable(targets, sample, SEX, "categorie di sesso", notes)
    factors = pd.Series(1.0, index=targets.index)
    for _ in range(RAKING_ITERATIONS):
        factors = _fit_margin(factors, sample, age_target, AGE)
        factors = _fit_margin(factors, sample, sex_target, SEX)
        weighted = factors * sample
        age_gap = (weighted.groupby(level=AGE).sum() / weighted.sum() - age_target).abs().max()
        if age_gap < RAKING_TOLERANCE:
            break
    return {cell: factors[cell] for cell in sample.index if sample[cell] > 0}


def _reachable(targets: pd.Series, sample: pd.Series, level: str, what: str, notes: list[str]) -> pd.Series:
    """Target shares of a margin over its categories that have respondents (the others cannot be reached)."""
    target, answered = targets.groupby(level=level).sum(), sample.groupby(level=level).sum()
    reached = target[answered.reindex(target.index, fill_value=0) > 0]
    if any(label not in reached.index and target[label] > 0 for label in target.index):
        notes.append(f"Alcune {what} non hanno risposte: la loro quota di popolazione è ripartita sulle altre.")
    return reached / reached.sum()


def _fit_margin(factors: pd.Series, sample: pd.Series, target: pd.Series, level: str) -> pd.Series:
    weighted = (factors * sample).groupby(level=level).sum()
    total = weighted.sum()
    ratio = (target * total / weighted).reindex(weighted.index).replace([np.inf], np.nan).fillna(1.0)
    return factors * ratio.reindex(factors.index.get_level_values(level)).to_numpy()


def _unclassified_note(classified: pd.Series) -> list[str]:
    count = int((~classified).sum())
    if not count:
        return []
    how_many = SUPPRESSED.capitalize() if count < MIN_RESPONDENTS else f"{count} risposte"
    return [f"{how_many} senza fascia d'età o con sesso «altro-non indicato»: mantengono peso relativo 1."]


def _comparison(cells: pd.Series, weights: pd.Series, targets: pd.Series, method: str) -> pd.DataFrame:
    """Sample, population and weighted shares per cell (% of the classified respondents).

    Raked weighted shares are hidden with the sample share they come from (a raked share
    of zero, say, would tell that a cell is empty); post-stratified ones equal the
    population shares and tell nothing about the sample.
    """
    counts = _cell_counts(cells, targets.index)
    summed = Counter()
    for cell, weight in zip(cells, weights):
        if cell is not None:
            summed[cell] += float(weight)
    weighted = pd.Series([summed.get(cell, 0.0) for cell in targets.index], index=targets.index)
    table = pd.DataFrame({
        "quota_campione": _percent(counts),
        "quota_popolazione": _percent(targets),
        "quota_ponderata": _percent(weighted),
    })
    hidden = hidden_cells(counts.to_frame("n"))["n"]
    table["quota_campione"] = table["quota_campione"].astype(object).mask(hidden, SUPPRESSED)
    if method != POST_STRATIFICATION:
        table["quota_ponderata"] = table["quota_ponderata"].astype(object).mask(hidden, SUPPRESSED)
    return table.reset_index()


def _percent(values: pd.Series) -> pd.Series:
    total = values.sum()
    return values / total * 100 if total else values * 0.0
