"""The territory every command works on: a comune, a district, a province, a region or Italy.

A territory is a set of comuni; every value for it is recomputed from the summed
counts of those comuni, never averaged from their ratios.
"""

from __future__ import annotations

import functools

from dataclasses import dataclass, field

from diagnosis.territory import registry
from diagnosis.territory.perimeter import Perimetro

LEVELS = ("comune", "distretto", "provincia", "regione", "italia")
ITALIA_ID = "italia"


@dataclass(frozen=True)
class Territorio:
    id: str
    nome: str
    livello: str
    comuni: tuple[str, ...]
    tipo: str | None = None
    nota: str | None = None
    sorgente: str | None = field(default=None, compare=False)
    # Only a district smaller than its comuni has one; its figures stay the comuni's.
    perimetro: Perimetro | None = None

    @property
    def etichetta(self) -> str:
        """The name a reader sees, with the province for a comune."""
        if self.livello == "comune":
            return f"{self.nome} ({registry.province_abbreviations()[self.comuni[0]]})"
        return self.nome

    def as_json(self) -> dict:
        found = {"id": self.id, "nome": self.nome, "livello": self.livello, "comuni": list(self.comuni)}
        if self.perimetro is not None:
            found["perimetro"] = self.perimetro.as_json()
        return found


def comune_territory(code: str) -> Territorio:
    return Territorio(id=code, nome=registry.names()[code], livello="comune", comuni=(code,))


# Provinces, regions and Italy are fixed by the registry (itself read once per process):
# built once, they are reused by every benchmark and peer computation.
@functools.cache
def province_territory(province_code: str) -> Territorio:
    table = registry.comuni()
    members = table[table["provincia_codice"] == province_code]
    first = members.iloc[0]
    return Territorio(
        id=f"provincia:{first['provincia_sigla']}",
        nome=f"Provincia di {first['provincia_nome']}",
        livello="provincia",
        comuni=tuple(members["codice"]),
    )


@functools.cache
def region_territory(region_code: str) -> Territorio:
    table = registry.comuni()
    members = table[table["regione_codice"] == region_code]
    return Territorio(
        id=f"regione:{region_code}",
        nome=f"Regione {members.iloc[0]['regione_nome']}",
        livello="regione",
        comuni=tuple(members["codice"]),
    )


@functools.cache
def italy_territory() -> Territorio:
    return Territorio(id=ITALIA_ID, nome="Italia", livello="italia", comuni=tuple(registry.comuni()["codice"]))


def parents(territory: Territorio) -> list[Territorio]:
    """Every province and region the territory touches, then Italy — its benchmarks."""
    if territory.livello == "italia":
        return []
    province_of, region_of = registry.province_lookup()[0], registry.region_lookup()
    members = [code for code in territory.comuni if code in province_of]
    found: list[Territorio] = []
    if territory.livello in ("comune", "distretto"):
        found += [province_territory(code) for code in sorted({province_of[c] for c in members})]
    if territory.livello != "regione":
        found += [region_territory(code) for code in sorted({region_of[c] for c in members})]
    return found + [italy_territory()]
