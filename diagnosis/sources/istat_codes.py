"""ISTAT code lists: "Elenco comuni italiani", abolished comuni, the Sardinian re-coding.

Parsers are pure functions of the published bytes; ``build_aliases`` joins the histories
into one table ``old code -> current code`` that every source is normalised through
before joining (POSAS, MEF and OSM lag the code changes by different amounts).

Observed formats (files of 2023-2026, SOURCES.md §3.2-3.3):
- Elenco comuni: cp1252, ``;``, CRLF rows, header cells with a line break inside quotes
  (``"Codice dell'Unità territoriale sovracomunale \\n(valida a fini statistici)"``), a
  padded ``" 001 "`` progressive; the header wording changes between years, so columns
  are matched by substring.
- Soppressi: ISO-8859-1/cp1252, ``;``, five trailing empty columns, dates ``dd/mm/yyyy``,
  some rows repeated verbatim, comuni split among several successors ("scorporo").
- Sardinia 2026: latin1, ``;``, rows ``112001;Alghero;090003`` (new code, name, old code).
"""

from __future__ import annotations

import io
import re
from datetime import date

import pandas as pd

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.sources.demo_istat import RequestSpec
from diagnosis.text import decode_text, normalise_label

ELENCO_COMUNI_URL = "https://www.istat.it/storage/codici-unita-amministrative/Elenco-comuni-italiani.csv"
SOPPRESSI_URL = "https://www.istat.it/storage/codici-unita-amministrative/Elenco-comuni-soppressi.zip"
SARDEGNA_URL = (
    "https://www.istat.it/wp-content/uploads/2024/09/"
    "Codici-statistici-e-denominazioni-delle-unita-amministrative-della-Sardegna.zip"
)
SARDEGNA_DATE = date(2026, 1, 1)

COMUNI_COLUMNS = [
    "codice", "nome", "nome_italiano", "codice_catastale", "codice_provincia", "codice_uts",
    "nome_uts", "sigla_provincia", "codice_regione", "nome_regione",
]
HISTORY_COLUMNS = ["codice_vecchio", "nome", "data", "codice_nuovo", "nome_nuovo", "motivo"]
ALIAS_COLUMNS = ["codice_vecchio", "codice_nuovo", "data", "motivo", "catena", "ambiguo"]

# Output column -> header substrings to try, most specific first (normalised, lower case).
COMUNI_HEADERS = {
    "codice": ("codice comune formato alfanumerico",),
    "nome": ("denominazione (italiana e straniera)", "denominazione in italiano"),
    "nome_italiano": ("denominazione in italiano", "denominazione (italiana e straniera)"),
    "codice_catastale": ("codice catastale",),
    "codice_provincia": ("codice provincia",),
    "codice_uts": ("codice dell'unità territoriale sovracomunale", "codice della città metropolitana"),
    "nome_uts": ("denominazione dell'unità territoriale sovracomunale", "denominazione della città metropolitana"),
    "sigla_provincia": ("sigla automobilistica",),
    "codice_regione": ("codice regione",),
    "nome_regione": ("denominazione regione",),
}
CODE_WIDTHS = {"codice": 6, "codice_provincia": 3, "codice_uts": 3, "codice_regione": 2}

SOPPRESSI_HEADERS = {
    "codice_vecchio": ("codice comune",),
    "nome": ("denominazione comune",),
    "data": ("data evento",),
    "codice_nuovo": ("codice del comune associato",),
    "nome_nuovo": ("denominazione comune associat",),
    "scorporo": ("scorporo",),
}


def build_request(url: str = ELENCO_COMUNI_URL) -> RequestSpec:
    """The code lists are plain files: no parameters, no special headers."""
    return RequestSpec(url=url)


def fetch(url: str = ELENCO_COMUNI_URL) -> bytes:
    from diagnosis import http  # requests and its cache load only when something is downloaded

    return http.fetch(url)


# --- shared helpers ----------------------------------------------------------------------

def _read_semicolon_csv(data: bytes) -> pd.DataFrame:
    table = pd.read_csv(
        io.StringIO(decode_text(data)), sep=";", dtype=str,
        keep_default_na=False, na_filter=False,
    )
    # Trailing ";" give nameless empty columns ("Unnamed: 11", …): they carry nothing.
    unnamed = [c for c in table.columns if str(c).startswith("Unnamed:") and (table[c] == "").all()]
    table = table.drop(columns=unnamed)
    return table.apply(lambda column: column.str.strip())


def _match_columns(table: pd.DataFrame, wanted: dict, what: str, optional=()) -> dict:
    """Output name -> header, matching exact normalised text first, then substrings."""
    headers = {normalise_label(c, as_written=True): c for c in table.columns}
    found = {}
    for name, patterns in wanted.items():
        column = next((headers[p] for p in patterns if p in headers), None)
        if column is None:
            column = next(
                (headers[h] for p in patterns for h in headers if p in h and headers[h] not in found.values()),
                None,
            )
        if column is None and name not in optional:
            raise FormatoNonRiconosciuto(
                f"Nel file {what} manca la colonna '{patterns[0]}'. Colonne presenti: "
                f"{'; '.join(normalise_label(c, as_written=True) for c in table.columns)}. Il file non è quello atteso "
                "o ISTAT ne ha cambiato il formato."
            )
        if column is not None:
            found[name] = column
    return found


def _pad(values: pd.Series, width: int) -> pd.Series:
    return values.str.strip().str.zfill(width).where(values.str.strip() != "", "")


# --- Elenco comuni italiani --------------------------------------------------------------

def parse_elenco_comuni(data: bytes) -> pd.DataFrame:
    """"Elenco comuni italiani" CSV -> one row per comune.

    Columns: codice (6 chars), nome (official, possibly bilingual "Bolzano/Bozen"),
    nome_italiano, codice_catastale, codice_provincia (3 chars, the historical province
    code that prefixes the comune code), codice_uts and nome_uts (the statistical
    supra-municipal unit, e.g. 215 Milano for the città metropolitana), sigla_provincia,
    codice_regione (2 chars), nome_regione. Older layouts without "Denominazione in
    italiano" get the official name there.
    """
    table = _read_semicolon_csv(data)
    columns = _match_columns(table, COMUNI_HEADERS, "Elenco comuni italiani", optional=("codice_uts", "nome_uts"))
    out = pd.DataFrame({name: table[header] for name, header in columns.items()})
    for name in COMUNI_COLUMNS:
        if name not in out:
            out[name] = ""
    for name, width in CODE_WIDTHS.items():
        out[name] = _pad(out[name], width)
    out = out.loc[out["codice"].str.fullmatch(r"\d{6}")]
    _check_unique(out["codice"], "Elenco comuni italiani")
    return out[COMUNI_COLUMNS].astype("str").reset_index(drop=True)


# "Codice Comune numerico con 110 province (dal 2010 al 2016)": the layout and its years.
_EARLIER_CODE_HEADER = re.compile(r"codice comune numerico con (\d+) province \(dal (\d{4}) al (\d{4})\)")
EARLIER_CODE_COLUMNS = ["codice", "nome", "codice_precedente", "province", "valido_dal", "valido_al"]


def parse_earlier_codes(data: bytes) -> pd.DataFrame:
    """The codes each comune of "Elenco comuni italiani" had under earlier province layouts.

    The 2023 layout has, beside today's code, "Codice Comune numerico con 103 province (dal
    1995 al 2005)", "… 107 province (dal 2006 al 2009)" and "… 110 province (dal 2010 al
    2016)": numeric, unpadded codes. Columns: codice (today's), nome, codice_precedente
    (6 chars), province (the number of provinces of the layout), valido_dal and valido_al
    (the years of the layout, from the header). One row per comune and layout, including
    layouts where the code was today's; sorted by code and layout.
    """
    table = _read_semicolon_csv(data)
    columns = _match_columns(table, {"codice": COMUNI_HEADERS["codice"], "nome": COMUNI_HEADERS["nome"]},
                             "Elenco comuni italiani")
    layouts = [(column, _EARLIER_CODE_HEADER.search(normalise_label(column, as_written=True)))
               for column in table.columns]
    layouts = [(column, found) for column, found in layouts if found]
    if not layouts:
        raise FormatoNonRiconosciuto(
            "Nell'Elenco comuni italiani non ci sono le colonne «Codice Comune numerico con N province "
            "(dal AAAA al AAAA)»: serve l'elenco nel tracciato con i codici delle configurazioni precedenti."
        )
    pieces = []
    for column, found in layouts:
        pieces.append(pd.DataFrame({
            "codice": _pad(table[columns["codice"]], 6),
            "nome": table[columns["nome"]],
            "codice_precedente": _pad(table[column], 6),
            "province": int(found.group(1)),
            "valido_dal": int(found.group(2)),
            "valido_al": int(found.group(3)),
        }))
    out = pd.concat(pieces, ignore_index=True)
    out = out.loc[out["codice"].str.fullmatch(r"\d{6}") & out["codice_precedente"].str.fullmatch(r"\d{6}")]
    out = out.astype({"codice": "str", "nome": "str", "codice_precedente": "str"})
    return out[EARLIER_CODE_COLUMNS].sort_values(["codice", "valido_dal"]).reset_index(drop=True)


def _check_unique(codes: pd.Series, what: str) -> None:
    duplicated = codes[codes.duplicated()]
    if len(duplicated):
        raise FormatoNonRiconosciuto(
            f"Nel file {what} il codice {duplicated.iloc[0]} compare più volte: file non valido, "
            "scaricarlo di nuovo."
        )


# --- code history ------------------------------------------------------------------------

def _history_frame(**columns) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    for name in HISTORY_COLUMNS:
        if name != "data":
            frame[name] = frame[name].astype("str")
    return frame[HISTORY_COLUMNS]


def parse_soppressi(data: bytes) -> pd.DataFrame:
    """"Elenco comuni soppressi" CSV -> code-history rows.

    Columns: codice_vecchio, nome, data (datetime64), codice_nuovo, nome_nuovo, motivo
    ("soppressione", or "soppressione per scorporo" when the comune was split among
    several successors, one row each). Verbatim repeated rows (seen for Gambugliano,
    2024) are kept once.
    """
    table = _read_semicolon_csv(data)
    columns = _match_columns(table, SOPPRESSI_HEADERS, "Elenco comuni soppressi", optional=("scorporo",))
    split = table[columns["scorporo"]].isin(["1", "S", "s", "si", "sì"]) if "scorporo" in columns else False
    history = _history_frame(
        codice_vecchio=_pad(table[columns["codice_vecchio"]], 6),
        nome=table[columns["nome"]],
        data=_parse_dates(table[columns["data"]]),
        codice_nuovo=_pad(table[columns["codice_nuovo"]], 6),
        nome_nuovo=table[columns["nome_nuovo"]],
        motivo=pd.Series("soppressione", index=table.index).mask(split, "soppressione per scorporo"),
    )
    history = history.loc[history["codice_vecchio"].str.fullmatch(r"\d{6}")]
    return history.drop_duplicates().reset_index(drop=True)


VARIAZIONI_URL = (
    "https://www.istat.it/storage/codici-unita-amministrative/Variazioni-amministrative-e-territoriali-dal-1991.zip"
)
VARIAZIONI_HEADERS = {
    "tipo": ("tipo variazione",),
    "codice_vecchio": ("codice istat del comune",),
    "nome": ("denominazione comune",),
    "codice_nuovo": ("codice istat del comune associato", "nuovo codice istat"),
    "nome_nuovo": ("denominazione comune associata", "nuova denominazione"),
    "data": ("data decorrenza", "data evento"),
}
# Change types that move a comune's population to another code: ES extinction (the code is
# absorbed by the associated comune), AP change of province (the comune takes a new code).
# CS/AQ/CE/CECS/AQES move parts of territory and CD changes only the name: no alias.
VARIAZIONI_ALIASES = {"ES": "estinzione", "AP": "cambio di provincia"}


def parse_variazioni(data: bytes) -> pd.DataFrame:
    """"Variazioni amministrative e territoriali dal 1991" CSV -> code-history rows.

    Multi-line quoted cells ("Contenuto del provvedimento") and CRLF are read by the CSV
    parser; only ES and AP rows, which send a code to another, become history rows.
    """
    table = _read_semicolon_csv(data)
    columns = _match_columns(table, VARIAZIONI_HEADERS, "Variazioni amministrative e territoriali")
    kinds = table[columns["tipo"]].str.upper()
    history = _history_frame(
        codice_vecchio=_pad(table[columns["codice_vecchio"]], 6),
        nome=table[columns["nome"]],
        data=_parse_dates(table[columns["data"]]),
        codice_nuovo=_pad(table[columns["codice_nuovo"]], 6),
        nome_nuovo=table[columns["nome_nuovo"]],
        motivo=kinds.map(VARIAZIONI_ALIASES).fillna(""),
    )
    keep = kinds.isin(list(VARIAZIONI_ALIASES)) & history["codice_vecchio"].str.fullmatch(r"\d{6}")
    keep &= history["codice_vecchio"] != history["codice_nuovo"]
    return history.loc[keep].drop_duplicates().reset_index(drop=True)


def _parse_dates(values: pd.Series) -> pd.Series:
    dates = pd.to_datetime(values, format="%d/%m/%Y", errors="coerce")
    bad = dates.isna() & (values != "")
    if bad.any():
        raise FormatoNonRiconosciuto(
            f"Data non riconosciuta nell'elenco dei comuni soppressi: {values[bad].iloc[0]!r} "
            "(attesa nel formato gg/mm/aaaa)."
        )
    return dates.astype("datetime64[ns]")


def parse_sardegna(data: bytes, effective: date = SARDEGNA_DATE) -> pd.DataFrame:
    """Sardinian re-coding CSV (``112001;Alghero;090003``) -> code-history rows.

    About 377 comuni changed code on 1/1/2026 (provinces 090/091/092/095/111 -> 112-119).
    Fields are positional: new code, name, old code (observed shape, SOURCES.md §3.3); a
    header line, if any, is skipped because its first field is not a code. Rows whose
    code did not change are left out.
    """
    text = decode_text(data)
    rows = [line.split(";") for line in text.splitlines() if line.strip()]
    rows = [[field.strip().strip('"') for field in row] for row in rows]
    records = [row for row in rows if len(row) >= 3 and re.fullmatch(r"\d{4,6}", row[0])]
    if not records:
        raise FormatoNonRiconosciuto(
            "Il file delle ricodifiche della Sardegna non contiene righe 'codice nuovo;nome;codice "
            "precedente'. Usare il CSV contenuto nello ZIP pubblicato da ISTAT."
        )
    new = pd.Series([r[0] for r in records], dtype="str").str.zfill(6)
    old = pd.Series([r[2] for r in records], dtype="str").str.zfill(6)
    names = pd.Series([r[1] for r in records], dtype="str")
    history = _history_frame(
        codice_vecchio=old, nome=names,
        data=pd.Series(pd.Timestamp(effective), index=new.index).astype("datetime64[ns]"),
        codice_nuovo=new, nome_nuovo=names,
        motivo=pd.Series("ricodifica Sardegna", index=new.index),
    )
    return history.loc[history["codice_vecchio"] != history["codice_nuovo"]].reset_index(drop=True)


# --- alias table -------------------------------------------------------------------------

def build_aliases(*histories: pd.DataFrame, current_codes=None) -> pd.DataFrame:
    """One row per old code: the code it goes by today, following chains (A→B→C gives A→C).

    A step is followed only if it happened on or after the previous one, so a code that
    ISTAT reused later is not chained backwards in time. When a comune was split among
    several successors the first listed is taken and ``ambiguo`` is True. ``data`` is the
    date of the last step (from when the new code holds), ``motivo`` that of the first,
    ``catena`` the whole path. Old codes found in ``current_codes`` (the comuni existing
    today) are left out: such a code was reused and is not an alias.
    """
    history = pd.concat(histories, ignore_index=True) if histories else _history_frame(
        **{c: pd.Series(dtype="datetime64[ns]" if c == "data" else "str") for c in HISTORY_COLUMNS}
    )
    history = history.loc[history["codice_nuovo"].str.fullmatch(r"\d{6}")]
    history = history.sort_values("data", kind="stable")
    steps: dict[str, list[tuple]] = {}
    for old, new, when, reason in history[["codice_vecchio", "codice_nuovo", "data", "motivo"]].itertuples(index=False):
        steps.setdefault(old, []).append((when, new, reason))
    current = set(current_codes) if current_codes is not None else set()
    rows = [_resolve(old, steps) for old in steps if old not in current]
    aliases = pd.DataFrame(rows, columns=ALIAS_COLUMNS)
    for name in ("codice_vecchio", "codice_nuovo", "motivo", "catena"):
        aliases[name] = aliases[name].astype("str")
    aliases["data"] = aliases["data"].astype("datetime64[ns]")
    aliases["ambiguo"] = aliases["ambiguo"].astype("bool")
    return aliases.sort_values("codice_vecchio").reset_index(drop=True)


def _resolve(old: str, steps: dict) -> tuple:
    first_when, first_new, reason = steps[old][0]
    ambiguous = len({new for when, new, _ in steps[old] if when == first_when}) > 1
    path, code, when = [old, first_new], first_new, first_when
    while code in steps:
        following = [(w, n) for w, n, _ in steps[code] if w >= when and n not in path]
        if not following:
            break
        next_when = following[0][0]
        ambiguous |= len({n for w, n in following if w == next_when}) > 1
        when, code = following[0]
        path.append(code)
    return old, code, when, reason, " → ".join(path), ambiguous
