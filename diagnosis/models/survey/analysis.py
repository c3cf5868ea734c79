"""The survey's tables: who answered, how satisfied, what is missing, by age, in words.

Every function returns a table that is safe to publish as it is: breakdowns hide cells
of fewer than five respondents (``privacy``), and no table carries a comment. Shares are
per cent; "meno di 5 risposte" stands in for any hidden number.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from diagnosis.sources.survey.layout import AGE, FREQUENCY, GROUP, standard_layout
from diagnosis.models.survey.needs import display_need, needs_by_respondent
from diagnosis.models.survey.privacy import (
    MIN_RESPONDENTS,
    SUPPRESSED,
    ensure_publishable,
    masked_counts,
    masked_values,
)
from diagnosis.models.survey.words import comment_words

__all__ = [
    "comment_words", "crosstab_by_age", "likert_distribution", "likert_means_by_age", "needs_per_group",
    "needs_ranked", "respondents_per_group", "weighting_effect",
]


def respondents_per_group(risposte: pd.DataFrame) -> pd.DataFrame:
    """Respondents and share per group (gruppo, risposte, quota); small groups hidden."""
    column = standard_layout().columns[GROUP]
    counts = risposte[GROUP].value_counts().reindex(list(column.values), fill_value=0).to_frame("risposte")
    total = max(int(counts["risposte"].sum()), 1)
    table = pd.DataFrame({
        "gruppo": [column.display(v) for v in counts.index],
        "risposte": masked_counts(counts)["risposte"].to_numpy(),
        "quota": masked_values((counts / total * 100), counts)["risposte"].to_numpy(),
    })
    return ensure_publishable(table)


def _answered(risposte: pd.DataFrame, item: str) -> pd.Series:
    return risposte[item].dropna().astype(int)


def _shares(values: pd.Series, weights: pd.Series | None) -> list[float]:
    w = pd.Series(1.0, index=values.index) if weights is None else weights.reindex(values.index)
    total = w.sum()
    return [float(w[values == level].sum() / total * 100) if total else np.nan
            for level in standard_layout().likert_scale]


def _mean(values: pd.Series, weights: pd.Series | None) -> float:
    if values.empty:
        return float("nan")
    w = np.ones(len(values)) if weights is None else weights.reindex(values.index).to_numpy()
    return float(np.average(values.to_numpy(dtype=float), weights=w))


def likert_distribution(risposte: pd.DataFrame, weights: pd.Series | None = None) -> pd.DataFrame:
    """Per item: answers, shares of each score 1..5 and the mean, unweighted and (given ``weights``) weighted.

    Columns: colonna, voce, risposte, quota_1..quota_5, media and, with weights,
    quota_ponderata_1..5 and media_ponderata. An item answered by fewer than five
    people shows "meno di 5 risposte" everywhere.
    """
    layout = standard_layout()
    rows = []
    for item in layout.likert_items:
        values = _answered(risposte, item)
        row = {"colonna": item, "voce": layout.label(item), "risposte": len(values)}
        row.update({f"quota_{level}": share for level, share in zip(layout.likert_scale, _shares(values, None))})
        row["media"] = _mean(values, None)
        if weights is not None:
            weighted = _shares(values, weights)
            row.update({f"quota_ponderata_{level}": s for level, s in zip(layout.likert_scale, weighted)})
            row["media_ponderata"] = _mean(values, weights)
        rows.append(_suppressed_row(row) if len(values) < MIN_RESPONDENTS else row)
    return ensure_publishable(pd.DataFrame(rows))


def _suppressed_row(row: dict) -> dict:
    return {key: value if key in ("colonna", "voce") else SUPPRESSED for key, value in row.items()}


def weighting_effect(risposte: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    """Unweighted against weighted mean per item (colonna, voce, media_non_ponderata, media_ponderata, differenza)."""
    layout = standard_layout()
    rows = []
    for item in layout.likert_items:
        values = _answered(risposte, item)
        plain, weighted = _mean(values, None), _mean(values, weights)
        row = {"colonna": item, "voce": layout.label(item), "media_non_ponderata": plain,
               "media_ponderata": weighted, "differenza": weighted - plain}
        rows.append(_suppressed_row(row) if len(values) < MIN_RESPONDENTS else row)
    return ensure_publishable(pd.DataFrame(rows))


def needs_ranked(risposte: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """Needs over all respondents (bisogno, menzioni, quota of those who named at least one)."""
    needs = needs_by_respondent(risposte)
    named = needs[needs.map(len) > 0]
    counted = Counter(need for row in named for need in row)
    ranked = sorted(counted.items(), key=lambda pair: (-pair[1], pair[0]))[:top]
    table = pd.DataFrame({
        "bisogno": [display_need(need) for need, _ in ranked],
        "menzioni": [count for _, count in ranked],
        "quota": [count / len(named) * 100 for _, count in ranked],
    })
    return ensure_publishable(table)


def needs_per_group(risposte: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The ``top`` needs of each group (gruppo, posizione, bisogno, menzioni).

    A group of fewer than five respondents is one row, "meno di 5 risposte"; within a
    group, a need named by fewer than five shows that label instead of its count.
    """
    column = standard_layout().columns[GROUP]
    needs = needs_by_respondent(risposte)
    rows = []
    for group in column.values:
        members = needs[risposte[GROUP] == group]
        if len(members) < MIN_RESPONDENTS:
            rows.append({"gruppo": column.display(group), "posizione": None, "bisogno": "", "menzioni": SUPPRESSED})
            continue
        counted = Counter(need for row in members for need in row)
        ranked = sorted(counted.items(), key=lambda pair: (-pair[1], pair[0]))[:top]
        rows += [{"gruppo": column.display(group), "posizione": position, "bisogno": display_need(need),
                  "menzioni": count if count >= MIN_RESPONDENTS else SUPPRESSED}
                 for position, (need, count) in enumerate(ranked, start=1)]
    return ensure_publishable(pd.DataFrame(rows, columns=["gruppo", "posizione", "bisogno", "menzioni"]))


def crosstab_by_age(risposte: pd.DataFrame, column: str = FREQUENCY) -> pd.DataFrame:
    """Respondents by the values of ``column`` (rows) and age band (columns); small cells hidden."""
    layout = standard_layout()
    spec, bands = layout.columns[column], list(layout.columns[AGE].values)
    known = risposte[risposte[AGE].notna() & risposte[column].notna()]
    counts = pd.crosstab(known[column], known[AGE]).reindex(index=list(spec.values), columns=bands, fill_value=0)
    table = masked_counts(counts)
    table.index = [spec.display(v) for v in table.index]
    table.index.name, table.columns.name = spec.label, layout.label(AGE)
    return ensure_publishable(table)


def likert_means_by_age(risposte: pd.DataFrame) -> pd.DataFrame:
    """Mean score of each item (rows) per age band (columns); bands with fewer than five answers hidden."""
    layout = standard_layout()
    bands = list(layout.columns[AGE].values)
    known = risposte[risposte[AGE].notna()]
    items = layout.likert_items
    means = known.groupby(AGE)[items].mean().T.reindex(columns=bands).astype(float)
    counts = known.groupby(AGE)[items].count().T.reindex(columns=bands).fillna(0)
    table = masked_values(means, counts, complementary=False)
    table.index = [layout.label(item) for item in items]
    table.index.name, table.columns.name = "Voce", layout.label(AGE)
    return ensure_publishable(table)
