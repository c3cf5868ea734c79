"""Aree interne: the class of every comune in the national strategy (SNAI), 2014-20 and 2021-27.

The classes go from A (polo) to F (ultraperiferico) by travel time to the nearest pole of
services. The list is published by ISTAT with the Dipartimento per le politiche di coesione.

Observed on ``20220715_Elenco_Comuni_Classi_di_Aree_Interne.xlsx`` (list of 15 July 2022):
one sheet; row 1 a title naming the geography ("… (geografia amministrativa al 30 settembre
2020)."), row 2 empty, row 3 the header (``PROCOM_T``, ``CODICE CATASTALE``,
``CODICE_Aree_Interne 2014-2020``, ``CODICE_Aree_Interne 2021-2027``, …), comuni codes as
6-character text, an empty row at the end. The codes are those of the title's date, not of
today: comuni merged or re-coded since then have to be brought forward by the caller.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.sources.spreadsheets import find_header_row, open_workbook, sheet_rows
from diagnosis.text import normalise_label

COLUMNS = ["codice", "codice_catastale", "area_interna_2014_20", "area_interna_2021_27", "data_geografia"]
HEADERS = {
    "codice": "procom_t",
    "codice_catastale": "codice catastale",
    "area_interna_2014_20": "codice_aree_interne 2014-2020",
    "area_interna_2021_27": "codice_aree_interne 2021-2027",
}
CLASSES = frozenset("ABCDEF")
_MONTHS = {
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
}
_GEOGRAPHY = re.compile(r"geografia amministrativa al (\d{1,2})°? (\w+) (\d{4})", re.IGNORECASE)


def parse_aree_interne(data: bytes) -> pd.DataFrame:
    """The XLSX -> one row per comune, sorted by code.

    Columns: codice (6 chars, as of ``data_geografia``), codice_catastale,
    area_interna_2014_20 and area_interna_2021_27 (class letters A-F), data_geografia (the
    date of the administrative geography the title names).
    """
    rows = sheet_rows(open_workbook(data), 0)
    header_at = find_header_row(rows, "PROCOM_T")
    geography = _geography_date(rows[:header_at])
    header = [normalise_label(cell, as_written=True) for cell in rows[header_at]]
    positions = {name: _position(header, wanted) for name, wanted in HEADERS.items()}
    body = [row for row in rows[header_at + 1:] if row[positions["codice"]] not in (None, "")]
    table = pd.DataFrame({
        name: pd.Series([str(row[index]).strip() for row in body], dtype="str")
        for name, index in positions.items()
    })
    table["codice"] = table["codice"].str.zfill(6)
    _check(table)
    table["data_geografia"] = pd.Series(pd.Timestamp(geography), index=table.index).astype("datetime64[ns]")
    return table[COLUMNS].sort_values("codice").reset_index(drop=True)


def _position(header: list[str], wanted: str) -> int:
    if wanted not in header:
        raise FormatoNonRiconosciuto(
            f"Nell'elenco delle Aree interne manca la colonna «{wanted}» (intestazioni trovate: "
            f"{'; '.join(h for h in header if h)})."
        )
    return header.index(wanted)


def _geography_date(title_rows: list[tuple]) -> date:
    text = " ".join(str(cell) for row in title_rows for cell in row if cell is not None)
    found = _GEOGRAPHY.search(text)
    if not found or found.group(2).casefold() not in _MONTHS:
        raise FormatoNonRiconosciuto(
            "Il titolo dell'elenco delle Aree interne non dice a quale geografia amministrativa si "
            f"riferisce (atteso «geografia amministrativa al <giorno> <mese> <anno>»; trovato: {text[:200]!r})."
        )
    day, month, year = found.groups()
    return date(int(year), _MONTHS[month.casefold()], int(day))


def _check(table: pd.DataFrame) -> None:
    for column in ("area_interna_2014_20", "area_interna_2021_27"):
        wrong = ~table[column].isin(CLASSES)
        if wrong.any():
            raise FormatoNonRiconosciuto(
                f"Classe di Area interna non prevista per il comune {table.loc[wrong, 'codice'].iloc[0]}: "
                f"{table.loc[wrong, column].iloc[0]!r} (attese le lettere A-F)."
            )
    bad = ~table["codice"].str.fullmatch(r"\d{6}")
    if bad.any():
        raise FormatoNonRiconosciuto(f"Codice comune non valido nell'elenco delle Aree interne: {table.loc[bad, 'codice'].iloc[0]!r}.")
    repeated = table.loc[table["codice"].duplicated(), "codice"]
    if len(repeated):
        raise FormatoNonRiconosciuto(f"Nell'elenco delle Aree interne il comune {repeated.iloc[0]} compare più volte.")
