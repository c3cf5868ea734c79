"""Whether a row of an analyst's file belongs to the territory it was imported for.

A shop register or a vacancy survey is imported for one territory (``dati aggiungi
--territorio``), and its figures are that territory's. A row of another comune (a file
shared between two districts, a copy-paste from the neighbour's register) would be
counted where it does not belong, so it is reported and left out.

A row's comune is written as the analyst writes it: the name in any case and accents,
a bilingual name or one of its halves, ``Sassuolo (MO)``, the ISTAT code with or without
its leading zeros.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from diagnosis.territory.lookup import comuni_table
from diagnosis.territory.names import name_variants
from diagnosis.text import normalise_label

_WITH_PROVINCE = re.compile(r"^(?P<name>.+?)\s*\((?P<sigla>[A-Za-z]{2})\)$")
NAMES_SHOWN = 4


@dataclass(frozen=True)
class TerritoryComuni:
    """The comuni of a territory as rows may name them."""

    codes: frozenset[str]
    by_name: dict[str, frozenset[str]]  # normalised name (or half of a bilingual one) -> codes
    provinces: dict[str, str]  # code -> province sigla
    label: str  # "Sassuolo" or "Sassuolo, Fiorano Modenese, … (6 comuni)", for messages

    def holds(self, written: str) -> bool:
        """True when ``written`` (a code or a name, as in the row) is one of the territory's comuni."""
        text = written.strip()
        if text.isdigit():
            return text.zfill(6) in self.codes
        with_province = _WITH_PROVINCE.match(text)
        if with_province:
            codes = self.by_name.get(normalise_label(with_province["name"]), frozenset())
            return any(self.provinces[code] == with_province["sigla"].upper() for code in codes)
        return normalise_label(text) in self.by_name


def territory_comuni(codes: Iterable[str]) -> TerritoryComuni:
    """The comuni of ``codes`` (a territory's), with their names from the registry."""
    table = comuni_table(sorted(set(codes)))
    by_name: dict[str, set[str]] = {}
    for code, name in zip(table["codice"], table["nome"]):
        for variant in name_variants(name):
            by_name.setdefault(variant, set()).add(code)
    names = sorted(table["nome"])
    label = ", ".join(names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        label += f", … ({len(names)} comuni)"
    return TerritoryComuni(
        codes=frozenset(table["codice"]),
        by_name={variant: frozenset(found) for variant, found in by_name.items()},
        provinces=dict(zip(table["codice"], table["provincia_sigla"])),
        label=label,
    )
