"""The open proxies of people flows as the report shows them: commuting, tourism, spending power.

Each part is one ``dg`` call; a part whose data are missing is left out of the client's
edition and listed in the appendix under its name in ``PARTS``, with the command that gets it
in the analyst's edition.
"""

from __future__ import annotations

import pandas as pd

PARTS = {
    "pendolarismo": "Pendolarismo per studio e lavoro (censimento ISTAT)",
    "turismo": "Capacità ricettiva (esercizi e posti letto ISTAT)",
    "capacita_di_spesa": "Capacità di spesa dei residenti (redditi IRPEF)",
}
SHARE_UNIT = "quota"


def figures_table(table: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """A tidy ``dg`` table as one row per figure and one column per territory (named by
    ``names``, id → name), shares as percentages; the ``unita`` column formats each row."""
    shown = table.assign(
        valore=table["valore"].where(table["unita"] != SHARE_UNIT, table["valore"] * 100),
        unita=table["unita"].where(table["unita"] != SHARE_UNIT, "%"),
    )
    rows = pd.MultiIndex.from_frame(shown[["etichetta", "unita"]].drop_duplicates())
    wide = shown.set_index(["etichetta", "unita", "territorio"])["valore"].unstack("territorio")
    wide = wide.reindex(index=rows, columns=list(dict.fromkeys(shown["territorio"])))
    wide.columns = [names.get(code, code) for code in wide.columns]
    return wide.reset_index().rename(columns={"etichetta": "Voce"})


# --- commuting: each reason said with the census it comes from ---------------------------------

REASON_TITLES = {"totale": "Pendolari per studio e lavoro", "lavoro": "Pendolari per lavoro",
                 "studio": "Pendolari per studio"}
DEFINITIONS = {2011: "chi si sposta ogni giorno per {motivo}", 2021: "chi va al lavoro almeno tre giorni a settimana"}
PERMANENT_CENSUS_FROM = 2018  # the first year of ISTAT's permanent census


def census_label(year: int) -> str:
    return f"censimento permanente {year}" if year >= PERMANENT_CENSUS_FROM else f"censimento {year}"


def reason_years(table: pd.DataFrame) -> dict[str, int]:
    """``{motivo: census year}`` of a ``dg.pendolarismo`` or ``dg.pendolarismo_flussi`` table."""
    return {motivo: int(year) for motivo, year in table.drop_duplicates("motivo")[["motivo", "anno"]].itertuples(
        index=False)}


def commuting_parts(table: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The reasons shown as tables: study and work together while one census gives both, else each
    reason apart (their censuses differ, so no table holds both)."""
    reasons = ["totale"] if "totale" in set(table["motivo"]) else list(dict.fromkeys(table["motivo"]))
    return [(motivo, table[table["motivo"] == motivo]) for motivo in reasons]


def years_in_brief(table: pd.DataFrame) -> str:
    """``2011``, or ``lavoro 2021, studio 2011`` when the reasons come from different censuses."""
    years = reason_years(table)
    apart = {motivo: year for motivo, year in years.items() if motivo != "totale"}
    if len(set(apart.values())) <= 1:
        return str(next(iter(years.values())))
    return ", ".join(f"{motivo} {year}" for motivo, year in apart.items())


def commuting_intro(table: pd.DataFrame) -> str:
    """The paragraph before the commuting tables: which census each reason comes from."""
    years = reason_years(table)
    if "totale" in years:
        source = (f"Chi si sposta ogni giorno per studiare o lavorare, dal {census_label(years['totale'])} (al 9 "
                  "ottobre: l'ultima matrice per comune che conta studio e lavoro; quella del censimento permanente "
                  "2021 conta il solo lavoro e non è fra i dati di questa fotografia).")
    else:
        sentences = [f"Il pendolarismo per {motivo} viene dal {census_label(year)}: conta "
                     + DEFINITIONS.get(year, "chi si sposta per {motivo}").format(motivo=motivo) + "."
                     for motivo, year in years.items()]
        source = " ".join(sentences) + (
            " I due censimenti non si sommano né si confrontano cifra per cifra (contano in modo diverso): ogni "
            "tabella dice il suo." if len(set(years.values())) > 1 else "")
    old = min(years.values())
    return (source + " Per ogni motivo: i residenti che restano nel territorio, quelli che escono e le persone "
            "che entrano da fuori. Uno spostamento fra due comuni del distretto resta dentro il territorio. "
            "L'**autocontenimento** è la quota dei pendolari residenti che restano; l'**autosufficienza** la quota "
            "dei posti di studio o lavoro del territorio occupata da residenti."
            + (f" I dati del {old} descrivono la struttura dei legami fra comuni, non i volumi di oggi."
               if old < PERMANENT_CENSUS_FROM else ""))
