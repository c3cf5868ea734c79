"""A survey file as a header and numbered rows, whatever its container (CSV or XLSX).

Reading is the shared spreadsheet reader's; this module says how a survey file is refused
and cuts the header to the columns it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from diagnosis.sources.spreadsheets import Refusal, load, read_sheet
from diagnosis.errors import QuestionarioNonValido

DEFAULT_NAME = "questionario"
REFUSAL = Refusal(
    error=QuestionarioNonValido,
    advice="esportare di nuovo le risposte dallo strumento usato, come CSV o come Excel .xlsx",
    missing="controllare il percorso (il modello da compilare è templates/questionario.csv)",
    rows_limit="MAX_SURVEY_ROWS",
)


@dataclass(frozen=True)
class RawTable:
    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    # A CSV row with fewer fields than the header is broken; a spreadsheet row simply has empty cells.
    fixed_width: bool


def read_table(source: str | Path | bytes, name: str | None = None) -> RawTable:
    data, name = load(source, name, REFUSAL)
    sheet = read_sheet(data, name or DEFAULT_NAME, REFUSAL)
    width = _last_filled(sheet.header)
    rows = [(number, cells if sheet.from_csv else _padded(cells, width)) for number, cells in sheet.rows]
    return RawTable(name=sheet.name, header=sheet.header[:width], rows=rows, fixed_width=sheet.from_csv)


def _last_filled(cells: list[str]) -> int:
    """Header width without the empty cells spreadsheets leave after the last column."""
    width = len(cells)
    while width and not cells[width - 1]:
        width -= 1
    return width


def _padded(cells: list[str], width: int) -> list[str]:
    return (cells + [""] * width)[:width] if len(cells) < width else cells
