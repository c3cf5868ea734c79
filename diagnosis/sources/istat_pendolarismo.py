"""ISTAT census commuting matrix ("matrice del pendolarismo" 2011): bytes → tidy flows.

ISTAT publishes the 2011 census origin-destination matrix as ``matrici_pendolarismo_2011.zip``
holding ``MATRICE PENDOLARISMO 2011/matrix_pendo2011_10112014.txt``: a fixed-width text file,
one record per line, fields separated by blanks, no header. The record layout ("tracciato
record", in ``leggimi file matrix_pendo2011_10112014.doc`` of the same ZIP), positions counted
from 1:

=====  ======  ==========================================================================
pos.   width   field
=====  ======  ==========================================================================
1      1       tipo record: ``S`` = counts from the whole census by sex, reason and
               destination (mode, time and duration ``+``); ``L`` = sample estimates that
               add mode, time of departure and duration (the count ``ND``)
3      1       tipo di residenza: ``1`` household, ``2`` institution (convivenza)
5      3       province of residence (ISTAT code, 3 digits)
9      3       comune of residence (progressive number within the province, 3 digits)
14     1       sex: ``1`` male, ``2`` female (two blanks before it, not one)
16     1       reason: ``1`` study, ``2`` work
18     1       place of study or work: ``1`` the same comune, ``2`` another Italian comune,
               ``3`` abroad
20     3       province of destination
24     3       comune of destination
28     3       country of destination (``000`` in Italy)
32     2       mode (``L``): ``01`` train, ``02`` tram, ``03`` metro, ``04`` urban bus or
               trolleybus, ``05`` coach or extra-urban bus, ``06`` company or school bus,
               ``07`` car as driver, ``08`` car as passenger, ``09`` motorcycle or scooter,
               ``10`` bicycle, ``11`` other, ``12`` on foot
35     1       time of departure (``L``): ``1`` before 7:15, ``2`` 7:15-8:14, ``3`` 8:15-9:14,
               ``4`` 9:15 or later
37     1       duration (``L``): ``1`` up to 15 minutes, ``2`` 16-30, ``3`` 31-60, ``4`` more
39     12      estimated number of people (zero-padded decimal, ``0000005.00``; ``ND`` in
               the ``S`` records of people living in institutions)
51     10      number of people (``S``; ``ND`` in ``L`` records)
=====  ======  ==========================================================================

The positions of the census fields (1 to 30, 39 and 51) are those the layout gives; those of
mode, time and duration are read off published ``L`` records (``L 1 001 001  1 1 1 001 001
000 04 2 1 0000005.00         ND``). Every field holds a token (``+``, ``ND`` and ``000``
stand for "not applicable"), so a record is split on blanks rather than cut at fixed
columns. A line with another number of fields, an unknown record type or a code of the
wrong width stops the reading.

A comune's code is the province's 3 digits and the comune's 3 (``015175``), in the geography
of 9 October 2011; ``tables.commuting`` carries them to today's comuni.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.store.checks import ZIP_MAGIC, table_member_read

FIELDS = [
    "tipo_record", "residenza", "provincia_origine", "comune_origine", "sesso", "motivo", "luogo",
    "provincia_destinazione", "comune_destinazione", "stato_estero", "mezzo", "orario", "durata",
    "stima", "numero",
]
RECORD_TYPES = {"S", "L"}
REASONS = {"1": "studio", "2": "lavoro"}
PLACES = {"1": "stesso comune", "2": "altro comune", "3": "estero"}
MODES = {
    "01": "treno", "02": "tram", "03": "metropolitana", "04": "autobus urbano, filobus",
    "05": "corriera, autobus extraurbano", "06": "autobus aziendale o scolastico",
    "07": "auto privata (conducente)", "08": "auto privata (passeggero)",
    "09": "motocicletta, ciclomotore, scooter", "10": "bicicletta", "11": "altro mezzo", "12": "a piedi",
}
NOT_APPLICABLE = ("+", "ND")
RECORDS_PER_BLOCK = 1_000_000
# A record starts with its type, the residence type, the 3+3 digits of the comune, then sex,
# reason and place; the published file puts two blanks before the sex (position 14), one
# would do for a copy whose blanks were squeezed.
RECORD_START = re.compile(rb"^[SL] [12] \d{3} \d{3}  ?[12] [12] [123] ")
WIDTHS = {"provincia_origine": 3, "comune_origine": 3, "provincia_destinazione": 3, "comune_destinazione": 3,
          "stato_estero": 3}

COLUMNS = ["tipo_record", "origine", "destinazione", "stato_estero", "sesso", "motivo", "luogo", "residenza",
           "mezzo", "orario", "durata", "individui"]


def looks_like_matrix(head: bytes) -> bool:
    """Whether the first lines are records of the commuting matrix."""
    lines = [line for line in head.splitlines()[:20] if line.strip()]
    return len(lines) >= 2 and all(RECORD_START.match(line) for line in lines[:-1])


def parse_matrix(data: bytes) -> pd.DataFrame:
    """The matrix (as published, ZIP or text) as one row per record.

    ``origine`` and ``destinazione`` are 6-character comune codes (``destinazione`` is empty
    for people going abroad, whose country is ``stato_estero``); ``motivo`` ``studio`` or
    ``lavoro``; ``luogo`` ``stesso comune``, ``altro comune`` or ``estero``; ``mezzo``,
    ``orario`` and ``durata`` only in ``L`` records; ``individui`` is the census count in
    ``S`` records and the sample estimate in ``L`` records. The coded columns are
    categorical: the published file has some 4.9 million records of few distinct codes.
    """
    text = _matrix_bytes(data)
    try:
        raw = _read_records(text)
    except pd.errors.ParserError as error:
        raise FormatoNonRiconosciuto(
            f"La matrice del pendolarismo ha una riga con un numero di campi diverso da {len(FIELDS)} ({error}): "
            "il file è stato modificato o tagliato. Usare il file così come scaricato da istat.it."
        ) from error
    if raw.empty:
        raise FormatoNonRiconosciuto("La matrice del pendolarismo è vuota: scaricarla di nuovo da istat.it.")
    _check_codes(raw)
    return _tidy(raw)


def _read_records(text: bytes) -> pd.DataFrame:
    """Every record as text, the coded fields categorical.

    Read a million lines at a time, each block's codes made categorical at once: the
    published file's 4.9 million records as plain text would take gigabytes. Categories
    are built from the text (never inferred as numbers), so ``001`` keeps its zeros.
    """
    coded = FIELDS[:-2]
    blocks = [block.astype({field: "category" for field in coded})
              for block in pd.read_csv(io.BytesIO(text), sep=r"\s+", header=None, names=FIELDS, engine="c",
                                       dtype=str, na_filter=False, chunksize=RECORDS_PER_BLOCK)]
    if not blocks:
        return pd.DataFrame(columns=FIELDS)
    stacked = {field: union_categoricals([block[field] for block in blocks]) for field in coded}
    stacked |= {field: pd.concat([block[field] for block in blocks], ignore_index=True) for field in FIELDS[-2:]}
    return pd.DataFrame(stacked)[FIELDS]


def _matrix_bytes(data: bytes) -> bytes:
    """The text inside the published ZIP (found by its records: the ZIP also holds the
    layout and notes, and names change between releases), or the text itself."""
    if not data.startswith(ZIP_MAGIC):
        return data
    text, listed = table_member_read(data, looks_like_matrix, "matrice del pendolarismo")
    if text is None:
        raise FormatoNonRiconosciuto(
            f"L'archivio non contiene la matrice del pendolarismo (contenuto: {listed}): scaricare "
            "matrici_pendolarismo_2011.zip da istat.it e importarlo com'è."
        )
    return text


def _first_line(mask: pd.Series) -> int:
    return int(mask.to_numpy().argmax()) + 1  # records are numbered from line 1: the file has no header


def _check_codes(raw: pd.DataFrame) -> None:
    for column in FIELDS:
        empty = raw[column] == ""
        if empty.any():
            raise FormatoNonRiconosciuto(
                f"Riga {_first_line(empty)} della matrice del pendolarismo: ha meno dei {len(FIELDS)} campi del "
                "tracciato record (file tagliato o modificato). Usare il file così come scaricato da istat.it."
            )
    bad_type = ~raw["tipo_record"].isin(RECORD_TYPES)
    if bad_type.any():
        line = _first_line(bad_type)
        raise FormatoNonRiconosciuto(
            f"Riga {line} della matrice del pendolarismo: tipo record {raw['tipo_record'].iloc[line - 1]!r} "
            "(attesi S o L). Il file non è la matrice pubblicata da ISTAT o è stato modificato."
        )
    for column, width in WIDTHS.items():
        categories = raw[column].cat.categories
        wrong = raw[column].isin(categories[categories.str.len() != width])
        if wrong.any():
            line = _first_line(wrong)
            raise FormatoNonRiconosciuto(
                f"Riga {line} della matrice del pendolarismo: il campo {column} vale {raw[column].iloc[line - 1]!r}, "
                f"non un codice di {width} cifre. Usare il file così come scaricato da istat.it."
            )


def _joined(province: pd.Series, comune: pd.Series) -> pd.Series:
    """Province and comune digits as one 6-character code, computed on the distinct pairs only."""
    size = len(comune.cat.categories)
    pairs = province.cat.codes.to_numpy().astype(np.int64) * size + comune.cat.codes.to_numpy()
    distinct, positions = np.unique(pairs, return_inverse=True)
    provinces = np.asarray(province.cat.categories, dtype=object)[distinct // size]
    comuni = np.asarray(comune.cat.categories, dtype=object)[distinct % size]
    labels = [first + second for first, second in zip(provinces, comuni)]
    return pd.Series(pd.Categorical.from_codes(positions.reshape(-1), categories=labels), index=province.index)


def _tidy(raw: pd.DataFrame) -> pd.DataFrame:
    abroad = (raw["luogo"] == "3").to_numpy()
    is_sample = (raw["tipo_record"] == "L").to_numpy()
    count = pd.to_numeric(raw["numero"].where(~is_sample), errors="coerce")
    estimate = pd.to_numeric(raw["stima"].where(is_sample), errors="coerce")
    people = count.where(~is_sample, estimate)
    if people.isna().any():
        line = _first_line(people.isna())
        raise FormatoNonRiconosciuto(
            f"Riga {line} della matrice del pendolarismo: manca il numero di individui "
            f"({raw['numero'].iloc[line - 1]!r} / {raw['stima'].iloc[line - 1]!r}). Usare il file così come scaricato."
        )
    destination = _joined(raw["provincia_destinazione"], raw["comune_destinazione"]).cat.add_categories([""])
    country = raw["stato_estero"].cat.add_categories([""]) if "" not in raw["stato_estero"].cat.categories \
        else raw["stato_estero"]
    frame = pd.DataFrame({
        "tipo_record": raw["tipo_record"],
        "origine": _joined(raw["provincia_origine"], raw["comune_origine"]),
        "destinazione": destination.where(~abroad, ""),
        "stato_estero": country.where(abroad, ""),
        "sesso": raw["sesso"].map({"1": "M", "2": "F"}),
        "motivo": raw["motivo"].map(REASONS),
        "luogo": raw["luogo"].map(PLACES),
        "residenza": raw["residenza"].map({"1": "famiglia", "2": "convivenza"}),
        "mezzo": raw["mezzo"].map(MODES).where(is_sample),
        "orario": raw["orario"].where(is_sample & ~raw["orario"].isin(NOT_APPLICABLE).to_numpy()),
        "durata": raw["durata"].where(is_sample & ~raw["durata"].isin(NOT_APPLICABLE).to_numpy()),
        "individui": people.astype(float),
    })
    unknown = frame[["sesso", "motivo", "luogo", "residenza"]].isna().any(axis=1) | (is_sample & frame["mezzo"].isna())
    if unknown.any():
        raise FormatoNonRiconosciuto(
            f"Riga {_first_line(unknown)} della matrice del pendolarismo: un codice (sesso, motivo, luogo, residenza "
            "o mezzo) non è tra quelli del tracciato record ISTAT. Usare il file così come scaricato da istat.it."
        )
    return frame[COLUMNS]
