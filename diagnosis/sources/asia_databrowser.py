"""ISTAT ASIA local units per comune, from an XLSX downloaded with the esploradati data browser.

The data browser (``esploradati.istat.it/databrowser``) exports the table on screen, not the
SDMX answer: labels instead of a tidy layout. Observed on the English export of dataflow
183_285_DF_DICA_ASIAULP_7 (year 2018, size class TOTAL, ATECO 0010), one sheet:

- rows 1-6: the dataset title and one line per fixed filter, ``"Time: 2018  "``,
  ``"Size classes of persons employed: [TOTAL] Total  "``,
  ``"Economic activity (NACE Rev. 2): [0010] TOTAL  "``, then an empty row;
- row 7: ``Indicator`` and one column per indicator, ``"[LU] Number of local units …"``,
  ``"[LUEMPDAA] Number of persons employed …"``;
- row 8: ``Territory`` (the label cell spans the value columns);
- then one row per territory, ``"[015175] Pioltello  "`` (code in brackets, two trailing
  spaces): Italy, NUTS areas and comuni, the latter in the geography of the day of the
  download, not of the reference year. Local units are integers, persons employed annual
  averages with two decimals.

The sheet declares its dimension as ``A1:A1``: it must be read in openpyxl's normal mode.
The indicator codes map to the variable ids of the ASIA SDMX reader (``istat_dataflows.yaml``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.sources.istat_sdmx import flow_facts
from diagnosis.sources.spreadsheets import find_header_row, open_workbook, sheet_rows
from diagnosis.text import normalise_label

COLUMNS = ["codice", "anno", "variabile", "valore", "ateco", "classe_addetti"]
# The SDMX flow whose DATA_TYPE codes the exported indicators share.
ASIA_FLOW = "183_1163"
_BRACKETED = re.compile(r"^\[(?P<code>[^\]]+)\]\s*(?P<label>.*)$")
_FILTER = re.compile(r"^(?P<label>[^:]+):\s*(?P<value>.+)$")
# Filter labels of the English export.
TIME_LABEL = "time"
ATECO_LABEL = "economic activity"
SIZE_LABEL = "size class"


def parse_asia_databrowser(data: bytes) -> pd.DataFrame:
    """The XLSX -> one row per comune and indicator, sorted by code and variable.

    Columns: codice (6 chars), anno, variabile (``unita_locali``, ``addetti``), valore
    (float; missing where the cell is empty), ateco and classe_addetti (the codes of the
    export's fixed filters, e.g. ``0010`` and ``TOTAL``). Italy and the NUTS areas are left out.
    """
    rows = sheet_rows(open_workbook(data, read_only=False), 0)
    header_at = find_header_row(rows, "Indicator")
    filters = _filters(rows[:header_at])
    variables = _indicator_columns(rows[header_at])
    records = []
    for row in rows[header_at + 1:]:
        territory = _bracketed(row[0])
        if territory is None or not re.fullmatch(r"\d{6}", territory[0]):
            continue
        for position, variable in variables.items():
            records.append((territory[0], variable, _value(row[position], territory[0])))
    if not records:
        raise FormatoNonRiconosciuto(
            "L'esportazione ASIA del data browser non contiene righe di comuni (codici di 6 cifre tra "
            "parentesi quadre): esportare la tabella a livello di comune."
        )
    table = pd.DataFrame(records, columns=["codice", "variabile", "valore"]).astype({"codice": "str", "variabile": "str"})
    table["anno"] = np.int64(filters["anno"])
    table["ateco"] = filters["ateco"]
    table["classe_addetti"] = filters["classe_addetti"]
    _check_unique(table)
    return table[COLUMNS].sort_values(["codice", "variabile"]).reset_index(drop=True)


def _bracketed(cell) -> tuple[str, str] | None:
    if not isinstance(cell, str):
        return None
    found = _BRACKETED.match(cell.strip())
    return (found["code"].strip(), found["label"].strip()) if found else None


def _filters(title_rows: list[tuple]) -> dict:
    """Year, ATECO and size class from the filter lines above the table."""
    found = {}
    for row in title_rows:
        line = _FILTER.match(str(row[0]).strip()) if row and row[0] else None
        if line:
            found[normalise_label(line["label"], as_written=True)] = line["value"].strip()
    year = next((v for k, v in found.items() if k == TIME_LABEL), None)
    ateco = next((v for k, v in found.items() if k.startswith(ATECO_LABEL)), None)
    size = next((v for k, v in found.items() if k.startswith(SIZE_LABEL)), None)
    if year is None or not re.fullmatch(r"\d{4}", year) or ateco is None or size is None:
        raise FormatoNonRiconosciuto(
            "Nelle righe sopra la tabella mancano i filtri attesi dell'esportazione ASIA del data browser "
            f"(«Time», «Economic activity», «Size classes»; trovati: {', '.join(found) or 'nessuno'}). "
            "Esportare la tabella in inglese, con anno, attività economica e classe di addetti fissati."
        )
    return {"anno": int(year), "ateco": _filter_code(ateco), "classe_addetti": _filter_code(size)}


def _filter_code(value: str) -> str:
    bracketed = _bracketed(value)
    return bracketed[0] if bracketed else value


def _indicator_columns(header: tuple) -> dict[int, str]:
    """Column position -> variable id, for the indicators the ASIA reader knows."""
    known = {code: spec["variabile"] for code, spec in flow_facts(ASIA_FLOW)["data_types"].items()}
    columns = {}
    for position, cell in enumerate(header):
        bracketed = _bracketed(cell)
        if bracketed and bracketed[0] in known:
            columns[position] = known[bracketed[0]]
    if not columns:
        raise FormatoNonRiconosciuto(
            f"Nella riga «Indicator» non c'è alcun indicatore ASIA noto ({', '.join(known)}): "
            f"trovati {[c for c in header if c]}."
        )
    return columns


def _value(cell, code: str) -> float:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return np.nan
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return float(cell)
    raise FormatoNonRiconosciuto(f"Valore non numerico per il comune {code} nell'esportazione ASIA: {cell!r}.")


def _check_unique(table: pd.DataFrame) -> None:
    repeated = table.loc[table.duplicated(["codice", "variabile"]), "codice"]
    if len(repeated):
        raise FormatoNonRiconosciuto(f"Il comune {repeated.iloc[0]} compare più volte nell'esportazione ASIA.")
