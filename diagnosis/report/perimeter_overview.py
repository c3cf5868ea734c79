"""The perimeter at a glance: its residents, local units, shops and cycle network beside the
rest of its comuni and the whole comuni.

Put together from the three products that measure a perimeter (the census sections by
areal weighting, residents and, from the 2011 industry census, local units and employees;
the shops clipped to it; the cycle network clipped to it); a product whose
data are not in the store leaves its rows out, and a figure that cannot be computed is
missing, never zero.
"""

from __future__ import annotations

import pandas as pd

from diagnosis.api.cycling import ciclabilita
from diagnosis.api.perimeter import dentro_perimetro
from diagnosis.api.perimeter_shops import negozi_nel_perimetro
from diagnosis.errors import DatiNonDisponibili

INSIDE, REST, WHOLE = "Dentro il perimetro", "Resto dei comuni", "Comuni interi"
COLUMNS = ["Grandezza", "unita", INSIDE, REST, WHOLE]
NAN = float("nan")
# The 2011 industry census measures shown at a glance, with their unit (counts: whole numbers).
LOCAL_UNITS = {"unita_locali": "locali", "addetti": "persone", "unita_locali_dettaglio": "locali"}


def overview(territorio, anno=None) -> pd.DataFrame:
    """One row per figure: ``Grandezza``, ``unita`` and its value inside, in the rest, in the whole."""
    try:
        figures = dentro_perimetro(territorio)
    except DatiNonDisponibili:
        figures = None
    residents = _residents(figures)
    rows = ([residents] if residents else []) + _local_units(figures) + _shops(territorio, anno, residents) \
        + _cycling(territorio)
    return pd.DataFrame(rows, columns=COLUMNS)


def _residents(figures) -> list | None:
    if figures is None:
        return None
    latest = figures[(figures["anno"] == figures["anno"].max()) & (figures["misura"] == "popolazione")]
    if latest.empty:
        return None
    row = latest.iloc[0]
    return [f"Residenti (censimento {int(row['anno'])})", "abitanti", row["perimetro"], row["resto"], row["comuni"]]


def _local_units(figures) -> list[list]:
    """Local units and employees, and those of retail trade when the file tells activities apart."""
    if figures is None:
        return []
    held = figures[figures["misura"].isin(LOCAL_UNITS)].set_index("misura")
    return [[f"{held.loc[measure, 'etichetta']}, censimento industria e servizi 2011", unit,
             held.loc[measure, "perimetro"], held.loc[measure, "resto"], held.loc[measure, "comuni"]]
            for measure, unit in LOCAL_UNITS.items() if measure in held.index]


def _shops(territorio, anno, residents) -> list[list]:
    counts = negozi_nel_perimetro(territorio, anno=anno)
    osm = counts[counts["fonte"] == "OpenStreetMap"].set_index("variabile")["valore"]
    if "negozi" not in osm:
        return []
    inside, outside = osm["negozi"], osm["negozi_fuori"]
    shops = [["Negozi al dettaglio in OpenStreetMap", "negozi", inside, outside, inside + outside]]
    if residents:
        people = residents[2:]
        shops.append(["Negozi per 1.000 residenti", "per 1.000",
                      *(_per_thousand(n, p) for n, p in zip((inside, outside, inside + outside), people))])
    return shops


def _per_thousand(count, people) -> float:
    return count / people * 1000 if people and people == people else NAN


def _cycling(territorio) -> list[list]:
    table = ciclabilita(territorio)
    if set(table["ambito"]) != {"comuni", "perimetro"}:
        return []
    figures = table.set_index(["ambito", "indicatore"])["valore"]
    cycle_in, cycle_all = figures["perimetro", "km_ciclabili"], figures["comuni", "km_ciclabili"]
    network_in, network_all = figures["perimetro", "km_rete"], figures["comuni", "km_rete"]
    return [
        ["Piste, corsie e percorsi ciclabili", "km", cycle_in, cycle_all - cycle_in, cycle_all],
        ["Quota ciclabile della rete", "%", _share(cycle_in, network_in),
         _share(cycle_all - cycle_in, network_all - network_in), _share(cycle_all, network_all)],
    ]


def _share(part, whole) -> float:
    return part / whole * 100 if whole and whole == whole else NAN
