"""Turn the TERRITORIO argument of every command into a :class:`Territorio`.

Accepted: ``italia``; ``provincia:XX`` (sigla, code or name); ``regione:NN`` (code or
name); a district id from ``data/distretti/*.yaml``; a comune code, cadastral code or name.
"""

from __future__ import annotations

from diagnosis.errors import TerritorioSconosciuto
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
from diagnosis.territory.names import normalize_name


def _province_code(value: str) -> str:
    table = registry.provinces()
    key = value.strip()
    if key.isdigit():
        matches = table[table["provincia_codice"] == key.zfill(3)]
    else:
        matches = table[
            (table["provincia_sigla"].str.upper() == key.upper())
            | (table["provincia_nome"].map(normalize_name) == normalize_name(key))
        ]
    if matches.empty:
        valid = ", ".join(table["provincia_sigla"])
        raise TerritorioSconosciuto(
            f"Provincia {value!r} sconosciuta. Usare la sigla (es. provincia:MO) o il codice a 3 cifre. Sigle valide: {valid}"
        )
    return matches.iloc[0]["provincia_codice"]


def _region_code(value: str) -> str:
    table = registry.regions()
    key = value.strip()
    if key.isdigit():
        matches = table[table["regione_codice"] == key.zfill(2)]
    else:
        wanted = normalize_name(key)
        matches = table[table["regione_nome"].map(lambda n: normalize_name(n).startswith(wanted))]
    if matches.empty:
        valid = ", ".join(f"{r.regione_codice} {r.regione_nome}" for r in table.itertuples())
        raise TerritorioSconosciuto(f"Regione {value!r} sconosciuta. Usare il codice a 2 cifre (es. regione:08). Regioni: {valid}")
    return matches.iloc[0]["regione_codice"]


def resolve_territory(argument) -> Territorio:
    """The territory named by ``argument``; unknown names raise with a suggestion."""
    text = str(argument).strip()
    if not text:
        raise TerritorioSconosciuto("Territorio vuoto: indicare un comune, un distretto, provincia:XX, regione:NN o italia.")
    lowered = text.lower()
    if lowered == ITALIA_ID:
        return italy_territory()
    if lowered.startswith("provincia:"):
        return province_territory(_province_code(text.split(":", 1)[1]))
    if lowered.startswith("regione:"):
        return region_territory(_region_code(text.split(":", 1)[1]))
    district = find_district(text)
    if district is not None:
        return district
    return comune_territory(find_comune(text).codice)
