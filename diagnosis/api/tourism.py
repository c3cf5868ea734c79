"""Tourist accommodation of a territory (ISTAT capacity per comune) against its residents and benchmarks."""

from __future__ import annotations

from types import SimpleNamespace

from diagnosis.api.common import Provenance, territory_of, tidy, value_of
from diagnosis.errors import AnnoNonDisponibile, DatiNonDisponibili
from diagnosis.indicators import tourism
from diagnosis.tables import tourism as capacity
from diagnosis.territory.model import Territorio, parents

COLUMNS = ["territorio", "livello", "anno", "tipo", "variabile", "etichetta", "valore", "unita", "stato", "fonte"]
LABELS = {
    "esercizi": ("esercizi ricettivi", "esercizi"),
    "posti_letto": ("posti letto", "posti letto"),
}
KIND_LABELS = {"totale": "tutti gli esercizi", "alberghiero": "alberghi e simili",
               "extralberghiero": "altri esercizi (extralberghieri)"}
HOW_TO_GET = ("Capacità ricettiva ISTAT non presente nell'archivio. Per ottenerla: diagnosis dati scarica --fonte "
              "capacita_ricettiva --territorio {territorio}")
NO_PRESENCES = ("ISTAT non pubblica arrivi e presenze per comune (solo per provincia, per il segreto statistico "
                "dove gli esercizi sono pochi): la capacità ricettiva è la sola misura comunale del turismo.")


def turismo(territorio, anno=None, confronti: bool = True):
    """Accommodation establishments and beds (all, hotels, other) and beds per 1,000 residents.

    ``anno`` is the capacity's year (None: the latest held). With ``confronti`` the same
    figures follow for the provinces and regions of the territory, summed over the comuni
    the downloads hold (``diagnosis dati scarica --fonte capacita_ricettiva --territorio
    ...`` fetches the territory with its provinces): a benchmark lacking more than 1 % of its
    comuni stays NaN and they are listed in ``attrs["comuni_mancanti"]``. Arrivals and nights
    are not published per comune (``attrs["presenze"]`` says so).

    Columns: ``territorio``, ``livello``, ``anno``, ``tipo`` (``totale``, ``alberghiero``,
    ``extralberghiero``), ``variabile`` (``esercizi``, ``posti_letto``, ``residenti``,
    ``posti_letto_per_1000_abitanti``), ``etichetta``, ``valore``, ``unita``, ``stato``, ``fonte``.
    """
    territory = territory_of(territorio)
    years = capacity.available_years()
    if not years:
        raise DatiNonDisponibili(HOW_TO_GET.format(territorio=_target(territory)))
    year = years[-1] if anno is None else int(anno)
    if year not in years:
        raise AnnoNonDisponibile(f"Capacità ricettiva del {year} non presente: anni disponibili "
                                 f"{', '.join(map(str, years))}. " + HOW_TO_GET.format(territorio=_target(territory)))
    provenance = Provenance(territory)
    provenance.extra["presenze"] = NO_PRESENCES
    compared = [territory] + ([p for p in parents(territory) if p.livello in ("provincia", "regione")]
                              if confronti else [])
    rows = [row for place in compared for row in _rows(place, year, provenance)]
    return tidy(rows, COLUMNS, provenance)


def _target(territory: Territorio) -> str:
    return f'"{territory.etichetta}"' if territory.livello == "comune" else territory.id


def _rows(place: Territorio, year: int, provenance: Provenance) -> list[dict]:
    found = capacity.totals(place.comuni, year)
    whole = provenance.add(found, f"{place.id} capacità {year}")
    population, lacking = tourism.residents(place.comuni, year)
    counted = provenance.add(SimpleNamespace(fonte="ISTAT, popolazione residente al 1° gennaio", vintage="",
                                             stato=None, mancanti=lacking), f"{place.id} popolazione {year}")
    common = {"territorio": place.id, "livello": place.livello, "anno": year, "stato": found.stato,
              "fonte": found.fonte}
    rows = []
    for kind, values in found.per_tipo.items():
        for variable, value in zip(capacity.VARIABLES, values):
            label, unit = LABELS[variable]
            rows.append(common | {"tipo": kind, "variabile": variable, "etichetta": f"{label}, {KIND_LABELS[kind]}",
                                  "valore": value_of(value) if whole else None, "unita": unit})
    beds = found.beds() if whole else None
    residents = population if counted else None
    rows.append(common | {"tipo": "totale", "variabile": "residenti", "etichetta": "residenti al 1° gennaio",
                          "valore": value_of(residents), "unita": "persone"})
    rows.append(common | {"tipo": "totale", "variabile": "posti_letto_per_1000_abitanti",
                          "etichetta": "posti letto per 1.000 abitanti",
                          "valore": value_of(tourism.beds_per_thousand(beds, residents)), "unita": "per 1.000"})
    return rows
