"""The resident population by single year of age and sex that the weights aim at."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from diagnosis.errors import DatiNonDisponibili
from diagnosis.indicators.counts import TerritoryCounts, territory_counts
from diagnosis.tables import measures
from diagnosis.territory import resolve_territory


@dataclass(frozen=True)
class ReferencePopulation:
    territorio: str
    anno: int
    popolazione: pd.DataFrame  # eta (0..100), sesso (M/F), popolazione
    fonte: str


def population_frame(counts: TerritoryCounts) -> pd.DataFrame:
    """Counts by sex and age as the long table the weighting reads (eta, sesso, popolazione)."""
    ages = np.arange(len(counts.maschi))
    return pd.concat([
        pd.DataFrame({"eta": ages, "sesso": "M", "popolazione": counts.maschi.astype(int)}),
        pd.DataFrame({"eta": ages, "sesso": "F", "popolazione": counts.femmine.astype(int)}),
    ], ignore_index=True)


def reference_population(territory_argument: str, year: int | None = None) -> ReferencePopulation:
    """A territory's population for a year (latest when ``year`` is None); errors are DiagnosisError."""
    territory = resolve_territory(territory_argument)
    counts = territory_counts(territory, measures.check_year(year))
    if counts.eta is None:
        raise DatiNonDisponibili(f"Manca la popolazione per età di {territory.nome}: diagnosis dati scarica --fonte posas")
    source = f"{counts.eta.fonte}, al 1° gennaio {counts.eta.anno} ({counts.eta.stato})"
    return ReferencePopulation(territory.nome, counts.eta.anno, population_frame(counts), source)
