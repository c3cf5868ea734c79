"""The tables the chart helpers receive: the columns each needs, checked before drawing."""

from __future__ import annotations

import pandas as pd

from diagnosis.errors import RichiestaNonValida


def require_columns(table: pd.DataFrame, columns: tuple[str, ...], chart: str) -> None:
    """Stop with the missing columns named, instead of a KeyError from deep inside matplotlib."""
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise RichiestaNonValida(
            f"La tabella passata a {chart} non ha le colonne {', '.join(missing)}: servono "
            f"{', '.join(columns)} (ha {', '.join(map(str, table.columns)) or 'nessuna colonna'})."
        )
