"""Daily commuting for study and work, from the ISTAT census matrix: the territory and its benchmarks."""

from __future__ import annotations

from types import SimpleNamespace

from diagnosis.api.common import Provenance, territory_of, tidy
from diagnosis.indicators import commuting
from diagnosis.tables import commuting as commuting_table
from diagnosis.tables.commuting import CommutingMatrix
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio, parents

COLUMNS = ["territorio", "livello", "anno", "motivo", "variabile", "etichetta", "valore", "unita", "stato", "fonte"]
FIGURES = {
    "pendolari_residenti": ("residenti che si spostano ogni giorno per studio o lavoro", "persone"),
    "restano": ("di questi, restano nel territorio", "persone"),
    "escono": ("di questi, escono dal territorio (anche all'estero)", "persone"),
    "entrano": ("persone che entrano da fuori per studio o lavoro", "persone"),
    "saldo": ("saldo (entrano meno escono)", "persone"),
    "autocontenimento": ("autocontenimento: quota di pendolari residenti che restano", "quota"),
    "autosufficienza": ("autosufficienza: quota dei posti di studio e lavoro occupata da residenti", "quota"),
}
RANKED_COLUMNS = ["territorio", "anno", "verso", "codice", "comune", "individui", "quota", "stato", "fonte"]
MODE_COLUMNS = ["territorio", "anno", "mezzo", "individui", "quota", "stato", "fonte"]
SAMPLE_NOTE = "stima dal campione del censimento"


def pendolarismo(territorio, confronti: bool = True):
    """Residents who commute, those who stay, leave and arrive, self-containment and
    self-sufficiency, in total and by reason (``motivo``: ``totale``, ``studio``, ``lavoro``).

    Census of 9 October 2011 (the latest matrix ISTAT publishes per comune), carried to
    today's comuni. A flow between two comuni of a district is internal. With
    ``confronti`` the same figures follow for the territory's provinces and regions
    (``livello``). Needs the matrix in the store, else :class:`DatiNonDisponibili` names the
    command that gets it.

    Columns: ``territorio``, ``livello``, ``anno``, ``motivo``, ``variabile``, ``etichetta``,
    ``valore``, ``unita`` (``persone`` or ``quota`` between 0 and 1), ``stato``, ``fonte``.
    """
    territory = territory_of(territorio)
    matrix = commuting_table.matrix()
    compared = [territory] + ([p for p in parents(territory) if p.livello in ("provincia", "regione")]
                              if confronti else [])
    rows = [row for place in compared for row in _rows(place, matrix)]
    return tidy(rows, COLUMNS, _provenance(territory, matrix))


def _provenance(territory: Territorio, matrix: CommutingMatrix) -> Provenance:
    provenance = Provenance(territory)
    provenance.add(SimpleNamespace(fonte=matrix.fonte, vintage=matrix.vintage, stato="definitivo"), "pendolarismo")
    provenance.extra["anno_censimento"] = matrix.anno
    provenance.extra["codici_non_attribuiti"] = list(matrix.codici_non_attribuiti)
    return provenance


def _rows(place: Territorio, matrix: CommutingMatrix) -> list[dict]:
    common = {"territorio": place.id, "livello": place.livello, "anno": matrix.anno,
              "stato": "definitivo", "fonte": matrix.fonte}
    rows = []
    for found in commuting.counts_by_reason(matrix.flussi, place.comuni):
        for variable, (label, unit) in FIGURES.items():
            value = getattr(found, variable)
            rows.append(common | {"motivo": found.motivo, "variabile": variable, "etichetta": label,
                                  "valore": value, "unita": unit})
    return rows


def pendolarismo_flussi(territorio, n: int = 10):
    """The main comuni the residents go to (``verso`` ``destinazione``) and the main comuni
    the people arriving come from (``verso`` ``origine``), census counts, ``n`` of each.

    ``quota`` is the share of all who leave (or arrive); ``codice`` ``estero`` groups those
    going abroad.
    """
    territory = territory_of(territorio)
    matrix = commuting_table.matrix()
    names = registry.names()
    common = {"territorio": territory.id, "anno": matrix.anno, "stato": "definitivo", "fonte": matrix.fonte}
    rows = []
    for direction, table in (("destinazione", commuting.main_destinations(matrix.flussi, territory.comuni, n)),
                             ("origine", commuting.main_origins(matrix.flussi, territory.comuni, n))):
        rows += [common | {"verso": direction, "codice": row.codice, "comune": _name(row.codice, names),
                           "individui": row.individui, "quota": row.quota} for row in table.itertuples()]
    frame = tidy(rows, RANKED_COLUMNS, _provenance(territory, matrix))
    frame["individui"] = frame["individui"].astype(float)
    return frame


def _name(code: str, names: dict[str, str]) -> str:
    if code == "estero":
        return "estero"
    return names.get(code, f"{code} (codice del 2011)")


def pendolarismo_mezzi(territorio):
    """How the residents who commute travel: estimated people and share per mode
    (``L`` records, from the census sample), largest first."""
    territory = territory_of(territorio)
    matrix = commuting_table.matrix()
    shares = commuting.mode_shares(matrix.flussi, territory.comuni)
    common = {"territorio": territory.id, "anno": matrix.anno, "stato": "stima",
              "fonte": f"{matrix.fonte} ({SAMPLE_NOTE})"}
    rows = [common | {"mezzo": row.mezzo, "individui": row.individui, "quota": row.quota}
            for row in shares.itertuples()]
    frame = tidy(rows, MODE_COLUMNS, _provenance(territory, matrix))
    frame["individui"] = frame["individui"].astype(float)
    return frame
