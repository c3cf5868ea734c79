"""A yearly consumer price index imported by the analyst (ISTAT FOI or NIC, any base year).

A small CSV with a year column and an index column; separator ``;`` or ``,`` and decimal
commas are accepted.
"""

from __future__ import annotations

import csv
import io

from diagnosis.text import decode_text, normalise_label

YEAR_NAMES = ("anno", "year", "time_period")
INDEX_NAMES = ("indice", "index", "valore", "obs_value", "foi", "nic")


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [normalise_label(cell.strip().strip('"'), as_written=True) for cell in header]
    return next((i for i, cell in enumerate(lowered) if cell in names), None)


def looks_like_index(header: list[str]) -> bool:
    return _column(header, YEAR_NAMES) is not None and _column(header, INDEX_NAMES) is not None and len(header) <= 6


def parse_index(data: bytes) -> dict[int, float]:
    """``{year: index}`` from a small CSV; rows without a number (``NA``) are skipped."""
    text = decode_text(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    year_at, index_at = _column(rows[0], YEAR_NAMES), _column(rows[0], INDEX_NAMES)
    index = {}
    for row in rows[1:]:
        try:
            year = int(row[year_at].strip()[:4])
            value = float(row[index_at].strip().replace(".", "").replace(",", ".") if "," in row[index_at]
                          else row[index_at].strip())
        except (ValueError, IndexError):
            continue
        index[year] = value
    return index
