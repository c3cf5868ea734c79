"""One cell of an export turned into a standard value, or into the Italian fix for it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from diagnosis.sources.spreadsheets import BadCell, parse_number
from diagnosis.sources.survey.layout import Column, Layout
from diagnosis.sources.survey.mapping import LIKERT_KEY, Mapping
from diagnosis.text import normalise_label

_UNMAPPED = object()
# "4 - Soddisfatto": a labelled scale; a bare "4", "4.0" or "4,0" is read as a number
_LABELLED = re.compile(r"^(\d+)\s*[-–—.):]\s*\S")


@dataclass(frozen=True)
class Parsed:
    value: object = None
    fix: str | None = None  # set when the cell is wrong: what to write instead

    @property
    def ok(self) -> bool:
        return self.fix is None


def parse_cell(column: Column, raw: str, mapping: Mapping, layout: Layout) -> Parsed:
    key = normalise_label(raw, as_written=True)
    if key in layout.missing or key in mapping.missing:
        return _missing(column)
    if column.kind in ("codice", "testo"):
        return Parsed(raw.strip())
    if column.kind == "categoria":
        return _category(column, key, mapping)
    return _likert(column, key, mapping, layout)


def _missing(column: Column) -> Parsed:
    if not column.required:
        return Parsed(None)
    listed = ", ".join(column.values)
    return Parsed(None, f"«{column.label}» è obbligatorio e qui manca: indicare uno fra {listed}.")


def _category(column: Column, key: str, mapping: Mapping) -> Parsed:
    value = mapping.values.get(column.name, {}).get(key, _UNMAPPED)
    if value is _UNMAPPED:
        value = column.aliases.get(key, _UNMAPPED)
    if value is _UNMAPPED:
        return Parsed(None, f"Valore non previsto per «{column.label}»: ammessi {', '.join(column.values)}. "
                            "Correggere la cella, oppure aggiungere la corrispondenza sotto «valori» "
                            "in una mappatura YAML.")
    if value is None:
        return _missing(column)
    return Parsed(value)


def _likert(column: Column, key: str, mapping: Mapping, layout: Layout) -> Parsed:
    value = mapping.values.get(LIKERT_KEY, {}).get(key, _UNMAPPED)
    if value is _UNMAPPED:
        value = layout.likert_aliases.get(key, _UNMAPPED)
    if value is _UNMAPPED:
        value = _scale_number(key)
    if value is None:
        return Parsed(None)
    if isinstance(value, int) and value in layout.likert_scale:
        return Parsed(value)
    lowest, highest = layout.likert_min, layout.likert_max
    return Parsed(None, f"Voto non valido per «{column.label}»: ammessi i numeri da {lowest} "
                        f"({layout.likert_labels[lowest].lower()}) a {highest} "
                        f"({layout.likert_labels[highest].lower()}); lasciare la cella vuota se la risposta manca.")


def _scale_number(key: str):
    """The number of a number cell (spreadsheets turn 4 into "4,0") or of a labelled answer.

    The number is read first, so that "4.5" is the 4,5 it says, not "4" labelled "5".
    """
    try:
        number = parse_number(key)
    except BadCell:
        labelled = _LABELLED.match(key)
        return int(labelled.group(1)) if labelled else _UNMAPPED
    return int(number) if number.is_integer() else number
