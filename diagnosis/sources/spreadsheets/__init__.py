"""Spreadsheets as input: the files analysts compile, survey exports, hand-downloaded tables.

- ``sheet``: a CSV or XLSX file as a header and rows with their spreadsheet line numbers
  (encoding and separator found from the content);
- ``cells``: Italian numbers and dates; a blank or a suppressed value is refused, never read as zero;
- ``problems``: the one ``Problem`` every import reports a bad row with;
- ``workbook``: XLSX workbooks of published tables, opened and searched for their header.

Header labels are compared with ``diagnosis.text.normalise_label``.
"""

from diagnosis.sources.spreadsheets.cells import (
    BadCell,
    cell_text,
    parse_date,
    parse_number,
)
from diagnosis.sources.spreadsheets.problems import AVVISO, ERRORE, Problem
from diagnosis.sources.spreadsheets.sheet import Refusal, Sheet, detect_separator, label, load, read_sheet
from diagnosis.sources.spreadsheets.workbook import find_header_row, open_workbook, sheet_rows

__all__ = [
    "AVVISO", "ERRORE", "BadCell", "Problem", "Refusal", "Sheet", "cell_text", "detect_separator",
    "find_header_row", "label", "load", "open_workbook", "parse_date", "parse_number",
    "read_sheet", "sheet_rows",
]
