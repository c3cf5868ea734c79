"""Population by age and sex: the tidy table and fast per-territory sums.

Counts are kept per comune as an array (comune × sex × age) so that any territory —
one comune, a district across provinces, Italy — is the sum of its rows: a district is
never an average of its comuni's ratios.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from diagnosis.errors import AnnoNonDisponibile
from diagnosis.notices import announce
from diagnosis.sources import embedded

AGES = np.arange(0, 101)
SEXES = ("M", "F")


@dataclass(frozen=True)
class Provenance:
    fonte: str
    vintage: str
    stato: str


@dataclass(frozen=True, eq=False)
class PopulationCube:
    """Counts for one year: ``values[i, s, a]`` for comune ``codes[i]``, sex ``s``, age ``a``."""

    year: int
    codes: np.ndarray
    values: np.ndarray
    provenance: Provenance

    @functools.cached_property
    def _positions(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.codes)}

    def total_for(self, comuni) -> np.ndarray:
        """The (sex × age) counts summed over ``comuni``; comuni without data are left out."""
        rows = [self._positions[c] for c in comuni if c in self._positions]
        return self.values[rows].sum(axis=0)

    def covered(self, comuni) -> list[str]:
        return [code for code in comuni if code in self._positions]


_announce_once = functools.cache(announce)  # a choice is told once per process, not per cube
STATUS_RANK = {"definitivo": 0, "provvisorio": 1, "stima": 2}
STORE_DATASET = "posas"


def _stored_files() -> dict[int, dict]:
    """The POSAS file a reader should use for each year held in the raw store."""
    from diagnosis import store

    by_year: dict[int, list[dict]] = {}
    for entry in store.entries(STORE_DATASET):
        for year in entry["years"]:
            by_year.setdefault(int(year), []).append(entry)
    return {year: store.preferred(group) for year, group in by_year.items()}


def available_years() -> list[int]:
    return sorted(set(embedded.available_years()) | set(_stored_files()))


def _chosen_source(year: int) -> dict | None:
    """The stored POSAS file when it is at least as final as the embedded table, else None.

    When both exist, the more final status wins (definitivo over provvisorio over stima);
    at equal status the store wins, because it was published later. The choice is
    announced so that it is recorded wherever notices are kept.
    """
    stored = _stored_files().get(year)
    if stored is None:
        return None
    if year in embedded.available_years():
        embedded_status = embedded.status_of(year)
        if STATUS_RANK[stored["status"]] > STATUS_RANK[embedded_status]:
            _announce_once(f"Popolazione {year}: il dato incorporato ({embedded_status}) prevale sul file "
                     f"{stored['filename']} ({stored['status']}).")
            return None
        _announce_once(f"Popolazione {year}: usato {stored['filename']} ({stored['status']}) al posto del dato "
                 f"incorporato ({embedded_status}).")
    return stored


def check_year(year: int) -> int:
    years = available_years()
    if year not in years:
        listed = ", ".join(map(str, years))
        raise AnnoNonDisponibile(
            f"Anno {year} non disponibile per la popolazione: anni presenti {listed}. "
            "Per aggiungere altri anni: diagnosis dati scarica --fonte posas --anni A-B"
        )
    return year


def latest_year() -> int:
    return max(available_years())


def previous_year(year: int) -> int | None:
    earlier = [y for y in available_years() if y < year]
    return max(earlier) if earlier else None


def chosen_store_file(year: int) -> dict | None:
    """The raw-store entry used for ``year``, or None when the embedded table is used."""
    return _chosen_source(year)


def population_table(year: int) -> pd.DataFrame:
    """The tidy table (codice, anno, sesso, eta, valore, fonte, vintage, stato) for ``year``."""
    return _table_from(check_year(year), source_key(year))


def source_key(year: int) -> str:
    stored = _chosen_source(year)
    return "incorporato" if stored is None else stored["sha256"]


@functools.lru_cache(maxsize=16)
def _table_from(year: int, key: str) -> pd.DataFrame:
    if key == "incorporato":
        return embedded.population(year)
    from diagnosis import store
    from diagnosis.sources import demo_istat

    entry = _stored_files()[year]
    data = (store.raw_dir() / entry["path"]).read_bytes()
    table = demo_istat.parse_posas(data, vintage=entry["vintage"])
    return table[table["anno"] == year].reset_index(drop=True)


def cube(year: int) -> PopulationCube:
    return _cube_from(check_year(year), source_key(year))


@functools.lru_cache(maxsize=16)
def _cube_from(year: int, key: str) -> PopulationCube:
    table = _table_from(year, key)
    comune_index, codes = pd.factorize(table["codice"], sort=True)
    sex_index = pd.Index(SEXES).get_indexer(table["sesso"].astype(str))
    flat = (comune_index * len(SEXES) + sex_index) * len(AGES) + table["eta"].to_numpy()
    size = len(codes) * len(SEXES) * len(AGES)
    counts = np.bincount(flat, weights=table["valore"].to_numpy(dtype=float), minlength=size)
    values = counts.round().astype(np.int64).reshape(len(codes), len(SEXES), len(AGES))
    codes = np.asarray(codes, dtype=str)
    first = table.iloc[0]
    provenance = Provenance(fonte=str(first["fonte"]), vintage=str(first["vintage"]), stato=str(first["stato"]))
    return PopulationCube(year, codes, values, provenance)
