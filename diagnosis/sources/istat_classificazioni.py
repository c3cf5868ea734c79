"""ISTAT "Classificazioni statistiche e dimensione dei comuni" (XLSX, one edition a year).

One row per comune existing on the edition's date, with the official area, the legal
population of the last census, the resident population at the end of the previous year and
the statistical classifications (altitude zone, coastal and island flags, coastal zones,
degree of urbanisation).

Observed on the edition of 1 January 2026: first sheet "Comuni 01-01-2026", header in row 1
with line breaks inside cells (``"Codice Istat del Comune \\n(alfanumerico)"``), codes as
text, the altitude zone as text (``'3'``), flags as 0/1 numbers, two comuni without
altitude, and empty rows after the data. The comune "None" (TO) is a real name: cells are
read as they are, never through a missing-value guess. The headers carry the reference
dates ("Popolazione legale 2021 (31/12/2021)", "Popolazione residente al 31/12/2024"), so
the population columns are named after them.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.sources.spreadsheets import open_workbook, sheet_rows
from diagnosis.text import normalise_label

# Output column -> the header's normalised beginning.
HEADERS = {
    "codice": "codice istat del comune (alfanumerico)",
    "regione_codice": "codice regione",
    "nome": "denominazione (italiana e straniera)",
    "nome_altra_lingua": "denominazione altra lingua",
    "superficie_kmq": "superficie territoriale (kmq)",
    "popolazione_legale": "popolazione legale",
    "popolazione_residente": "popolazione residente al",
    "zona_altimetrica": "zona altimetrica",
    "altitudine_m": "altitudine del centro",
    "litoraneo": "comune litoraneo",
    "isolano": "comune isolano",
    "zone_costiere": "zone costiere",
    "grado_urbanizzazione": "grado di urbanizzazione",
}
INTEGER_COLUMNS = ("zona_altimetrica", "zone_costiere", "grado_urbanizzazione")
FLAG_COLUMNS = ("litoraneo", "isolano")
_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_YEAR = re.compile(r"\b(\d{4})\b")


def looks_like_classificazioni(header_cells: list) -> bool:
    """True when a sheet's first row carries every column this reader needs."""
    header = [normalise_label(cell, as_written=True) for cell in header_cells]
    return all(any(cell.startswith(start) for cell in header) for start in HEADERS.values())


def parse_classificazioni(data: bytes) -> pd.DataFrame:
    """The first sheet of the XLSX -> one row per comune, sorted by code.

    Columns: codice (6 chars), regione_codice (2 chars), nome, nome_altra_lingua (missing
    when none), superficie_kmq (float), ``popolazione_legale_<anno>`` and
    ``popolazione_<gg>_<mm>_<aaaa>`` (int, named after the dates in the header),
    zona_altimetrica (1-5), altitudine_m (float, missing when not given), litoraneo and
    isolano (nullable booleans), zone_costiere, grado_urbanizzazione (nullable ints: the
    legend says "null quando non disponibile").
    """
    rows = sheet_rows(open_workbook(data), 0)
    header = [normalise_label(cell, as_written=True) for cell in rows[0]] if rows else []
    positions = _positions(header)
    body = [row for row in rows[1:] if row[positions["codice"]] not in (None, "")]
    cells = {name: [row[index] for row in body] for name, index in positions.items()}
    table = pd.DataFrame({
        "codice": _codes(cells["codice"], 6),
        "regione_codice": _codes(cells["regione_codice"], 2),
        "nome": pd.Series([_text(v) for v in cells["nome"]], dtype="str"),
        "nome_altra_lingua": pd.Series([_text(v) for v in cells["nome_altra_lingua"]], dtype="str"),
        "superficie_kmq": _numbers(cells["superficie_kmq"], "superficie_kmq"),
        _legal_population_name(header[positions["popolazione_legale"]]):
            _counts(cells["popolazione_legale"], "popolazione legale"),
        _resident_population_name(header[positions["popolazione_residente"]]):
            _counts(cells["popolazione_residente"], "popolazione residente"),
        "altitudine_m": _numbers(cells["altitudine_m"], "altitudine_m"),
    })
    for name in INTEGER_COLUMNS:
        table[name] = _numbers(cells[name], name).astype("Int64")
    for name in FLAG_COLUMNS:
        table[name] = _flags(cells[name], name)
    _check_unique(table["codice"])
    ordered = ["codice", "regione_codice", "nome", "nome_altra_lingua", "superficie_kmq"]
    ordered += [c for c in table.columns if c.startswith("popolazione_")]
    ordered += ["zona_altimetrica", "altitudine_m", "litoraneo", "isolano", "zone_costiere", "grado_urbanizzazione"]
    return table[ordered].sort_values("codice").reset_index(drop=True)


def parse_classes(data: bytes) -> pd.DataFrame:
    """``codice, zona_altimetrica, grado_urbanizzazione`` (ints) of the comuni the file classifies."""
    classes = ["zona_altimetrica", "grado_urbanizzazione"]
    table = parse_classificazioni(data)[["codice", *classes]].dropna()
    return table.astype({column: "int64" for column in classes}).reset_index(drop=True)


def _positions(header: list[str]) -> dict[str, int]:
    positions = {}
    for name, start in HEADERS.items():
        found = [index for index, cell in enumerate(header) if cell.startswith(start)]
        if not found:
            raise FormatoNonRiconosciuto(
                f"Nel file «Classificazioni statistiche e dimensione dei comuni» manca la colonna "
                f"«{start}» (intestazioni trovate: {'; '.join(h for h in header if h)}). Usare il "
                "file XLSX pubblicato da ISTAT, primo foglio."
            )
        positions[name] = found[0]
    return positions


def _legal_population_name(header: str) -> str:
    year = _YEAR.search(header)
    if not year:
        raise FormatoNonRiconosciuto(f"Nell'intestazione «{header}» manca l'anno del censimento.")
    return f"popolazione_legale_{year.group(1)}"


def _resident_population_name(header: str) -> str:
    date = _DATE.search(header)
    if not date:
        raise FormatoNonRiconosciuto(f"Nell'intestazione «{header}» manca la data (gg/mm/aaaa).")
    day, month, year = date.groups()
    return f"popolazione_{day}_{month}_{year}"


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _codes(values: list, width: int) -> pd.Series:
    texts = pd.Series([_text(v) for v in values], dtype="str")
    # A code stored as a number (1001) loses its zeros; as text ('001001') it keeps them.
    texts = texts.str.replace(r"\.0$", "", regex=True).str.zfill(width)
    bad = ~texts.str.fullmatch(rf"\d{{{width}}}").fillna(False)
    if bad.any():
        raise FormatoNonRiconosciuto(f"Codice non valido nel file delle classificazioni: {texts[bad].iloc[0]!r}.")
    return texts


def _numbers(values: list, what: str) -> pd.Series:
    texts = pd.Series([_text(v) for v in values], dtype="object")
    numbers = pd.to_numeric(texts, errors="coerce")
    bad = numbers.isna() & texts.notna()
    if bad.any():
        raise FormatoNonRiconosciuto(
            f"Valore non numerico nella colonna {what} del file delle classificazioni: {texts[bad].iloc[0]!r}."
        )
    return numbers.astype("float64")


def _counts(values: list, what: str) -> pd.Series:
    numbers = _numbers(values, what)
    if numbers.isna().any() or (numbers != np.round(numbers)).any():
        raise FormatoNonRiconosciuto(f"La colonna {what} del file delle classificazioni ha celle vuote o non intere.")
    return numbers.astype("int64")


def _flags(values: list, what: str) -> pd.Series:
    numbers = _numbers(values, what)
    if not numbers.dropna().isin([0, 1]).all():
        raise FormatoNonRiconosciuto(f"La colonna {what} del file delle classificazioni ammette solo 0 e 1.")
    return numbers.map({1.0: True, 0.0: False}).astype("boolean")


def _check_unique(codes: pd.Series) -> None:
    repeated = codes[codes.duplicated()]
    if len(repeated):
        raise FormatoNonRiconosciuto(
            f"Nel file delle classificazioni il comune {repeated.iloc[0]} compare più volte: file non valido."
        )
