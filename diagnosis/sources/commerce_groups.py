"""The commercial groups of ``commerce_groups.yaml`` and the lookups from each source's codes to them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ateco
import yaml

GROUPS_FILE = Path(__file__).with_name("commerce_groups.yaml")


@dataclass(frozen=True)
class Group:
    id: str
    nome: str
    descrizione: str
    ateco: tuple[str, ...]
    osm: tuple[str, ...]
    osm_escludi: tuple[str, ...] = ()
    mix: bool = False
    alimentare: bool = False

    def ateco_digits(self) -> int:
        """The finest ATECO level the group needs (a 4-digit group cannot come from 3-digit data)."""
        return max(len(code) for code in self.ateco)

    def matches_ateco(self, code: str) -> bool:
        code = normalise_ateco(code)
        return any(code.startswith(prefix) for prefix in self.ateco)

    def matches_tags(self, tags: dict) -> bool:
        if any(_tag_matches(tags, wanted) for wanted in self.osm_escludi):
            return False
        return any(_tag_matches(tags, wanted) for wanted in self.osm)


def _tag_matches(tags: dict, wanted: str) -> bool:
    key, _, value = wanted.partition("=")
    return key in tags and (value == "*" or tags[key] == value)


def normalise_ateco(code) -> str:
    """``47.11.00`` / ``4711`` / ``47.1`` → digits only, as the groups file writes prefixes."""
    return "".join(ch for ch in str(code) if ch.isdigit())


@lru_cache(maxsize=1)
def all_groups() -> dict[str, Group]:
    raw = yaml.safe_load(GROUPS_FILE.read_text(encoding="utf-8"))["gruppi"]
    return {
        group_id: Group(
            id=group_id, nome=spec["nome"], descrizione=spec["descrizione"],
            ateco=tuple(str(c) for c in spec["ateco"]), osm=tuple(spec.get("osm", ())),
            osm_escludi=tuple(spec.get("osm_escludi", ())), mix=bool(spec.get("mix", False)),
            alimentare=bool(spec.get("alimentare", False)),
        )
        for group_id, spec in raw.items()
    }


def group(group_id: str) -> Group:
    return all_groups()[group_id]


def mix_groups() -> list[Group]:
    """The groups that partition the commercial fabric, for mix shares and location quotients."""
    return [g for g in all_groups().values() if g.mix]


def groups_for_ateco(code) -> list[str]:
    """Every group an ATECO code belongs to (a pharmacy is both ``farmacie`` and its division's group)."""
    return [g.id for g in all_groups().values() if g.matches_ateco(code)]


def groups_for_tags(tags: dict) -> list[str]:
    """Every group an OpenStreetMap element belongs to, from its tags."""
    return [g.id for g in all_groups().values() if g.matches_tags(tags)]


# ISTAT ASIA up to 2023 and the MEF files use ATECO 2007; the 2025 edition moved codes.
ATECO_EDITION = "2007"


@lru_cache(maxsize=4096)
def ateco_label(code) -> str | None:
    """The Italian title of an ATECO 2007 code (``471`` or ``47.1``), None when unknown."""
    digits = normalise_ateco(code)
    if not digits:
        return None
    node = ateco.lookup(digits, edition=ATECO_EDITION)
    if node is None:
        return None
    # The 2007 edition writes its titles in capitals: shown as a sentence, they read better.
    title = node.title
    return title[0] + title[1:].lower() if title.isupper() else title
