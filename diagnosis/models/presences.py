"""Presences analysed: when people come (hour, weekday, month), who they are (residents or
visitors, age and sex) and where from, and how this changed between two periods.

Every function takes the rows of ``sources.presences`` (one count per day, hour, zone and
breakdown value) and reads only what it needs:

- the *totals* are the rows with no breakdown filled; an export without such rows gives its
  totals through the one breakdown it has (each breakdown sums to everyone);
- a *breakdown* (age band, presence type, origin…) is read from the rows where it alone is
  filled; an export that only crosses it with another is summed over the other.

A count the provider suppressed stays missing: a day or hour holding one is *incomplete*,
is left out of averages and is counted as such, never as zero. Breakdowns by personal
traits obey the survey's rule: a cell of fewer than ``MIN_PRESENCES`` people, and one that
would reveal it by subtraction from a published total, reads ``SUPPRESSED``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from diagnosis.models.survey.privacy import hidden_cells
from diagnosis.sources.presences.layout import standard_layout

MIN_PRESENCES = 5
SUPPRESSED = "meno di 5 presenze"
PROVIDER_SUPPRESSED = "oscurato dal fornitore"
WEEKDAYS = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
WEEKEND = (5, 6)
RESIDENT = "residente"


def breakdowns() -> list[str]:
    return standard_layout().breakdowns


def totals(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows counting everyone: no breakdown filled, else the rows of the one breakdown there is."""
    plain = rows[rows[breakdowns()].isna().all(axis=1)]
    if len(plain):
        return plain
    for column in breakdowns():
        only = marginal(rows, column)
        if len(only):
            return only
    return plain


def marginal(rows: pd.DataFrame, column: str, together: tuple[str, ...] = ()) -> pd.DataFrame:
    """The rows that count people by ``column`` (and ``together``) alone; else every row that has it."""
    wanted = (column, *together)
    others = [c for c in breakdowns() if c not in wanted]
    filled = rows[rows[list(wanted)].notna().all(axis=1)]
    alone = filled[filled[others].isna().all(axis=1)]
    return alone if len(alone) else filled


def _summed(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Counts summed by ``keys``; a group holding a suppressed count is missing and flagged."""
    grouped = rows.assign(oscurati=rows["oscurato"].astype(int)).groupby(keys, dropna=False, sort=True)
    result = grouped.agg(presenze=("presenze", "sum"), oscurati=("oscurati", "sum")).reset_index()
    result.loc[result["oscurati"] > 0, "presenze"] = np.nan
    return result


def daily(rows: pd.DataFrame) -> pd.DataFrame:
    """``data``, ``presenze`` (missing when the day holds a suppressed count), ``oscurati``.

    For an hourly file the day's figure is the sum of its hourly counts (presences hour by
    hour, not distinct people)."""
    return _summed(totals(rows), ["data"])


def hourly(rows: pd.DataFrame) -> pd.DataFrame:
    """``data``, ``ora``, ``presenze``, ``oscurati``: the rows with an hour, every zone summed."""
    timed = totals(rows)
    timed = timed[timed["ora"].notna()]
    return _summed(timed, ["data", "ora"])


def hour_by_weekday(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean presences per hour (rows) and weekday (columns, ``lunedì``…): over the days with that
    hour complete. Empty when the file has no hours."""
    hours = hourly(rows)
    if hours.empty:
        return pd.DataFrame(columns=list(WEEKDAYS))
    hours["giorno"] = hours["data"].dt.day_of_week
    table = hours.pivot_table(index="ora", columns="giorno", values="presenze", aggfunc="mean", dropna=False)
    table = table.reindex(columns=range(7)).set_axis(list(WEEKDAYS), axis=1)
    table.index = table.index.astype(int)
    return table.rename_axis(index="ora", columns=None)


def _complete_mean(days: pd.DataFrame, label_column: str, label) -> dict:
    known = days["presenze"].dropna()
    return {label_column: label, "presenze_medie_giornaliere": known.mean() if len(known) else np.nan,
            "giorni": int(len(known)), "giorni_incompleti": int(days["presenze"].isna().sum())}


def by_month(rows: pd.DataFrame) -> pd.DataFrame:
    """``mese`` (``2024-03``), mean daily presences over the complete days, ``giorni``, ``giorni_incompleti``."""
    days = daily(rows)
    if days.empty:
        return pd.DataFrame(columns=["mese", "presenze_medie_giornaliere", "giorni", "giorni_incompleti"])
    months = days["data"].dt.strftime("%Y-%m")
    return pd.DataFrame([_complete_mean(group, "mese", month) for month, group in days.groupby(months)])


def weekday_weekend(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean daily presences from Monday to Friday (``feriali``) and on Saturday and Sunday (``sabato e domenica``)."""
    days = daily(rows)
    weekend = days["data"].dt.day_of_week.isin(WEEKEND)
    return pd.DataFrame([_complete_mean(days[~weekend], "giorni_della_settimana", "feriali"),
                         _complete_mean(days[weekend], "giorni_della_settimana", "sabato e domenica")])


def weekend_ratio(rows: pd.DataFrame) -> float:
    """Mean daily presences on Saturday and Sunday over those of weekdays (NaN when either is unknown)."""
    means = weekday_weekend(rows)["presenze_medie_giornaliere"].to_numpy()
    return float(means[1] / means[0]) if means[0] and not np.isnan(means[0]) else np.nan


def shares(counts: pd.Series) -> pd.DataFrame:
    """``presenze`` and ``quota`` (% of the known total) of each value, small cells suppressed.

    A value holding a provider-suppressed count has no figure and the total is said to be of
    the known values only (``attrs['oscurati']``)."""
    known = counts.dropna()
    total = known.sum()
    frame = pd.DataFrame({"presenze": counts, "quota": counts / total * 100 if total else np.nan})
    hidden = hidden_cells(known.to_frame("n"), MIN_PRESENCES)["n"].reindex(counts.index, fill_value=False)
    shown = frame.astype(object).mask(hidden.to_numpy()[:, None].repeat(2, axis=1), SUPPRESSED)
    shown = shown.mask(frame.isna() & counts.isna().to_numpy()[:, None], PROVIDER_SUPPRESSED)
    shown.attrs["oscurati"] = int(counts.isna().sum())
    return shown


def breakdown_counts(rows: pd.DataFrame, column: str) -> pd.Series:
    """Presences by value of ``column`` over the whole file (missing where a count was suppressed)."""
    used = marginal(rows, column)
    summed = _summed(used, [column])
    return summed.set_index(column)["presenze"]


def residents_and_visitors(rows: pd.DataFrame) -> pd.DataFrame:
    """``tipo_presenza``, ``presenze``, ``quota``, with the line ``non residenti`` (everyone else)."""
    counts = breakdown_counts(rows, "tipo_presenza")
    if counts.empty:
        return pd.DataFrame(columns=["tipo_presenza", "presenze", "quota"])
    table = shares(counts)
    others = counts.drop(RESIDENT, errors="ignore")
    if RESIDENT in counts.index and len(others):
        table.loc["non residenti"] = _others_line(table.loc[RESIDENT], others, counts.dropna().sum())
    return table.rename_axis("tipo_presenza").reset_index()


def _others_line(resident: pd.Series, others: pd.Series, known_total: float) -> list:
    """Everyone who is not a resident: the complement of the residents' line, hidden when that is."""
    if resident["presenze"] in (SUPPRESSED, PROVIDER_SUPPRESSED) or others.isna().any():
        return [resident["presenze"] if others.notna().all() else PROVIDER_SUPPRESSED] * 2
    total = others.sum()
    return [total, total / known_total * 100 if known_total else np.nan]


def origin_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows saying where people come from, at the finest level the file has for Italy
    (comune, else province), with those from abroad; each person is in one row only."""
    foreign = marginal(rows, "provenienza_stato")
    foreign = foreign[~foreign["provenienza_stato"].map(_is_italy).astype(bool)]
    for column in ("provenienza_comune", "provenienza_provincia"):
        italian = marginal(rows, column)
        if len(italian):
            return pd.concat([italian, foreign])
    return foreign


def _is_italy(name) -> bool:
    return str(name).strip().casefold() in ("italia", "italy", "it", "ita")


def origin_shares(classified: pd.DataFrame) -> pd.DataFrame:
    """``provenienza`` (the ``ambito`` column the caller filled in), ``presenze``, ``quota``."""
    if classified.empty:
        return pd.DataFrame(columns=["provenienza", "presenze", "quota"])
    counts = _summed(classified, ["ambito"]).set_index("ambito")["presenze"]
    return shares(counts).rename_axis("provenienza").reset_index()


def catchment(classified: pd.DataFrame) -> pd.DataFrame:
    """``codice`` (origin comune), ``presenze``, ``quota`` of the comuni people come from."""
    known = classified[classified["codice"].notna()]
    if known.empty:
        return pd.DataFrame(columns=["codice", "presenze", "quota"])
    counts = _summed(known, ["codice"]).set_index("codice")["presenze"]
    return shares(counts).rename_axis("codice").reset_index()


def age_sex_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Presences by age band (rows) and sex (``M``, ``F``, or ``totale`` when the file has no sex)."""
    crossed = marginal(rows, "fascia_eta", ("sesso",))
    if len(crossed) and crossed["sesso"].notna().all():
        return _summed(crossed, ["fascia_eta", "sesso"]).pivot(index="fascia_eta", columns="sesso",
                                                               values="presenze")
    ages = marginal(rows, "fascia_eta")
    if ages.empty:
        return pd.DataFrame()
    return _summed(ages, ["fascia_eta"]).set_index("fascia_eta")[["presenze"]].rename(columns={"presenze": "totale"})


def masked_shares(counts: pd.DataFrame) -> pd.DataFrame:
    """Each cell's share of all presences (%), hidden as the survey hides its crossings."""
    total = counts.sum().sum()
    values = counts / total * 100 if total else counts * np.nan
    # A provider-suppressed cell is unknown, not small: it must not count as a hidden small cell.
    hidden = hidden_cells(counts.fillna(np.inf), MIN_PRESENCES)
    shown = values.astype(object).mask(hidden, SUPPRESSED)
    return shown.mask(counts.isna(), PROVIDER_SUPPRESSED)


def origin_destination(rows: pd.DataFrame) -> pd.DataFrame:
    """``zona_origine``, ``zona`` (destination), ``presenze`` (movements), ``oscurati`` over the whole file."""
    flows = rows[rows["zona_origine"].notna()]
    return _summed(totals(flows), ["zona_origine", "zona"])


def period_rows(rows: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    dates = rows["data"].dt.date
    return rows[(dates >= start) & (dates <= end)]


def period_figures(rows: pd.DataFrame) -> dict[str, float]:
    """The figures a before/after comparison reads, for one period's rows."""
    week = weekday_weekend(rows).set_index("giorni_della_settimana")["presenze_medie_giornaliere"]
    days = daily(rows)["presenze"].dropna()
    figures = {"presenze_medie_giornaliere": days.mean() if len(days) else np.nan,
               "presenze_medie_feriali": week["feriali"], "presenze_medie_sabato_domenica": week["sabato e domenica"]}
    types = breakdown_counts(rows, "tipo_presenza")
    if len(types) and types.notna().all() and types.sum():
        figures["quota_non_residenti"] = types.drop(RESIDENT, errors="ignore").sum() / types.sum() * 100
    return figures
