"""Mappings from a survey tool's export to the standard layout, read from YAML.

A mapping says how to recognise an export from its header, which header holds each
standard column, and how the tool writes values (``"Molto soddisfatto"`` → 5). The
built-in ones are in ``mappings/``. A user file names in ``estende`` the built-in mapping
it extends, or else extends the one of the tool its header shows: its header labels are
tried first and its values win, so it only needs to say what differs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from diagnosis.errors import QuestionarioNonValido
from diagnosis.sources.survey.layout import COMMENTS, Layout, standard_layout
from diagnosis.text import normalise_label

MAPPINGS_DIR = Path(__file__).with_name("mappings")
TOOLS = ("limesurvey", "google_forms", "microsoft_forms")
STANDARD = "standard"
CUSTOM = "personalizzato"
LIKERT_KEY = "likert"
TOOL_NAMES = {STANDARD: "tracciato standard", "limesurvey": "LimeSurvey", "google_forms": "Google Moduli",
              "microsoft_forms": "Microsoft Forms", CUSTOM: "mappatura personalizzata"}


@dataclass(frozen=True)
class Mapping:
    tool: str
    name: str
    signatures: tuple[tuple[str, ...], ...] = ()
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, dict[str, object]] = field(default_factory=dict)
    missing: frozenset[str] = frozenset()
    extends: str | None = None

    def matches(self, header: list[str]) -> bool:
        keys = [header_key(cell) for cell in header]
        return any(keys[: len(signature)] == list(signature) for signature in self.signatures)

    def locate(self, header: list[str]) -> dict[str, int]:
        """Standard column → position in ``header``; the first label that matches wins."""
        keys = [header_key(cell) for cell in header]
        found = {}
        for column, labels in self.columns.items():
            position = next((i for label in labels for i, key in enumerate(keys) if label_matches(label, key)), None)
            if position is not None:
                found[column] = position
        return found


def header_key(cell) -> str:
    """A header cell as compared with mapping labels: normalised, BOM and trailing colon dropped."""
    return normalise_label(cell, as_written=True).lstrip("\ufeff").rstrip(": ")


def label_matches(label: str, key: str) -> bool:
    """``[Sicurezza]`` matches any header ending so: grid rows are exported as "Domanda [Riga]"."""
    if label.startswith("[") and label.endswith("]"):
        return key == label or key.endswith(label)
    return key == label


def standard_mapping(layout: Layout | None = None) -> Mapping:
    layout = layout or standard_layout()
    return Mapping(tool=STANDARD, name=TOOL_NAMES[STANDARD], columns={name: (name,) for name in layout.names})


@functools.cache
def builtin_mapping(tool: str) -> Mapping:
    path = MAPPINGS_DIR / f"{tool}.yaml"
    return mapping_from_data(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


def load_mapping(path: str | Path) -> Mapping:
    """A user mapping file, to be put in front of a built-in one with ``merged``."""
    path = Path(path)
    if not path.is_file():
        raise QuestionarioNonValido(
            f"La mappatura {str(path)!r} non esiste: indicare il percorso di un file YAML "
            "(vedere templates/questionario_LEGGIMI.md per un esempio)."
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise QuestionarioNonValido(
            f"La mappatura {path.name!r} non è un file YAML leggibile ({error}). Controllare "
            "rientri e virgolette, oppure partire da uno dei file in diagnosis/survey/mappings."
        ) from error
    if not isinstance(data, dict):
        raise QuestionarioNonValido(
            f"La mappatura {path.name!r} è vuota o non ha le sezioni «colonne» e «valori»: "
            "vedere templates/questionario_LEGGIMI.md."
        )
    base = data.get("estende")
    if base is not None and base not in TOOLS + (STANDARD,):
        raise QuestionarioNonValido(
            f"La mappatura {path.name!r} estende {base!r}, che non è uno strumento noto: "
            f"usare uno fra {', '.join(TOOLS + (STANDARD,))}."
        )
    return mapping_from_data(data, path.name)


def merged(base: Mapping, own: Mapping) -> Mapping:
    """``own`` in front of ``base``: its header labels are tried first, its values win."""
    columns = {name: own.columns.get(name, ()) + base.columns.get(name, ())
               for name in {**base.columns, **own.columns}}
    values = {key: {**base.values.get(key, {}), **own.values.get(key, {})} for key in {**base.values, **own.values}}
    custom = own.tool == CUSTOM
    return Mapping(
        tool=base.tool if custom else own.tool,
        name=f"{base.name} ({TOOL_NAMES[CUSTOM]})" if custom else own.name,
        signatures=own.signatures or base.signatures,
        columns=columns,
        values=values,
        missing=base.missing | own.missing,
        extends=base.tool,
    )


def mapping_from_data(data: dict, origin: str) -> Mapping:
    layout = standard_layout()
    tool = str(data.get("strumento", CUSTOM))
    return Mapping(
        tool=tool,
        name=str(data.get("nome", TOOL_NAMES.get(tool, tool))),
        signatures=tuple(tuple(header_key(c) for c in s) for s in data.get("riconoscimento") or ()),
        columns=_columns(data.get("colonne") or {}, layout, origin),
        values=_values(data.get("valori") or {}, layout, origin),
        missing=frozenset(normalise_label(v, as_written=True) for v in data.get("mancanti") or ()),
        extends=data.get("estende"),
    )


def _columns(spec: dict, layout: Layout, origin: str) -> dict[str, tuple[str, ...]]:
    unknown = [name for name in spec if name not in layout.columns]
    if unknown:
        raise QuestionarioNonValido(
            f"La mappatura {origin!r} nomina colonne che il tracciato standard non ha: "
            f"{', '.join(map(str, unknown))}. Le colonne standard sono: {', '.join(layout.names)}."
        )
    return {name: tuple(header_key(label) for label in _as_list(labels)) for name, labels in spec.items()}


def _as_list(labels) -> list:
    return labels if isinstance(labels, list) else [labels]


def _values(spec: dict, layout: Layout, origin: str) -> dict[str, dict[str, object]]:
    result = {}
    for key, table in spec.items():
        if key == LIKERT_KEY:
            result[key] = {normalise_label(label, as_written=True): _likert_target(value, layout, origin)
                           for label, value in table.items()}
        elif key in layout.columns and layout.columns[key].kind == "categoria":
            result[key] = {normalise_label(label, as_written=True): _category_target(key, value, layout, origin)
                           for label, value in table.items()}
        else:
            raise QuestionarioNonValido(
                f"La mappatura {origin!r} ha valori per {key!r}: si possono dare valori solo per "
                f"«likert» e per le colonne a scelta ({', '.join(_category_columns(layout))})."
            )
    return result


def _category_columns(layout: Layout) -> list[str]:
    return [name for name, column in layout.columns.items() if column.kind == "categoria"]


def _likert_target(value, layout: Layout, origin: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and value in layout.likert_scale:
        return value
    raise QuestionarioNonValido(
        f"La mappatura {origin!r} associa una risposta al valore {value!r}: per le domande di "
        f"soddisfazione usare un numero da {layout.likert_min} a {layout.likert_max}, oppure null per «dato mancante»."
    )


def _category_target(column: str, value, layout: Layout, origin: str) -> str | None:
    allowed = layout.columns[column].values
    if value is None or str(value) in allowed:
        return None if value is None else str(value)
    raise QuestionarioNonValido(
        f"La mappatura {origin!r} associa in «{column}» il valore {value!r}, che il tracciato "
        f"standard non prevede: usare uno fra {', '.join(allowed)}, oppure null per «dato mancante»."
    )


def standard_fit(positions: dict[str, int], layout: Layout) -> str:
    """What a located header lacks to be read as a survey, in Italian; empty when nothing."""
    parts = []
    missing = [name for name in layout.required if name not in positions]
    if missing:
        listed = ", ".join(f"«{name}»" for name in missing)
        parts.append(f"la colonna obbligatoria {listed}" if len(missing) == 1 else f"le colonne obbligatorie {listed}")
    answers = layout.likert_items + layout.need_columns + [COMMENTS]
    if not any(name in positions for name in answers):
        parts.append(f"almeno una delle colonne delle domande ({', '.join(answers)})")
    return " e ".join(parts)


def detect_tool(header: list[str]) -> str | None:
    """The tool whose export has this header: a built-in tool, ``"standard"`` or None."""
    for tool in TOOLS:
        if builtin_mapping(tool).matches(header):
            return tool
    layout = standard_layout()
    if not standard_fit(standard_mapping(layout).locate(header), layout):
        return STANDARD
    return None


def mapping_for(tool: str | None) -> Mapping:
    if tool in TOOLS:
        return builtin_mapping(tool)
    return standard_mapping()
