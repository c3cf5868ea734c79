"""The files analysts bring: the shop register and the vacant-premises survey.

Both are compiled by hand in a spreadsheet (templates in ``templates/``, explained in
``templates/LEGGIMI.md``) and arrive as CSV (``;`` or ``,``, UTF-8 or Windows cp1252) or
as XLSX. This module reads them keeping each row's line number as the spreadsheet shows
it, tells which of the two a file is from its header, runs the cell checks of
``validation.py`` and turns the clean rows into the vacancy figures of the diagnosis.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from diagnosis.errors import FileAnalistaNonValido
from diagnosis.sources.commerce_groups import all_groups
from diagnosis.tables.analyst_validation import (
    ATTIVO,
    AVVISO,
    ERRORE,
    GUIDE,
    KINDS,
    REGISTER,
    SFITTO,
    VACANCIES,
    Problem,
    Progress,
    Validated,
    known_labels,
    layout,
    missing_columns,
    validate_register,
    validate_vacancies,
)
from diagnosis.sources.spreadsheets import Refusal, Sheet, label, load, read_sheet

__all__ = [
    "Problem", "Validated", "format_problems", "kind_of", "read_table",
    "vacancy_figures", "validate", "validate_register", "validate_vacancies",
]

DAYS_PER_MONTH = 365.2425 / 12  # the mean Gregorian month

VALIDATORS = {REGISTER: validate_register, VACANCIES: validate_vacancies}


# --- reading ------------------------------------------------------------------------------

REFUSAL = Refusal(
    error=FileAnalistaNonValido,
    advice="aprirlo con il foglio di calcolo e salvarlo di nuovo come CSV UTF-8 o come XLSX",
    missing=f"controllare il percorso (i modelli da compilare sono in templates/, spiegati in {GUIDE})",
    rows_limit="MAX_ANALYST_ROWS",
)


def read_table(source: bytes | Path | str, name: str | None = None) -> pd.DataFrame:
    """The table of a CSV or XLSX file, every cell a stripped string ("" when empty).

    The index, named ``riga``, is each row's line as a spreadsheet shows it (the header on
    line 1 puts the first data row on line 2; for XLSX the sheet's row number); fully empty
    rows are skipped.

    CSV: separator ``;``, ``,`` or tab, found from the header; UTF-8 with or without BOM,
    else cp1252. XLSX: the first sheet, numbers written the Italian way (``120,5``) and
    dates as ``2024-03-31``.

    ``attrs``: ``riga_intestazione``, the header's line (a title or blank lines may sit
    above it); ``separatore``, the CSV separator (None for XLSX); ``nome_file``; and
    ``colonne_senza_intestazione``, the columns made for cells beyond the header, named
    after the spreadsheet letter (``H (senza intestazione)``).
    """
    data, name = load(source, name, REFUSAL)
    sheet = read_sheet(data, name, REFUSAL, known=known_labels())
    frame = _frame(sheet)
    frame.attrs["separatore"] = sheet.separator
    return frame


def _frame(sheet: Sheet) -> pd.DataFrame:
    width = max(len(cells) for cells in [sheet.header, *(cells for _, cells in sheet.rows)])
    header = sheet.header + [""] * (width - len(sheet.header))
    matrix = [cells + [""] * (width - len(cells)) for _, cells in sheet.rows]
    keep = [i for i in range(width) if header[i] or any(cells[i] for cells in matrix)]
    names = _unique([header[i] or f"{_column_letter(i)} (senza intestazione)" for i in keep])
    frame = pd.DataFrame([[cells[i] for i in keep] for cells in matrix], columns=names, dtype=object)
    frame.index = pd.Index([number for number, _ in sheet.rows], name="riga", dtype="int64")
    headless = [column for i, column in zip(keep, names) if not header[i]]
    frame.attrs.update(riga_intestazione=sheet.header_line, nome_file=sheet.name, colonne_senza_intestazione=headless)
    return frame


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _unique(names: list[str]) -> list[str]:
    seen: Counter = Counter()
    result = []
    for name in names:
        seen[name] += 1
        result.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return result


# --- which file -----------------------------------------------------------------------------


def kind_of(header: list[str]) -> str | None:
    """``registro_negozi`` or ``rilevazione_sfitti`` when the header has all its required
    columns (under any synonym), else None. The register wins when both would fit."""
    for kind in KINDS:
        if not missing_columns(kind, [str(h) for h in header]):
            return kind
    return None


def validate(source: bytes | Path | str, name: str | None = None, *, comuni: Iterable[str] | None = None,
             progress: Progress | None = None) -> tuple[str, Validated]:
    """Read a file, tell which of the two it is and check it: ``(kind, Validated)``.

    A file with neither layout raises ``FileAnalistaNonValido`` naming, for each layout,
    the required columns it lacks and the template to start from. ``comuni`` (the codes of
    the territory the file is for) turns rows of other comuni into errors, left out;
    ``progress(done, total)`` is told how far the row checks are.
    """
    frame = read_table(source, name)
    header = [str(c) for c in frame.columns]
    kind = kind_of(header)
    if kind is None:
        raise FileAnalistaNonValido(_unrecognised(header, name or frame.attrs.get("nome_file")))
    return kind, VALIDATORS[kind](frame, comuni=comuni, progress=progress)


def _unrecognised(header: list[str], name: str | None) -> str:
    lacks = "; ".join(
        f"per {layout(kind).con_articolo} mancano le colonne {', '.join(missing_columns(kind, header))}"
        for kind in KINDS
    )
    found = ", ".join(f"«{h}»" for h in header) or "nessuna"
    return (
        f"{label(name)} non è né un registro dei negozi né una rilevazione dei locali sfitti: {lacks} "
        f"(colonne trovate: {found}). Partire dai modelli {layout(REGISTER).modello} e "
        f"{layout(VACANCIES).modello}, copiarne la riga di intestazione e compilare le righe "
        f"sotto; ogni colonna è spiegata in {GUIDE}."
    )


# --- report -----------------------------------------------------------------------------------


def format_problems(problems: list[Problem], limit: int = 50) -> str:
    """An Italian report for the command line: a summary, then the problems grouped by row."""
    if not problems:
        return "Nessun problema: il file è valido."
    errors = [p for p in problems if p.livello == ERRORE]
    warnings = [p for p in problems if p.livello == AVVISO]
    excluded = len({p.riga for p in errors})
    summary = _count(len(errors), "errore", "errori")
    if errors:
        summary += f" ({_count(excluded, 'riga esclusa', 'righe escluse')} dall'importazione)"
    summary += f", {_count(len(warnings), 'avviso', 'avvisi')}"
    lines = [summary + (" (righe importate comunque)." if warnings else ".")]
    shown = sorted(problems, key=lambda p: p.riga)[:limit]
    current = None
    for problem in shown:
        if problem.riga != current:
            current = problem.riga
            lines.append(f"Riga {current}:")
        lines.append(f"  - {problem.livello}, colonna {problem.etichetta}: {problem.messaggio}")
    if len(problems) > limit:
        lines.append(f"… e altri {len(problems) - limit} problemi non mostrati: correggere questi "
                     "e ricontrollare il file.")
    return "\n".join(lines)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# --- vacancy figures -----------------------------------------------------------------------


def vacancy_figures(
    register: Validated | None,
    vacancies: Validated | None,
    year: int | None = None,
    *,
    today: dt.date | None = None,
) -> dict:
    """The vacancy and turnover figures the two files can tell; None for what they cannot.

    Reference date D: 31 December of ``year``, or ``today`` (default: the current date)
    when no year is given or the year has not ended. "At D" below means: when D is today,
    as the files record it now (``stato``, a re-let date missing); when D is past, as the
    dates reconstruct it, and a premises whose dates cannot tell makes the count None
    (explained in ``note``) rather than a guess.

    Vacancy records come from the vacancy survey when given (``data_sfitto``,
    ``data_riaffitto``), else from the register's ``sfitto`` rows (vacant since
    ``data_chiusura``, not re-let). Active shops come from the register only.

    - ``locali_attivi`` = register shops active at D (opened on or before D, not closed by D)
    - ``locali_sfitti`` = vacancy records vacant at D: data_sfitto ≤ D and no re-let by D
    - ``locali_rilevati`` = locali_attivi + locali_sfitti; without a register, the rows of
      the vacancy survey
    - ``tasso_sfitto`` = locali_sfitti / (locali_attivi + locali_sfitti), a fraction
    - ``superficie_sfitta_mq`` = Σ area of the premises vacant at D; None when one lacks
      its area (``superficie_sfitta_mq_nota`` then sums the known ones)
    - ``mesi_sfitto_ancora_sfitti`` = mean over premises vacant at D of (D − data_sfitto)
    - ``mesi_sfitto_riaffittati`` = mean over premises re-let by D of (data_riaffitto −
      data_sfitto); months are days / 30.436875 (the mean Gregorian month)
    - ``riaffittati_nell_anno`` = premises with data_riaffitto in ``year``
    - ``aperture_chiusure`` = per calendar year, register rows with data_apertura in it
      (aperture), rows with data_chiusura in it (chiusure: a shop that closed, whether its
      premises are now vacant or re-let) and saldo = aperture − chiusure; only years the
      dates reach; the ``*_anno`` keys repeat ``year``'s figures
    - ``negozi_attivi_per_gruppo`` = shops active at D per group id (a shop counts in each of
      its groups, so the groups do not add up); ``negozi_attivi_senza_gruppo`` the others
    - ``quota_medie_grandi_strutture`` = (media + grande struttura) / shops active at D with a
      tipologia; ``negozi_con_tipologia`` is that denominator

    Also ``data_riferimento`` (D), ``fonte_sfitti`` (the file the vacancies come from),
    ``riaffitti_per_anno`` and ``note``: Italian sentences saying why a figure is None or
    computed on part of the premises.
    """
    today = today or dt.date.today()
    reference = min(dt.date(year, 12, 31), today) if year is not None else today
    now = reference >= today
    notes: list[str] = []
    shops = _register_rows(register)
    records = _vacancy_records(register, vacancies)
    active = _active_at(shops, reference, now, notes) if shops is not None else None
    vacant = _vacant_at(records, reference, now, notes) if records is not None else None

    figures = {
        "data_riferimento": reference,
        "fonte_sfitti": None if records is None else (VACANCIES if vacancies is not None else REGISTER),
        "locali_attivi": None if active is None else len(active),
        "locali_sfitti": None if vacant is None else len(vacant),
    }
    figures.update(_stock(figures, records, shops))
    figures.update(_vacant_area(vacant, notes))
    figures.update(_durations(records, vacant, reference, notes))
    figures.update(_relets(records, vacancies, year))
    figures.update(_openings(shops, year))
    figures.update(_mix(active, notes))
    figures["note"] = notes
    return figures


def _register_rows(register: Validated | None) -> list[dict] | None:
    return None if register is None else register.righe.to_dict("records")


def _vacancy_records(register: Validated | None, vacancies: Validated | None) -> list[dict] | None:
    """(data_sfitto, data_riaffitto, area) per premises, from the survey or the register."""
    if vacancies is not None:
        return [
            {"sfitto": r["data_sfitto"], "riaffitto": r["data_riaffitto"], "mq": r["superficie_mq"]}
            for r in vacancies.righe.to_dict("records")
        ]
    if register is not None:
        return [
            {"sfitto": r["data_chiusura"], "riaffitto": None, "mq": r["superficie_vendita_mq"]}
            for r in register.righe.to_dict("records") if r["stato"] == SFITTO
        ]
    return None


def _those_at(items: list[dict], test, day: dt.date, now: bool, notes: list[str], why: str) -> list[dict] | None:
    """The items ``test`` says hold on ``day``; None (and a note) when any item cannot tell."""
    states = [(test(item, day, now), item) for item in items]
    unknown = sum(state is None for state, _ in states)
    if unknown:
        notes.append(why.format(giorno=_it(day), n=unknown))
        return None
    return [item for state, item in states if state]


def _active_at(shops: list[dict], day: dt.date, now: bool, notes: list[str]) -> list[dict] | None:
    return _those_at(shops, _is_active, day, now, notes,
                     "Negozi attivi al {giorno} non calcolabili: {n} righe del registro non hanno la data "
                     "di apertura o di chiusura che serve a saperlo.")


def _is_active(shop: dict, day: dt.date, now: bool) -> bool | None:
    """True/False when the row tells whether its shop was open on ``day``, else None.

    Today the recorded ``stato`` decides (a shop not yet opened aside); on a past day the
    dates do, and a row without the date that would decide is None.
    """
    opened, closed, state = shop["data_apertura"], shop["data_chiusura"], shop["stato"]
    if opened is not None and opened > day:
        return False
    if now:
        return state == ATTIVO
    if closed is not None and closed <= day:
        return False
    if state == SFITTO and closed is None:
        return None
    return True if opened is not None else None


def _vacant_at(records: list[dict], day: dt.date, now: bool, notes: list[str]) -> list[dict] | None:
    return _those_at(records, _is_vacant, day, now, notes,
                     "Locali sfitti al {giorno} non calcolabili: {n} locali non hanno la data di inizio dello sfitto.")


def _is_vacant(record: dict, day: dt.date, now: bool) -> bool | None:
    vacated, relet = record["sfitto"], record["riaffitto"]
    if relet is not None and relet <= day:
        return False
    if vacated is not None:
        return vacated <= day
    return True if now else None


def _stock(figures: dict, records: list[dict] | None, shops: list[dict] | None) -> dict:
    active, vacant = figures["locali_attivi"], figures["locali_sfitti"]
    if shops is None:
        surveyed = None if records is None else len(records)
    else:
        surveyed = None if active is None or vacant is None else active + vacant
    rate = None
    if active is not None and vacant is not None and active + vacant > 0:
        rate = vacant / (active + vacant)
    return {"locali_rilevati": surveyed, "tasso_sfitto": rate}


def _vacant_area(vacant: list[dict] | None, notes: list[str]) -> dict:
    if vacant is None:
        return {"superficie_sfitta_mq": None, "superficie_sfitta_mq_nota": None, "sfitti_senza_superficie": None}
    known = [r["mq"] for r in vacant if not _missing(r["mq"])]
    lacking = len(vacant) - len(known)
    if lacking:
        notes.append(f"Superficie sfitta totale non calcolabile: {lacking} locali sfitti senza "
                     "superficie (superficie_sfitta_mq_nota somma gli altri).")
    return {
        "superficie_sfitta_mq": None if lacking else float(sum(known)),
        "superficie_sfitta_mq_nota": float(sum(known)),
        "sfitti_senza_superficie": lacking,
    }


def _durations(records: list[dict] | None, vacant: list[dict] | None, day: dt.date, notes: list[str]) -> dict:
    still = None
    if vacant is not None:
        dated = [r for r in vacant if r["sfitto"] is not None]
        if len(dated) < len(vacant):
            notes.append(f"Durata media dello sfitto calcolata su {len(dated)} dei {len(vacant)} "
                         "locali sfitti: gli altri non hanno la data di inizio.")
        still = _mean_months([(r["sfitto"], day) for r in dated])
    relet = None
    if records is not None:
        relet = _mean_months([
            (r["sfitto"], r["riaffitto"]) for r in records
            if r["sfitto"] is not None and r["riaffitto"] is not None and r["riaffitto"] <= day
        ])
    return {"mesi_sfitto_ancora_sfitti": still, "mesi_sfitto_riaffittati": relet}


def _mean_months(spans: list[tuple[dt.date, dt.date]]) -> float | None:
    if not spans:
        return None
    return sum((end - start).days for start, end in spans) / len(spans) / DAYS_PER_MONTH


def _relets(records: list[dict] | None, vacancies: Validated | None, year: int | None) -> dict:
    """Re-lets are dated only in the vacancy survey; the register does not record them."""
    if vacancies is None or records is None:
        return {"riaffitti_per_anno": None, "riaffittati_nell_anno": None}
    per_year = Counter(r["riaffitto"].year for r in records if r["riaffitto"] is not None)
    return {
        "riaffitti_per_anno": dict(sorted(per_year.items())),
        "riaffittati_nell_anno": None if year is None else per_year.get(year, 0),
    }


def _openings(shops: list[dict] | None, year: int | None) -> dict:
    empty = {"aperture_chiusure": None, "aperture_anno": None, "chiusure_anno": None, "saldo_anno": None}
    if shops is None:
        return empty
    opened = Counter(s["data_apertura"].year for s in shops if s["data_apertura"] is not None)
    closed = Counter(s["data_chiusura"].year for s in shops if s["data_chiusura"] is not None)
    years = sorted(set(opened) | set(closed))
    if not years:
        return empty
    table = {
        y: {"aperture": opened.get(y, 0), "chiusure": closed.get(y, 0), "saldo": opened.get(y, 0) - closed.get(y, 0)}
        for y in range(years[0], years[-1] + 1)
    }
    this = table.get(year) if year is not None else None
    return {
        "aperture_chiusure": table,
        "aperture_anno": None if this is None else this["aperture"],
        "chiusure_anno": None if this is None else this["chiusure"],
        "saldo_anno": None if this is None else this["saldo"],
    }


def _mix(active: list[dict] | None, notes: list[str]) -> dict:
    if active is None:
        return {"negozi_attivi_per_gruppo": None, "negozi_attivi_senza_gruppo": None,
                "quota_medie_grandi_strutture": None, "negozi_con_tipologia": None}
    per_group = {g: sum(g in shop["gruppi"] for shop in active) for g in all_groups()}
    classed = [shop["tipologia"] for shop in active if shop["tipologia"]]
    if len(classed) < len(active):
        notes.append(f"Quota di medie e grandi strutture calcolata sui {len(classed)} negozi "
                     f"attivi con la tipologia, su {len(active)}.")
    large = sum(t in ("media struttura", "grande struttura") for t in classed)
    return {
        "negozi_attivi_per_gruppo": per_group,
        "negozi_attivi_senza_gruppo": sum(not shop["gruppi"] for shop in active),
        "quota_medie_grandi_strutture": large / len(classed) if classed else None,
        "negozi_con_tipologia": len(classed),
    }


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _it(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
