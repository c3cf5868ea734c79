"""Tables written for spreadsheets (CSV and XLSX) whose text can never run as a formula.

Text in these files comes from people the reader does not know: survey answers typed by
the public, district names, files compiled on the ground. Excel and LibreOffice evaluate
a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and tab or carriage return, which
they skip before looking), so ``=HYPERLINK("http://x","y")`` in a survey answer would
become a live link in the reviewer's spreadsheet. Following OWASP's advice on CSV
injection, every text cell starting with one of those characters is written with a
leading single quote, which spreadsheets show as text. Numbers are left alone: a
negative value written from a numeric column stays a number the reader can sum.

Every CSV and XLSX the package writes goes through ``write_csv``, ``csv_text`` or
``write_xlsx``.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from pathlib import Path

import numpy as np
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_PREFIX = "'"
# Italian Excel: ";" between cells and the decimal comma, so the file opens with a double click.
CSV_OPTIONS = {"sep": ";", "decimal": ",", "index": False}


def neutralise(value):
    """``value`` with a leading quote when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return TEXT_PREFIX + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name neutralised; numbers untouched."""
    safe = frame.copy()
    safe.columns = [neutralise(column) for column in safe.columns]
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)):
            safe.isetitem(position, column.map(neutralise))
    return safe


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as Italian-Excel CSV text (``;``, decimal comma, no index), without BOM."""
    return safe_frame(frame).to_csv(**CSV_OPTIONS)


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write the frame as Italian-Excel CSV, with the BOM Excel needs to read UTF-8."""
    path = Path(path)
    safe_frame(frame).to_csv(path, encoding="utf-8-sig", **CSV_OPTIONS)
    return path


def write_xlsx(frame: pd.DataFrame, path: str | Path, sheet: str) -> Path:
    """Write the frame as one XLSX sheet: header row, then one row per record.

    Text cells are neutralised and also typed as strings explicitly, so no cell of the
    workbook is ever a formula, whatever its content.
    """
    from openpyxl import Workbook  # only the XLSX copy of a table needs openpyxl, slow to import

    path = Path(path)
    safe = safe_frame(frame)
    book = Workbook()
    book.active.title = sheet[:31]  # Excel's limit on sheet names
    for row in [list(safe.columns)] + safe.to_numpy(dtype=object).tolist():
        book.active.append([_xlsx_value(value) for value in row])
    for row in book.active.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    book.save(path)
    return path


def _xlsx_value(value):
    """What an XLSX cell can hold: missing values empty, numpy scalars as Python numbers."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return None if math.isnan(value) else float(value)
    if value is pd.NaT:
        return None
    if isinstance(value, (dt.date, dt.time)):
        return value
    return neutralise(str(value))  # lists of groups and the like, as the CSV shows them
