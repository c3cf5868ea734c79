"""Which territories a batch makes: arguments expanded into one territory per report.

``provincia:XX``, ``regione:NN`` and ``tutti`` mean every comune in them (a consultant
wants a fotografia per comune, not one for the province); anything else is a single
territory; ``--distretti FILE`` adds every district of a file or folder.
"""

from __future__ import annotations

from pathlib import Path

from diagnosis.errors import DistrettoNonValido
from diagnosis.territory import resolve_territory
from diagnosis.territory.districts import load_district
from diagnosis.territory.model import Territorio, comune_territory

EXPANDED_LEVELS = ("provincia", "regione", "italia")
ALL = "tutti"


def expand(argument: str) -> list[Territorio]:
    text = argument.strip()
    if text.lower() == ALL:
        text = "italia"
    territory = resolve_territory(text)
    if territory.livello in EXPANDED_LEVELS:
        return [comune_territory(code) for code in sorted(territory.comuni)]
    return [territory]


def districts_from(path: str | Path) -> list[Territorio]:
    path = Path(path)
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files or not all(f.exists() for f in files):
        raise DistrettoNonValido(f"{path}: nessun file di distretto (*.yaml) da leggere. Indicare un file o una cartella.")
    return [load_district(f) for f in files]


def plan(arguments: list[str], districts_file: str | None = None) -> list[Territorio]:
    """Territories in the order given, each once."""
    found: dict[str, Territorio] = {}
    for argument in arguments:
        for territory in expand(argument):
            found.setdefault(territory.id, territory)
    for district in districts_from(districts_file) if districts_file else []:
        found.setdefault(district.id, district)
    return list(found.values())
