"""Hamilton–Perry projection of a population by single year of age and sex.

Why this method: the only age–sex data available everywhere offline are two
population counts a year apart (ISTAT, 1/1/2022 and 1/1/2023). Hamilton–Perry
needs nothing else — no births, deaths or migration by age — because the
*cohort-change ratio* (CCR) of each age folds survival and net migration together:

    CCR(a) = pop_t(a) / pop_{t-step}(a - step)         for step <= a < 100
    CCR(100+) = pop_t(100+) / pop_{t-step}((100-step)+)   (open class: everyone who
                                                        can be 100+ at t)

The ratios are held constant and applied to the last population, one ``step`` at
a time. Ages below ``step`` (born during the step) come from the *child–woman
ratio* ``CWR = children 0..step-1 / women 15–49`` observed at ``t``, applied to the
projected women 15–49; children are split by sex and single age with the shares
observed at ``t``.

Arrays hold counts with shape ``(..., 2, 101)``: the last axis is age 0..100
(100 = open class 100+), the one before it sex (row 0 males, row 1 females), and
any leading axes are a batch (e.g. ``(n_comuni, 2, 101)``) projected at once with
no Python loop over comuni.

Small-area stabilisation: in a comune of 500 people a single-year cell holds two or
three people, so its CCR is mostly noise. Each ratio is shrunk toward the same ratio
of a reference population (typically the province) with a credibility weight

    w = n / (n + k)

where ``n`` is the population at risk of that ratio (the cohort at ``t-step``; women
15–49 for the CWR). This is the Bühlmann credibility weight: ``k`` is the ratio of
the within-area (person-level) variance to the between-area variance of the true
ratios, so a cell with ``k`` people at risk gets half its own ratio and half the
reference's. Defaults ``k = 200`` (CCR) and ``k = 1000`` (CWR: a woman has a
child in a given year with probability ≈ 0.04, so the CWR's relative noise per
person is far larger than a CCR's). They are the best pair of a grid tried by
``benchmarks/projections.py`` against the real 2025–2026 populations (chosen on each
half of the comuni, checked on the other). Measured there: without shrinkage the
3-year MAPE is ≈ 3.0%, with it ≈ 2.0%, and the optimum is flat for ``k`` between
50 and 1000 — a single year of change says little about a comune beyond its
province, so most of the comune-specific signal is in its age structure.
Finally ratios are clipped to ``[0.5**step, 1.5**step]`` (CCR) and
``[0, 0.5 * step]`` children per woman (CWR), beyond which a one-year change is a
registry correction, not demography.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

N_AGES = 101
OPEN_AGE = 100
MALES, FEMALES = 0, 1
FERTILE_AGES = slice(15, 50)

DEFAULT_RATIO_CREDIBILITY = 200.0
DEFAULT_CWR_CREDIBILITY = 1000.0
CCR_BOUNDS_PER_YEAR = (0.5, 1.5)
CWR_MAX_PER_YEAR = 0.5
SEX_RATIO_AT_BIRTH = 1.05  # males per female, used only when no child was observed anywhere

METHOD_NAME = "Hamilton-Perry"

AGE_GROUPS = {
    "0-14": slice(0, 15),
    "15-64": slice(15, 65),
    "65+": slice(65, N_AGES),
    "80+": slice(80, N_AGES),
}

INDICATOR_LABELS = {
    "indice_vecchiaia": "Indice di vecchiaia (65+ / 0-14 × 100)",
    "indice_dipendenza_strutturale": "Indice di dipendenza strutturale ((0-14 + 65+) / 15-64 × 100)",
    "indice_dipendenza_anziani": "Indice di dipendenza degli anziani (65+ / 15-64 × 100)",
}


@dataclass(frozen=True)
class Ratios:
    """The rates a projection holds constant, after shrinkage and clipping.

    ``ccr`` has shape ``(..., 2, 101)`` with NaN for ages below ``step``;
    ``cwr`` is children 0..step-1 (both sexes) per woman 15–49, shape ``(...)``;
    ``child_shares`` splits the births among sex and age ``0..step-1``, shape
    ``(..., 2, step)`` summing to one; ``weights`` is the credibility weight given to
    the local CCR (1 where no reference was used).
    """

    ccr: np.ndarray
    cwr: np.ndarray
    child_shares: np.ndarray
    weights: np.ndarray
    step: int


@dataclass(frozen=True)
class ProjectionResult:
    """Projected populations for each year from the base year to the horizon.

    ``population`` has shape ``(..., n_years, 2, 101)`` (the batch axes of the
    input first); ``years`` are calendar years when ``base_year`` was given, else
    offsets ``0..horizon`` from the base. Year 0 is the observed base population.
    """

    years: np.ndarray
    population: np.ndarray
    ratios: Ratios
    method: str = METHOD_NAME
    notes: list[str] = field(default_factory=list)

    def totals(self) -> np.ndarray:
        """Total population, shape ``(..., n_years)``."""
        return self.population.sum(axis=(-2, -1))

    def age_groups(self) -> dict[str, np.ndarray]:
        """Both sexes by broad age group, each of shape ``(..., n_years)``."""
        return age_group_totals(self.population)

    def indicators(self) -> dict[str, np.ndarray]:
        return structural_indicators(self.population)

    def to_frame(self) -> pd.DataFrame:
        """One row per year for a single comune (or a district already summed)."""
        if self.population.ndim != 3:
            raise ValueError(
                "to_frame vale per un solo territorio: sommare prima i comuni "
                "(population.sum(axis=0)) o selezionarne uno (population[i])."
            )
        columns = {"anno": self.years, "totale": self.totals()}
        columns.update(self.age_groups())
        columns.update(self.indicators())
        return pd.DataFrame(columns)


def as_counts(array) -> np.ndarray:
    """Validate the ``(..., 2, 101)`` shape and return float counts."""
    counts = np.asarray(array, dtype=float)
    if counts.shape[-2:] != (2, N_AGES):
        raise ValueError(
            f"attesa una matrice (..., 2, {N_AGES}) (sesso × età 0..100), ricevuta {counts.shape}"
        )
    if np.any(counts < 0):
        raise ValueError("la popolazione contiene conteggi negativi")
    return counts


def population_at_risk(prev: np.ndarray, step: int) -> np.ndarray:
    """The cohort at ``t-step`` that each age at ``t`` comes from (0 below ``step``)."""
    at_risk = np.zeros_like(prev)
    at_risk[..., step:OPEN_AGE] = prev[..., : OPEN_AGE - step]
    at_risk[..., OPEN_AGE] = prev[..., OPEN_AGE - step :].sum(axis=-1)
    return at_risk


def raw_ratios(prev: np.ndarray, base: np.ndarray, step: int):
    """Unsmoothed CCR, CWR and child shares; NaN where the denominator is zero."""
    at_risk = population_at_risk(prev, step)
    with np.errstate(divide="ignore", invalid="ignore"):
        ccr = np.where(at_risk > 0, base / at_risk, np.nan)
        ccr[..., :step] = np.nan
        children = base[..., :step].sum(axis=(-2, -1))
        women = base[..., FEMALES, FERTILE_AGES].sum(axis=-1)
        cwr = np.where(women > 0, children / women, np.nan)
        shares = np.where(
            children[..., None, None] > 0, base[..., :step] / children[..., None, None], np.nan
        )
    return ccr, cwr, shares, at_risk, women


def credibility_weight(at_risk, k: float) -> np.ndarray:
    """``n / (n + k)``: 0 with nobody at risk, 1 when ``k`` is 0 and someone is."""
    at_risk = np.asarray(at_risk, dtype=float)
    if k <= 0:
        return (at_risk > 0).astype(float)
    return at_risk / (at_risk + k)


def _neutral_shares(step: int) -> np.ndarray:
    male_share = SEX_RATIO_AT_BIRTH / (1 + SEX_RATIO_AT_BIRTH)
    return np.array([[male_share], [1 - male_share]]) * np.ones((2, step)) / step


def _blend(local, reference, weight, fallback):
    """Weighted mean; the reference where the local value is missing, else ``fallback``."""
    reference = np.where(np.isnan(reference), fallback, reference)
    blended = weight * np.nan_to_num(local, nan=0.0) + (1 - weight) * reference
    return np.where(np.isnan(local), reference, blended)


def stabilised_ratios(
    prev,
    base,
    *,
    step: int = 1,
    reference=None,
    ratio_credibility: float = DEFAULT_RATIO_CREDIBILITY,
    cwr_credibility: float = DEFAULT_CWR_CREDIBILITY,
) -> Ratios:
    """CCR and CWR shrunk toward the reference's and clipped (see module docstring).

    ``reference`` is a pair ``(reference_prev, reference_base)`` broadcastable to the
    input (one ``(2, 101)`` pair for all, or one per comune, e.g. its province).
    Without a reference nothing is shrunk; a ratio with nobody at risk then takes the
    neutral value 1 (CCR) or the batch-wide CWR and child shares.
    """
    prev, base = as_counts(prev), as_counts(base)
    ccr, cwr, shares, at_risk, women = raw_ratios(prev, base, step)
    if reference is None:
        ref_ccr = np.full_like(ccr, np.nan)
        pooled = raw_ratios(prev.reshape(-1, 2, N_AGES).sum(0), base.reshape(-1, 2, N_AGES).sum(0), step)
        ref_cwr = np.broadcast_to(pooled[1], cwr.shape)
        ref_shares = np.broadcast_to(pooled[2], shares.shape)
        ccr_weight = (at_risk > 0).astype(float)
        cwr_weight = (women > 0).astype(float)
    else:
        ref_prev, ref_base = (as_counts(r) for r in reference)
        ref_ccr, ref_cwr, ref_shares, _, _ = raw_ratios(ref_prev, ref_base, step)
        ccr_weight = credibility_weight(at_risk, ratio_credibility)
        cwr_weight = credibility_weight(women, cwr_credibility)
    ccr = _blend(ccr, np.broadcast_to(ref_ccr, ccr.shape), ccr_weight, 1.0)
    ccr[..., :step] = np.nan
    low, high = (bound**step for bound in CCR_BOUNDS_PER_YEAR)
    ccr = np.clip(ccr, low, high)
    cwr = _blend(cwr, np.broadcast_to(ref_cwr, cwr.shape), cwr_weight, np.nan)
    cwr = np.clip(np.nan_to_num(cwr, nan=0.0), 0.0, CWR_MAX_PER_YEAR * step)
    ref_shares = np.broadcast_to(ref_shares, shares.shape)
    ref_shares = np.where(np.isnan(ref_shares), _neutral_shares(step), ref_shares)
    shares = np.where(np.isnan(shares), ref_shares, shares)
    return Ratios(ccr=ccr, cwr=cwr, child_shares=shares, weights=ccr_weight, step=step)


def advance(population: np.ndarray, ratios: Ratios) -> np.ndarray:
    """Move a population forward by one step of ``ratios.step`` years."""
    step = ratios.step
    ahead = np.empty_like(population)
    ahead[..., step:OPEN_AGE] = ratios.ccr[..., step:OPEN_AGE] * population[..., : OPEN_AGE - step]
    ahead[..., OPEN_AGE] = ratios.ccr[..., OPEN_AGE] * population[..., OPEN_AGE - step :].sum(axis=-1)
    births = ratios.cwr * ahead[..., FEMALES, FERTILE_AGES].sum(axis=-1)
    ahead[..., :step] = births[..., None, None] * ratios.child_shares
    return ahead


def _interpolate_years(start: np.ndarray, end: np.ndarray, step: int) -> list[np.ndarray]:
    """Yearly populations strictly between two step points, geometric per cell.

    Geometric because a constant CCR means constant proportional change; cells that
    are zero at either end are interpolated linearly.
    """
    years = []
    for offset in range(1, step):
        fraction = offset / step
        with np.errstate(divide="ignore", invalid="ignore"):
            geometric = start ** (1 - fraction) * end**fraction
        linear = start + (end - start) * fraction
        years.append(np.where((start > 0) & (end > 0), geometric, linear))
    return years


def project_cohorts(
    prev,
    base,
    *,
    step: int = 1,
    horizon: int = 5,
    reference=None,
    base_year: int | None = None,
    ratio_credibility: float = DEFAULT_RATIO_CREDIBILITY,
    cwr_credibility: float = DEFAULT_CWR_CREDIBILITY,
) -> ProjectionResult:
    """Project ``base`` ``horizon`` years ahead with ratios measured from ``prev``.

    ``prev`` and ``base`` are counts of shape ``(..., 2, 101)`` observed ``step``
    years apart. Any horizon is accepted: the projection runs in whole steps and,
    when ``step > 1``, the years in between are interpolated geometrically. The
    result holds every year from the base (offset 0) to the horizon.
    """
    if step < 1 or step > 15:
        raise ValueError("step deve essere tra 1 e 15 anni (le nascite usano le donne 15-49)")
    if horizon < 0:
        raise ValueError("l'orizzonte non può essere negativo")
    ratios = stabilised_ratios(
        prev, base, step=step, reference=reference,
        ratio_credibility=ratio_credibility, cwr_credibility=cwr_credibility,
    )
    current = as_counts(base)
    yearly = [current]
    while len(yearly) <= horizon:
        ahead = advance(current, ratios)
        yearly += _interpolate_years(current, ahead, step) + [ahead]
        current = ahead
    population = np.stack(yearly[: horizon + 1], axis=-3)
    offsets = np.arange(horizon + 1)
    years = offsets + base_year if base_year is not None else offsets
    notes = [] if reference is not None else ["rapporti non stabilizzati: nessuna popolazione di riferimento"]
    return ProjectionResult(years=years, population=population, ratios=ratios, notes=notes)


def project_from(population, ratios: Ratios, horizon: int) -> np.ndarray:
    """Yearly populations ``0..horizon`` from ``population`` with fixed one-year ``ratios``.

    Shape ``(..., horizon + 1, 2, 101)``; offset 0 is ``population`` itself.
    """
    if ratios.step != 1:
        raise ValueError("project_from avanza di un anno alla volta: servono rapporti a passo 1")
    current = as_counts(population)
    yearly = [current]
    for _ in range(horizon):
        current = advance(current, ratios)
        yearly.append(current)
    return np.stack(yearly, axis=-3)


def anchor_to_totals(population, totals) -> tuple[np.ndarray, np.ndarray]:
    """Scale each sex to the official totals of the same date; return the counts and the factors.

    ``totals`` has shape ``(..., 3)``: both sexes, males, females (NaN where not published).
    With both sexes' totals each sex is scaled to its own; with the total only, both sexes
    by the same factor; with nothing, the counts stay as they are (factor 1). The age
    profile within a sex is kept: only its level moves to the official figure.
    """
    counts = as_counts(population)
    totals = np.asarray(totals, dtype=float)
    by_sex = counts.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(by_sex > 0, totals[..., 1:] / by_sex, np.nan)
        overall = np.where(by_sex.sum(axis=-1) > 0, totals[..., 0] / by_sex.sum(axis=-1), np.nan)
    factors = np.where(np.isnan(own).any(axis=-1, keepdims=True), overall[..., None], own)
    factors = np.nan_to_num(factors, nan=1.0)
    return counts * factors[..., None], factors


def age_group_totals(population) -> dict[str, np.ndarray]:
    """Both sexes summed by age group 0–14, 15–64, 65+, 80+ (shape ``(...)``)."""
    both_sexes = np.asarray(population, dtype=float).sum(axis=-2)
    return {name: both_sexes[..., ages].sum(axis=-1) for name, ages in AGE_GROUPS.items()}


def structural_indicators(population) -> dict[str, np.ndarray]:
    """Old-age and dependency indices from age-group counts (NaN on a zero denominator)."""
    groups = age_group_totals(population)
    young, working, old = groups["0-14"], groups["15-64"], groups["65+"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "indice_vecchiaia": np.where(young > 0, old / young * 100, np.nan),
            "indice_dipendenza_strutturale": np.where(working > 0, (young + old) / working * 100, np.nan),
            "indice_dipendenza_anziani": np.where(working > 0, old / working * 100, np.nan),
        }
