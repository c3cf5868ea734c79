"""Rows of an XLSX workbook from its bytes, for the readers of published spreadsheets.

openpyxl's read-only mode streams the sheet XML and is much faster on large workbooks, but
it trusts the ``<dimension>`` a sheet declares: the esploradati databrowser exports declare
``A1:A1`` (observed 2026) and read-only mode then returns a single cell. Readers of those
files, and of the files people compile by hand, ask for the normal mode.
"""

from __future__ import annotations

import io
import warnings
import zipfile

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.text import normalise_label

# What openpyxl raises on bytes that are a ZIP but no readable workbook.
UNREADABLE = (zipfile.BadZipFile, KeyError, OSError, ValueError)


def load_workbook(data: bytes, *, read_only: bool = True):
    """The workbook (values, not formulas); an error of ``UNREADABLE`` for a broken file.

    The caller words the refusal: a published table and an analyst's file are fixed differently.
    """
    import openpyxl  # only when a workbook arrives: it is slow to import

    with warnings.catch_warnings():
        # Exports without a default style make openpyxl warn; the values are unaffected.
        warnings.filterwarnings("ignore", message="Workbook contains no default style")
        return openpyxl.load_workbook(io.BytesIO(data), read_only=read_only, data_only=True)


def open_workbook(data: bytes, *, read_only: bool = True):
    """The workbook of a published table, or a clear error for bytes that are no XLSX."""
    if not data.startswith(b"PK"):
        raise FormatoNonRiconosciuto(
            "Il file non è un foglio Excel XLSX (non inizia con la firma «PK»): forse il download "
            "si è interrotto o è stato salvato in un altro formato. Usare il file così come pubblicato."
        )
    try:
        return load_workbook(data, read_only=read_only)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise FormatoNonRiconosciuto(
            f"Il foglio Excel è danneggiato o non è un file XLSX ({error}): scaricarlo di nuovo."
        ) from error


def sheet_rows(workbook, sheet: str | int = 0) -> list[tuple]:
    """Every row of a sheet (by name or position) as a tuple of cell values."""
    worksheet = workbook.worksheets[sheet] if isinstance(sheet, int) else workbook[sheet]
    return list(worksheet.iter_rows(values_only=True))


def find_header_row(rows: list[tuple], marker: str, *, within: int = 20) -> int:
    """Index of the first row (among the first ``within``) with a cell equal to ``marker``."""
    wanted = normalise_label(marker, as_written=True)
    for index, row in enumerate(rows[:within]):
        if any(normalise_label(cell, as_written=True) == wanted for cell in row):
            return index
    raise FormatoNonRiconosciuto(
        f"Nelle prime {within} righe del foglio non c'è l'intestazione attesa (una cella «{marker}»): "
        "il file non è quello atteso o l'editore ne ha cambiato il formato."
    )
