"""Find a comune from what a user types: a code, a cadastral code or a name.

Input is forgiven and the conversion announced: ``15175`` → ``015175``,
``"pioltello"`` → Pioltello (MI). An ambiguous name raises with the candidates, a
misspelt one with the nearest names.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

import pandas as pd

from diagnosis.errors import TerritorioAmbiguo, TerritorioSconosciuto
from diagnosis.notices import announce
from diagnosis.territory import registry
from diagnosis.territory.history import successor
from diagnosis.territory.names import name_variants
from diagnosis.text import normalise_label

_NUMERIC = re.compile(r"^\d{1,6}$")
_CADASTRAL = re.compile(r"^[A-Za-z]\d{3}$")
_WITH_PROVINCE = re.compile(r"^(?P<name>.+?)\s*\((?P<sigla>[A-Za-z]{2})\)$")


@dataclass(frozen=True)
class Comune:
    codice: str
    nome: str
    provincia_sigla: str
    provincia_codice: str
    regione_codice: str

    @property
    def label(self) -> str:
        return f"{self.nome} ({self.provincia_sigla})"


def _as_comune(row) -> Comune:
    return Comune(row.codice, row.nome, row.provincia_sigla, row.provincia_codice, row.regione_codice)


@functools.cache
def _name_index() -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, name in enumerate(registry.comuni()["nome"]):
        for variant in name_variants(name):
            index.setdefault(variant, []).append(position)
    return index


def _row(position: int) -> Comune:
    return _as_comune(registry.comuni().iloc[position])


def by_code(code) -> Comune:
    """A comune from its ISTAT code, padding a short numeric code (with a notice)."""
    text = str(code).strip()
    padded = text.zfill(6)
    found = _by_code().get(padded)
    if found is None:
        replaced = _successor_of(padded)
        if replaced is not None:
            return replaced
        raise TerritorioSconosciuto(
            f"Nessun comune ha il codice ISTAT {padded!r}, né oggi né fra i comuni soppressi o ricodificati. "
            "I codici ISTAT dei comuni hanno 6 cifre (es. 015175 per Pioltello); per cercare per nome: "
            "diagnosis territori cerca NOME. Per i cambi di codice più recenti dei dati incorporati: "
            "diagnosis dati scarica --fonte comuni_soppressi"
        )
    if padded != text:
        announce(f"Codice {text} interpretato come codice ISTAT {padded}.")
    return found


# Every call of the API resolves its territory again (a report makes dozens): by code, a lookup.
@functools.cache
def _by_code() -> dict[str, Comune]:
    return {row.codice: _as_comune(row) for row in registry.comuni().itertuples(index=False)}


def _successor_of(old_code: str) -> Comune | None:
    """Today's comune for an abolished or re-coded code, announced with the date and reason."""
    row = successor(old_code)
    if row is None:
        return None
    found = by_code(row["codice_nuovo"])
    when = row["data"].strftime("%d/%m/%Y") if hasattr(row["data"], "strftime") else row["data"]
    reason = "ricodifica" if str(row["motivo"]).startswith("ricodifica") else str(row["motivo"])
    announce(f"Il codice {old_code} non è più in uso dal {when} ({reason}: {row['catena']}): si usa {found.label}, "
             f"codice {found.codice}.")
    return found


def by_cadastral_code(code: str) -> Comune:
    table = registry.comuni()
    match = table.index[table["codice_catastale"].str.upper() == code.strip().upper()]
    if len(match) == 0:
        raise TerritorioSconosciuto(
            f"Nessun comune ha il codice catastale {code.upper()!r}. "
            f"Per cercare per nome: diagnosis territori cerca NOME"
        )
    found = _as_comune(table.loc[match[0]])
    announce(f"Codice catastale {code.upper()} interpretato come {found.label}, codice ISTAT {found.codice}.")
    return found


def search(query: str, limit: int = 10) -> list[Comune]:
    """Comuni whose name matches ``query``: exact, then containing it, then close spellings."""
    key = normalise_label(query)
    if not key:
        return []
    index = _name_index()
    exact = index.get(key, [])
    if exact:
        return [_row(p) for p in exact]
    containing = sorted({p for name, ps in index.items() if key in name for p in ps})
    if containing:
        return [_row(p) for p in containing[:limit]]
    close = difflib.get_close_matches(key, list(index), n=limit, cutoff=0.75)
    return [_row(p) for name in close for p in index[name]][:limit]


def by_name(name: str) -> Comune:
    """The one comune with this name; ambiguous or unknown names raise with candidates."""
    index = _name_index()
    with_province = _WITH_PROVINCE.match(name.strip())
    if with_province:
        exact = [
            p for p in index.get(normalise_label(with_province["name"]), [])
            if _row(p).provincia_sigla == with_province["sigla"].upper()
        ]
    else:
        exact = index.get(normalise_label(name), [])
    if len(exact) == 1:
        found = _row(exact[0])
        if found.nome != name and found.label != name:
            announce(f"{name!r} interpretato come {found.label}, codice ISTAT {found.codice}.")
        return found
    if len(exact) > 1:
        candidates = [_row(p) for p in exact]
        listed = ", ".join(f"{c.label} {c.codice}" for c in candidates)
        raise TerritorioAmbiguo(
            f"Il nome {name!r} indica più comuni: {listed}. Indicare il codice ISTAT.", candidates
        )
    close = difflib.get_close_matches(normalise_label(name), list(index), n=5, cutoff=0.75)
    suggestions = [_row(p) for key in close for p in index[key]]
    hint = (
        " Forse cercavi: " + ", ".join(f"{c.label} {c.codice}" for c in suggestions) + "?"
        if suggestions else " Per cercare: diagnosis territori cerca NOME"
    )
    raise TerritorioSconosciuto(f"Nessun comune si chiama {name!r}.{hint}")


def find_comune(query) -> Comune:
    """A comune from a code (``15175``, ``"015175"``), a cadastral code (``G686``) or a name."""
    text = str(query).strip()
    if _NUMERIC.match(text):
        return by_code(text)
    if _CADASTRAL.match(text):
        return by_cadastral_code(text)
    return by_name(text)


def comuni_table(codes) -> pd.DataFrame:
    table = registry.comuni()
    return table[table["codice"].isin(list(codes))].reset_index(drop=True)
