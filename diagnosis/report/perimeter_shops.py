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
WHAT = {"OpenStreetMap": ("luogo mappato", "luoghi mappati"), "Registro dei negozi": ("negozio", "negozi"),
        "Locali sfitti rilevati": ("locale sfitto", "locali sfitti")}
NOT_COUNTED = "—"  # a figure a source does not have (the register's vacant premises are those of the survey's row)


def counts_table(negozi: pd.DataFrame) -> pd.DataFrame:
    """One row per source: inside, outside, without coordinates, the densities.

    A density that lacks its residents or streets is missing (n.d.); a figure the source
    does not count at all is a dash."""
    wide = negozi.set_index(["fonte", "variabile"])["valore"].unstack().reindex(
        index=list(dict.fromkeys(negozi["fonte"])), columns=list(COUNT_HEADINGS))
    counted_here = negozi.assign(presente=True).set_index(["fonte", "variabile"])["presente"].unstack()
    counted_here = counted_here.reindex(index=wide.index, columns=wide.columns).notna()
    shown = wide.astype(object).where(counted_here, NOT_COUNTED).rename(columns=COUNT_HEADINGS)
    return shown.rename_axis("Fonte").reset_index().rename_axis(columns=None)


def unlocated_notes(negozi: pd.DataFrame) -> list[str]:
    """A sentence per source with rows lacking coordinates: they are counted apart, not dropped."""
    unlocated = negozi[(negozi["variabile"] == "non_localizzati") & (negozi["valore"] > 0)]
    return [f"{source}: {counted(int(number), *WHAT[source])} senza coordinate, "
            f"{'contato' if number == 1 else 'contati'} a parte, né dentro né fuori dal perimetro. "
            "Aggiungendo lat e lon nel file si localizzano."
            for source, number in zip(unlocated["fonte"], unlocated["valore"])]


def categories_table(categorie: pd.DataFrame, confronto: str) -> pd.DataFrame:
    """The groups against one comparison (``resto dei comuni`` or ``comuni simili``), largest gap first."""
    rows = categorie[categorie["confronto"] == confronto]
    headings = CATEGORY_HEADINGS | {"quota_confronto": COMPARED_HEADINGS[confronto]}
    columns = ["etichetta", "presenti", "attese", "scarto", "quota_perimetro", "quota_confronto", "lettura"]
    if rows["quota_perimetro"].isna().all():  # against the peers a rate, not a share, is compared
        columns.remove("quota_perimetro")
    return rows[columns].rename(columns=headings)
