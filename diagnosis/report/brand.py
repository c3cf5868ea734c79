"""The brand a consultant puts on the fotografie they hand over: logo, client, author, cover text, colours.

It is read from a YAML file given with ``--marchio`` (the example is
``diagnosis/templates/marchio.yaml``) and checked whole before any report is built, so a
typo stops the command at once rather than after an hour of batch. The logo is read into a
data URI, so that the HTML stays one self-contained file and a batch worker on another
machine needs nothing but the brand itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from diagnosis.errors import MarchioNonValido

TEXT_FIELDS = {"cliente": 200, "autore": 200, "testo_copertina": 1500}  # field → longest text accepted
COLOUR_FIELDS = ("colore_primario", "colore_secondario")
FIELDS = ("logo", *TEXT_FIELDS, *COLOUR_FIELDS)
LOGO_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}
LOGO_MAX_BYTES = 1024 * 1024  # a logo is a few kilobytes; this keeps every report of a batch light
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXAMPLE = "marchio.yaml, l'esempio nella cartella che stampa «diagnosis lab --percorso-modelli»"


@dataclass(frozen=True)
class Brand:
    """What the report shows of the brand; the texts as written, the colours as ``#rrggbb``."""

    cliente: str = ""
    autore: str = ""
    testo_copertina: str = ""
    colore_primario: str = ""
    colore_secondario: str = ""
    logo: str = ""  # data URI

    def as_template(self) -> dict:
        return asdict(self)

    def digest(self) -> str:
        """Changes whenever anything the reader sees of the brand changes (the logo's bytes included)."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


def load_brand(path: Path) -> Brand:
    """Read and check a brand file; :class:`MarchioNonValido` names the faulty entry and its fix."""
    path = Path(path).expanduser()
    content = _read(path)
    unknown = sorted(set(content) - set(FIELDS))
    if unknown:
        raise _fail(path, f"voci sconosciute: {', '.join(unknown)}. Le voci ammesse sono: {', '.join(FIELDS)}.")
    if not content:
        raise _fail(path, f"è vuoto. Indicare almeno una delle voci {', '.join(FIELDS)}.")
    logo = _logo(path, content["logo"]) if "logo" in content else ""
    texts = {field: _text(path, field, content.get(field), limit) for field, limit in TEXT_FIELDS.items()}
    colours = {field: _colour(path, field, content[field]) for field in COLOUR_FIELDS if field in content}
    return Brand(**texts, **colours, logo=logo)


def _read(path: Path) -> dict:
    if not path.is_file():
        raise MarchioNonValido(
            f"File del marchio non trovato: {path}. Indicare con --marchio un file YAML con le voci "
            f"{', '.join(FIELDS)}, come {EXAMPLE}."
        )
    try:
        # BaseLoader: every value stays text, so "0012" or "no" is not turned into a number or a boolean.
        content = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise _fail(path, f"non è un YAML leggibile ({error}). Controllare rientri e due punti, "
                          f"e salvarlo in UTF-8; un esempio è {EXAMPLE}.") from error
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise _fail(path, f"deve contenere voci «nome: valore», una per riga, come {EXAMPLE}.")
    return content


def _text(path: Path, field: str, value, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(path, f"la voce {field} deve essere un testo, non un elenco o altre voci.")
    text = value.strip()
    if len(text) > limit:
        raise _fail(path, f"la voce {field} è lunga {len(text)} caratteri: al massimo {limit}. Accorciarla.")
    return text


def _colour(path: Path, field: str, value) -> str:
    if not value or not isinstance(value, str):
        raise _fail(path, f"la voce {field} è vuota. Scrivere il colore tra virgolette, ad esempio "
                          f'{field}: "#1f5f8b" (senza virgolette il # inizia un commento).')
    text = value.strip()
    if not _COLOUR.fullmatch(text):
        raise _fail(path, f"il colore {field} «{text}» non è valido. Scrivere un colore esadecimale "
                          f'tra virgolette, come "#1f5f8b" o "#c55".')
    if len(text) == 4:  # #c55 → #cc5555
        text = "#" + "".join(digit * 2 for digit in text[1:])
    return text.lower()


def _logo(path: Path, value) -> str:
    """The logo as a data URI; its path is relative to the brand file's folder unless absolute."""
    if not value or not isinstance(value, str):
        raise _fail(path, "la voce logo è vuota: indicare il percorso di un file PNG o SVG, oppure togliere la voce.")
    logo = Path(value.strip()).expanduser()
    logo = logo if logo.is_absolute() else path.parent / logo
    kind = LOGO_TYPES.get(logo.suffix.lower())
    if kind is None:
        raise _fail(path, f"il logo {logo.name} non è un PNG o un SVG. Salvarlo in uno di questi formati "
                          "(un SVG resta nitido a ogni dimensione di stampa).")
    if not logo.is_file():
        raise _fail(path, f"il logo {logo} non esiste. Il percorso si legge a partire dalla cartella del file "
                          "del marchio, se non è assoluto: correggerlo o copiarvi il logo.")
    data = logo.read_bytes()
    if len(data) > LOGO_MAX_BYTES:
        raise _fail(path, f"il logo {logo.name} pesa {len(data) // 1024} kB: al massimo "
                          f"{LOGO_MAX_BYTES // 1024} kB, perché entra in ogni fotografia. Ridurne le dimensioni.")
    if not _looks_like(kind, data):
        raise _fail(path, f"il file {logo.name} non contiene un'immagine {logo.suffix[1:].upper()}: "
                          "esportarlo di nuovo dal programma di grafica.")
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _looks_like(kind: str, data: bytes) -> bool:
    if kind == "image/png":
        return data.startswith(_PNG_MAGIC)
    head = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff").lower()
    return "<svg" in head


def _fail(path: Path, reason: str) -> MarchioNonValido:
    return MarchioNonValido(f"File del marchio {path}: {reason}")
