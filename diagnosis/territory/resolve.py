"""Turn the TERRITORIO argument of every command into a :class:`Territorio`.

Accepted: ``italia``; ``provincia:XX`` (sigla, code or name); ``regione:NN`` (code or
name); a district id from ``data/distretti/*.yaml``; a comune code, cadastral code or name.
An empty or ambiguous province or region is an error listing the candidates, never a guess.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from diagnosis.errors import TerritorioAmbiguo, TerritorioSconosciuto
from diagnosis.notices import announce
from diagnosis.territory import registry
from diagnosis.territory.districts import find_district
from diagnosis.territory.lookup import find_comune
from diagnosis.territory.model import (
    ITALIA_ID,
    Territorio,
    comune_territory,
    italy_territory,
    province_territory,
    region_territory,
)
from diagnosis.territory.names import name_variants
from diagnosis.text import normalise_label


@dataclass(frozen=True)
class Level:
    """How ``provincia:`` or ``regione:`` is written: which columns hold code, sigla and name."""

    prefix: str
    registry_table: str  # the function of ``registry`` that lists them
    code: str
    name: str
    sigla: str | None
    code_width: int
    example: str

    def table(self) -> pd.DataFrame:
        return getattr(registry, self.registry_table)()

    def label(self, row) -> str:
        if self.sigla:
            return f"{row[self.name]} ({row[self.sigla]}, codice {row[self.code]})"
        return f"{row[self.code]} {row[self.name]}"


PROVINCE = Level("provincia", "provinces", "provincia_codice", "provincia_nome", "provincia_sigla", 3,
                 "provincia:MO, provincia:036 o provincia:Modena")
REGION = Level("regione", "regions", "regione_codice", "regione_nome", None, 2, "regione:08 o regione:Emilia-Romagna")


def _code_of(level: Level, value: str) -> str:
    """The code ``value`` names at ``level``: exactly one match, else an error with the candidates.

    Accepted: the code (``08``, ``8``, ``036``), the province sigla (``MO``), the name in any
    case and accents, either half of a bilingual name (``Bolzano``), or the start of a name
    when only one name starts so (``Lomb``). Nothing is guessed: an empty value and a start
    shared by several names (``regione:Ca``: Calabria, Campania) are refused with the list.
    """
    key = value.strip()
    if not key:
        raise TerritorioSconosciuto(
            f"{level.prefix}: senza nulla dopo i due punti: indicare quale, es. {level.example}. "
            f"Valori validi: {_all_of(level, level.table())}"
        )
    matches = _exact(level, key)
    if matches.empty:
        matches = _starting_with(level, level.table(), key)
        if len(matches) == 1:
            announce(f"{level.prefix}:{key} interpretato come {level.label(matches.iloc[0])}.")
    if len(matches) > 1:
        candidates = [level.label(row) for _, row in matches.iterrows()]
        raise TerritorioAmbiguo(
            f"{level.prefix}:{key} può indicare {len(candidates)} {_plural(level)}: {', '.join(candidates)}. "
            f"Scrivere il nome intero o il codice, es. {level.prefix}:{matches.iloc[0][level.code]}.",
            candidates,
        )
    if matches.empty:
        raise TerritorioSconosciuto(
            f"{level.prefix}:{key} non corrisponde a nessuna {level.prefix}. Usare il codice"
            f"{', la sigla' if level.sigla else ''} o il nome, es. {level.example}. "
            f"Valori validi: {_all_of(level, level.table())}"
        )
    return matches.iloc[0][level.code]


# The registry is read once per process, so what a key names exactly is kept: a notebook
# names its benchmark (``provincia:MO``) in cell after cell, and a scan costs milliseconds.
@functools.lru_cache(maxsize=512)
def _exact(level: Level, key: str) -> pd.DataFrame:
    table = level.table()
    if key.isdigit():
        return table[table[level.code] == key.zfill(level.code_width)]
    if level.sigla and len(key) == 2:
        by_sigla = table[table[level.sigla].str.upper() == key.upper()]
        if not by_sigla.empty:
            return by_sigla
    wanted = normalise_label(key)
    return table[table[level.name].map(lambda name: wanted in name_variants(name))]


def _starting_with(level: Level, table: pd.DataFrame, key: str) -> pd.DataFrame:
    wanted = normalise_label(key)
    if not wanted or key.isdigit():
        return table.iloc[0:0]
    return table[table[level.name].map(lambda name: any(v.startswith(wanted) for v in name_variants(name)))]


def _plural(level: Level) -> str:
    return "province" if level.prefix == "provincia" else "regioni"


def _all_of(level: Level, table: pd.DataFrame) -> str:
    if level.sigla:
        return ", ".join(table[level.sigla])
    return ", ".join(f"{row[level.code]} {row[level.name]}" for _, row in table.iterrows())


def resolve_territory(argument) -> Territorio:
    """The territory named by ``argument``; unknown names raise with a suggestion."""
    text = str(argument).strip()
    if not text:
        raise TerritorioSconosciuto("Territorio vuoto: indicare un comune, un distretto, provincia:XX, regione:NN o italia.")
    lowered = text.lower()
    if lowered == ITALIA_ID:
        return italy_territory()
    if lowered.startswith("provincia:"):
        return province_territory(_code_of(PROVINCE, text.split(":", 1)[1]))
    if lowered.startswith("regione:"):
        return region_territory(_code_of(REGION, text.split(":", 1)[1]))
    district = find_district(text)
    if district is not None:
        return district
    return comune_territory(find_comune(text).codice)
