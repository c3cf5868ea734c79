"""The tables and sentences of the section "Negozi nel perimetro", from ``dg.negozi_nel_perimetro``
and ``dg.categorie_nel_perimetro`` as the notebook shows them."""

from __future__ import annotations

import pandas as pd

from diagnosis.formatting import counted

# The columns of the counts table, from the variables of ``dg.negozi_nel_perimetro``.
COUNT_HEADINGS = {"negozi": "Negozi nel perimetro", "sfitti": "Sfitti nel perimetro", "fuori": "Fuori dal perimetro",
                  "non_localizzati": "Senza coordinate", "per_1000_residenti": "Negozi per 1.000 residenti",
                  "per_km_fronte": "Negozi per km di fronte stradale"}
CATEGORY_HEADINGS = {"etichetta": "Gruppo", "presenti": "Presenti", "attese": "Attese", "scarto": "Scarto",
                     "quota_perimetro": "Quota nel perimetro (%)", "lettura": "Lettura"}
# What the comparison's own column holds, by ``confronto``.
COMPARED_HEADINGS = {"resto dei comuni": "Quota nel resto dei comuni (%)",
                     "comuni simili": "Esercizi per 1.000 abitanti nei comuni simili"}
# Which rows each source counts, for the sentence on places without coordinates.
WHAT = {"OpenStreetMap": ("luogo mappato", "luoghi mappati"), "registro dei negozi": ("negozio", "negozi"),
        "locali sfitti rilevati": ("locale sfitto", "locali sfitti")}


def counts_table(negozi: pd.DataFrame) -> pd.DataFrame:
    """One row per source: inside, outside, without coordinates, the densities (n.d. when missing)."""
    wide = negozi.pivot_table(index="fonte", columns="variabile", values="valore", sort=False, dropna=False)
    shown = wide.reindex(columns=list(COUNT_HEADINGS)).rename(columns=COUNT_HEADINGS)
    return shown.rename_axis("Fonte").reset_index().rename_axis(columns=None)


def unlocated_notes(negozi: pd.DataFrame) -> list[str]:
    """A sentence per source with rows lacking coordinates: they are counted apart, not dropped."""
    unlocated = negozi[(negozi["variabile"] == "non_localizzati") & (negozi["valore"] > 0)]
    return [f"{source[:1].upper()}{source[1:]}: {counted(int(number), *WHAT[source])} senza coordinate, né dentro né "
            "fuori dal perimetro: contati a parte. Aggiungendo lat e lon nel file si localizzano."
            for source, number in zip(unlocated["fonte"], unlocated["valore"])]


def categories_table(categorie: pd.DataFrame, confronto: str) -> pd.DataFrame:
    """The groups against one comparison (``resto dei comuni`` or ``comuni simili``), largest gap first."""
    rows = categorie[categorie["confronto"] == confronto]
    headings = CATEGORY_HEADINGS | {"quota_confronto": COMPARED_HEADINGS[confronto]}
    columns = ["etichetta", "presenti", "attese", "scarto", "quota_perimetro", "quota_confronto", "lettura"]
    if rows["quota_perimetro"].isna().all():  # against the peers a rate, not a share, is compared
        columns.remove("quota_perimetro")
    return rows[columns].rename(columns=headings)
