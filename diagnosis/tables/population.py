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
from diagnosis.sources import embedded

AGES = np.arange(0, 101)
SEXES = ("M", "F")


@dataclass(frozen=True)
class Provenance:
    fonte: str
    vintage: str
    stato: str


@dataclass(frozen=True)
class PopulationCube:
    """Counts for one year: ``values[i, s, a]`` for comune ``codes[i]``, sex ``s``, age ``a``."""

    year: int
    codes: np.ndarray
    values: np.ndarray
    provenance: Provenance

    def total_for(self, comuni) -> np.ndarray:
        """The (sex × age) counts summed over ``comuni``; comuni without data are left out."""
        wanted = pd.Index(self.codes).get_indexer(list(comuni))
        return self.values[wanted[wanted >= 0]].sum(axis=0)

    def covered(self, comuni) -> list[str]:
        wanted = pd.Index(self.codes).get_indexer(list(comuni))
        return [code for code, pos in zip(comuni, wanted) if pos >= 0]


def available_years() -> list[int]:
    return embedded.available_years()


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


@functools.cache
def population_table(year: int) -> pd.DataFrame:
    """The tidy table (codice, anno, sesso, eta, valore, fonte, vintage, stato) for ``year``."""
    return embedded.population(check_year(year))


@functools.cache
def cube(year: int) -> PopulationCube:
    table = population_table(year)
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
