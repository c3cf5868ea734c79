"""The standard layout of a presences file and the mappings that read provider exports into it.

Both are data: the columns, their types and other names in ``layout.yaml``, one YAML file per
provider layout in ``mappings/``. A mapping says which header labels recognise its export,
which header holds each standard column and, for a wide matrix, which standard column the
remaining headers are values of.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from diagnosis.errors import PresenzeNonValide
from diagnosis.text import normalise_label

LAYOUT_FILE = Path(__file__).with_name("layout.yaml")
MAPPINGS_DIR = Path(__file__).with_name("mappings")
STANDARD = "standard"
GUIDE = "templates/LEGGIMI.md (sezione «Flussi e presenze»)"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool
    breakdown: bool
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    columns: dict[str, Column]
    values: dict[str, dict[str, str]]  # column -> normalised label -> standard value
    suppressed: frozenset[str]  # as written, lower case
    totals: frozenset[str]
    ignored: frozenset[str]

    @property
    def breakdowns(self) -> list[str]:
        return [name for name, column in self.columns.items() if column.breakdown]

    @property
    def required(self) -> list[str]:
        return [name for name, column in self.columns.items() if column.required]


@dataclass(frozen=True)
class Wide:
    """A matrix with one column per value of ``into`` (a destination), its cells read as ``value``."""

    into: str
    value: str


@dataclass(frozen=True)
class Mapping:
    id: str
    name: str
    signature: tuple[str, ...] = ()
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    wide: Wide | None = None

    def matches(self, header: list[str]) -> bool:
        keys = {normalise_label(cell) for cell in header}
        return bool(self.signature) and all(label in keys for label in self.signature)

    def locate(self, header: list[str]) -> dict[str, int]:
        """Standard column -> position in ``header``; the first label that matches wins."""
        keys = [normalise_label(cell) for cell in header]
        found = {}
        for column, labels in self.columns.items():
            position = next((keys.index(label) for label in labels if label in keys), None)
            if position is not None and position not in found.values():
                found[column] = position
        return found


@functools.cache
def standard_layout() -> Layout:
    data = yaml.safe_load(LAYOUT_FILE.read_text(encoding="utf-8"))
    columns = {
        name: Column(name, spec["tipo"], bool(spec.get("richiesta")), bool(spec.get("dettaglio")),
                     tuple(normalise_label(label) for label in [name, *spec.get("sinonimi", [])]))
        for name, spec in data["colonne"].items()
    }
    values = {
        column: {normalise_label(label): value for value, labels in table.items() for label in [value, *labels]}
        for column, table in data["valori"].items()
    }
    # Markers are kept as written: "-" and "*" would vanish into "" once punctuation is dropped.
    return Layout(columns, values, frozenset(normalise_label(v, as_written=True) for v in data["oscurati"]),
                  frozenset(normalise_label(v) for v in data["totali"]),
                  frozenset(normalise_label(v) for v in data["colonne_ignorate"]))


def standard_mapping() -> Mapping:
    layout = standard_layout()
    return Mapping(STANDARD, "tracciato standard (templates/presenze.csv)",
                   columns={name: column.labels for name, column in layout.columns.items()})


@functools.cache
def builtin_mappings() -> tuple[Mapping, ...]:
    return tuple(mapping_from_data(yaml.safe_load(path.read_text(encoding="utf-8")), path.stem)
                 for path in sorted(MAPPINGS_DIR.glob("*.yaml")))


def mapping_from_data(data: dict, origin: str) -> Mapping:
    layout = standard_layout()
    spec = data.get("colonne") or {}
    unknown = [name for name in spec if name not in layout.columns]
    if unknown:
        raise PresenzeNonValide(
            f"La mappatura {origin!r} nomina colonne che il tracciato delle presenze non ha: {', '.join(unknown)}. "
            f"Le colonne sono: {', '.join(layout.columns)} ({GUIDE})."
        )
    wide = data.get("larga")
    return Mapping(
        id=origin, name=str(data.get("nome", origin)),
        signature=tuple(normalise_label(label) for label in data.get("riconoscimento") or ()),
        columns={name: tuple(normalise_label(label) for label in (labels if isinstance(labels, list) else [labels]))
                 for name, labels in spec.items()},
        wide=Wide(wide["colonne_in"], wide["valori_in"]) if wide else None,
    )


def load_mapping(path: str | Path) -> Mapping:
    """A mapping written by the analyst for another export, in the form of those in ``mappings/``."""
    path = Path(path)
    if not path.is_file():
        raise PresenzeNonValide(f"La mappatura {str(path)!r} non esiste: indicare il percorso di un file YAML "
                                f"come quelli in diagnosis/sources/presences/mappings ({GUIDE}).")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise PresenzeNonValide(f"La mappatura {path.name!r} non è un file YAML leggibile ({error}): controllare "
                                "rientri e virgolette.") from error
    if not isinstance(data, dict) or not data.get("colonne"):
        raise PresenzeNonValide(f"La mappatura {path.name!r} non ha la sezione «colonne» ({GUIDE}).")
    return mapping_from_data(data, path.name)


def detect(header: list[str]) -> Mapping | None:
    """The provider mapping whose export has this header, else the standard layout when its
    required columns are there, else None."""
    for mapping in builtin_mappings():
        if mapping.matches(header):
            return mapping
    standard = standard_mapping()
    located = standard.locate(header)
    return standard if all(name in located for name in standard_layout().required) else None
