"""Italian number formatting (1.234,5) for everything a person reads."""

from __future__ import annotations

import math
from datetime import datetime

MISSING = "n.d."
COUNT_UNITS = ("abitanti", "persone", "euro", "famiglie", "negozi", "esercizi", "locali", "poli", "stazioni",
               "collegamenti", "presenze", "posti letto")


def format_number(value, decimals: int = 1) -> str:
    """``1234.5`` → ``"1.234,5"``; missing or infinite values → ``"n.d."``."""
    if value is None or not math.isfinite(value):
        return MISSING
    # Values arrive already rounded to two decimals; 4.85 is stored as 4.8499999… and would
    # show as 4,8. A nudge far below any shown digit rounds such halves up, as a reader expects.
    text = f"{value + math.copysign(1e-9, value) if value else value:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # a tiny negative value (or -0.0) rounds to zero, and zero has no sign
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_value(value, unit: str) -> str:
    """A value with the unit a reader expects: counts as integers, shares with %."""
    decimals = 0 if unit in COUNT_UNITS else 1 if unit != "km²" else 2
    text = format_number(value, decimals)
    if text == MISSING:
        return text
    suffix = {"%": " %", "km²": " km²", "abitanti/km²": " ab./km²", "anni": " anni", "euro": " €", "mesi": " mesi",
              "km": " km", "km/km²": " km/km²"}.get(unit, "")
    return text + suffix


def format_interval(low, high, unit: str) -> str:
    """``3,9–4,9 %``: a value known within bounds, the unit written once."""
    return f"{format_value(low, unit).split(' ')[0]}–{format_value(high, unit)}"


def shown_value(entry: dict) -> str:
    """The value as a reader sees it: a number, an interval ``3,9–4,9 %``, or ``n.d.``."""
    if entry.get("intervallo"):
        return format_interval(*entry["intervallo"], entry["unita"])
    return format_value(entry["valore"], entry["unita"])


def counted(number: int, singular: str, plural: str) -> str:
    """``1 nuovo dato``, ``3 nuovi dati``: a count with its noun in the right number."""
    return f"{format_number(number, 0)} {singular if number == 1 else plural}"


MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
          "ottobre", "novembre", "dicembre")


def italian_timestamp(stamp: str) -> str:
    """``2026-11-30T20:15:00+00:00`` → ``30 novembre 2026, 21:15`` in this machine's time zone; "" stays ""."""
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"
