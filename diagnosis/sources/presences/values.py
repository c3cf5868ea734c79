"""One cell of a presences file read into the standard layout, or the fix in Italian.

Counts are read as Italian spreadsheets and telecom exports write them (``1.250``,
``312,75``); a count the provider suppressed (``<20``, ``n.d.``) stays missing and is
flagged, never zero; a blank count is an error, because nobody can tell a suppressed count
from a forgotten one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from diagnosis.sources.presences.layout import Column, Layout
from diagnosis.sources.spreadsheets import BadCell, parse_date, parse_number
from diagnosis.text import normalise_label

SUPPRESSED = "oscurato"  # the value a suppressed count is read as, beside its missing number
_HOUR_IN_DATE = re.compile(r"[ T](\d{1,2}):\d{2}(:\d{2}(\.\d+)?)?$")
_HOUR = re.compile(r"(?:h\s*)?(\d{1,2})(?:[:.]\d{2}(?::\d{2})?)?(?:\s*-\s*\d{1,2}(?:[:.]\d{2})?)?")
_AGE_SPAN = re.compile(r"(\d{1,3})\s*(?:-|–|/|a)\s*(\d{1,3})(?:\s*anni)?")
_AGE_OPEN = re.compile(r"(\d{1,3})\s*(?:\+|anni e oltre|e oltre|e piu|anni e piu|o piu|oltre)")
_AGE_UNDER = re.compile(r"(?:<|meno di|under|fino a)\s*(\d{1,3})(?:\s*anni)?")


@dataclass(frozen=True)
class Parsed:
    value: object = None
    fix: str = ""  # empty when the cell is fine
    hour: int | None = None  # the hour a date cell carries after the day

    @property
    def ok(self) -> bool:
        return not self.fix


def parse_cell(column: Column, raw: str, layout: Layout) -> Parsed:
    text = raw.strip()
    if not text:
        return _blank(column)
    if column.breakdown and normalise_label(text) in layout.totals:
        return Parsed(None)
    reader = _READERS[column.kind]
    return reader(column, text, layout)


def _blank(column: Column) -> Parsed:
    if column.name == "data":
        return Parsed(fix="cella vuota: scrivere il giorno, es. 15/03/2024")
    if column.kind == "numero":
        return Parsed(fix="cella vuota: scrivere il numero di presenze; se il fornitore non lo pubblica perché "
                          "troppo piccolo, scrivere il suo segno di dato oscurato (es. <5), mai 0 al posto di un dato "
                          "che manca")
    return Parsed(None)


def _date(column: Column, text: str, layout: Layout) -> Parsed:
    try:
        day = parse_date(text)
    except BadCell as error:
        return Parsed(fix=f"«{text}» {error}: scrivere il giorno come 15/03/2024 o 2024-03-15 (l'ora dopo, "
                          "es. 2024-03-15 14:00)")
    hour = _HOUR_IN_DATE.search(text)
    return Parsed(day, hour=int(hour[1]) if hour and int(hour[1]) < 24 else None)


def _hour(column: Column, text: str, layout: Layout) -> Parsed:
    match = _HOUR.fullmatch(normalise_label(text, as_written=True))
    if match is None or int(match[1]) > 23:
        return Parsed(fix=f"«{text}» non è un'ora del giorno: scrivere l'ora d'inizio da 0 a 23, es. 14 o 14:00 "
                          "o 14-15")
    return Parsed(int(match[1]))


def _count(column: Column, text: str, layout: Layout) -> Parsed:
    if text.startswith("<") or normalise_label(text, as_written=True) in layout.suppressed:
        return Parsed(SUPPRESSED)
    try:
        number = parse_number(text)
    except BadCell as error:
        return Parsed(fix=f"«{text}» {error}: scrivere il numero di presenze, es. 1250 o 312,75 (o il segno di "
                          "dato oscurato del fornitore, es. <5)")
    if number < 0 or math.isinf(number):
        return Parsed(fix=f"«{text}» è negativo: le presenze sono zero o più")
    return Parsed(number)


def _age_band(column: Column, text: str, layout: Layout) -> Parsed:
    key = normalise_label(text, as_written=True).replace("≥", "").strip()
    if match := _AGE_SPAN.fullmatch(key):
        low, high = int(match[1]), int(match[2])
        if low <= high:
            return Parsed(f"{low}-{high}")
    elif match := _AGE_OPEN.fullmatch(key):
        return Parsed(f"{int(match[1])}+")
    elif match := _AGE_UNDER.fullmatch(key):
        return Parsed(f"0-{int(match[1]) - 1}")
    return Parsed(fix=f"«{text}» non è una fascia d'età: scrivere es. 18-24, 65+ o <18")


def _choice(column: Column, text: str, layout: Layout) -> Parsed:
    allowed = layout.values[column.name]
    found = allowed.get(normalise_label(text))
    if found is None:
        return Parsed(fix=f"«{text}» non è un valore di {column.name}: usare uno fra "
                          f"{', '.join(sorted(set(allowed.values())))}")
    return Parsed(found)


def _text(column: Column, text: str, layout: Layout) -> Parsed:
    if column.name == "provenienza_comune" and text.isdigit() and len(text) <= 6:
        return Parsed(text.zfill(6))  # a code a spreadsheet stripped of its leading zeros
    return Parsed(text)


_READERS = {"data": _date, "ora": _hour, "numero": _count, "fascia_eta": _age_band, "scelta": _choice,
            "testo": _text}


def age_bounds(band: str) -> tuple[int, int | None]:
    """``"18-24"`` -> (18, 24); ``"65+"`` -> (65, None)."""
    if band.endswith("+"):
        return int(band[:-1]), None
    low, high = band.split("-")
    return int(low), int(high)

