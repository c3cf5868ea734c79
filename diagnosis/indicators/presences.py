"""Flows and presences indicators, from the presences file imported for the territory.

Only the territory that has a file gets a value: province, region and Italy have none, so
these indicators are read on their own, and compared over time by ``diagnosis confronta``.
"""

from __future__ import annotations

import numpy as np

from diagnosis.indicators.base import Indicator
from diagnosis.models import presences
from diagnosis.tables import presences as imported_presences
from diagnosis.territory.model import Territorio

PRESENCES = ("presenze",)


def territory_figures(territory: Territorio) -> dict | None:
    """The figures the indicators read, with the file's source line and period; None without a file."""
    found = imported_presences.imported(territory.id)
    if found is None or found.presenze.empty:
        return None
    rows = found.presenze
    origins = imported_presences.classify_origins(presences.origin_rows(rows), territory)
    figures = presences.period_figures(rows) | imported_presences.origin_figures(origins)
    figures["rapporto_sabato_domenica_feriali"] = presences.weekend_ratio(rows)
    first, last = rows["data"].min(), rows["data"].max()
    return {key: None if value is None or np.isnan(value) else float(value) for key, value in figures.items()} | {
        "fonte": found.fonte, "riferimento": f"dal {first:%d/%m/%Y} al {last:%d/%m/%Y}",
        "inizio": first.date().isoformat(), "fine": last.date().isoformat(),
    }


def _figure(key: str):
    def formula(c):
        return (c.presenze or {}).get(key)

    return formula


PRESENCE_INDICATORS = [
    Indicator(
        "presenze_medie_giornaliere", "Presenze medie giornaliere",
        "Presenze in media per giorno nel periodo del file delle presenze (giorni con un dato oscurato esclusi); "
        "con dati orari, somma delle presenze delle ore del giorno.",
        "presenze", "positivo", PRESENCES, _figure("presenze_medie_giornaliere")),
    Indicator(
        "rapporto_sabato_domenica_feriali", "Presenze di sabato e domenica rispetto ai feriali",
        "Presenze medie giornaliere di sabato e domenica diviso presenze medie giornaliere da lunedì a venerdì.",
        "rapporto", "neutro", PRESENCES, _figure("rapporto_sabato_domenica_feriali"),
        quando_manca="servono nel file delle presenze sia giorni feriali sia sabati o domeniche"),
    Indicator(
        "quota_non_residenti", "Presenze di non residenti",
        "Quota delle presenze di pendolari, turisti, escursionisti e altri visitatori sul totale delle presenze "
        "per tipologia.",
        "%", "positivo", PRESENCES, _figure("quota_non_residenti"),
        quando_manca="serve nel file delle presenze la colonna tipo_presenza (residente, pendolare, turista…)"),
    Indicator(
        "quota_presenze_fuori_provincia", "Presenze da fuori provincia",
        "Quota delle presenze di persone che vengono da un'altra provincia o dall'estero, sulle presenze di "
        "provenienza nota.",
        "%", "positivo", PRESENCES, _figure("quota_fuori_provincia"),
        quando_manca="servono nel file delle presenze le provenienze (comune o provincia, e stato estero) senza "
                     "valori oscurati"),
    Indicator(
        "quota_presenze_estero", "Presenze dall'estero",
        "Quota delle presenze di persone che vengono dall'estero, sulle presenze di provenienza nota.",
        "%", "positivo", PRESENCES, _figure("quota_estero"),
        quando_manca="servono nel file delle presenze le provenienze (comune o provincia, e stato estero) senza "
                     "valori oscurati"),
]
