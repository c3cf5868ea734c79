"""The most frequent words of the comments, without Italian function words."""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from diagnosis.models.survey.privacy import anonymous_comments
from diagnosis.text import normalise_label

STOPWORDS_FILE = Path(__file__).with_name("stopwords_it.txt")
MIN_LENGTH = 3
# A word written in a single comment could quote a person ("il negozio di mio zio Gino"):
# only words shared by several comments are listed.
MIN_COMMENTS = 2
_WORD = re.compile(r"[^\W\d_]+")


@functools.cache
def stopwords() -> frozenset[str]:
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(normalise_label(line, as_written=True)
                     for line in lines if line.strip() and not line.startswith("#"))


def tokens(text: str) -> list[str]:
    """Content words of ``text``: apostrophes split elisions (dell'offerta → offerta)."""
    words = _WORD.findall(normalise_label(text, as_written=True).replace("'", " "))
    return [w for w in words if len(w) >= MIN_LENGTH and w not in stopwords()]


def comment_words(risposte: pd.DataFrame, top: int = 15, min_comments: int = MIN_COMMENTS) -> pd.DataFrame:
    """Words ranked by the number of comments that use them (parola, numero_commenti)."""
    counted = Counter(word for comment in anonymous_comments(risposte) for word in set(tokens(comment)))
    ranked = sorted(((w, n) for w, n in counted.items() if n >= min_comments), key=lambda pair: (-pair[1], pair[0]))
    return pd.DataFrame(ranked[:top], columns=["parola", "numero_commenti"])
