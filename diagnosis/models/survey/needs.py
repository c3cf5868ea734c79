"""Free-text "negozio desiderato" answers brought to one form per need.

The rules (leading words, plurals, endings, synonyms) are data in ``bisogni.yaml`` so a
district can add its own words ("tabaccheria" for "tabacchi") without touching code.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from diagnosis.sources.survey.layout import standard_layout
from diagnosis.text import normalise_label

NEEDS_FILE = Path(__file__).with_name("bisogni.yaml")
_EDGE_PUNCTUATION = " .,;:!?\"'()[]-–—/*"
MIN_WORD_FOR_ENDINGS = 5  # "bie", "zie": too short to be a plural worth rewriting


@dataclass(frozen=True)
class NeedRules:
    leading: frozenset[str]
    plurals: dict[str, str]
    endings: tuple[tuple[str, str], ...]
    synonyms: dict[str, str]


@functools.cache
def need_rules() -> NeedRules:
    data = yaml.safe_load(NEEDS_FILE.read_text(encoding="utf-8"))
    def words_of(mapping) -> dict[str, str]:
        return {normalise_label(k, as_written=True): normalise_label(v, as_written=True)
                for k, v in (mapping or {}).items()}

    return NeedRules(
        leading=frozenset(normalise_label(w, as_written=True) for w in data.get("parole_iniziali", [])),
        plurals=words_of(data.get("plurali")),
        endings=tuple((str(a), str(b)) for a, b in data.get("desinenze", [])),
        synonyms=words_of(data.get("sinonimi")),
    )


def normalise_need(text) -> str | None:
    """``"Panetterie!"`` → ``"panetteria"``, ``"un forno"`` → ``"panetteria"``; empty → None."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    rules = need_rules()
    words = normalise_label(text, as_written=True).strip(_EDGE_PUNCTUATION).replace("'", "' ").split()
    while words and words[0] in rules.leading:
        words = words[1:]
    phrase = " ".join(_singular(word, rules) for word in words).replace("' ", "'")
    phrase = re.sub(r"\s+", " ", phrase).strip(_EDGE_PUNCTUATION)
    return rules.synonyms.get(phrase, phrase) or None


def _singular(word: str, rules: NeedRules) -> str:
    if word in rules.plurals:
        return rules.plurals[word]
    if len(word) >= MIN_WORD_FOR_ENDINGS:
        for plural, singular in rules.endings:
            if word.endswith(plural):
                return word[: -len(plural)] + singular
    return word


def needs_by_respondent(risposte: pd.DataFrame) -> pd.Series:
    """Each respondent's set of normalised needs: one need named twice counts once."""
    columns = standard_layout().need_columns
    return risposte[columns].apply(
        lambda row: frozenset(n for n in (normalise_need(v) for v in row) if n), axis=1
    ) if len(risposte) else pd.Series([], dtype=object)


def display_need(need: str) -> str:
    return need[:1].upper() + need[1:]
