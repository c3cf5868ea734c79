"""Text out of bytes, and labels compared across the ways people and publishers spell them.

Every reader of the package decodes files and compares header labels; doing it once here
means a file one reader accepts is not refused by another for a BOM or a curly apostrophe.
"""

from __future__ import annotations

import re
import unicodedata

_BOM = b"\xef\xbb\xbf"
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def decode_text(data: bytes, *, utf8_only: bool = False) -> str:
    """The text of a file: UTF-8 (BOM dropped) when the bytes are UTF-8, else Windows cp1252.

    UTF-8 is tried first because a cp1252 file with one accented letter is never valid
    UTF-8, while an ASCII-only file reads the same either way. cp1252 is what Excel writes
    as "CSV" and what MEF and ISTAT publish their older tables in; the five bytes it leaves
    undefined become U+FFFD rather than failing the whole file.

    ``utf8_only`` is for publishers that only ever write UTF-8 (demo.istat.it, SDMX): there a
    non-UTF-8 byte means the file was re-saved, so ``UnicodeDecodeError`` is raised and the
    caller refuses the file in its own words instead of reading accented names wrong.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if utf8_only:
            raise
        return data.decode("cp1252", errors="replace")


def text_encoding(data: bytes) -> str:
    """``utf-8`` or ``cp1252``: the encoding ``decode_text`` reads ``data`` with."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def normalise_label(text, separator: str = " ", *, as_written: bool = False) -> str:
    """A label as the package compares it, whoever typed or published it. The one normaliser.

    Always: an empty cell (None) is ``""``; line breaks, tabs and non-breaking spaces are one
    space; ’ reads as '; case is folded. Spreadsheets and form tools add the first two, and a
    person reads ``"Dall’estero\n"`` and ``"dall'estero"`` as the same label.

    By default accents and punctuation go too and the words are joined by ``separator``:
    ``"Sup. vendita (m²)"`` -> ``"sup vendita m2"``; with ``"_"``, ``"Reddito da lavoro
    autonomo (comprensivo dei valori nulli) - Frequenza"`` -> an identifier. That is for
    labels typed by hand or retyped yearly by a publisher, where ``città``, ``citta'`` and
    ``CITTA`` must meet; the words are kept apart, never glued (``sez.E`` -> ``sez e``).

    ``as_written`` keeps accents and punctuation (``"ETÀ"`` -> ``"età"``): for words shown
    back to the reader (a survey comment's) and for labels where a sign carries the meaning
    (``"< 1 km"`` against ``"> 1 km"``, ``"1° gennaio"``).
    """
    if text is None:
        return ""
    composed = unicodedata.normalize("NFC", str(text)).replace("\u2019", "'")
    written = _SPACES.sub(" ", composed).strip().casefold()
    if as_written:
        return written
    decomposed = unicodedata.normalize("NFKD", written)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_ALPHANUMERIC.sub(separator, plain).strip(separator)
