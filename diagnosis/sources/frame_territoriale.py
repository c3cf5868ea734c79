"""ISTAT "Frame territoriale": local units with their economic variables, per comune.

The Frame is ISTAT's register of the local units of enterprises with employees, wages,
value added, turnover and purchases. Its statistical appendix (XLSX) has one sheet per
territorial level; this reader takes the three sheets of every comune: all sectors,
industry, services.

Observed on the appendix of the 2023 Frame (``Tavole/1. Appendice Statistica Frame
territoriale.xlsx`` in ``Tavole.zip``, published January 2026), sheets
``Tav.39_Comuni_Totale``, ``Tav.40_Comuni_Industria``, ``Tav.41_Comuni_Servizi``:

- row 1 a title ending with the year ("… per Comune. Anno 2023"), row 2 empty, row 3 the
  header; ``Codice Comune Istat`` 6-character text, ``Flag Capoluogo`` ``1`` or ``-``;
- units in the header: ``Retribuzioni  (migliaia di euro)`` (with a double space),
  ``… (valori percentuali)``; counts have none;
- ``*`` for a value suppressed for statistical confidentiality, ``**`` for a ratio not
  computed because value added is negative or zero; one empty cell (industry sheet);
- three footnote rows at the end ("Note: …", "(*) Dato oscurato …", "(**) Indicatore …").

Sheets are found by the end of their name, not by their number, which changes with the
edition.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.sources.spreadsheets import find_header_row, open_workbook, sheet_rows
from diagnosis.text import normalise_label

COLUMNS = ["codice", "anno", "settore", "variabile", "valore", "unita", "nota"]
# Sheet name ending -> sector.
SHEETS = {"comuni_totale": "totale", "comuni_industria": "industria", "comuni_servizi": "servizi"}
CODE_HEADER = "Codice Comune Istat"
# Header cells that describe the comune rather than carry a value.
IDENTITY_HEADERS = frozenset({
    "ripartizione", "codice regione", "denominazione regione",
    "denominazione unità territoriale sovracomunale", "flag capoluogo",
    "denominazione sistema locale", "denominazione comune", "codice comune istat",
})
# Variable ids that read better than the slug of their header.
RENAMES = {"numero_unita_locali": "unita_locali"}
COUNT_UNIT = "numero"
# Cell markers and what they mean (from the sheet's footnotes).
MARKERS = {"*": "oscurato", "**": "valore aggiunto negativo o nullo"}
_UNIT = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^)]*)\)\s*$")
_YEAR = re.compile(r"\banno (\d{4})\b", re.IGNORECASE)


def parse_frame_comuni(data: bytes) -> pd.DataFrame:
    """The comune sheets of the appendix -> one row per comune, sector and variable.

    Columns: codice (6 chars), anno (from the title), settore (``totale``, ``industria``,
    ``servizi``), variabile (snake_case id of the header without its unit), valore (float;
    missing where suppressed, not computed or empty), unita (``numero``, ``migliaia di
    euro``, ``valori percentuali``), nota (``oscurato``, ``valore aggiunto negativo o
    nullo`` or empty). Sorted by sector, code and variable in sheet order.
    """
    workbook = open_workbook(data)
    pieces = [_sheet(sheet_rows(workbook, name), sector) for name, sector in _comune_sheets(workbook.sheetnames)]
    table = pd.concat(pieces, ignore_index=True)
    return table[COLUMNS]


def _comune_sheets(names: list[str]) -> list[tuple[str, str]]:
    found = []
    for ending, sector in SHEETS.items():
        matching = [name for name in names if normalise_label(name, "_").endswith(ending)]
        if len(matching) != 1:
            raise FormatoNonRiconosciuto(
                f"Nell'appendice del Frame territoriale non c'è un solo foglio «…_{ending}» "
                f"(fogli: {', '.join(names)}). Usare il file «Appendice Statistica Frame territoriale» "
                "contenuto in Tavole.zip."
            )
        found.append((matching[0], sector))
    return found


def _sheet(rows: list[tuple], sector: str) -> pd.DataFrame:
    header_at = find_header_row(rows, CODE_HEADER)
    year = _year(rows[:header_at])
    header = list(rows[header_at])
    labels = [normalise_label(c, as_written=True) for c in header]
    code_at = labels.index(normalise_label(CODE_HEADER, as_written=True))
    values = {
        index: _variable(cell) for index, cell in enumerate(header)
        if cell is not None and normalise_label(cell, as_written=True) not in IDENTITY_HEADERS
    }
    body = [row for row in rows[header_at + 1:] if _is_comune(row[code_at])]
    codes = [str(row[code_at]).strip() for row in body]
    _check_unique(codes, sector)
    frames = []
    for index, (variable, unit) in values.items():
        numbers, notes = zip(*(_cell(row[index], code, variable) for row, code in zip(body, codes))) if body else ((), ())
        frames.append(pd.DataFrame({
            "codice": codes, "variabile": variable, "valore": np.array(numbers, dtype="float64"),
            "unita": unit, "nota": list(notes),
        }))
    table = pd.concat(frames, ignore_index=True)
    table["anno"] = np.int64(year)
    table["settore"] = sector
    order = {variable: i for i, (variable, _) in enumerate(values.values())}
    table["_order"] = table["variabile"].map(order)
    table = table.sort_values(["codice", "_order"], kind="stable").drop(columns="_order")
    return table.astype({"codice": "str", "variabile": "str", "unita": "str", "nota": "str", "settore": "str"})


def _is_comune(cell) -> bool:
    return cell is not None and re.fullmatch(r"\d{6}", str(cell).strip()) is not None


def _year(title_rows: list[tuple]) -> int:
    text = " ".join(str(cell) for row in title_rows for cell in row if cell is not None)
    found = _YEAR.search(text)
    if not found:
        raise FormatoNonRiconosciuto(
            f"Il titolo del foglio del Frame territoriale non indica l'anno («… Anno AAAA»): {text[:200]!r}."
        )
    return int(found.group(1))


def _variable(header) -> tuple[str, str]:
    """``"Retribuzioni  (migliaia di euro)"`` -> (``retribuzioni``, ``migliaia di euro``)."""
    text = " ".join(str(header).split())
    found = _UNIT.match(text)
    name, unit = (found["name"], found["unit"].strip()) if found else (text, COUNT_UNIT)
    slug = normalise_label(name, "_")
    return RENAMES.get(slug, slug), unit


def _cell(value, code: str, variable: str) -> tuple[float, str]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return np.nan, ""
    if isinstance(value, str):
        marker = value.strip()
        if marker in MARKERS:
            return np.nan, MARKERS[marker]
        raise FormatoNonRiconosciuto(
            f"Valore non riconosciuto per il comune {code}, variabile {variable}, nel Frame territoriale: {value!r} "
            f"(attesi numeri, «*» o «**»)."
        )
    return float(value), ""


def _check_unique(codes: list[str], sector: str) -> None:
    seen = set()
    for code in codes:
        if code in seen:
            raise FormatoNonRiconosciuto(f"Il comune {code} compare più volte nel foglio {sector} del Frame territoriale.")
        seen.add(code)
