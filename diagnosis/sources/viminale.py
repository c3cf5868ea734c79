"""Ministero dell'Interno: the list of comuni with their ISTAT, cadastral and electoral codes.

The list ("codici comuni", published for the electoral services) carries, per comune, the
province's car-plate abbreviation (``SIGLA``) and the cadastral (Belfiore) code
(``CODICE BELFIORE``), which does not change when a comune changes province or ISTAT code:
that is what makes it useful to follow re-codings such as the Sardinian one of 1/1/2026.

Observed on ``viminale_codici_comuni_15-03-2026.csv`` (list of 15 March 2026): ASCII, ``;``,
LF, header ``NR.;DESCRIZIONE COMUNE;SIGLA;CODICE ELETTORALE;CODICE ISTAT;CODICE BELFIORE``,
names in upper case, and the ISTAT code written as an Excel formula, ``="028001"``, so that
a spreadsheet keeps its leading zeros. A plain ``028001`` or an unpadded ``28001`` is read
the same way.
"""

from __future__ import annotations

import io
import re

import pandas as pd

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.text import decode_text, normalise_label

COLUMNS = ["codice", "nome", "provincia_sigla", "codice_elettorale", "codice_catastale"]
HEADERS = {
    "codice": "codice istat",
    "nome": "descrizione comune",
    "provincia_sigla": "sigla",
    "codice_elettorale": "codice elettorale",
    "codice_catastale": "codice belfiore",
}
# ="028001" (Excel formula), "028001" or 28001: the digits are the code.
_EXCEL_TEXT = re.compile(r'^=?"?(?P<digits>\d{1,6})"?$')


def parse_viminale_comuni(data: bytes) -> pd.DataFrame:
    """The Ministry's list of comuni -> one row per comune.

    Columns: codice (6 characters), nome (as published, upper case), provincia_sigla,
    codice_elettorale, codice_catastale; sorted by code.
    """
    table = pd.read_csv(
        io.StringIO(decode_text(data)), sep=";", dtype=str, keep_default_na=False, na_filter=False,
    )
    headers = {normalise_label(c, as_written=True): c for c in table.columns}
    missing = [wanted for wanted in HEADERS.values() if wanted not in headers]
    if missing:
        raise FormatoNonRiconosciuto(
            f"Nell'elenco dei comuni del Ministero dell'Interno mancano le colonne {', '.join(missing)} "
            f"(colonne presenti: {'; '.join(table.columns)}). Il file non è quello atteso."
        )
    out = pd.DataFrame({name: table[headers[wanted]].str.strip() for name, wanted in HEADERS.items()})
    out["codice"] = _istat_codes(out["codice"])
    repeated = out.loc[out["codice"].duplicated(), "codice"]
    if len(repeated):
        raise FormatoNonRiconosciuto(
            f"Nell'elenco del Ministero dell'Interno il codice ISTAT {repeated.iloc[0]} compare più "
            "volte: file non valido, scaricarlo di nuovo."
        )
    return out[COLUMNS].sort_values("codice").reset_index(drop=True).astype("str")


def _istat_codes(cells: pd.Series) -> pd.Series:
    digits = cells.str.extract(_EXCEL_TEXT, expand=False)
    if digits.isna().any():
        raise FormatoNonRiconosciuto(
            f"Codice ISTAT non riconosciuto nell'elenco del Ministero dell'Interno: "
            f"{cells[digits.isna()].iloc[0]!r} (atteso un codice di 6 cifre, anche nella forma =\"028001\")."
        )
    return digits.str.zfill(6)
