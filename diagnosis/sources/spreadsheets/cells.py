"""One spreadsheet cell read the way Italian spreadsheets write it: numbers, dates, text.

Parsers take the cell's text and return the value or raise ``BadCell`` with the cause in
Italian (``"non è un numero"``); the caller adds which cell it was and how to write it.
A blank cell or a suppressed-value marker is missing, never zero.
"""

from __future__ import annotations

import datetime as dt
import re


class BadCell(ValueError):
    """A cell that cannot be read; the message says why, as the end of a sentence."""


_NUMBER = re.compile(r"[+-]?[\d.,]*\d[\d.,]*")
_THOUSANDS = {".": re.compile(r"[1-9]\d{0,2}(\.\d{3})+"), ",": re.compile(r"[1-9]\d{0,2}(,\d{3})+")}
_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_number(text: str) -> float:
    """``120,5`` / ``1.250`` / ``1.250,5`` / ``1 250`` / ``120.5`` / ``-5`` -> float.

    A dot followed by exactly three digits (``1.250``) is a thousands separator, as Italian
    spreadsheets write it; a single dot otherwise (``120.5``) is a decimal point, as files
    saved with English settings write it. With both signs the last one is the decimal.
    """
    value = _SPACES.sub("", text)
    if not _NUMBER.fullmatch(value):
        raise BadCell("non è un numero")
    sign = "-" if value[0] == "-" else ""
    digits = value.lstrip("+-")
    if "," in digits and "." in digits:
        return float(sign + _with_both_signs(digits))
    if "," in digits:
        if digits.count(",") > 1:
            raise BadCell("ha più di una virgola")
        return float(sign + digits.replace(",", "."))
    if "." in digits:
        if _THOUSANDS["."].fullmatch(digits):
            return float(sign + digits.replace(".", ""))
        if digits.count(".") > 1:
            raise BadCell("ha più di un punto")
    return float(sign + digits)


def _with_both_signs(digits: str) -> str:
    """``1.250,5`` or ``1,250.5`` as ``1250.5``: the last sign is the decimal one."""
    decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
    thousands = "." if decimal == "," else ","
    whole, _, fraction = digits.rpartition(decimal)
    if not fraction.isdigit() or not (whole.isdigit() or _THOUSANDS[thousands].fullmatch(whole)):
        raise BadCell("non è un numero leggibile")
    return f"{whole.replace(thousands, '')}.{fraction}"


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ITALIAN_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def parse_date(text: str) -> dt.date:
    """``2024-03-31``, ``31/03/2024``, ``31-03-2024``, ``31.03.2024`` (a trailing time is ignored)."""
    value = _TIME.sub("", text.strip())
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _ITALIAN_DATE.fullmatch(value):
        day, month, year = int(match[1]), int(match[3]), match[4]
        if len(year) != 4:
            raise BadCell("ha l'anno senza le quattro cifre")
        year = int(year)
    else:
        raise BadCell("non è una data")
    try:
        date = dt.date(year, month, day)
    except ValueError as error:
        raise BadCell("non è una data esistente") from error
    if not 1900 <= date.year <= 2100:
        raise BadCell("ha un anno fuori luogo")
    return date


def cell_text(value) -> str:
    """An XLSX cell as an Italian spreadsheet shows it: ``120,5``, ``1250``, ``2024-03-31``, ``VERO``.

    Written back as text so that a sheet and a CSV of the same table read alike: a decimal
    comma (a decimal point would make 1.125 read as a thousand), no ``.0`` on whole
    numbers, a date without the midnight a spreadsheet stores with it.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "VERO" if value else "FALSO"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
    return str(value).strip()
