"""ISTAT work commuting matrix of the 2021 permanent census: bytes → tidy flows.

ISTAT publishes it as ``matrix_pendoLAVORO_2021.zip`` (esploradati.istat.it, MATPEN) holding
``matrix_pendoLAVORO_2021.txt``: tab-separated, a header line, one line per pair of comuni::

    Prov_res  Procom_res  Prov_lav  Procom_lav  Pendolari

``Procom_res`` and ``Procom_lav`` are the 6-digit codes of the comune of residence and of
work (zeros kept, ``001272``), in the geography of 2021; ``Pendolari`` the whole number of
people who go to work there at least three days a week. The province columns repeat the
first digits of the comune codes and are not used. The file counts work only: no study, sex,
mode or time, and no one working abroad.

A line with another number of fields, a comune code that is not 6 digits or a count that is
not a whole number stops the reading, its line named (the header is line 1).
"""

from __future__ import annotations

import io
import re

import pandas as pd

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.store.checks import ZIP_MAGIC, table_member_read
from diagnosis.text import decode_text

HEADER = ("Prov_res", "Procom_res", "Prov_lav", "Procom_lav", "Pendolari")
SEPARATOR = "\t"
CODES = ("Procom_res", "Procom_lav")
COLUMNS = ["origine", "destinazione", "individui"]
AS_PUBLISHED = "Usare il file così come scaricato da istat.it (matrix_pendoLAVORO_2021.zip)."


def looks_like_work_matrix(head: bytes) -> bool:
    """Whether the first line is the header of the 2021 work matrix."""
    first = decode_text(head[:200]).splitlines()[:1]
    return bool(first) and tuple(cell.strip().lower() for cell in first[0].split(SEPARATOR)) == \
        tuple(name.lower() for name in HEADER)


def parse_work_matrix(data: bytes) -> pd.DataFrame:
    """The matrix (as published, ZIP or text) as ``origine``, ``destinazione`` (6-character
    comune codes) and ``individui``, one row per line of the file."""
    text = _matrix_bytes(data)
    if not looks_like_work_matrix(text):
        raise FormatoNonRiconosciuto(
            f"La matrice del pendolarismo per lavoro 2021 non comincia con l'intestazione {' '.join(HEADER)} "
            f"separata da tabulazioni. {AS_PUBLISHED}")
    try:
        raw = pd.read_csv(io.BytesIO(text), sep=SEPARATOR, dtype=str, na_filter=False, encoding="latin-1")
    except pd.errors.ParserError as error:
        where = re.search(r"line (\d+)", str(error))
        line = f"Riga {where[1]} della matrice" if where else "Una riga della matrice"
        raise FormatoNonRiconosciuto(
            f"{line} del pendolarismo per lavoro 2021: ha più di {len(HEADER)} campi separati da tabulazioni. "
            f"{AS_PUBLISHED}") from error
    raw.columns = list(HEADER)
    if raw.empty:
        raise FormatoNonRiconosciuto(f"La matrice del pendolarismo per lavoro 2021 non ha righe. {AS_PUBLISHED}")
    _check_lines(raw)
    return pd.DataFrame({"origine": raw["Procom_res"].str.strip(), "destinazione": raw["Procom_lav"].str.strip(),
                         "individui": raw["Pendolari"].astype(float)})[COLUMNS]


def _matrix_bytes(data: bytes) -> bytes:
    """The text inside the published ZIP (found by its header: the member's name may change), or
    the text itself."""
    if not data.startswith(ZIP_MAGIC):
        return data
    text, listed = table_member_read(data, looks_like_work_matrix, "matrice del pendolarismo per lavoro")
    if text is None:
        raise FormatoNonRiconosciuto(
            f"L'archivio non contiene la matrice del pendolarismo per lavoro 2021 (contenuto: {listed}). "
            f"{AS_PUBLISHED}")
    return text


def _line(mask: pd.Series) -> int:
    return int(mask.to_numpy().argmax()) + 2  # line 1 is the header


def _check_lines(raw: pd.DataFrame) -> None:
    # A short line leaves its last fields missing (NaN even without NA parsing).
    short = raw.isna().any(axis=1) | (raw[list(HEADER)].apply(lambda column: column.str.strip()) == "").any(axis=1)
    if short.any():
        raise FormatoNonRiconosciuto(
            f"Riga {_line(short)} della matrice del pendolarismo per lavoro 2021: mancano campi (ne servono "
            f"{len(HEADER)}, separati da tabulazioni). {AS_PUBLISHED}")
    for column in CODES:
        wrong = ~raw[column].str.strip().str.fullmatch(r"\d{6}")
        if wrong.any():
            line = _line(wrong)
            raise FormatoNonRiconosciuto(
                f"Riga {line} della matrice del pendolarismo per lavoro 2021: {column} vale "
                f"{raw[column].iloc[line - 2]!r}, non un codice di comune di 6 cifre (un foglio di calcolo toglie "
                f"gli zeri iniziali). {AS_PUBLISHED}")
    not_whole = ~raw["Pendolari"].str.strip().str.fullmatch(r"\d+")
    if not_whole.any():
        line = _line(not_whole)
        raise FormatoNonRiconosciuto(
            f"Riga {line} della matrice del pendolarismo per lavoro 2021: Pendolari vale "
            f"{raw['Pendolari'].iloc[line - 2]!r}, non un numero intero di persone. {AS_PUBLISHED}")
