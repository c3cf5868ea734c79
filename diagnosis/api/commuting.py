"""Commuting for study and work, from the ISTAT census matrices: the territory and its benchmarks.

Work figures come from the 2021 permanent census's matrix when it is held, study figures
(and modes) from the 2011 census's; every row names its year and source, and no figure
combines the two (see ``tables.commuting.by_reason``).
"""

from __future__ import annotations

from types import SimpleNamespace

from diagnosis.api.common import Provenance, territory_of, tidy
from diagnosis.indicators import commuting
from diagnosis.tables import commuting as commuting_table
from diagnosis.tables.commuting import CommutingMatrix
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio, parents

COLUMNS = ["territorio", "livello", "anno", "motivo", "variabile", "etichetta", "valore", "unita", "stato", "fonte"]
FIGURES = {  # {motivo}: the reason's words in REASON_WORDS
    "pendolari_residenti": ("residenti che si spostano ogni giorno per {motivo}", "persone"),
    "restano": ("di questi, restano nel territorio", "persone"),
    "escono": ("di questi, escono dal territorio (anche all'estero)", "persone"),
    "entrano": ("persone che entrano da fuori per {motivo}", "persone"),
    "saldo": ("saldo (entrano meno escono)", "persone"),
    "autocontenimento": ("autocontenimento: quota di pendolari residenti che restano", "quota"),
    "autosufficienza": ("autosufficienza: quota dei posti di {motivo} occupata da residenti", "quota"),
}
REASON_WORDS = {"totale": "studio o lavoro", "studio": "studio", "lavoro": "lavoro"}
# The 2021 matrix counts people going to work at least three days a week, none abroad.
WORK_2021_LABELS = {
    "pendolari_residenti": "residenti che vanno al lavoro almeno tre giorni a settimana",
    "escono": "di questi, escono dal territorio",
}
RANKED_COLUMNS = ["territorio", "anno", "motivo", "verso", "codice", "comune", "individui", "quota", "stato", "fonte"]
MODE_COLUMNS = ["territorio", "anno", "mezzo", "individui", "quota", "stato", "fonte"]
SAMPLE_NOTE = "stima dal campione del censimento"


def pendolarismo(territorio, confronti: bool = True):
    """Residents who commute, those who stay, leave and arrive, self-containment and
    self-sufficiency, by reason (``motivo``: ``studio``, ``lavoro`` and, when both come from
    one census, ``totale``).

    Work from the 2021 permanent census's matrix when held (people going to work at least
    three days a week), else from the census of 9 October 2011 (daily travel); study from
    2011, the latest matrix that counts it; each row's ``anno`` and ``fonte`` say which.
    Flows are carried to today's comuni; a flow between two comuni of a district is
    internal. With ``confronti`` the same figures follow for the territory's provinces and
    regions (``livello``). Needs a matrix in the store, else :class:`DatiNonDisponibili`
    names the commands that get them.

    Columns: ``territorio``, ``livello``, ``anno``, ``motivo``, ``variabile``, ``etichetta``,
    ``valore``, ``unita`` (``persone`` or ``quota`` between 0 and 1), ``stato``, ``fonte``.
    """
    territory = territory_of(territorio)
    reasons = commuting_table.by_reason()
    compared = [territory] + ([p for p in parents(territory) if p.livello in ("provincia", "regione")]
                              if confronti else [])
    rows = [row for place in compared for motivo, matrix in reasons.items() for row in _rows(place, motivo, matrix)]
    return tidy(rows, COLUMNS, _provenance(territory, reasons))


def _provenance(territory: Territorio, reasons: dict[str, CommutingMatrix]) -> Provenance:
    provenance = Provenance(territory)
    matrices = list({matrix.dataset: matrix for matrix in reasons.values()}.values())
    for matrix in matrices:
        provenance.add(SimpleNamespace(fonte=matrix.fonte, vintage=matrix.vintage, stato="definitivo"),
                       matrix.dataset)
    provenance.extra["anni_censimento"] = {motivo: matrix.anno for motivo, matrix in reasons.items()}
    provenance.extra["codici_non_attribuiti"] = sorted({code for matrix in matrices
                                                        for code in matrix.codici_non_attribuiti})
    return provenance


def _label(variable: str, motivo: str, matrix: CommutingMatrix) -> str:
    if matrix.dataset == commuting_table.WORK_DATASET and variable in WORK_2021_LABELS:
        return WORK_2021_LABELS[variable]
    return FIGURES[variable][0].format(motivo=REASON_WORDS[motivo])


def _common(matrix: CommutingMatrix) -> dict:
    return {"anno": matrix.anno, "stato": "definitivo", "fonte": matrix.fonte}


def _rows(place: Territorio, motivo: str, matrix: CommutingMatrix) -> list[dict]:
    found = commuting.counts(matrix.flussi, place.comuni, motivo)
    common = {"territorio": place.id, "livello": place.livello, "motivo": motivo} | _common(matrix)
    return [common | {"variabile": variable, "etichetta": _label(variable, motivo, matrix),
                      "valore": getattr(found, variable), "unita": unit}
            for variable, (_, unit) in FIGURES.items()]


def pendolarismo_flussi(territorio, n: int = 10):
    """The main comuni the residents go to (``verso`` ``destinazione``) and the main comuni
    the people arriving come from (``verso`` ``origine``), census counts, ``n`` of each.

    Study and work together (``motivo`` ``totale``) while both come from 2011; with the 2021
    work matrix held, work (from 2021) and study (from 2011) apart. ``quota`` is the share
    of all who leave (or arrive) for that reason; ``codice`` ``estero`` groups those going
    abroad (2011 only).
    """
    territory = territory_of(territorio)
    reasons = commuting_table.by_reason()
    names = registry.names()
    ranked = {"totale": reasons["totale"]} if "totale" in reasons else reasons
    rows = []
    for motivo, matrix in ranked.items():
        common = {"territorio": territory.id, "motivo": motivo} | _common(matrix)
        for direction, rank in (("destinazione", commuting.main_destinations), ("origine", commuting.main_origins)):
            table = rank(matrix.flussi, territory.comuni, n, motivo)
            rows += [common | {"verso": direction, "codice": row.codice, "comune": _name(row.codice, names, matrix),
                               "individui": row.individui, "quota": row.quota} for row in table.itertuples()]
    frame = tidy(rows, RANKED_COLUMNS, _provenance(territory, ranked))
    frame["individui"] = frame["individui"].astype(float)
    return frame


def _name(code: str, names: dict[str, str], matrix: CommutingMatrix) -> str:
    if code == "estero":
        return "estero"
    return names.get(code, f"{code} (codice del {matrix.anno})")


def pendolarismo_mezzi(territorio):
    """How the residents who commute travel: estimated people and share per mode
    (``L`` records, from the 2011 census sample: the 2021 matrix has no mode), largest first."""
    territory = territory_of(territorio)
    matrix = commuting_table.matrix()
    shares = commuting.mode_shares(matrix.flussi, territory.comuni)
    common = {"territorio": territory.id, "anno": matrix.anno, "stato": "stima",
              "fonte": f"{matrix.fonte} ({SAMPLE_NOTE})"}
    rows = [common | {"mezzo": row.mezzo, "individui": row.individui, "quota": row.quota}
            for row in shares.itertuples()]
    frame = tidy(rows, MODE_COLUMNS, _provenance(territory, {"totale": matrix}))
    frame["individui"] = frame["individui"].astype(float)
    return frame
