"""Privacy rules every survey output obeys; the analysis applies them, never the caller.

Two rules. A free-text comment is never returned next to anything that could point at
who wrote it (id, age band, sex, group, or the e-mail, name and timestamps the exports
carry, which the importer drops): comments come out alone, in alphabetical order so that
not even their position links them back to a row. And no breakdown shows a cell of
fewer than ``MIN_RESPONDENTS`` people: such a cell reads "meno di 5 risposte", and when
a published total would let a reader subtract it back, a second cell is hidden too.
"""

from __future__ import annotations

import pandas as pd

from diagnosis.sources.survey.layout import AGE, COMMENTS, GROUP, ID, SEX

MIN_RESPONDENTS = 5
SUPPRESSED = "meno di 5 risposte"
IDENTIFYING_COLUMNS = (ID, AGE, SEX, GROUP)
# Export columns that name or time a respondent; listed so that a guard can refuse them
# even if a custom mapping ever let one through.
IDENTIFYING_WORDS = ("email", "e-mail", "posta elettronica", "nome", "name", "timestamp", "cronologic",
                     "ora di", "time", "submitdate", "ipaddr", "ip address")
FREE_TEXT_COLUMNS = (COMMENTS,)


def is_suppressed(value) -> bool:
    return isinstance(value, str) and value == SUPPRESSED


def hidden_cells(counts: pd.DataFrame, minimum: float = MIN_RESPONDENTS) -> pd.DataFrame:
    """True where a count must not be shown: cells under ``minimum``, then the cells that would reveal them.

    Row and column totals of a breakdown are published elsewhere (respondents per group,
    per age band), so a line with a single hidden cell would give it away by subtraction:
    one more cell of that line is hidden, until no line has just one.
    """
    hidden = counts < minimum
    while _hide_one_complement(counts, hidden):
        pass
    return hidden


def _hide_one_complement(counts: pd.DataFrame, hidden: pd.DataFrame) -> bool:
    """Hide one cell in the first line holding exactly one hidden cell; False when no line does.

    The cell chosen is one that also completes its crossing line when there is one (so a
    single extra cell protects both), else the smallest, to lose as little as possible.
    """
    per_row, per_column = hidden.sum(axis=1), hidden.sum(axis=0)
    lines = [[(row, column) for column in counts.columns] for row in counts.index if per_row[row] == 1]
    lines += [[(row, column) for row in counts.index] for column in counts.columns if per_column[column] == 1]
    for line in lines:
        visible = [cell for cell in line if not hidden.at[cell]]
        if not visible:
            continue
        by_row = len({row for row, _ in line}) == 1

        def cost(cell):
            crossing = per_column[cell[1]] if by_row else per_row[cell[0]]
            return crossing != 1, counts.at[cell]

        hidden.at[min(visible, key=cost)] = True
        return True
    return False


def masked_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Counts as published: integers, or "meno di 5 risposte" where hidden."""
    hidden = hidden_cells(counts)
    shown = counts.astype(object)
    return shown.mask(hidden, SUPPRESSED)


def masked_values(values: pd.DataFrame, counts: pd.DataFrame, complementary: bool = True) -> pd.DataFrame:
    """``values`` (shares, means) hidden wherever the ``counts`` behind them are hidden.

    ``complementary=False`` hides only the small cells: for means, which a reader cannot
    subtract back from a total.
    """
    hidden = hidden_cells(counts) if complementary else counts < MIN_RESPONDENTS
    return values.astype(object).mask(hidden.reindex_like(values).fillna(True).astype(bool), SUPPRESSED)


def anonymous_comments(risposte: pd.DataFrame) -> list[str]:
    """The non-empty comments alone, in alphabetical order (never with any other column)."""
    comments = risposte[COMMENTS].dropna().astype(str).str.strip()
    return sorted((c for c in comments if c), key=str.casefold)


def ensure_publishable(table: pd.DataFrame) -> pd.DataFrame:
    """Refuse a table that puts free text next to an identifying column; return it unchanged otherwise."""
    columns = [str(c) for c in table.columns] + [str(n) for n in table.index.names if n is not None]
    has_text = any(c in FREE_TEXT_COLUMNS for c in columns)
    identifying = [c for c in columns if c in IDENTIFYING_COLUMNS or _looks_identifying(c)]
    if has_text and identifying:
        raise ValueError(f"Tabella non pubblicabile: commenti insieme a {', '.join(identifying)}.")
    return table


def _looks_identifying(column: str) -> bool:
    lowered = column.casefold()
    return any(word in lowered for word in IDENTIFYING_WORDS)
