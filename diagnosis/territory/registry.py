"""The registry of Italian comuni: today's list, from the embedded snapshot.

One row per comune existing on the snapshot's date (1 January 2026): 6-character ISTAT
code, names, cadastral code, province and region, the official area in km² and ISTAT's
classifications (altitude zone, degree of urbanisation, coast, inner areas). Their
boundaries are in ``shapes``.
"""

from __future__ import annotations

import functools

import pandas as pd

from diagnosis import snapshot

REGISTRY_COLUMNS = [
    "codice", "nome", "codice_catastale",
    "provincia_codice", "provincia_sigla", "provincia_nome",
    "regione_codice", "regione_nome", "superficie_kmq",
]
CLASSIFICATION_COLUMNS = [
    "zona_altimetrica", "grado_urbanizzazione", "litoraneo", "isolano", "altitudine_m",
    "area_interna_2021_27",
]


@functools.cache
def comuni() -> pd.DataFrame:
    """Every comune of today, ``codice`` a 6-char string, sorted by code."""
    table = snapshot.table("comuni")
    wanted = REGISTRY_COLUMNS + [c for c in CLASSIFICATION_COLUMNS if c in table.columns]
    return table[wanted].sort_values("codice").reset_index(drop=True)


@functools.cache
def names() -> dict[str, str]:
    """Code → name of every comune, for lookups in loops (``comuni()`` is a whole table)."""
    table = comuni()
    return dict(zip(table["codice"], table["nome"]))


@functools.cache
def province_abbreviations() -> dict[str, str]:
    """Code → province abbreviation (``MI``) of every comune, for labels built in loops."""
    table = comuni()
    return dict(zip(table["codice"], table["provincia_sigla"]))


# Asked by every report (its province's comuni to rank among and to project toward), and for
# every territory of a batch before it starts.
@functools.cache
def province_lookup() -> tuple[dict[str, str], dict[str, list[str]]]:
    """Comune → its province's code, and province → its comuni in code order."""
    table = comuni()
    province_of = dict(zip(table["codice"], table["provincia_codice"]))
    members_of: dict[str, list[str]] = {}
    for code, province in province_of.items():
        members_of.setdefault(province, []).append(code)
    return province_of, members_of


@functools.cache
def region_lookup() -> dict[str, str]:
    """Comune → its region's code."""
    table = comuni()
    return dict(zip(table["codice"], table["regione_codice"]))


def provinces() -> pd.DataFrame:
    columns = ["provincia_codice", "provincia_sigla", "provincia_nome", "regione_codice", "regione_nome"]
    return comuni()[columns].drop_duplicates("provincia_codice").sort_values("provincia_codice").reset_index(drop=True)


def regions() -> pd.DataFrame:
    return comuni()[["regione_codice", "regione_nome"]].drop_duplicates().sort_values("regione_codice").reset_index(drop=True)
