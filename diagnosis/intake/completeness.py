"""Whether a table read from a file is whole: every comune once, every column, none missing.

A reader can parse a file that is still wrong to use: a MEF file cut at a line end, a P2 with
a comune row pasted twice or a column deleted in a spreadsheet. These checks run on the
reader's own table, so they judge what the figures will be made of:

- **comuni**: a national file lists about every comune of its date, as many as the
  declarative table ``comuni_attesi.yaml`` says (with its tolerance); a per-territory SDMX
  answer lists a few by design and is kept as partial;
- **repeated rows**: a comune appears once per figure (the dataset's key);
- **columns**: in a balance every variable comes for each sex the file gives (a deleted
  "Morti - Totale" would make every death rate unavailable).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from diagnosis.errors import FileIncompleto
from diagnosis.sources.demo_istat import BALANCE_VARIABLES
from diagnosis.sources.istat_sdmx import dimension_columns
from diagnosis.tables.editions import mef_code_date
from diagnosis.territory import registry

FACTS_FILE = Path(__file__).with_name("comuni_attesi.yaml")
COMUNE_CODE = r"\d{6}"
SEX_WORDS = {"M": "maschi", "F": "femmine", "T": "totale"}


def january_first(year: int) -> date:
    return date(year, 1, 1)


def december_31(year: int) -> date:
    return date(year, 12, 31)


def mef_list_date(year: int) -> date:
    return mef_code_date(year)


@dataclass(frozen=True)
class Shape:
    """How to judge one dataset's table."""

    label: str  # what a reader calls the file
    code_column: str
    year_column: str | None  # None: the file is of one year, the recognised one
    key: tuple[str, ...] | None  # one figure per key; None: the SDMX dimensions and TIME_PERIOD
    list_date: Callable[[int], date]  # the day whose comuni a file of that year lists
    national: bool  # published only for all of Italy: a partial file is refused
    fix: str  # how to get the whole file ({anno} is filled in)


def _demo_fix(dataset: str) -> str:
    return (f"scaricarlo di nuovo intero con: diagnosis dati scarica --fonte {dataset} --anni {{anno}} (oppure da "
            "demo.istat.it, e importarlo con: diagnosis dati aggiungi FILE)")


SDMX_SHAPE = Shape("la risposta SDMX", "REF_AREA", "anno", None, january_first, False,
                   "scaricarla di nuovo per intero da esploradati.istat.it")
SHAPES = {
    "posas": Shape("POSAS", "codice", "anno", ("codice", "anno", "sesso", "eta"), january_first, True,
                   _demo_fix("posas")),
    "strasa": Shape("STRASA", "codice", "anno", ("codice", "anno", "sesso", "eta"), january_first, True,
                    _demo_fix("strasa")),
    "p2": Shape("P2", "codice", "anno_bilancio", ("codice", "anno_bilancio", "variabile", "sesso"), december_31,
                True, _demo_fix("p2")),
    "p3": Shape("P3", "codice", "anno_bilancio", ("codice", "anno_bilancio", "variabile", "sesso"), december_31,
                True, _demo_fix("p3")),
    "mef_irpef": Shape("MEF IRPEF", "codice", "anno", ("codice", "anno", "variabile"), mef_list_date, True,
                       "scaricarlo di nuovo intero con: diagnosis dati scarica --fonte mef_irpef --anni {anno} (oppure "
                       "dal sito del Dipartimento delle Finanze, e importarlo con: diagnosis dati aggiungi FILE)"),
    "classificazioni_comuni": Shape("Classificazioni statistiche dei comuni", "codice", None, ("codice",),
                                    january_first, True, "scaricarlo di nuovo intero dal sito ISTAT"),
    **{dataset: SDMX_SHAPE for dataset in
       ("popolazione_sdmx", "stranieri_sdmx", "bilancio_sdmx", "asia_ul", "popolazione_ricostruita",
        "capacita_ricettiva")},
}


@dataclass(frozen=True)
class Coverage:
    """The comuni a table lists, year by year, and whether that is about all of Italy."""

    comuni_per_anno: dict[int, int]
    comuni: tuple[str, ...]
    completo: bool


# --- the number of comuni expected -------------------------------------------------------------

@functools.cache
def facts() -> dict:
    return yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))


def comuni_on_first_january(year: int) -> int:
    """Comuni existing on 1 January ``year`` (ISTAT); a year outside the table takes the nearest."""
    counts = facts()["comuni_al_1_gennaio"]
    nearest = min(counts, key=lambda known: abs(int(known) - year))
    return int(counts[nearest])


def expected_range(day: date) -> tuple[int, int]:
    """The fewest and most comuni a national list of ``day`` may hold, tolerance included."""
    around = [comuni_on_first_january(day.year), comuni_on_first_january(day.year + 1)]
    tolerance = float(facts()["tolleranza"])
    return int(min(around) * (1 - tolerance)), int(max(around) * (1 + tolerance)) + 1


# --- the checks ----------------------------------------------------------------------------------

def check(dataset: str, table: pd.DataFrame, years: tuple[int, ...]) -> Coverage | None:
    """The coverage of ``table``; raises ``FileIncompleto`` naming the cause and the fix.

    Datasets without a shape (code lists, price index, maps) are not judged: None.
    """
    shape = SHAPES.get(dataset)
    if shape is None:
        return None
    _refuse_repeated_rows(shape, table, years)
    if dataset in ("p2", "p3"):
        _refuse_missing_sex_columns(shape, table, years)
    return _coverage(shape, table, years)


def _fix(shape: Shape, years) -> str:
    return shape.fix.format(anno=max(years))


def _key_of(shape: Shape, table: pd.DataFrame) -> list[str]:
    if shape.key is not None:
        return list(shape.key)

    return dimension_columns(table) + ["TIME_PERIOD"]


def _refuse_repeated_rows(shape: Shape, table: pd.DataFrame, years) -> None:
    repeated = table.duplicated(subset=_key_of(shape, table), keep=False)
    if not repeated.any():
        return
    codes = list(dict.fromkeys(table.loc[repeated, shape.code_column].astype(str)))
    raise FileIncompleto(
        f"Nel file {shape.label} {_years_text(years)} {_comuni_text(codes)} più di una volta (righe ripetute): il "
        "file è stato modificato o unito ad altri, e le somme di provincia e regione conterebbero quei comuni "
        f"due volte. Usare il file originale: {_fix(shape, years)}."
    )


def _refuse_missing_sex_columns(shape: Shape, table: pd.DataFrame, years) -> None:
    """Each balance variable for every sex the file gives: a lone missing column was deleted."""
    present = set(zip(table["variabile"], table["sesso"]))
    sexes = sorted({sex for _, sex in present}, key="MFT".index)
    missing = [_balance_label(variable, sex) for variable in dict.fromkeys(table["variabile"])
               for sex in sexes if (variable, sex) not in present]
    if missing:
        raise FileIncompleto(
            f"Nel file {shape.label} {_years_text(years)} "
            f"{'manca la colonna' if len(missing) == 1 else 'mancano le colonne'} {', '.join(map(repr, missing[:6]))}"
            f"{' e altre' if len(missing) > 6 else ''}, presente invece per gli altri sessi: il file è stato "
            f"modificato (una colonna cancellata) e i tassi che le usano non si potrebbero calcolare. Usare il "
            f"file originale: {_fix(shape, years)}."
        )


def _balance_label(variable: str, sex: str) -> str:
    """The publisher's column label of a balance variable and sex ("Morti - Totale")."""
    label = next((text for text, known in BALANCE_VARIABLES.items() if known == variable), variable.replace("_", " "))
    return f"{label[:1].upper()}{label[1:]} - {SEX_WORDS[sex].capitalize()}"


def _coverage(shape: Shape, table: pd.DataFrame, years) -> Coverage:
    codes = table[shape.code_column].astype(str)
    comuni = codes.str.fullmatch(COMUNE_CODE)
    if shape.year_column is None:
        per_year = {int(max(years)): int(codes[comuni].nunique())}
    else:
        counts = table.loc[comuni].groupby(shape.year_column)[shape.code_column].nunique()
        per_year = {int(year): int(count) for year, count in counts.items()}
    outside = {year: count for year, count in per_year.items() if not _within(count, shape.list_date(year))}
    if outside and shape.national:
        raise FileIncompleto(_count_message(shape, outside, years))
    listed = tuple(sorted(set(codes[comuni])))
    return Coverage(comuni_per_anno=per_year, comuni=listed, completo=bool(per_year) and not outside)


def _within(count: int, day: date) -> bool:
    fewest, most = expected_range(day)
    return fewest <= count <= most


def _count_message(shape: Shape, outside: dict[int, int], years) -> str:
    year, count = min(outside.items())
    day = shape.list_date(year)
    fewest, most = expected_range(day)
    if count < fewest:
        cause = ("è incompleto: un download interrotto, un file tagliato o un estratto di una parte dei comuni, "
                 "che al posto del file intero darebbe somme parziali per province, regioni e distretti")
    else:
        cause = "ne elenca più di quanti ne esistessero: è l'unione di più file o di più anni"
    return (
        f"Il file {shape.label} {year} elenca {_number(count)} {'comune' if count == 1 else 'comuni'}, ma un file "
        f"nazionale con i comuni del "
        f"{day.strftime('%d/%m/%Y')} ne elenca fra {_number(fewest)} e {_number(most)} (il numero ISTAT dei comuni a "
        f"quella data, ±{float(facts()['tolleranza']) * 100:g}%): {cause}. Che cosa fare: "
        f"{_fix(shape, years)}."
    )


def _years_text(years) -> str:
    return ", ".join(map(str, sorted(years)))


def _comuni_text(codes: list[str]) -> str:
    names = registry.names()
    shown = ", ".join(f"{names.get(code, code)} ({code})" for code in codes[:5])
    more = f" e altri {len(codes) - 5}" if len(codes) > 5 else ""
    verb = "compare" if len(codes) == 1 else "compaiono"
    return f"{'il comune' if len(codes) == 1 else 'i comuni'} {shown}{more} {verb}"


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")
