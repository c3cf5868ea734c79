"""Import a survey export (standard layout, LimeSurvey, Google Moduli, Microsoft Forms).

A bad row never stops the import: it is left out and reported with its spreadsheet row
number, the column, the value and the fix, so that whoever collected the answers can
correct the file and import it again. Only a file that is not a survey at all is refused.
Columns the standard layout does not know (e-mail, name, timestamps of the exports) are
dropped here, so nothing downstream can show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from diagnosis.sources.spreadsheets import Problem
from diagnosis.errors import QuestionarioNonValido
from diagnosis.sources.survey.layout import ID, Layout, standard_layout
from diagnosis.sources.survey.mapping import (
    CUSTOM,
    Mapping,
    detect_tool,
    load_mapping,
    mapping_for,
    merged,
    standard_fit,
)
from diagnosis.sources.survey.reader import RawTable, read_table
from diagnosis.sources.survey.values import parse_cell

HEADER_SHOWN = 8
GUIDE = "templates/questionario_LEGGIMI.md"


@dataclass
class SurveyImport:
    """The valid answers in the standard layout (index: spreadsheet row), the rows left out and why."""

    risposte: pd.DataFrame
    problemi: list[Problem]
    strumento: str
    file: str = ""
    nome_strumento: str = ""
    righe_lette: int = 0
    colonne_mancanti: tuple[str, ...] = field(default_factory=tuple)

    @property
    def righe_scartate(self) -> list[int]:
        return sorted({p.riga for p in self.problemi})

    @property
    def fonte(self) -> str:
        """The source line of every table and chart built from this file."""
        return f"questionario «{self.file}» ({self.nome_strumento}), {len(self.risposte)} risposte valide"


def looks_like_survey(header_cells: list[str]) -> str | None:
    """The tool id (``standard``, ``limesurvey``, ``google_forms``, ``microsoft_forms``) or None."""
    return detect_tool([str(cell) for cell in header_cells])


def read_survey(source: str | Path | bytes, mapping: str | Path | None = None) -> SurveyImport:
    """Read an export into the standard layout; ``mapping`` is a user YAML for other layouts."""
    layout = standard_layout()
    table = read_table(source)
    detected = detect_tool(table.header)
    chosen, declared = _chosen_mapping(detected, mapping)
    positions = chosen.locate(table.header)
    _require_columns(table, detected, chosen, positions, layout, user_mapping=mapping is not None)
    records, problems, read = _parse_rows(table, positions, chosen, layout)
    return SurveyImport(
        risposte=_frame(records, layout),
        problemi=problems,
        strumento=detected or declared,
        file=table.name,
        nome_strumento=chosen.name,
        righe_lette=read,
        colonne_mancanti=tuple(name for name in layout.names if name not in positions),
    )


def _chosen_mapping(detected: str | None, user_path) -> tuple[Mapping, str]:
    """The mapping to read with, and the tool the file is declared to come from."""
    if user_path is None:
        chosen = mapping_for(detected)
        return chosen, chosen.tool
    user = load_mapping(user_path)
    declared = user.tool if user.tool != CUSTOM else user.extends or CUSTOM
    return merged(mapping_for(user.extends or detected), user), declared


def _require_columns(table: RawTable, detected: str | None, mapping: Mapping, positions: dict[str, int],
                     layout: Layout, user_mapping: bool) -> None:
    missing = standard_fit(positions, layout)
    if not missing:
        return
    header = ", ".join(f"«{h}»" for h in table.header[:HEADER_SHOWN])
    header += " …" if len(table.header) > HEADER_SHOWN else ""
    if detected is None and not user_mapping:
        raise QuestionarioNonValido(
            f"Il file {table.name!r} non è un questionario riconosciuto: mancano {missing} del tracciato "
            "standard e l'intestazione non è quella di un'esportazione di LimeSurvey, Google Moduli o "
            f"Microsoft Forms. Prima riga del file: {header}. Per correggere: usare il modello "
            "templates/questionario.csv, oppure scrivere una mappatura YAML che associ le intestazioni del "
            "file alle colonne standard e passarla con read_survey(percorso, mapping=\"mappatura.yaml\") "
            f"(istruzioni in {GUIDE})."
        )
    how = "con la mappatura indicata" if user_mapping else f"come un'esportazione di {mapping.name}"
    raise QuestionarioNonValido(
        f"Il file {table.name!r} è letto {how}, ma mancano {missing}: le domande hanno un testo "
        f"diverso da quello previsto. Prima riga del file: {header}. Per correggere: in una mappatura YAML, "
        "sotto «colonne», scrivere per ogni colonna mancante l'intestazione che ha nel file (per esempio "
        "gruppo: [\"Testo della domanda\"]) e passarla con read_survey(percorso, mapping=\"mappatura.yaml\") "
        f"(istruzioni in {GUIDE})."
    )


def _parse_rows(table: RawTable, positions: dict[str, int], mapping: Mapping,
                layout: Layout) -> tuple[list[dict], list[Problem], int]:
    records, problems, seen_ids, read = [], [], {}, 0
    width = len(table.header)
    for number, cells in table.rows:
        read += 1
        shape = _shape_problem(number, cells, width, table) if table.fixed_width else None
        if shape is not None:
            problems.append(shape)
            continue
        record, found = _parse_row(number, cells, positions, mapping, layout, table.header)
        found = found or _duplicate(number, record, seen_ids, positions, table.header)
        if found:
            problems.extend(found)
        else:
            records.append(record)
    return records, problems, read


def _shape_problem(number: int, cells: list[str], width: int, table: RawTable) -> Problem | None:
    """A CSV row with too few fields, or with text beyond the last column: a separator is off."""
    if len(cells) < width:
        return Problem(number, table.header[len(cells)], "",
                        f"la riga ha {len(cells)} campi invece di {width}: manca un separatore o un testo con "
                        "un a capo non è fra virgolette. Correggere la riga nel foglio di calcolo.")
    extra = [c for c in cells[width:] if c.strip()]
    if extra:
        return Problem(number, table.header[-1], extra[0],
                        f"la riga ha {len(cells)} campi invece di {width}: probabilmente un testo contiene il "
                        "separatore senza essere fra virgolette. Correggere la riga nel foglio di calcolo.")
    return None


def _parse_row(number: int, cells: list[str], positions: dict[str, int], mapping: Mapping, layout: Layout,
               header: list[str]) -> tuple[dict, list[Problem]]:
    record, problems = {"riga": number}, []
    for name, column in layout.columns.items():
        if name not in positions:
            record[name] = None
            continue
        raw = cells[positions[name]] if positions[name] < len(cells) else ""
        parsed = parse_cell(column, raw, mapping, layout)
        record[name] = parsed.value
        if not parsed.ok:
            problems.append(Problem(number, header[positions[name]], raw.strip(), parsed.fix))
    if not record.get(ID):
        record[ID] = str(number)
    return record, problems


def _duplicate(number: int, record: dict, seen: dict[str, int], positions: dict[str, int],
               header: list[str]) -> list[Problem]:
    """A second answer with the same id is usually a double submission: the first one is kept."""
    if ID not in positions:
        return []
    identifier = record[ID]
    if identifier in seen:
        return [Problem(number, header[positions[ID]], identifier,
                         f"identificativo già usato alla riga {seen[identifier]}: risposta doppia, esclusa. "
                         "Se sono due persone diverse, dare a una delle due un identificativo nuovo.")]
    seen[identifier] = number
    return []


def _frame(records: list[dict], layout: Layout) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=["riga", *layout.names]).set_index("riga")
    for name in layout.names:
        frame[name] = frame[name].astype("Int64" if name in layout.likert_items else "object")
    return frame
