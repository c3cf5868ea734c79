"""A presences file read whole into the standard layout, each bad cell a ``Problem``.

The file is the standard layout (``templates/presenze.csv``), a provider export of
``mappings/`` recognised from its header, or any export with a mapping the analyst wrote.
A bad row never stops the import: it is left out and reported with its spreadsheet line,
the column, the value and the fix. Only a file no layout fits is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from diagnosis.errors import PresenzeNonValide
from diagnosis.sources.presences.layout import GUIDE, Layout, Mapping, detect, load_mapping, standard_layout
from diagnosis.sources.presences.values import SUPPRESSED, parse_cell
from diagnosis.sources.spreadsheets import Problem, Refusal, load, read_sheet
from diagnosis.text import normalise_label

DEFAULT_ZONE = "perimetro"
HEADER_SHOWN = 8
REFUSAL = Refusal(
    error=PresenzeNonValide,
    advice="esportare di nuovo i dati dalla piattaforma del fornitore, come CSV o come Excel .xlsx",
    missing="controllare il percorso (il modello da compilare è templates/presenze.csv)",
    rows_limit="MAX_ANALYST_ROWS",
)


@dataclass
class PresenceImport:
    """The valid rows in the standard layout (one count each), the rows left out and why."""

    presenze: pd.DataFrame
    problemi: list[Problem]
    formato: str
    file: str = ""
    righe_lette: int = 0
    valori_oscurati: int = 0
    colonne_ignorate: tuple[str, ...] = field(default_factory=tuple)

    @property
    def righe_scartate(self) -> list[int]:
        return sorted({p.riga for p in self.problemi if p.grave})

    @property
    def fonte(self) -> str:
        first, last = (self.presenze["data"].min(), self.presenze["data"].max()) if len(self.presenze) else (None, None)
        span = f", dal {first:%d/%m/%Y} al {last:%d/%m/%Y}" if first is not None else ""
        return f"presenze «{self.file}» ({self.formato}){span}"


def looks_like_presences(header_cells: list[str]) -> str | None:
    """The name of the layout that reads this header, or None."""
    found = detect([str(cell) for cell in header_cells])
    return None if found is None else found.name


def read_presences(source: str | Path | bytes, name: str | None = None,
                   mapping: str | Path | None = None) -> PresenceImport:
    layout = standard_layout()
    data, name = load(source, name, REFUSAL)
    known = {label for column in layout.columns.values() for label in column.labels}
    sheet = read_sheet(data, name or "presenze", REFUSAL, known)
    header = sheet.header
    chosen = load_mapping(mapping) if mapping is not None else detect(header)
    if chosen is None:
        raise PresenzeNonValide(_unknown_layout(sheet.name, header, layout))
    positions = chosen.locate(header)
    _require(chosen, positions, sheet.name, header, layout)
    rows, problems, suppressed = _parse_rows(sheet.rows, header, positions, chosen, layout)
    return PresenceImport(
        presenze=_frame(rows, layout), problemi=problems, formato=chosen.name, file=sheet.name,
        righe_lette=len(sheet.rows), valori_oscurati=suppressed,
        colonne_ignorate=tuple(cell for i, cell in enumerate(header)
                               if cell and i not in positions.values() and chosen.wide is None
                               and normalise_label(cell) not in layout.ignored),
    )


def _shown(header: list[str]) -> str:
    shown = ", ".join(f"«{h}»" for h in header[:HEADER_SHOWN])
    return shown + (" …" if len(header) > HEADER_SHOWN else "")


def _unknown_layout(name: str, header: list[str], layout: Layout) -> str:
    return (f"Il file {name!r} non è un file di presenze riconosciuto: mancano le colonne "
            f"{' e '.join(f'«{c}»' for c in layout.required)} del tracciato standard e l'intestazione non è quella "
            f"di un'esportazione nota. Prima riga del file: {_shown(header)}. Per correggere: usare il modello "
            "templates/presenze.csv, oppure scrivere una mappatura YAML che associ le intestazioni del file alle "
            f"colonne standard e passarla con dg.presenze(..., mappatura=\"mappatura.yaml\") ({GUIDE}).")


def _require(mapping: Mapping, positions: dict[str, int], name: str, header: list[str], layout: Layout) -> None:
    needed = [c for c in layout.required if c not in positions and not (mapping.wide and c == mapping.wide.value)]
    if needed:
        raise PresenzeNonValide(
            f"Il file {name!r} è letto come {mapping.name}, ma mancano le colonne {', '.join(needed)}. Prima riga "
            f"del file: {_shown(header)}. Per correggere: rinominare le intestazioni come nel modello "
            f"templates/presenze.csv, oppure indicarle in una mappatura YAML ({GUIDE}).")


def _parse_rows(rows, header, positions, mapping: Mapping, layout: Layout):
    records, problems, seen, suppressed = [], [], {}, 0
    value_columns = _wide_columns(header, positions, layout) if mapping.wide else None
    for number, cells in rows:
        record, found = _parse_fixed(number, cells, header, positions, layout)
        if found:
            problems.extend(found)
            continue
        counts = ([(record, positions["presenze"])] if value_columns is None
                  else [({**record, mapping.wide.into: header[i]}, i) for i in value_columns])
        for row, position in counts:
            raw = cells[position] if position < len(cells) else ""
            parsed = parse_cell(layout.columns[mapping.wide.value if mapping.wide else "presenze"], raw, layout)
            if not parsed.ok:
                problems.append(Problem(number, "presenze", raw, parsed.fix, intestazione=header[position]))
                continue
            row["oscurato"] = parsed.value == SUPPRESSED
            row["presenze"] = np.nan if row["oscurato"] else parsed.value
            suppressed += row["oscurato"]
            twin = _duplicate(number, row, seen, layout)
            if twin:
                problems.append(twin)
            else:
                records.append(row)
    return records, problems, suppressed


def _wide_columns(header: list[str], positions: dict[str, int], layout: Layout) -> list[int]:
    return [i for i, cell in enumerate(header)
            if cell and i not in positions.values() and normalise_label(cell) not in layout.ignored]


def _parse_fixed(number: int, cells: list[str], header: list[str], positions: dict[str, int],
                 layout: Layout) -> tuple[dict, list[Problem]]:
    """Every located column but the count: the day, hour, zone and breakdowns of the row."""
    record, problems = {"riga": number}, []
    for name, column in layout.columns.items():
        if name == "presenze" or name not in positions:
            record.setdefault(name, None)
            continue
        raw = cells[positions[name]] if positions[name] < len(cells) else ""
        parsed = parse_cell(column, raw, layout)
        if not parsed.ok:
            problems.append(Problem(number, name, raw.strip(), parsed.fix, intestazione=header[positions[name]]))
            continue
        record[name] = parsed.value
        if name == "data" and parsed.hour is not None and record.get("ora") is None:
            record["ora"] = parsed.hour
    record["zona"] = record["zona"] or DEFAULT_ZONE
    return record, problems


def _duplicate(number: int, record: dict, seen: dict, layout: Layout) -> Problem | None:
    """The same day, hour, zone and breakdown twice would be counted twice: the first row is kept."""
    key = tuple(record[c] for c in ("data", "ora", "zona", "zona_origine", *layout.breakdowns))
    if key in seen:
        return Problem(number, "", "", f"riga doppia della riga {seen[key]} (stesso giorno, ora, zona e dettaglio): "
                                       "esclusa per non contare due volte le stesse presenze. Togliere una delle due.")
    seen[key] = number
    return None


def _frame(records: list[dict], layout: Layout) -> pd.DataFrame:
    columns = ["riga", *layout.columns, "oscurato"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["data"] = pd.to_datetime(frame["data"])
    frame["ora"] = frame["ora"].astype("Int64")
    frame["presenze"] = frame["presenze"].astype(float)
    frame["oscurato"] = frame["oscurato"].astype(bool)
    return frame.set_index("riga")
