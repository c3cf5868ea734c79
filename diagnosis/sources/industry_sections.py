"""ISTAT's 2011 industry and services census per census section: local units and employees.

ISTAT publishes the figures of the "Censimento dell'industria e dei servizi 2011" per section
among the "variabili censuarie", as one national ZIP:
``https://www.istat.it/storage/cartografia/variabili-censuarie/dati-sce_2011.zip``. It holds
``Dati_SCE_2011/Sez_AttivitaEconomica/01_AttEcon_SCE_2011.txt`` … ``20_…`` (one text table
per region, with a header) whose columns are ``TIPO_SOGGETTO, CODREG, PROCOM, NSEZ, ATECO3,
NUM_UNITA, ADDETTI, ALTRI_RETRIB, VOLONTARI``: one row per kind of subject (enterprises,
public and non-profit institutions), section and ATECO 2007 group, with its local units, their
employees (``ADDETTI``), other paid workers and volunteers. ``PROCOM`` and ``NSEZ`` are numbers
(``14061``, ``1``), and so is ``ATECO3``, whose leading zero is lost: ``11`` is group 01.1,
read below as division 11, which changes no figure (divisions 01-09 are not commerce).
These names come from public code that loads the files (a script reading that folder from
``01_AttEcon_SCE_2011.txt``, a database schema of the table); the codes of
``TIPO_SOGGETTO``, the separator and the encoding were not seen. The
reader sums every kind of subject, so it does not need those codes; it takes ``;``, ``,`` or
tab as separator, and Latin-1 (Windows cp1252) or UTF-8, like the 2011 population file of
the same series.

Files made by hand are read as well: each table is recognised by the names of its columns,
from the short lists below, and a table whose columns are not among them is refused with a
message listing the columns it has and the names accepted, so that the analyst can rename
them. A workbook, or a ZIP of tables, reads the same.

Columns recognised (case, spaces and accents aside):

- the section: the comune (``PRO_COM``, ``PROCOM``) with the section's number within it
  (``NSEZ``, ``SEZ``), or ``SEZ2011`` (the comune's code then the section's 7-digit number,
  as in the population file);
- local units: ``NUM_UNITA``, ``UL``, ``UNITA_LOCALI``, ``NUM_UL``;
- employees: ``ADDETTI``, ``ADD``, ``NUM_ADDETTI``;
- optionally the activity: ``ATECO``, ``ATECO2007``, ``ATECO_2007``, ``COD_ATECO``, ``ATECO2``,
  ``ATECO3``. With it, each row is one activity of a section (a code such as ``47``, ``471``,
  ``47.1``, ``G47`` or the section letter ``G``); the section's total is its row marked
  ``TOTALE``/``TOT``/``0`` when there is one, else the sum of its rows (taken as disjoint
  activities of one level of ATECO 2007). Commerce is ATECO section G (divisions 45, 46, 47),
  retail trade division 47; an activity absent from a section counts 0 there, a section whose
  commerce rows carry only the letter G has no retail figure.

A blank cell (a figure ISTAT does not publish) stays missing, never zero: a section whose
count is blank in any of the rows summed has a missing count.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from diagnosis.errors import FormatoNonRiconosciuto
from diagnosis.sources.census_sections import numbers_of, section_code, tables_in

YEAR = 2011
SECTION_NUMBER_DIGITS = 7
SECTION_HEADERS = ("SEZ2011",)
COMUNE_HEADERS = ("PRO_COM", "PROCOM")
NUMBER_HEADERS = ("NSEZ", "SEZ")
UNITS_HEADERS = ("NUM_UNITA", "UL", "UNITA_LOCALI", "NUM_UL")
EMPLOYEES_HEADERS = ("ADDETTI", "ADD", "NUM_ADDETTI")
ATECO_HEADERS = ("ATECO", "ATECO2007", "ATECO_2007", "COD_ATECO", "ATECO2", "ATECO3")
TOTAL_MARKERS = ("TOTALE", "TOT", "0", "00", "000")
COMMERCE_DIVISIONS = (45, 46, 47)
RETAIL_DIVISION = 47
# Measure id -> label, in the order shown; the commerce and retail ones need an ATECO column.
MEASURES = {
    "unita_locali": "Unità locali",
    "addetti": "Addetti delle unità locali",
    "unita_locali_commercio": "Unità locali del commercio (ATECO G)",
    "addetti_commercio": "Addetti del commercio (ATECO G)",
    "unita_locali_dettaglio": "Unità locali del commercio al dettaglio (ATECO 47)",
    "addetti_dettaglio": "Addetti del commercio al dettaglio (ATECO 47)",
}


def header_name(cell) -> str:
    """A column's name as compared: upper case, without accents, spaces and hyphens as ``_``."""
    text = unicodedata.normalize("NFKD", str(cell).strip().upper())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[\s\-]+", "_", text)


def section_columns(header) -> tuple[str, ...] | None:
    """The columns naming the section (``SEZ2011``, or comune and number); None when absent."""
    names = [header_name(cell) for cell in header]
    if SECTION_HEADERS[0] in names:
        return SECTION_HEADERS
    comune = next((name for name in COMUNE_HEADERS if name in names), None)
    number = next((name for name in NUMBER_HEADERS if name in names), None)
    return (comune, number) if comune and number else None


def accepted_names() -> str:
    """The names recognised, as the refusal lists them."""
    return (f"sezione {' '.join(SECTION_HEADERS)}, oppure {' o '.join(COMUNE_HEADERS)} con "
            f"{' o '.join(NUMBER_HEADERS)}; unità locali {', '.join(UNITS_HEADERS)}; addetti "
            f"{', '.join(EMPLOYEES_HEADERS)}; facoltativa l'attività {', '.join(ATECO_HEADERS)}")


def parse_industry_sections(data: bytes) -> pd.DataFrame:
    """The sections of the 2011 industry census file (a CSV, a workbook, or a ZIP of them).

    Columns: ``anno`` (2011), ``sezione`` (13 digits), ``comune`` (6 characters) and one
    float column per measure of ``MEASURES`` (NaN where a cell is blank, or, for commerce
    and retail, where the file has no ATECO column). One row per section.
    """
    tables = [raw.rename(columns=header_name) for raw in tables_in(data)]
    found = [table for table in tables if section_columns(table.columns) is not None]
    if not found:
        raise _refusal(tables, "non ha la colonna della sezione di censimento")
    return pd.concat([_sections(table) for table in found], ignore_index=True)


def _refusal(tables: list[pd.DataFrame], what: str) -> FormatoNonRiconosciuto:
    found = "; ".join(", ".join(map(str, table.columns)) for table in tables) or "nessuna"
    return FormatoNonRiconosciuto(
        f"Il file delle unità locali e degli addetti per sezione di censimento 2011 non si riconosce: "
        f"{what}. Colonne trovate: {found}. Nomi riconosciuti: {accepted_names()}. Rinominare le colonne "
        "del file con questi nomi (un foglio di calcolo basta) e importarlo di nuovo con: "
        "diagnosis dati aggiungi FILE"
    )


def _sections(raw: pd.DataFrame) -> pd.DataFrame:
    units = next((name for name in UNITS_HEADERS if name in raw), None)
    employees = next((name for name in EMPLOYEES_HEADERS if name in raw), None)
    lacking = [what for what, name in (("delle unità locali", units), ("degli addetti", employees)) if name is None]
    if lacking:
        raise _refusal([raw], f"non ha la colonna {' né quella '.join(lacking)}")
    codes = _section_codes(raw)
    kept = codes.notna()
    rows = pd.DataFrame({"sezione": codes[kept], "unita_locali": numbers_of(raw.loc[kept, units]),
                         "addetti": numbers_of(raw.loc[kept, employees])})
    ateco = next((name for name in ATECO_HEADERS if name in raw), None)
    if ateco is None:
        table = _sum_per_section(rows, ["unita_locali", "addetti"])
    else:
        table = _by_activity(rows, raw.loc[kept, ateco])
    table.insert(0, "comune", table["sezione"].str[:6])
    table.insert(0, "anno", YEAR)
    # Without an ATECO column commerce and retail cannot be told: missing, not zero.
    return table.reindex(columns=["anno", "sezione", "comune", *MEASURES]).reset_index(drop=True)


def _section_codes(raw: pd.DataFrame) -> pd.Series:
    """The 13-digit section code of each row; None on a row without one (a blank line)."""
    columns = section_columns(raw.columns)
    if columns == SECTION_HEADERS:
        text = raw[SECTION_HEADERS[0]].str.strip()
        return text.map(lambda value: section_code(value) if value else None)
    comune, number = (raw[name].str.strip().str.removesuffix(".0") for name in columns)
    joined = [f"{c.zfill(6)}{n.zfill(SECTION_NUMBER_DIGITS)}" if c and n else None for c, n in zip(comune, number)]
    return pd.Series([section_code(code) if code else None for code in joined], index=raw.index, dtype=object)


def _sum_per_section(rows: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
    """Each section's rows summed; missing where one of them is blank."""
    grouped = rows.groupby("sezione", sort=False)
    sums = grouped[measures].sum()
    blank = rows[measures].isna().groupby(rows["sezione"], sort=False).any()
    return sums.where(~blank).reset_index()


def _by_activity(rows: pd.DataFrame, ateco: pd.Series) -> pd.DataFrame:
    """Totals, commerce and retail per section from rows of one activity each."""
    kinds = ateco.str.strip().str.upper().map(_activity)
    counts = ["unita_locali", "addetti"]
    total_rows = rows[kinds == "totale"]
    totals = _sum_per_section(rows[kinds != "totale"], counts).set_index("sezione")
    if not total_rows.empty:  # a section's own total row, even blank, wins over the sum of its activities
        marked = _sum_per_section(total_rows, counts).set_index("sezione")
        totals = pd.concat([totals.drop(marked.index, errors="ignore"), marked])
    sections = pd.Index(rows["sezione"].unique(), name="sezione")
    table = totals.reindex(sections)
    commerce = rows[kinds.isin(["dettaglio", "commercio", "commercio_senza_divisione"])]
    retail = rows[kinds == "dettaglio"]
    lacking_division = set(rows.loc[kinds == "commercio_senza_divisione", "sezione"])
    for suffix, part in (("commercio", commerce), ("dettaglio", retail)):
        # A section without such activity has none: 0. A blank cell is put back as missing below.
        summed = _sum_per_section(part, counts).set_index("sezione").reindex(sections).fillna(0.0)
        blank = part[counts].isna().groupby(part["sezione"]).any().reindex(sections, fill_value=False)
        summed = summed.where(~blank)
        if suffix == "dettaglio":
            summed.loc[summed.index.isin(lacking_division)] = float("nan")
        for count in counts:
            table[f"{count}_{suffix}"] = summed[count]
    return table.reset_index()


def _activity(code: str) -> str:
    """What an ATECO cell says for the figures kept: ``totale``, ``dettaglio`` (division 47),
    ``commercio`` (45, 46), ``commercio_senza_divisione`` (the letter G alone) or ``altro``."""
    text = code.replace(".", "").replace(" ", "")
    if text in TOTAL_MARKERS:
        return "totale"
    found = re.match(r"^([A-U])?(\d{2})?", text)
    letter, digits = found.groups()
    if digits:
        division = int(digits)
        if division == RETAIL_DIVISION:
            return "dettaglio"
        return "commercio" if division in COMMERCE_DIVISIONS else "altro"
    return "commercio_senza_divisione" if letter == "G" else "altro"

