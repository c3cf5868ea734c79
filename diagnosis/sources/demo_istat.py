"""demo.istat.it bulk files: POSAS, STRASA (population by age and sex) and P2, P3 (balances).

Build (URL), parse (bytes -> tidy frame) and a thin fetch are separate functions. The
parsers are pure functions of the published bytes: they accept the ZIP as published or
the CSV inside it, whatever its name.

Dialect of every file, as observed on the 2025 and 2026 releases (SOURCES.md §2.2 and the
P2/P3 2025 files): UTF-8 with BOM, CRLF, ``;``; line 1 a quoted title carrying the year
(and "(stima)" for early estimates); line 2 the quoted header; code and name quoted,
numbers bare; a trailing one-field note line ("Note: p = dato provvisorio…").

Years follow the package contract: a stock on 1 January belongs to its year. POSAS and
STRASA of year Y are stocks at 1/1/Y -> ``anno`` Y. A P2/P3 balance of year Y gives flows of
Y (``anno`` Y), the population at 1/1/Y (``anno`` Y) and the population at 31/12/Y, which
is recorded as the 1 January stock of ``anno`` Y+1. The balance year itself is kept in
``anno_bilancio`` so the original reading is never lost.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from diagnosis.store.checks import ends_mid_line, looks_like_html
from diagnosis.store.limits import open_archive, read_member
from diagnosis.text import decode_text, normalise_label
from diagnosis.errors import (
    ArchivioSenzaCsv,
    FormatoNonRiconosciuto,
    RispostaHtml,
    RispostaTroncata,
    TotaliIncoerenti,
)

BASE_URL = "https://demo.istat.it/data"
DATASETS = {"posas": "POSAS", "strasa": "STRASA", "p2": "P2", "p3": "P3"}
LEVELS = ("Comuni", "Province", "Regioni", "Ripartizioni")

FONTI = {
    "posas": "ISTAT POSAS",
    "strasa": "ISTAT STRASA",
    "p2": "ISTAT P2 bilancio demografico",
    "p3": "ISTAT P3 bilancio demografico stranieri",
}

TOTAL_AGE_CODE = 999
MAX_AGE = 100

AGE_COLUMNS = ["codice", "anno", "sesso", "eta", "valore", "fonte", "vintage", "stato"]
BALANCE_COLUMNS = [
    "codice", "anno", "anno_bilancio", "sesso", "variabile", "valore", "fonte", "vintage", "stato",
]
TOTAL_COLUMNS = ["codice", "anno", "sesso", "valore", "fonte", "vintage", "stato"]

# Balance column labels (normalised: lower case, single spaces) -> stable variable ids.
# Labels seen in P2/P3 2025; household labels come from older P2 layouts.
BALANCE_VARIABLES = {
    "popolazione censita al 1° gennaio": "popolazione_1_gennaio",
    "popolazione al 1° gennaio": "popolazione_1_gennaio",
    "nati vivi": "nati_vivi",
    "morti": "morti",
    "saldo naturale": "saldo_naturale",
    "immigrati da altro comune": "immigrati_da_altro_comune",
    "emigrati per altro comune": "emigrati_per_altro_comune",
    "saldo migratorio interno": "saldo_migratorio_interno",
    "immigrati dall'estero": "immigrati_dall_estero",
    "emigrati per l'estero": "emigrati_per_l_estero",
    "saldo migratorio con l'estero": "saldo_migratorio_estero",
    "acquisizioni della cittadinanza italiana": "acquisizioni_cittadinanza",
    "unità in più/meno dovute a variazioni territoriali": "variazioni_territoriali",
    "popolazione al 31 dicembre": "popolazione_31_dicembre",
    "iscritti in anagrafe per altri motivi": "iscritti_altri_motivi",
    "cancellati dall'anagrafe per altri motivi": "cancellati_altri_motivi",
    "numero di famiglie": "famiglie",
    "numero medio di componenti per famiglia": "componenti_medi_famiglia",
    "popolazione residente in famiglia": "popolazione_in_famiglia",
    "popolazione residente in convivenza": "popolazione_in_convivenza",
    "numero di convivenze": "convivenze",
}
REQUIRED_BALANCE_VARIABLES = ("nati_vivi", "morti", "popolazione_31_dicembre")
# Stocks measured at 31 December: recorded as the 1 January stock of the next year.
END_OF_YEAR_VARIABLES = frozenset({
    "popolazione_31_dicembre", "famiglie", "componenti_medi_famiglia",
    "popolazione_in_famiglia", "popolazione_in_convivenza", "convivenze",
})
SEX_WORDS = {"maschi": "M", "femmine": "F", "totale": "T"}
SEX_ORDER = {"M": 0, "F": 1, "T": 2}


@dataclass(frozen=True)
class RequestSpec:
    """Everything needed to make one HTTP request, with no network involved."""

    url: str
    params: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


# --- build -------------------------------------------------------------------------------

def build_url(dataset: str, year: int, level: str = "Comuni") -> str:
    """URL of a demo.istat.it bulk ZIP; the pattern has held since the 2023 portal rework."""
    key = dataset.lower()
    if key not in DATASETS:
        raise FormatoNonRiconosciuto(
            f"Dataset demo.istat.it sconosciuto: {dataset!r}. Valori validi: {', '.join(DATASETS)}."
        )
    if level not in LEVELS:
        raise FormatoNonRiconosciuto(
            f"Livello territoriale sconosciuto: {level!r}. Valori validi: {', '.join(LEVELS)}."
        )
    return f"{BASE_URL}/{key}/{DATASETS[key]}_{int(year)}_it_{level}.zip"


def build_request(dataset: str, year: int, level: str = "Comuni") -> RequestSpec:
    return RequestSpec(url=build_url(dataset, year, level))


def posas_url(year: int) -> str:
    return build_url("posas", year)


def strasa_url(year: int) -> str:
    return build_url("strasa", year)


def p2_url(year: int) -> str:
    """P2 of balance year ``year`` (published around March of the year after)."""
    return build_url("p2", year)


def p3_url(year: int) -> str:
    return build_url("p3", year)


def fetch(dataset: str, year: int, level: str = "Comuni") -> bytes:
    from diagnosis import http  # requests and its cache load only when something is downloaded

    return http.fetch(build_url(dataset, year, level))


# --- container ---------------------------------------------------------------------------

def csv_member(zip_bytes: bytes) -> bytes:
    """The bytes of the single CSV inside a ZIP, whatever its name.

    Member names change between releases (and some ISTAT archives carry names that are not
    UTF-8), so the member is found by extension, not by name.
    """
    if looks_like_html(zip_bytes):
        raise RispostaHtml(
            "Il file ricevuto è una pagina HTML, non un archivio ZIP: il server ha risposto con "
            "una pagina d'errore. Riprovare più tardi o scaricare il file a mano dal sito ISTAT "
            "e aggiungerlo con: diagnosis dati aggiungi FILE"
        )
    if not zip_bytes.startswith(b"PK"):
        raise FormatoNonRiconosciuto(
            "Il file non è un archivio ZIP (mancano i byte iniziali 'PK'): probabilmente il "
            "download è incompleto. Scaricarlo di nuovo."
        )
    try:
        with open_archive(zip_bytes, "L'archivio ZIP") as archive:
            names = [
                info.filename for info in archive.infolist()
                if not info.is_dir()
                and info.filename.lower().endswith(".csv")
                and not info.filename.startswith("__MACOSX/")
            ]
            if len(names) != 1:
                found = ", ".join(archive.namelist()) or "nessun file"
                quanti = "nessun file CSV" if not names else f"{len(names)} file CSV"
                raise ArchivioSenzaCsv(
                    f"L'archivio ZIP contiene {quanti} (contenuto: {found}); ne serve esattamente uno. "
                    "Controllare di aver scaricato il file giusto da demo.istat.it."
                )
            return read_member(archive, names[0], "L'archivio ZIP")
    except (zipfile.BadZipFile, EOFError) as error:
        raise FormatoNonRiconosciuto(
            f"L'archivio ZIP è danneggiato o incompleto ({error}): scaricarlo di nuovo da demo.istat.it "
            "e importarlo con: diagnosis dati aggiungi FILE"
        ) from error


def csv_payload(data: bytes) -> bytes:
    """The CSV bytes from either the published ZIP or the CSV itself."""
    if data.startswith(b"PK") or looks_like_html(data):
        return csv_member(data)
    return data


# --- CSV dialect -------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoTable:
    """A demo.istat.it CSV split into its title line and its table of strings."""

    title: str
    table: pd.DataFrame


def read_demo_csv(data: bytes, columns: set[str] | None = None) -> DemoTable:
    """Title and table (all cells as strings) of a demo.istat.it CSV, note lines removed.

    ``columns`` (normalised names) restricts reading to those columns: POSAS has 20
    columns of which 5 are used, and skipping the others halves the parse time.
    """
    text = decoded(csv_payload(data))
    if ends_mid_line(text):
        raise RispostaTroncata(
            "Il file demo.istat.it finisce a metà di una riga: è stato troncato (download interrotto o "
            "copia incompleta). Scaricarlo di nuovo intero da demo.istat.it e importarlo con: "
            "diagnosis dati aggiungi FILE"
        )
    title_line, _, body = text.replace("\r\n", "\n").partition("\n")
    title = next(csv.reader([title_line], delimiter=";"), [""])
    usecols = (lambda name: normalise_label(name, as_written=True) in columns) if columns else None
    table = pd.read_csv(
        io.StringIO(body), sep=";", dtype=str, keep_default_na=False, na_filter=False,
        skip_blank_lines=True, usecols=usecols,
    )
    table.columns = [_clean_label(c) for c in table.columns]
    return DemoTable(title=title[0].strip() if title else "", table=_drop_note_lines(table))


def decoded(payload: bytes) -> str:
    """The text of a demo.istat.it CSV, which ISTAT publishes in UTF-8 only.

    A byte that is not UTF-8 means the file was opened and saved again (Excel saves "CSV"
    in Windows-1252) or pieced together from files of different encodings: its accented
    names would be read wrong, so it is refused rather than guessed.
    """
    try:
        return decode_text(payload, utf8_only=True)
    except UnicodeDecodeError as error:
        line = payload[: error.start].count(b"\n") + 1
        raise FormatoNonRiconosciuto(
            f"Il file demo.istat.it non è in UTF-8, la codifica in cui ISTAT lo pubblica: alla riga {line} "
            f"c'è il byte {payload[error.start:error.start + 1].hex().upper()} di un'altra codifica (probabilmente "
            "Windows-1252: il file è stato aperto e salvato di nuovo con un foglio di calcolo, o unito ad "
            "altri file). Usare il file così come scaricato da demo.istat.it, senza aprirlo e salvarlo."
        ) from error


def _clean_label(label: str) -> str:
    return re.sub(r"\s+", " ", str(label)).strip()


def _drop_note_lines(table: pd.DataFrame) -> pd.DataFrame:
    """Remove one-field note lines ("Note: p = dato provvisorio…") that close the file.

    They parse as rows whose other cells are all empty; any other row whose code is not
    numeric means the layout is not the one this parser knows.
    """
    first = table.columns[0]
    others = table.columns[1:]
    note = (table[others] == "").all(axis=1) & ~table[first].str.fullmatch(r"\d+")
    table = table.loc[~note].reset_index(drop=True)
    bad = ~table[first].str.fullmatch(r"\d{1,6}")
    if bad.any():
        raise FormatoNonRiconosciuto(
            f"Riga non riconosciuta nel file demo.istat.it: {table.loc[bad, first].iloc[0]!r} "
            f"nella colonna {first!r}, dove ci si aspetta un codice comune. Il formato del file "
            "è cambiato: segnalarlo indicando il nome del file."
        )
    return table


def _find_column(table: pd.DataFrame, *wanted: str) -> str:
    lookup = {normalise_label(c, as_written=True): c for c in table.columns}
    for name in wanted:
        if name in lookup:
            return lookup[name]
    raise FormatoNonRiconosciuto(
        f"Colonna {wanted[0]!r} assente nel file demo.istat.it. Colonne presenti: "
        f"{', '.join(table.columns)}. Il file non è quello atteso o ISTAT ne ha cambiato il formato."
    )


def title_year(title: str) -> int:
    """The year in the title line ("… al 1° gennaio 2025", "… al 31 dicembre 2025")."""
    years = re.findall(r"\b(19\d{2}|20\d{2})\b", title)
    if not years:
        raise FormatoNonRiconosciuto(
            f"Nella riga del titolo {title!r} non c'è l'anno: il file non sembra un file "
            "demo.istat.it originale. Usare il file ZIP così come scaricato."
        )
    return int(years[-1])


def is_estimate(title: str) -> bool:
    """POSAS and STRASA of the current year first appear as "(stima)" and change later."""
    return "(stima)" in title.casefold()


def pad_codes(codes: pd.Series) -> pd.Series:
    return codes.str.strip().str.zfill(6)


# --- POSAS and STRASA --------------------------------------------------------------------

def parse_age(values: pd.Series) -> np.ndarray:
    """Ages as int: "100 e più" -> 100; the 999 total code kept as 999."""
    text = values.str.strip()
    numeric = text.str.extract(r"^(\d+)", expand=False)
    if numeric.isna().any():
        raise FormatoNonRiconosciuto(
            f"Età non riconosciuta nel file demo.istat.it: {text[numeric.isna()].iloc[0]!r}. "
            "Sono attese età intere 0-100, '100 e più' o 999 (totale)."
        )
    return numeric.astype("int64").to_numpy()


def _age_sex_table(
    data: bytes, dataset: str, sex_columns: dict, vintage: str | None
) -> pd.DataFrame:
    wanted = {"codice comune", "età", "eta"} | {name for names in sex_columns.values() for name in names}
    demo = read_demo_csv(data, columns=wanted)
    table = demo.table
    code = pad_codes(table[_find_column(table, "codice comune")])
    age = parse_age(table[_find_column(table, "età", "eta")])
    values = {
        sex: pd.to_numeric(table[_find_column(table, *names)], errors="raise").to_numpy()
        for sex, names in sex_columns.items()
    }
    wide = pd.DataFrame({"codice": code, "eta": age, **values})
    if "T" in wide:
        _check_sex_sum(wide)
    check_age_totals(wide, list(sex_columns))
    detail = wide.loc[wide["eta"] != TOTAL_AGE_CODE].copy()
    detail["eta"] = detail["eta"].clip(upper=MAX_AGE)
    if (wide["eta"].between(MAX_AGE + 1, TOTAL_AGE_CODE - 1)).any():
        detail = detail.groupby(["codice", "eta"], as_index=False, sort=False).sum()
    year = title_year(demo.title)
    stato = "stima" if is_estimate(demo.title) else "definitivo"
    return _long_by_sex(detail, ["M", "F"], year, FONTI[dataset], vintage or demo.title, stato)


def _check_sex_sum(wide: pd.DataFrame) -> None:
    wrong = wide["M"] + wide["F"] != wide["T"]
    if wrong.any():
        row = wide.loc[wrong].iloc[0]
        raise TotaliIncoerenti(
            f"Nel file, per il comune {row['codice']} all'età {row['eta']}, maschi + femmine "
            f"({row['M']} + {row['F']}) non è uguale al totale ({row['T']}). Il file è "
            "danneggiato: scaricarlo di nuovo."
        )


def check_age_totals(wide: pd.DataFrame, sexes: list[str]) -> None:
    """Raise unless, per comune and sex, the ages add up to the file's own 999 total row.

    The check catches truncated downloads and rows lost in parsing; comuni without a 999
    row are not checked.
    """
    is_total = wide["eta"] == TOTAL_AGE_CODE
    sums = wide.loc[~is_total].groupby("codice")[sexes].sum()
    totals = wide.loc[is_total].set_index("codice")[sexes]
    if totals.index.duplicated().any():
        dup = totals.index[totals.index.duplicated()][0]
        raise FormatoNonRiconosciuto(
            f"Il comune {dup} ha più di una riga di totale (età 999): file non valido."
        )
    common = totals.index.intersection(sums.index)
    diff = sums.loc[common] != totals.loc[common]
    if diff.to_numpy().any():
        bad = diff.any(axis=1)
        codes = list(diff.index[bad][:5])
        raise TotaliIncoerenti(
            f"Le età non sommano al totale (riga 999) per {int(bad.sum())} comuni, ad esempio "
            f"{', '.join(codes)}. Il file è incompleto o danneggiato: scaricarlo di nuovo."
        )


def _long_by_sex(
    detail: pd.DataFrame, sexes: list[str], year: int, fonte: str, vintage: str, stato: str
) -> pd.DataFrame:
    n = len(detail)
    long = pd.DataFrame({
        "codice": np.tile(detail["codice"].to_numpy(dtype=object), len(sexes)),
        "anno": np.full(n * len(sexes), year, dtype="int64"),
        "sesso": np.repeat(sexes, n),
        "eta": np.tile(detail["eta"].to_numpy(dtype="int64"), len(sexes)),
        "valore": np.concatenate([detail[s].to_numpy() for s in sexes]),
    })
    # Built sex by sex (M block then F block): a stable sort by code keeps M before F.
    # Sorting before the constant text columns exist keeps this cheap on 1.6 M rows.
    order = np.argsort(long["codice"].to_numpy(dtype=object), kind="stable")
    long = long.iloc[order].reset_index(drop=True)
    long["codice"] = long["codice"].astype("str")
    long["sesso"] = long["sesso"].astype("str")
    long["fonte"] = fonte
    long["vintage"] = vintage
    long["stato"] = stato
    return long[AGE_COLUMNS]


def parse_posas(data: bytes, vintage: str | None = None) -> pd.DataFrame:
    """POSAS (resident population on 1 January by age and sex) -> tidy age table.

    Works on both layouts ISTAT publishes, choosing columns by name: the final 20-column
    one (by marital status) and the 6-column "(stima)" one. Rows are M and F only (the
    file's ``Totale`` is checked to equal their sum); the 999 rows are checked against
    the ages and dropped. ``stato`` is "stima" when the title ends "(stima)".
    """
    sexes = {
        "M": ("totale maschi",),
        "F": ("totale femmine",),
        "T": ("totale",),
    }
    return _age_sex_table(data, "posas", sexes, vintage)


def parse_strasa(data: bytes, vintage: str | None = None) -> pd.DataFrame:
    """STRASA (foreign residents on 1 January by age and sex) -> tidy age table.

    STRASA has ``Maschi`` and ``Femmine`` and no ``Totale`` column (observed in the scripts
    quoted in SOURCES.md §2.2); the 999 row is the total.
    """
    sexes = {"M": ("maschi", "totale maschi"), "F": ("femmine", "totale femmine")}
    return _age_sex_table(data, "strasa", sexes, vintage)


# Column names of the R copy of POSAS (see parse_posas_totals_r): output sex -> column.
POSAS_R_COLUMNS = {"M": "totale_maschi", "F": "totale_femmine", "T": "totale"}


def parse_posas_totals_r(
    data: bytes, year: int, *, vintage: str | None = None, stato: str = "definitivo"
) -> pd.DataFrame:
    """Totals by sex per comune from a copy of POSAS re-written by R ``write.csv``.

    Not an ISTAT format: a derivative found in circulation. Observed on
    ``posas_2024_totals_derived.csv`` (2026-11): UTF-8 without BOM, ``,`` separator, LF,
    text quoted; a first column named ``""`` with the R row number; the names of POSAS
    lower-cased with spaces turned into ``_`` and "età" into ``et_a``
    (``codice_comune, comune, et_a, totale_maschi, totale_femmine, totale``); codes written
    as numbers, so without leading zeros (``28001``, ``1001``); only the ``et_a`` 999 rows
    (the comune totals); no title line, hence no year: the caller gives ``year`` (the
    1 January the population refers to). The comune "None" (TO) must not become missing.

    Columns: codice, anno, sesso (M, F, T), valore, fonte, vintage, stato. Raises when M + F
    differs from the total or a comune appears twice.
    """
    table = pd.read_csv(
        io.StringIO(decoded(csv_payload(data))), dtype=str, keep_default_na=False, na_filter=False,
    )
    needed = ["codice_comune", "et_a", *POSAS_R_COLUMNS.values()]
    missing = [name for name in needed if name not in table.columns]
    if missing:
        raise FormatoNonRiconosciuto(
            f"Il file non è la copia R dei totali POSAS: mancano le colonne {', '.join(missing)} "
            f"(colonne presenti: {', '.join(table.columns)})."
        )
    totals = table.loc[table["et_a"].str.strip() == str(TOTAL_AGE_CODE)]
    wide = pd.DataFrame({"codice": pad_codes(totals["codice_comune"]), "eta": TOTAL_AGE_CODE})
    for sex, column in POSAS_R_COLUMNS.items():
        wide[sex] = pd.to_numeric(totals[column], errors="raise").to_numpy(dtype="int64")
    wide = wide.reset_index(drop=True)
    bad = ~wide["codice"].str.fullmatch(r"\d{6}")
    if bad.any():
        raise FormatoNonRiconosciuto(
            f"Codice comune non valido nella copia R dei totali POSAS: {wide.loc[bad, 'codice'].iloc[0]!r}."
        )
    _check_sex_sum(wide)
    repeated = wide.loc[wide["codice"].duplicated(), "codice"]
    if len(repeated):
        raise FormatoNonRiconosciuto(f"Nella copia R dei totali POSAS il comune {repeated.iloc[0]} compare più volte.")
    long = _long_by_sex(wide, ["M", "F", "T"], int(year), FONTI["posas"],
                        vintage or f"POSAS, popolazione al 1° gennaio {year} (copia R dei totali)", stato)
    return long[TOTAL_COLUMNS]


# --- P2 and P3 balances ------------------------------------------------------------------

@dataclass(frozen=True)
class BalanceColumn:
    label: str
    variabile: str
    sesso: str
    under_validation: bool
    census_based: bool


def parse_balance_label(label: str) -> BalanceColumn:
    """Split a balance column label into variable, sex and flags.

    Observed shapes (2025): ``"Nati vivi - Maschi"``; the "(v)" mark (data under
    validation) after the sex in P2 (``"… altri motivi - Maschi (v)"``) and before it in
    P3 (``"… altri motivi (v) - Maschi"``). A label with no sex part is a total.
    """
    text = _clean_label(label)
    under_validation = "(v)" in text
    text = _clean_label(text.replace("(v)", ""))
    sesso = "T"
    match = re.match(r"^(?P<name>.+?)\s+-\s+(?P<sex>maschi|femmine|totale)$", text, re.IGNORECASE)
    if match:
        text, sesso = match["name"], SEX_WORDS[match["sex"].casefold()]
    key = normalise_label(text, as_written=True)
    # A label the package does not know yet is kept under an id of its own, not dropped.
    variabile = BALANCE_VARIABLES.get(key) or normalise_label(key, "_")
    return BalanceColumn(label, variabile, sesso, under_validation, "censita" in key)


def _balance_table(data: bytes, dataset: str, vintage: str | None) -> pd.DataFrame:
    demo = read_demo_csv(data)
    table = demo.table
    code_column = _find_column(table, "codice comune")
    info_column = next((c for c in table.columns if normalise_label(c, as_written=True) == "informazioni"), None)
    skip = {code_column, _find_column(table, "comune"), info_column}
    columns = [parse_balance_label(c) for c in table.columns if c not in skip]
    missing = set(REQUIRED_BALANCE_VARIABLES) - {c.variabile for c in columns}
    if missing:
        raise FormatoNonRiconosciuto(
            f"Nel bilancio demografico mancano le colonne {', '.join(sorted(missing))}. "
            f"Colonne presenti: {', '.join(table.columns)}. Il file non è un P2/P3 di demo.istat.it."
        )
    year = title_year(demo.title)
    codes = pad_codes(table[code_column]).to_numpy(dtype=object)
    provisional = (
        (table[info_column].str.strip().str.casefold() == "p").to_numpy()
        if info_column else np.zeros(len(table), dtype=bool)
    )
    pieces = [
        _balance_piece(codes, table[c.label], provisional, c, year) for c in columns
    ]
    long = pd.concat(pieces, ignore_index=True)
    long["codice"] = long["codice"].astype("str")
    long["fonte"] = FONTI[dataset]
    long["vintage"] = vintage or demo.title
    order = {v: i for i, v in enumerate(dict.fromkeys(c.variabile for c in columns))}
    long["_order"] = long["variabile"].map(order)
    long["_sex"] = long["sesso"].map(SEX_ORDER)
    long = long.sort_values(["codice", "_order", "_sex"], kind="stable")
    return long.reset_index(drop=True)[BALANCE_COLUMNS]


def _balance_piece(codes, cells: pd.Series, provisional, column: BalanceColumn, year: int):
    """One balance column in long form, with the status of each cell.

    ``Informazioni`` = "p" marks the row provisional, but the 2025 note says the census
    population at 1 January is final, so that column stays "definitivo"; "(v)" columns are
    under validation and always "provvisorio".
    """
    if column.under_validation:
        stato = np.full(len(codes), "provvisorio", dtype=object)
    elif column.census_based:
        stato = np.full(len(codes), "definitivo", dtype=object)
    else:
        stato = np.where(provisional, "provvisorio", "definitivo").astype(object)
    shift = 1 if column.variabile in END_OF_YEAR_VARIABLES else 0
    values = pd.to_numeric(cells.str.replace(",", ".", regex=False), errors="raise")
    return pd.DataFrame({
        "codice": codes,
        "anno": np.full(len(codes), year + shift, dtype="int64"),
        "anno_bilancio": np.full(len(codes), year, dtype="int64"),
        "sesso": pd.Series([column.sesso] * len(codes), dtype="str"),
        "variabile": pd.Series([column.variabile] * len(codes), dtype="str"),
        "valore": values.to_numpy(),
        "stato": pd.Series(stato, dtype="str"),
    })


def parse_p2(data: bytes, vintage: str | None = None) -> pd.DataFrame:
    """P2 (demographic balance of year Y, all residents) -> tidy balance table.

    Columns: codice, anno, anno_bilancio, sesso, variabile, valore, fonte, vintage, stato.
    See the module docstring for the choice of ``anno``.
    """
    return _balance_table(data, "p2", vintage)


def parse_p3(data: bytes, vintage: str | None = None) -> pd.DataFrame:
    """P3 (demographic balance of foreign citizens) -> tidy balance table, as ``parse_p2``."""
    return _balance_table(data, "p3", vintage)


def population_from_balance(balance: pd.DataFrame) -> pd.DataFrame:
    """The population stocks a balance carries, as a tidy table without age.

    A balance of year Y gives two stocks: the census population at 1/1/Y (``anno`` Y)
    and the population at 31/12/Y (``anno`` Y+1).
    """
    stocks = balance["variabile"].isin(["popolazione_1_gennaio", "popolazione_31_dicembre"])
    return balance.loc[stocks, TOTAL_COLUMNS].reset_index(drop=True)
