"""Flows and presences of a territory: when people come, who they are and where from, from
the presences file imported for it (telecom or Wi-Fi provider export, or the template)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from diagnosis.api.common import Provenance, fotografia_year, territory_of
from diagnosis.errors import DatiNonDisponibili, RichiestaNonValida
from diagnosis.indicators.compute import counts_for
from diagnosis.models import presences
from diagnosis.models.survey.population import population_frame
from diagnosis.sources.presences import PresenceImport, read_presences
from diagnosis.sources.presences.values import age_bounds
from diagnosis.sources.spreadsheets import BadCell, parse_date
from diagnosis.tables import presences as imported
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio

TEMPLATE = "templates/presenze.csv"
GUIDE = "templates/LEGGIMI.md (sezione «Flussi e presenze»)"
TABLES = {
    "giornaliere": "le presenze di ogni giorno",
    "ora_giorno": "le presenze medie per ora e giorno della settimana",
    "mesi": "le presenze medie giornaliere per mese",
    "settimana": "le presenze medie giornaliere dei feriali e di sabato e domenica",
    "residenti_visitatori": "le presenze per tipologia: residenti, pendolari, turisti, escursionisti",
    "provenienza": "le presenze dalla stessa provincia, da altre province e dall'estero",
    "bacino": "le presenze per comune di provenienza (il bacino d'attrazione)",
    "profilo": "le presenze per età e sesso a confronto con i residenti",
    "nazionalita": "le presenze di italiani e stranieri",
    "permanenza": "le presenze per classe di tempo di permanenza",
    "spesa": "le presenze per classe di propensione alla spesa",
    "origine_destinazione": "gli spostamenti fra zone (matrici origine-destinazione)",
    "confronto": "le cifre di due periodi (prima e dopo un intervento) e la loro variazione",
    "righe_escluse": "le righe del file escluse, con la correzione",
}


BREAKDOWN_TABLES = ("nazionalita", "permanenza", "spesa")


def presenze(territorio, tavola: str = "giornaliere", file=None, mappatura=None, prima=None, dopo=None,
             anno=None) -> pd.DataFrame:
    """One table of the territory's presences, safe to publish.

    ``file`` is a presences file (the template ``templates/presenze.csv``, a telecom
    operator's or Wi-Fi counter's export, an origin-destination matrix); None takes the one
    imported for the territory (``diagnosis dati aggiungi FILE --territorio ...``).
    ``mappatura`` is a YAML file for other exports.

    ``tavola`` is one of ``giornaliere`` (``data``, ``presenze``, ``oscurati``),
    ``ora_giorno`` (``ora`` and one column per weekday, ``lunedì``…), ``mesi`` (``mese``,
    ``presenze_medie_giornaliere``, ``giorni``, ``giorni_incompleti``), ``settimana``
    (``giorni_della_settimana``, the same), ``residenti_visitatori`` (``tipo_presenza``,
    ``presenze``, ``quota``), ``provenienza`` (``provenienza``, ``presenze``, ``quota``),
    ``bacino`` (``codice``, ``nome``, ``provincia``, ``presenze``, ``quota``), ``profilo``
    (``fascia_eta``, ``sesso``, ``quota_presenze``, ``quota_residenti``),
    ``nazionalita``, ``permanenza`` and ``spesa`` (the class, ``presenze``, ``quota``),
    ``origine_destinazione`` (``zona_origine``, ``zona``, ``presenze``), ``confronto``
    (``misura``, ``prima``, ``dopo``, ``variazione_pct``; ``prima`` and ``dopo`` are two
    (start, end) dates such as ``("2024-03-01", "2024-03-31")``) and ``righe_escluse``.

    A count the provider suppressed stays missing: a day or hour holding one is left out of
    averages (``giorni_incompleti``). In the breakdowns by personal traits a cell of fewer
    than 5 presences, or one that would reveal it by subtraction, reads "meno di 5 presenze".
    ``anno`` chooses the residents of ``profilo`` (None: the fotografia's year). Without a
    file, :class:`DatiNonDisponibili` says how to add one.
    """
    if tavola not in TABLES:
        raise RichiestaNonValida(f"Tavola {tavola!r} sconosciuta. Tavole valide: "
                                 + "; ".join(f"{name} ({what})" for name, what in TABLES.items()) + ".")
    territory = territory_of(territorio)
    found = _presences(territory, file, mappatura)
    extra = {}
    if tavola == "profilo":
        table, extra["fonte_popolazione"] = _profile(found.presenze, territory, fotografia_year(anno))
    elif tavola == "confronto":
        table, extra["periodi"] = _comparison(found.presenze, territory, prima, dopo)
    elif tavola in ("provenienza", "bacino"):
        classified = imported.classify_origins(presences.origin_rows(found.presenze), territory)
        table = presences.origin_shares(classified) if tavola == "provenienza" else _catchment(classified)
        extra["provenienze_non_riconosciute"] = imported.unplaced_names(classified)
    else:
        table = _table(tavola, found)
    return _with_attrs(table, territory, found, extra)


def missing_presences_note(territory: Territorio) -> str:
    return (f"Nessun file di presenze importato per {territory.nome}. Per aggiungerlo: esportare i dati dalla "
            "piattaforma del fornitore (operatore telefonico, contatori Wi-Fi) oppure compilare il modello "
            f"{TEMPLATE}, e importarlo con diagnosis dati aggiungi FILE --territorio {territory.id}. "
            f"Istruzioni in {GUIDE}.")


def _presences(territory: Territorio, file, mapping) -> PresenceImport:
    if file is None or not str(file).strip():
        if mapping is None:
            found = imported.imported(territory.id)
            if found is None:
                raise DatiNonDisponibili(missing_presences_note(territory))
            return found
        file = imported.stored_path(territory.id)
        if file is None:
            raise DatiNonDisponibili(missing_presences_note(territory))
    if not Path(file).is_file():
        raise DatiNonDisponibili(f"Il file di presenze {str(file)!r} non esiste: controllare il percorso "
                                 f"(relativo alla cartella da cui si avvia il notebook). Il modello è {TEMPLATE}.")
    return read_presences(file, mapping=mapping)


def _table(name: str, found: PresenceImport) -> pd.DataFrame:
    rows = found.presenze
    if name == "righe_escluse":
        return pd.DataFrame([{"riga": p.riga, "colonna": p.etichetta, "valore": p.valore, "messaggio": p.messaggio}
                             for p in found.problemi], columns=["riga", "colonna", "valore", "messaggio"])
    if name == "giornaliere":
        return presences.daily(rows)
    if name == "ora_giorno":
        return presences.hour_by_weekday(rows).reset_index()
    if name == "mesi":
        return presences.by_month(rows)
    if name == "settimana":
        return presences.weekday_weekend(rows)
    if name == "residenti_visitatori":
        return presences.residents_and_visitors(rows)
    if name in BREAKDOWN_TABLES:
        return presences.shares(presences.breakdown_counts(rows, name)).rename_axis(name).reset_index()
    return presences.origin_destination(rows)


def _catchment(classified: pd.DataFrame) -> pd.DataFrame:
    table = presences.catchment(classified)
    names, provinces = registry.names(), registry.province_abbreviations()
    table.insert(1, "nome", table["codice"].map(names))
    table.insert(2, "provincia", table["codice"].map(provinces))
    return table


def _residents_by_band(territory: Territorio, year: int, bands: list[str]) -> tuple[pd.DataFrame | None, str]:
    counts = counts_for(territory, year)
    if counts.eta is None:
        return None, ""
    people = population_frame(counts)
    rows = []
    for band in bands:
        low, high = age_bounds(band)
        inside = people[(people["eta"] >= low) & ((people["eta"] <= high) if high is not None else True)]
        for sex, group in inside.groupby("sesso"):
            rows.append({"fascia_eta": band, "sesso": sex, "residenti": group["popolazione"].sum()})
    source = f"{counts.eta.fonte}, al 1° gennaio {counts.eta.anno} ({counts.eta.stato})"
    return pd.DataFrame(rows), source


def _profile(rows: pd.DataFrame, territory: Territorio, year: int) -> tuple[pd.DataFrame, str]:
    """Shares of presences by age band and sex beside the residents' shares in the same bands."""
    counts = presences.age_sex_counts(rows)
    columns = ["fascia_eta", "sesso", "quota_presenze", "quota_residenti"]
    if counts.empty:
        return pd.DataFrame(columns=columns), ""
    shown = presences.masked_shares(counts).rename_axis(index="fascia_eta", columns="sesso")
    table = shown.stack().rename("quota_presenze").reset_index()
    residents, source = _residents_by_band(territory, year, list(counts.index))
    if residents is None:
        return table.assign(quota_residenti=np.nan)[columns], ""
    if "totale" in counts.columns:
        residents = residents.groupby("fascia_eta", as_index=False)["residenti"].sum().assign(sesso="totale")
    residents["quota_residenti"] = residents["residenti"] / residents["residenti"].sum() * 100
    table = table.merge(residents[["fascia_eta", "sesso", "quota_residenti"]], on=["fascia_eta", "sesso"], how="left")
    return table[columns], source


def _period(value, which: str) -> tuple[dt.date, dt.date]:
    try:
        start, end = (parse_date(str(day)) for day in value)
    except (TypeError, ValueError, BadCell) as error:
        raise RichiestaNonValida(f"Il periodo {which} {value!r} non si legge: indicarlo come due date, inizio e fine, "
                                 f"es. {which}=(\"2024-03-01\", \"2024-03-31\").") from error
    if end < start:
        raise RichiestaNonValida(f"Il periodo {which} finisce prima di cominciare ({value!r}): scambiare le date.")
    return start, end


def _comparison(rows: pd.DataFrame, territory: Territorio, before, after) -> tuple[pd.DataFrame, dict]:
    if before is None or after is None:
        raise RichiestaNonValida("Per il confronto indicare i due periodi, es. dg.presenze(territorio, \"confronto\", "
                                 "prima=(\"2024-03-01\", \"2024-03-31\"), dopo=(\"2025-03-01\", \"2025-03-31\")).")
    periods = {"prima": _period(before, "prima"), "dopo": _period(after, "dopo")}
    figures = {}
    for name, (start, end) in periods.items():
        chosen = presences.period_rows(rows, start, end)
        if chosen.empty:
            raise DatiNonDisponibili(f"Il file di presenze non ha giorni dal {start:%d/%m/%Y} al {end:%d/%m/%Y} "
                                     f"(periodo {name}): scegliere date comprese nel file.")
        origins = imported.classify_origins(presences.origin_rows(chosen), territory)
        figures[name] = presences.period_figures(chosen) | imported.origin_figures(origins)
    table = pd.DataFrame({"prima": pd.Series(figures["prima"]), "dopo": pd.Series(figures["dopo"])})
    table["variazione_pct"] = (table["dopo"] - table["prima"]) / table["prima"] * 100
    table.loc[table.index.str.startswith("quota"), "variazione_pct"] = np.nan  # shares change in points
    table["variazione_punti"] = np.where(table.index.str.startswith("quota"), table["dopo"] - table["prima"], np.nan)
    shown = {name: f"dal {start:%d/%m/%Y} al {end:%d/%m/%Y}" for name, (start, end) in periods.items()}
    return table.rename_axis("misura").reset_index(), shown


def _with_attrs(table: pd.DataFrame, territory: Territorio, found: PresenceImport, extra: dict) -> pd.DataFrame:
    provenance = Provenance(territory)
    provenance.sources.append(found.fonte)
    provenance.extra |= {
        "file": found.file, "formato": found.formato, "righe_lette": found.righe_lette,
        "conteggi_validi": len(found.presenze), "righe_escluse": len(found.righe_scartate),
        "valori_oscurati": found.valori_oscurati, "soglia_privacy": presences.MIN_PRESENCES,
        "oscurato": presences.SUPPRESSED, **extra,
    }
    return provenance.write(table)
