"""Incomes declared to IRPEF (MEF), by tax year, summed over the territory's comuni."""

from __future__ import annotations

import numpy as np

from diagnosis.api.common import Provenance, chosen_years, territory_of, tidy, value_of
from diagnosis.tables import income

COLUMNS = ["territorio", "anno", "variabile", "etichetta", "valore", "stato", "fonte"]
LABELS = {"contribuenti": "contribuenti", "reddito_imponibile": "reddito imponibile (euro)"}


def redditi(territorio, anni=None):
    """Taxpayers, taxable income and declarations by class of total income (MEF IRPEF).

    ``anni`` are tax years (a year, a list, or None for every one held). One row per
    variable: ``contribuenti``, ``reddito_imponibile`` (euro), then the declarations in
    each class of ``reddito_complessivo`` as MEF publishes them. The MEF leaves small
    classes blank: a class blank in any comune is NaN for the territory, never zero (its
    share is an interval, see ``dg.indicatori``). Taxable income of 2003-2006 follows
    another definition (``attrs["non_confrontabili"]``).

    Columns: ``territorio``, ``anno`` (tax year), ``variabile``, ``etichetta``, ``valore``,
    ``stato``, ``fonte``.

    >>> import diagnosis as dg
    >>> r = dg.redditi("Pioltello", anni=2023)
    >>> r[["anno", "variabile", "valore"]].head(2)
       anno           variabile       valore
    0  2023        contribuenti      26428.0
    1  2023  reddito_imponibile  616579914.0
    >>> r.attrs["licenza"]
    'CC BY'
    """
    territory = territory_of(territorio)
    provenance = Provenance(territory)
    rows = []
    for year in chosen_years(income.MEASURE, anni, territory):
        found = income.totals(territory.comuni, year)
        whole = provenance.add(found, year)
        # A blank taxpayers cell would be summed as zero: the total is then unknown.
        taxpayers = None if np.isnan(found.contribuenti_comuni).any() else found.contribuenti
        values = {"contribuenti": taxpayers, "reddito_imponibile": found.reddito_imponibile, **found.classi}
        rows += [{"territorio": territory.id, "anno": year, "variabile": variable,
                  "etichetta": LABELS.get(variable) or income.INCOME_BANDS[variable],
                  "valore": value_of(value) if whole else None, "stato": found.stato, "fonte": source_of(found)}
                 for variable, value in values.items()]
        if not found.confrontabile:
            provenance.extra.setdefault("non_confrontabili", []).append(year)
    return tidy(rows, COLUMNS, provenance)


def source_of(found) -> str:
    return f"{found.fonte}, anno d'imposta {found.anno} — {found.vintage}" if found.vintage else found.fonte
