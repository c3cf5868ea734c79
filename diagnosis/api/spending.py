"""Spending power of the residents: taxable income declared to IRPEF (MEF), in total and per
inhabitant, for the territory and its benchmarks — the same figures as the indicators.

MEF counts income where its earners live. How much commuters and tourists spend inside a
territory has no open source per comune (no card-spending or consumption figures by place of
purchase), and any share of their income assumed to be spent there would be invented: no
such estimate is made. Their numbers (people arriving each day, beds) sit beside the income
in ``dg.pendolarismo`` and ``dg.turismo``.
"""

from __future__ import annotations

from diagnosis.api.common import Provenance, fotografia_year, how_to_get, territory_of, tidy, value_of
from diagnosis.errors import DatiNonDisponibili
from diagnosis.indicators.compute import benchmark_values, counts_for, indicator_values_with_intervals
from diagnosis.territory.model import Territorio, parents

COLUMNS = ["territorio", "livello", "anno", "variabile", "etichetta", "valore", "unita", "stato", "fonte"]
PER_RESIDENT = "reddito_imponibile_per_abitante"
NO_VISITORS_ESTIMATE = (
    "Nessuna stima della spesa di pendolari e turisti: non esistono dati aperti per comune sulla spesa per "
    "luogo di acquisto, e una quota di reddito supposta spesa sul posto sarebbe inventata."
)


def capacita_di_spesa(territorio, anno=None, confronti: bool = True):
    """Residents' total taxable income (euro), taxpayers, residents and income per inhabitant,
    of the latest tax year not after ``anno`` (None: the fotografia's default year).

    The income per inhabitant is the fotografia's indicator ``reddito_imponibile_per_abitante``
    (residents on 1 January of the tax year). With ``confronti`` the provinces and regions
    follow, on the same tax year. ``attrs["pendolari_e_turisti"]`` says why no estimate of
    visitors' spending is given.

    Columns: ``territorio``, ``livello``, ``anno`` (tax year), ``variabile``, ``etichetta``,
    ``valore``, ``unita``, ``stato``, ``fonte``.
    """
    territory = territory_of(territorio)
    year = fotografia_year(anno)
    counts = counts_for(territory, year)
    if counts.reddito is None:
        raise DatiNonDisponibili(how_to_get("redditi", territory, year))
    provenance = Provenance(territory)
    provenance.extra["pendolari_e_turisti"] = NO_VISITORS_ESTIMATE
    rows = _rows(territory, counts, indicator_values_with_intervals(territory, year), provenance)
    if confronti:
        for parent in parents(territory):
            if parent.livello in ("provincia", "regione"):
                values, parent_counts = benchmark_values(parent, year, counts)
                rows += _rows(parent, parent_counts, values, provenance)
    return tidy(rows, COLUMNS, provenance)


def _rows(place: Territorio, counts, values: dict, provenance: Provenance) -> list[dict]:
    income = counts.reddito
    if income is None:
        return []
    whole = provenance.add(income, f"{place.id} redditi {income.anno}")
    common = {"territorio": place.id, "livello": place.livello, "anno": income.anno, "stato": income.stato,
              "fonte": income.fonte}
    figures = [
        ("reddito_imponibile", "reddito imponibile IRPEF dei residenti", income.reddito_imponibile, "euro"),
        ("contribuenti", "contribuenti IRPEF", income.contribuenti, "persone"),
        ("residenti", "residenti al 1° gennaio dell'anno d'imposta", counts.popolazione_al(income.anno), "persone"),
        (PER_RESIDENT, "reddito imponibile per abitante", values.get(PER_RESIDENT), "euro"),
    ]
    return [common | {"variabile": variable, "etichetta": label, "unita": unit,
                      "valore": value_of(value) if whole else None}
            for variable, label, value, unit in figures]
