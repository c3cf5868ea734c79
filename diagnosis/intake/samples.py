"""What a recogniser looks at: the tables inside a file, and what it answers.

A file is opened as published (a ZIP, a CSV, an XLSX workbook) and each table in it becomes
a ``Sample``: the whole file, the table's name inside the ZIP and its first bytes, with its
first rows split into cells. A recogniser that claims the table answers a ``Recognised``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from functools import cached_property

from diagnosis.errors import FileNonRiconosciuto
from diagnosis.sources.census_sections import GPKG_MAGIC, shapefile_members
from diagnosis.store.checks import HEAD_BYTES, ZIP_MAGIC, table_members
from diagnosis.store.limits import open_archive
from diagnosis.text import decode_text

XLSX_MARKER = "[Content_Types].xml"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 binary .xls
SAMPLE_ROWS = 50


@dataclass(frozen=True)
class Sample:
    """What a recogniser looks at: the file as given and the head of the table in it.

    ``data`` is the whole file as given (a ZIP or a table) and ``name`` its file name, for
    recognisers that need the entire content; ``member`` is the table inside a ZIP and
    ``head`` its first bytes (the file's own first bytes when it is not a ZIP).
    """

    data: bytes
    name: str | None
    container: str  # "zip", "csv", "xlsx", "shp" (a ZIP holding a shapefile) or "gpkg" (a GeoPackage)
    member: str | None
    head: bytes

    @cached_property
    def lines(self) -> list[list[str]]:
        """The first rows of a ``;`` table, each a list of cells; a cut last line is dropped."""
        complete = len(self.head) < HEAD_BYTES or self.container == "xlsx"
        physical = _physical_lines(self.head)
        if not complete:
            physical = physical[:-1]
        return [row for row in _split_rows(physical[: SAMPLE_ROWS + 2], ";") if row]

    @cached_property
    def header_cells(self) -> list[str]:
        """The first row's cells, whatever the separator (``;``, ``,`` or tab) or an XLSX sheet."""
        if self.container == "xlsx":
            return _xlsx_header(self.data)
        first = next((line for line in _physical_lines(self.head) if line.strip()), "")
        delimiter = max(";,\t", key=first.count)
        return [cell.strip() for cell in next(iter(_split_rows([first], delimiter)), [])]


def _physical_lines(head: bytes) -> list[str]:
    """Lines ended by CRLF, LF or a lone CR (the old "CSV (Macintosh)" export)."""
    return decode_text(head).replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _split_rows(lines: list[str], delimiter: str) -> list[list[str]]:
    """Cells of each line; a line the csv module cannot split (a NUL byte) makes no table."""
    try:
        return list(csv.reader(lines, delimiter=delimiter))
    except csv.Error:
        return []


@dataclass(frozen=True)
class Recognised:
    """A file's identity: the dataset id, the years it covers and the status of its figures."""

    dataset: str
    years: tuple[int, ...]
    status: str  # definitivo, provvisorio, stima
    container: str
    member: str | None = None
    description: str = ""
    suggested_name: str | None = None
    # Files that belong to one territory (the analyst's register, a survey, an OSM export)
    # need ``--territorio`` when imported; ``comuni`` lists those a file covers, when known.
    per_territorio: bool = False
    comuni: tuple[str, ...] = ()

    @property
    def year(self) -> int:
        return self.years[-1]


def samples(data: bytes, name: str | None, label: str = "Il file") -> list[Sample]:
    """One sample per table in the file: the file itself, or each CSV member of a ZIP.

    A ZIP is checked against the limits of ``limits.py`` before any member is unpacked.
    """
    if data.startswith(GPKG_MAGIC):
        return [Sample(data=data, name=name, container="gpkg", member=None, head=b"")]
    if not data.startswith(ZIP_MAGIC):
        return [Sample(data=data, name=name, container="csv", member=None, head=data[:HEAD_BYTES])]
    try:
        with open_archive(data, label) as archive:
            names = archive.namelist()
            if XLSX_MARKER in names:
                return [Sample(data=data, name=name, container="xlsx", member=None, head=b"")]
            members = table_members(archive)
            heads = [_member_head(archive, member) for member in members]
            shapes = shapefile_members(archive)
    except (zipfile.BadZipFile, EOFError) as error:
        raise FileNonRiconosciuto(
            f"{label} è un archivio ZIP danneggiato o incompleto ({error}): scaricarlo di nuovo."
        ) from error
    # A map (ISTAT's census sections) is asked about before the tables that may come with it.
    maps = [Sample(data=data, name=name, container="shp", member=shape, head=b"") for shape in shapes[:1]]
    if not members and not maps:
        raise FileNonRiconosciuto(
            f"{label} è un archivio ZIP senza file CSV (contenuto: {', '.join(names) or 'nessun file'}): "
            "non è uno dei file pubblicati che il programma conosce."
        )
    return maps + [
        Sample(data=data, name=name, container="zip", member=member, head=head)
        for member, head in zip(members, heads)
    ]


def _xlsx_header(data: bytes) -> list[str]:
    from openpyxl import load_workbook  # slow to import, and only a workbook needs it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a ZIP with an XLSX marker but not a readable workbook: not recognised
        return []
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(max_row=5, values_only=True):
            cells = [str(v).strip() for v in row if v is not None and str(v).strip()]
            if cells:
                return [str(v).strip() if v is not None else "" for v in row]
        return []
    finally:
        book.close()


def _member_head(archive: zipfile.ZipFile, member: str) -> bytes:
    with archive.open(member) as stream:
        return stream.read(HEAD_BYTES)
