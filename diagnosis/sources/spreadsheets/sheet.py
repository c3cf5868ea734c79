"""A file a person brings (CSV or XLSX) as a header and numbered rows of text cells.

Rows keep the number a person sees in a spreadsheet (the sheet's row; for a CSV the record,
so a quoted line break does not shift it), because every problem is reported by that
number and is fixed by opening the file and going there. Fully empty rows are skipped;
every cell is text, stripped, ``""`` when empty; XLSX values are written back the way an
Italian spreadsheet shows them (``cells.cell_text``).

The callers (the survey and the analyst-file imports) differ only in whom they address:
``Refusal`` carries their error type, their advice and their row limit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from diagnosis.errors import DiagnosisError
from diagnosis.sources.spreadsheets.cells import cell_text
from diagnosis.sources.spreadsheets.workbook import UNREADABLE, load_workbook
from diagnosis.store import limits
from diagnosis.store.checks import ZIP_MAGIC, looks_like_html
from diagnosis.text import decode_text, normalise_label

SEPARATORS = (";", ",", "\t")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 .xls container
XLSX_MARKER = "[Content_Types].xml"
HEADER_SEARCH_ROWS = 10  # a title or a blank line may sit above the header

Numbered = list[tuple[int, list[str]]]


@dataclass(frozen=True)
class Refusal:
    """How a caller refuses a file it cannot read.

    ``advice`` ends every refusal (``"esportare di nuovo le risposte…"``); ``missing`` is
    said when a path does not exist; ``rows_limit`` names the limit of ``store.limits`` on
    the number of rows.
    """

    error: type[DiagnosisError]
    advice: str
    missing: str
    rows_limit: str


@dataclass(frozen=True)
class Sheet:
    name: str | None
    header_line: int
    header: list[str]
    rows: Numbered  # (spreadsheet line, cells) after the header
    separator: str | None  # the CSV separator; None for XLSX

    @property
    def from_csv(self) -> bool:
        return self.separator is not None


def label(name: str | None) -> str:
    """How messages name the file: ``Il file 'registro.csv'``, or ``Il file`` without a name."""
    return f"Il file {name!r}" if name else "Il file"


def load(source: bytes | Path | str, name: str | None, refusal: Refusal) -> tuple[bytes, str | None]:
    """The file's bytes and name, refused before reading when larger than such a file can be."""
    if isinstance(source, (bytes, bytearray)):
        limits.check_size(len(source), label(name), "MAX_ANALYST_FILE_BYTES", limits.ANALYST_FILES)
        return bytes(source), name
    path = Path(source)
    name = name or path.name
    if not path.is_file():
        raise refusal.error(f"{label(str(path))} non esiste: {refusal.missing}.")
    limits.check_file(path, label(name), "MAX_ANALYST_FILE_BYTES", limits.ANALYST_FILES)
    return path.read_bytes(), name


def read_sheet(data: bytes, name: str | None, refusal: Refusal, known: Collection[str] = ()) -> Sheet:
    """The header and the numbered rows of a CSV or XLSX file's bytes.

    ``known``: header labels (``normalise_label`` form) the caller expects. The header is the
    first of the leading rows naming two of them, else the first row that is not empty; a
    CSV's separator is the one that makes the most of them appear.
    """
    about = label(name)
    _refuse_other_formats(data, about, refusal)
    if data.startswith(ZIP_MAGIC):
        return _sheet(_xlsx_rows(data, about, refusal), name, None, known, refusal)
    text = decode_text(data)
    separator = detect_separator(text, known)
    return _sheet(_csv_rows(text, separator, about, refusal), name, separator, known, refusal)


def _refuse_other_formats(data: bytes, about: str, refusal: Refusal) -> None:
    if not data.strip():
        raise refusal.error(f"{about} è vuoto: {refusal.advice}.")
    if data.startswith(OLE_MAGIC):
        raise refusal.error(
            f"{about} è nel vecchio formato Excel .xls: aprirlo e salvarlo come .xlsx (Cartella di "
            "lavoro di Excel) o come CSV, e riprovare."
        )
    if data.startswith(ZIP_MAGIC):
        return
    if looks_like_html(data[:4096]):
        raise refusal.error(f"{about} è una pagina web, non un foglio di calcolo: {refusal.advice}.")
    if b"\x00" in data:
        raise refusal.error(f"{about} non è un file di testo CSV né un foglio Excel .xlsx: {refusal.advice}.")


def detect_separator(text: str, known: Collection[str] = ()) -> str:
    """``;``, ``,`` or tab: the one that makes the most known header labels appear in the
    first lines; else the one that splits the first line into the most fields (quoted
    separators do not count)."""
    lines = text.splitlines()
    if known:
        head = "\n".join(lines[: HEADER_SEARCH_ROWS * 2])

        def score(separator: str) -> int:
            rows = csv.reader(io.StringIO(head, newline=""), delimiter=separator)
            return max((_known_count(row, known) for row in rows), default=0)

        best = max(SEPARATORS, key=score)
        if score(best) >= 2:
            return best
    first = next((line for line in lines if line.strip()), "")
    return max(SEPARATORS, key=lambda separator: len(next(csv.reader([first], delimiter=separator), [])))


def _known_count(cells: list[str], known: Collection[str]) -> int:
    return sum(normalise_label(cell) in known for cell in cells)


def _csv_rows(text: str, separator: str, about: str, refusal: Refusal) -> Numbered:
    """(record number, cells); a record with a quoted line break is still one spreadsheet row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    records = limits.counted_rows(reader, about, refusal.rows_limit)
    try:
        return [(number, [cell.strip() for cell in cells]) for number, cells in enumerate(records, start=1)]
    except csv.Error as error:
        raise refusal.error(f"{about} non si legge come CSV ({error}): {refusal.advice}.") from error


def _xlsx_rows(data: bytes, about: str, refusal: Refusal) -> Numbered:
    """The first sheet's rows, numbered from the sheet's row 1."""
    try:
        with limits.open_archive(data, about, "MAX_ANALYST_UNPACKED_BYTES") as archive:
            is_xlsx = XLSX_MARKER in archive.namelist()
        if not is_xlsx:
            raise refusal.error(
                f"{about} è un archivio ZIP, non un foglio Excel: estrarne il file CSV o XLSX e importare quello."
            )
        # The normal mode, not read-only: a hand-saved sheet may declare a wrong size (see workbook).
        book = load_workbook(data, read_only=False)
    except UNREADABLE as error:
        raise refusal.error(
            f"{about} non si apre come foglio Excel (.xlsx): è danneggiato o in un altro formato "
            f"({error}); {refusal.advice}."
        ) from error
    rows = limits.counted_rows(book.worksheets[0].iter_rows(min_row=1, values_only=True), about, refusal.rows_limit)
    return [(number, [cell_text(value) for value in values]) for number, values in enumerate(rows, start=1)]


def _sheet(numbered: Numbered, name: str | None, separator: str | None, known: Collection[str],
           refusal: Refusal) -> Sheet:
    filled = [(number, cells) for number, cells in numbered if any(cells)]
    if not filled:
        raise refusal.error(f"{label(name)} è vuoto, non contiene alcuna riga: {refusal.advice}.")
    at = _header_index(filled, known)
    header_line, header = filled[at]
    return Sheet(name=name, header_line=header_line, header=header, rows=filled[at + 1:], separator=separator)


def _header_index(rows: Numbered, known: Collection[str]) -> int:
    """The first of the leading rows naming at least two known columns; else the first row."""
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if known and _known_count(cells, known) >= 2:
            return index
    return 0
