"""The standard survey layout: its columns, their kinds and the values each accepts.

The values live in ``layout.yaml`` so that a district can read and amend them without
touching code; this module only turns that file into typed objects.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from diagnosis.text import normalise_label

LAYOUT_FILE = Path(__file__).with_name("layout.yaml")

ID = "id_risposta"
GROUP = "gruppo"
AGE = "fascia_eta"
SEX = "sesso"
FREQUENCY = "frequenza_centro"
COMMENTS = "commenti"
KINDS = ("codice", "categoria", "likert", "testo")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    label: str
    required: bool = False
    values: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, str] = field(default_factory=dict)

    def display(self, value: str) -> str:
        """How a stored value is shown to a reader (``residente`` → ``Residenti``)."""
        return self.value_labels.get(value, value)


@dataclass(frozen=True)
class Layout:
    columns: dict[str, Column]
    likert_min: int
    likert_max: int
    likert_labels: dict[int, str]
    likert_aliases: dict[str, int]
    missing: frozenset[str]

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    @property
    def required(self) -> list[str]:
        return [name for name, column in self.columns.items() if column.required]

    @property
    def likert_items(self) -> list[str]:
        return self._of_kind("likert")

    @property
    def need_columns(self) -> list[str]:
        return [name for name in self._of_kind("testo") if name.startswith("negozio_desiderato")]

    @property
    def likert_scale(self) -> range:
        return range(self.likert_min, self.likert_max + 1)

    def _of_kind(self, kind: str) -> list[str]:
        return [name for name, column in self.columns.items() if column.kind == kind]

    def label(self, name: str) -> str:
        return self.columns[name].label


def _column(name: str, spec: dict) -> Column:
    kind = spec.get("tipo")
    if kind not in KINDS:
        raise ValueError(f"layout.yaml: la colonna {name!r} ha tipo {kind!r}, attesi {', '.join(KINDS)}")
    values = tuple(str(v) for v in spec.get("valori", ()))
    aliases = {normalise_label(v, as_written=True): v for v in values}
    aliases.update({normalise_label(k, as_written=True): str(v) for k, v in (spec.get("alias") or {}).items()})
    return Column(
        name=name,
        kind=kind,
        label=str(spec.get("etichetta", name)),
        required=bool(spec.get("obbligatoria", False)),
        values=values,
        aliases=aliases,
        value_labels={str(k): str(v) for k, v in (spec.get("etichette_valori") or {}).items()},
    )


@functools.cache
def standard_layout() -> Layout:
    data = yaml.safe_load(LAYOUT_FILE.read_text(encoding="utf-8"))
    likert = data["likert"]
    return Layout(
        columns={name: _column(name, spec) for name, spec in data["colonne"].items()},
        likert_min=int(likert["minimo"]),
        likert_max=int(likert["massimo"]),
        likert_labels={int(k): str(v) for k, v in likert["etichette"].items()},
        likert_aliases={normalise_label(k, as_written=True): int(v) for k, v in likert.get("alias", {}).items()},
        missing=frozenset(normalise_label(v, as_written=True) for v in data.get("mancanti", [])),
    )


def band_bounds(band: str) -> tuple[int, int | None]:
    """``"25-34"`` → ``(25, 34)``; ``"75+"`` → ``(75, None)`` (open upper end)."""
    if band.endswith("+"):
        return int(band[:-1]), None
    first, last = band.split("-")
    return int(first), int(last)
