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
