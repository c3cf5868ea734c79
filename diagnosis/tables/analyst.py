"""The analyst's own files for a territory: shop register and vacant-premises survey.

They describe the territory they were imported for (``dati aggiungi --territorio``) as
it is now; the most recent import of each kind is used, re-validated on every read so
that only clean rows count.
"""

from __future__ import annotations

import functools

import pandas as pd

from diagnosis import store
from diagnosis.tables.analyst_files import vacancy_figures, validate

REGISTER, VACANCIES = "registro_negozi", "rilevazione_sfitti"


def entry_for(dataset: str, territory_id: str) -> dict | None:
    found = [e for e in store.entries(dataset) if e.get("territorio") == territory_id]
    return max(found, key=lambda e: e["fetched_at"]) if found else None


@functools.lru_cache(maxsize=16)
def _validated(path: str, _sha256: str, comuni: tuple[str, ...]):
    name = path.rsplit("/", 1)[-1]
    return validate((store.raw_dir() / path).read_bytes(), name=name, comuni=comuni or None)[1]


def validated(dataset: str, territory_id: str):
    """The clean rows of the territory's file: rows of comuni outside the territory left out."""
    entry = entry_for(dataset, territory_id)
    return _validated(entry["path"], entry["sha256"], tuple(entry.get("comuni") or ())) if entry else None


def figures(territory_id: str) -> dict | None:
    """Vacancy and turnover figures of the territory's files, as of today; None without files."""
    register, vacancies = validated(REGISTER, territory_id), validated(VACANCIES, territory_id)
    if register is None and vacancies is None:
        return None
    result = vacancy_figures(register, vacancies)
    labels = {REGISTER: "registro dei negozi", VACANCIES: "rilevazione degli sfitti"}
    parts = [f"{labels[d]}, {entry_for(d, territory_id)['vintage']}" for d in labels if entry_for(d, territory_id)]
    result["fonte"] = "Rilevazione dell'analista (" + "; ".join(parts) + ")"
    return result


def points(territory_id: str):
    """Active shops of the register and premises vacant today, with coordinates, for the map.

    A register row "sfitto" and a survey row not re-let are both vacant; a premises in both
    files (same address) is drawn once, from the survey.
    """
    found = all_points(territory_id)
    if found is None:
        return pd.DataFrame(columns=["nome", "stato", "gruppi", "lat", "lon", "indirizzo"])
    return found.drop(columns="origine").dropna(subset=["lat", "lon"])


def all_points(territory_id: str):
    """As :func:`points`, rows without coordinates kept (NaN ``lat``/``lon``) and the file each
    comes from in ``origine``; None when neither file was imported for the territory."""
    def address(rows):
        return (rows["indirizzo"] + " " + rows["civico"].fillna("").astype(str)).str.strip().to_numpy()

    frames = []
    register = validated(REGISTER, territory_id)
    if register is not None:
        shops = register.righe[register.righe["stato"].isin(["attivo", "sfitto"])]
        frames.append(pd.DataFrame({"nome": shops["nome"].to_numpy(), "stato": shops["stato"].to_numpy(),
                                    "gruppi": shops["gruppi"].to_numpy(), "lat": shops["lat"].to_numpy(),
                                    "lon": shops["lon"].to_numpy(), "indirizzo": address(shops),
                                    "origine": REGISTER}))
    vacancies = validated(VACANCIES, territory_id)
    if vacancies is not None:
        empty = vacancies.righe[vacancies.righe["data_riaffitto"].isna()]
        frames.append(pd.DataFrame({"nome": "", "stato": "sfitto", "gruppi": [[] for _ in range(len(empty))],
                                    "lat": empty["lat"].to_numpy(), "lon": empty["lon"].to_numpy(),
                                    "indirizzo": address(empty), "origine": VACANCIES}))
    if not frames:
        return None
    combined = pd.concat(frames, ignore_index=True)
    vacant = combined["stato"] == "sfitto"
    survey_first = combined[vacant].iloc[::-1].drop_duplicates("indirizzo").iloc[::-1]
    return pd.concat([combined[~vacant], survey_first], ignore_index=True)
