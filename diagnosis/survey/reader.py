"""A survey file as a header and numbered rows, whatever its container (CSV or XLSX).

Rows keep the number a person sees in a spreadsheet (the header is row 1), because every
problem is reported by that number and is fixed by opening the file and going there.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from diagnosis.store import limits
from diagnosis.store.checks import ZIP_MAGIC, decode_text, looks_like_html
from diagnosis.survey.errors import QuestionarioNonValido

DELIMITERS = (";", ",", "\t")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 .xls container
DEFAULT_NAME = "questionario"


@dataclass(frozen=True)
class RawTable:
    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    # A CSV row with fewer fields than the header is broken; a spreadsheet row simply has empty cells.
    fixed_width: bool


def read_table(source: str | Path | bytes, name: str | None = None) -> RawTable:
    data, name = _bytes_and_name(source, name)
    if not data.strip():
        raise QuestionarioNonValido(f"Il file {name!r} è vuoto: esportare di nuovo le risposte dallo strumento usato.")
    if data.startswith(OLE_MAGIC):
        raise QuestionarioNonValido(
            f"Il file {name!r} è nel vecchio formato Excel .xls: aprirlo e salvarlo come .xlsx o come CSV."
        )
    if data.startswith(ZIP_MAGIC):
        return _xlsx_table(data, name)
    if looks_like_html(data[:4096]):
        raise QuestionarioNonValido(
            f"Il file {name!r} è una pagina web, non un'esportazione di risposte: scaricare le "
            "risposte come CSV o Excel dallo strumento usato."
        )
    return _csv_table(decode_text(data), name)


def _bytes_and_name(source, name: str | None) -> tuple[bytes, str]:
    """The file's bytes, refused before reading when larger than a survey export can be."""
    if isinstance(source, (bytes, bytearray)):
        name = name or DEFAULT_NAME
        limits.check_size(len(source), f"Il file {name!r}", "MAX_ANALYST_FILE_BYTES", limits.ANALYST_FILES)
        return bytes(source), name
    path = Path(source)
    if not path.is_file():
        raise QuestionarioNonValido(
            f"Il file del questionario {str(path)!r} non esiste: controllare il percorso "
            "(il modello da compilare è templates/questionario.csv)."
        )
    name = name or path.name
    limits.check_file(path, f"Il file {name!r}", "MAX_ANALYST_FILE_BYTES", limits.ANALYST_FILES)
    return path.read_bytes(), name


def _survey_rows(rows, name: str):
    return limits.counted_rows(rows, f"Il file {name!r}", "MAX_SURVEY_ROWS")


def _csv_table(text: str, name: str) -> RawTable:
    if "\x00" in text:
        raise QuestionarioNonValido(
            f"Il file {name!r} non è un file di testo CSV né un foglio Excel .xlsx: esportare "
            "le risposte in uno di questi due formati."
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        numbered = [(number, record) for number, record in enumerate(_survey_rows(reader, name), start=1)]
    except csv.Error as error:
        raise QuestionarioNonValido(
            f"Il file {name!r} non si legge come CSV ({error}): esportare di nuovo le risposte in CSV "
            "UTF-8 o in Excel dallo strumento usato."
        ) from error
    return _split_header(numbered, name, fixed_width=True)


def _delimiter(text: str) -> str:
    """The separator that splits the header into most fields (quoted commas do not count)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: counts[d])


def _xlsx_table(data: bytes, name: str) -> RawTable:
    import openpyxl

    try:
        limits.check_zip(data, f"Il file {name!r}", "MAX_ANALYST_UNPACKED_BYTES")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise QuestionarioNonValido(
            f"Il file {name!r} è un archivio ZIP ma non un foglio Excel .xlsx leggibile ({error}): "
            "esportare di nuovo le risposte in Excel o in CSV."
        ) from error
    try:
        sheet = book.worksheets[0]
        first = sheet.min_row or 1
        numbered = [(first + i, [_cell_text(v) for v in row])
                    for i, row in enumerate(_survey_rows(sheet.iter_rows(values_only=True), name))]
    finally:
        book.close()
    return _split_header(numbered, name, fixed_width=False)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def _split_header(numbered: list[tuple[int, list[str]]], name: str, fixed_width: bool) -> RawTable:
    filled = [(number, cells) for number, cells in numbered if any(c.strip() for c in cells)]
    if not filled:
        raise QuestionarioNonValido(f"Il file {name!r} non contiene righe: esportare di nuovo le risposte.")
    header_number, header = filled[0]
    width = _last_filled(header)
    rows = [(number, cells if fixed_width else _padded(cells, width)) for number, cells in filled
            if number > header_number]
    return RawTable(name=name, header=[h.strip() for h in header[:width]], rows=rows, fixed_width=fixed_width)


def _last_filled(cells: list[str]) -> int:
    """Header width without the empty cells spreadsheets leave after the last column."""
    width = len(cells)
    while width and not cells[width - 1].strip():
        width -= 1
    return width


def _padded(cells: list[str], width: int) -> list[str]:
    return (cells + [""] * width)[:width] if len(cells) < width else cells
