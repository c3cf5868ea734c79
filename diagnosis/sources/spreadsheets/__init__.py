"""Spreadsheets as input: the files analysts compile, survey exports, hand-downloaded tables.

- ``sheet``: a CSV or XLSX file as a header and rows with their spreadsheet line numbers
  (encoding and separator found from the content);
- ``cells``: Italian numbers and dates, blanks and suppressed values kept missing;
- ``problems``: the one ``Problem`` every import reports a bad row with;
- ``workbook``: XLSX workbooks of published tables, opened and searched for their header.

Header labels are compared with ``diagnosis.text.normalise_header`` and ``normalise_label``.
"""

from diagnosis.sources.spreadsheets.cells import (
    SUPPRESSED,
    BadCell,
    cell_text,
    number_or_missing,
    parse_date,
    parse_number,
    parse_percent,
)
from diagnosis.sources.spreadsheets.problems import AVVISO, ERRORE, Problem
from diagnosis.sources.spreadsheets.sheet import Refusal, Sheet, detect_separator, label, load, read_sheet
from diagnosis.sources.spreadsheets.workbook import find_header_row, open_workbook, sheet_rows

__all__ = [
    "AVVISO", "ERRORE", "SUPPRESSED", "BadCell", "Problem", "Refusal", "Sheet", "cell_text", "detect_separator",
    "find_header_row", "label", "load", "number_or_missing", "open_workbook", "parse_date", "parse_number",
    "parse_percent", "read_sheet", "sheet_rows",
]
