"""District definitions: ``data/distretti/*.yaml``, validated with clear errors.

A file holds one district::

    id: citta-distretto-sassuolo
    nome: Città-Distretto di Sassuolo
    tipo: DID            # optional: DUC (one comune or part of it) or DID (several)
    comuni:              # ISTAT codes or names; "Nome (XX)" disambiguates homonyms
      - Sassuolo
      - "035012"
    nota: optional free text
    perimetro: piastra.geojson   # optional: the part of the comuni it covers (see perimeter.py)

Scalars are read as text so that ``035012`` is never taken for an (octal) number.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from diagnosis import config
from diagnosis.errors import DistrettoNonValido, PerimetroNonValido, TerritorioSconosciuto
from diagnosis.territory.lookup import find_comune
from diagnosis.territory.model import Territorio
from diagnosis.territory.perimeter import Perimetro, load_perimeter

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
KNOWN_TYPES = ("DUC", "DID")


def _fail(path: Path, problem: str) -> DistrettoNonValido:
    return DistrettoNonValido(f"File di distretto {path}: {problem}")


def _read_yaml(path: Path) -> dict:
    try:
        content = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _fail(path, f"non è un YAML leggibile ({exc}). Controllare rientri e due punti.") from exc
    if not isinstance(content, dict):
        raise _fail(path, "deve contenere le chiavi id, nome, comuni (e facoltative tipo, nota).")
    return content


def _resolve_members(path: Path, entries) -> tuple[str, ...]:
    if not isinstance(entries, list) or not entries:
        raise _fail(path, "la lista 'comuni' è vuota o assente: elencare almeno un comune (codice ISTAT o nome).")
    codes: list[str] = []
    for entry in entries:
        if not isinstance(entry, str) or not entry.strip():
            raise _fail(path, f"voce di 'comuni' non valida: {entry!r}. Usare un codice ISTAT o un nome.")
        try:
            code = find_comune(entry).codice
        except TerritorioSconosciuto as exc:
            raise _fail(path, f"comune {entry!r} non riconosciuto — {exc}") from exc
        if code in codes:
            raise _fail(path, f"il comune {entry!r} ({code}) compare più di una volta: toglierne i doppioni.")
        codes.append(code)
    return tuple(codes)


def load_district(path: Path) -> Territorio:
    """Read and validate one district file."""
    content = _read_yaml(path)
    missing = [key for key in ("id", "nome", "comuni") if key not in content]
    if missing:
        raise _fail(path, f"mancano le chiavi {', '.join(missing)}.")
    district_id = str(content["id"]).strip()
    if not _ID.match(district_id):
        raise _fail(path, f"id {district_id!r} non valido: solo lettere minuscole, cifre e trattini (es. duc-pioltello).")
    kind = content.get("tipo")
    if kind is not None and kind not in KNOWN_TYPES:
        raise _fail(path, f"tipo {kind!r} non valido: usare {' o '.join(KNOWN_TYPES)}.")
    unknown = set(content) - {"id", "nome", "comuni", "tipo", "nota", "perimetro"}
    if unknown:
        raise _fail(path, f"chiavi sconosciute {', '.join(sorted(unknown))}: "
                          "ammesse id, nome, tipo, comuni, nota, perimetro.")
    comuni = _resolve_members(path, content["comuni"])
    return Territorio(
        id=district_id,
        nome=str(content["nome"]).strip(),
        livello="distretto",
        comuni=comuni,
        tipo=kind,
        nota=content.get("nota"),
        sorgente=str(path),
        perimetro=_perimeter(path, content.get("perimetro"), comuni),
    )


def _perimeter(path: Path, value, comuni: tuple[str, ...]) -> Perimetro | None:
    """The district's own perimeter, its errors prefixed with the district file like the others."""
    if value is None:
        return None
    try:
        return load_perimeter(value, path, comuni)
    except PerimetroNonValido as exc:
        raise type(exc)(f"File di distretto {path}: {exc}") from exc


def district_files() -> list[Path]:
    return [path for folder in config.districts_dirs() for path in sorted(folder.glob("*.yaml"))]


def _declared_id(path: Path) -> str | None:
    """The id a file declares, read without validating the rest (never raises); read again
    only when the file changed, since every territory named on the command line or in a
    notebook is looked up among the districts first."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _declared_id_of(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _declared_id_of(path: str, _mtime_ns: int, _size: int) -> str | None:
    try:
        content = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    return str(content.get("id", "")).strip() if isinstance(content, dict) else None


def find_district(district_id: str) -> Territorio | None:
    """The district with this id, validated; ``None`` when no file declares it.

    Only the matching file is validated, so one malformed district does not stop
    commands about other territories. A file named after the id that cannot be read
    raises, because that is most likely the one the user meant.
    """
    for path in district_files():
        declared = _declared_id(path)
        if declared == district_id or (declared is None and path.stem == district_id):
            return load_district(path)
    return None


def all_districts() -> dict[str, Territorio]:
    """Every district known, by id; raises on the first malformed file or repeated id."""
    districts: dict[str, Territorio] = {}
    for path in district_files():
        district = load_district(path)
        if district.id in districts:
            raise _fail(path, f"l'id {district.id!r} è già usato in {districts[district.id].sorgente}: "
                              "ogni distretto ha un id proprio.")
        districts[district.id] = district
    return districts
