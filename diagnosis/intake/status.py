"""What the raw store holds, per dataset and year: the table behind ``diagnosis dati stato``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from diagnosis.intake.usage import usage
from diagnosis.store import raw

STATUS_COLUMNS = [
    "dataset", "anno", "stato", "vintage", "file", "fonte", "scaricato_il", "byte", "sha256",
    "in_uso", "uso", "non_usato", "nota", "territorio",
]
MISSING_NOTE = (
    "assente: scaricarlo con diagnosis dati scarica, oppure scaricarlo a mano e importarlo con "
    "diagnosis dati aggiungi FILE"
)


def store_status(
    expected: Mapping[str, Iterable[int]] | None = None, *, verify: bool = False
) -> pd.DataFrame:
    """One row per dataset, year and stored file, sorted; Italian column names.

    ``in_uso`` marks a file some figure is read from for that year; ``uso`` says which figures
    and for how many comuni of today, ``non_usato`` which figures it could give and why it does
    not ("superato da" the editions that give those comuni their figure; see ``usage``). ``expected`` ({dataset: years}) adds a row
    with ``stato`` "assente" and the way to get it for every year not in the store: missing
    is shown, never silently skipped. ``verify`` re-hashes every file and reports in
    ``nota`` those missing or changed since they were stored.
    """
    stored = raw.entries()
    problems = {(p["dataset"], p["filename"]): p["problem"] for p in raw.verify()} if verify else {}
    uses = usage(stored)
    rows = [
        _row(entry, year, uses[key], problems.get(key, ""))
        for entry in stored for key in [(entry["dataset"], entry["filename"])] for year in entry["years"]
    ]
    rows += _missing_rows(expected or {}, {(r["dataset"], r["anno"]) for r in rows})
    frame = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    frame = frame.sort_values(["dataset", "anno", "in_uso", "file"], ascending=[True, True, False, True])
    return frame.astype({"anno": "int64", "in_uso": "bool"}).reset_index(drop=True)


def _row(entry: dict, year: int, use, problem: str) -> dict:
    return {
        "dataset": entry["dataset"],
        "anno": year,
        "stato": entry["status"],
        "vintage": entry["vintage"],
        "file": entry["path"],
        "fonte": entry["source"],
        "scaricato_il": entry["fetched_at"],
        "byte": entry["size"],
        "sha256": entry["sha256"],
        "in_uso": use.in_use(year) and not problem,
        "uso": use.what_it_feeds(year),
        "non_usato": use.why_not(year),
        "nota": problem,
        "territorio": _coverage(entry),
    }


def _coverage(entry: dict) -> str:
    """Whom a per-territory file covers: its territory and how many comuni, else nothing."""
    if not entry.get("comuni") and not entry.get("territorio"):
        return ""
    count = len(entry.get("comuni", []))
    where = entry.get("territorio") or "importato"
    return f"{where} ({count} comuni)" if count > 1 else where


def _missing_rows(expected: Mapping[str, Iterable[int]], present: set) -> list[dict]:
    return [
        {"dataset": dataset, "anno": int(year), "stato": "assente", "vintage": None, "file": None,
         "fonte": None, "scaricato_il": None, "byte": None, "sha256": None, "in_uso": False, "uso": "", "non_usato": "",
         "nota": MISSING_NOTE, "territorio": ""}
        for dataset, years in expected.items() for year in years
        if (dataset, int(year)) not in present
    ]
