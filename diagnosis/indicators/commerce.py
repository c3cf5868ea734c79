"""Commercial-fabric indicators: ISTAT ASIA local units and employees, OpenStreetMap counts.

Densities are per 1,000 residents on 1 January of the ASIA year used: ASIA lags about three
years, so its latest year not after the one asked is used, with the population of its date.
"""

from __future__ import annotations

from diagnosis.sources.commerce_groups import all_groups
from diagnosis.indicators.base import Indicator, ratio

ASIA = ("imprese", "popolazione@imprese")
WITHOUT_DETAIL = ("servono le unità locali ISTAT ASIA per attività economica (ATECO), non solo il totale dei dati "
                  "incorporati. Per ottenerle: diagnosis dati scarica --fonte asia_ul --territorio {territorio}")
OSM = ("osm",)


def _population(c) -> float | None:
    return c.popolazione_al(c.imprese.anno) if c.imprese else None


def _units_per_thousand(c):
    return ratio(c.imprese.unita_locali, _population(c), 1000.0) if c.imprese else None


def _units_change(c):
    if c.imprese is None or c.imprese.variazione is None:
        return None
    change = c.imprese.variazione
    return ratio(change.valore_a - change.valore_da, change.valore_da)


def _employees_per_unit(c):
    return ratio(c.imprese.addetti, c.imprese.unita_locali, 1.0) if c.imprese else None


def _group_density(group_id: str):
    def formula(c):
        if c.imprese is None or c.imprese.units(group_id) is None:
            return None
        return ratio(c.imprese.units(group_id), _population(c), 1000.0)

    return formula


def _group_units(group_id: str):
    def base(c):
        return c.imprese.units(group_id) if c.imprese else None

    return base


def _osm_count(group_id: str):
    def formula(c):
        return c.osm.attivi_per_gruppo.get(group_id, 0) if c.osm else None

    return formula


def _osm_vacant(c):
    return c.osm.sfitti if c.osm else None


def _osm_vacancy_share(c):
    if c.osm is None:
        return None
    shops = c.osm.attivi_per_gruppo.get("dettaglio_totale", 0)
    return ratio(c.osm.sfitti, shops + c.osm.sfitti, 100.0)


COMMERCE_INDICATORS = [
    Indicator(
        "unita_locali_per_1000_abitanti", "Unità locali per 1.000 abitanti",
        "Unità locali delle imprese attive (industria e servizi, ISTAT ASIA) per 1.000 residenti.",
        "per 1.000", "positivo", ASIA, _units_per_thousand, lambda c: c.imprese.unita_locali if c.imprese else None),
    Indicator(
        "variazione_unita_locali_pct", "Variazione delle unità locali",
        "Variazione percentuale delle unità locali delle imprese attive dal primo anno ISTAT ASIA "
        "nell'archivio all'anno usato.",
        "%", "positivo", ("imprese",), _units_change, None,
        "serve più di un anno ISTAT ASIA. Per ottenerlo: diagnosis dati scarica --fonte asia_ul --territorio {territorio} --anni 2018-2023"),
    Indicator(
        "addetti_per_unita_locale", "Addetti per unità locale",
        "Addetti (media annua) diviso unità locali delle imprese attive (ISTAT ASIA).",
        "addetti", "neutro", ("imprese",), _employees_per_unit, lambda c: c.imprese.unita_locali if c.imprese else None),
]

for _group in all_groups().values():
    if _group.mix or _group.id == "dettaglio_totale":
        COMMERCE_INDICATORS.append(Indicator(
            f"unita_locali_{_group.id}_per_1000_abitanti", f"{_group.nome}: unità locali per 1.000 abitanti",
            f"Unità locali del gruppo «{_group.nome}» ({_group.descrizione}) per 1.000 residenti (ISTAT ASIA).",
            "per 1.000", "positivo", ASIA, _group_density(_group.id), _group_units(_group.id), WITHOUT_DETAIL))

def _surveyed(key: str, scale: float = 1.0):
    def formula(c):
        value = (c.rilevazione or {}).get(key)
        return None if value is None else value * scale

    return formula


def _net_openings(c):
    years = (c.rilevazione or {}).get("aperture_chiusure") or {}
    if not years:
        return None
    return years[max(years)]["saldo"]


SURVEY = ("rilevazione",)

COMMERCE_INDICATORS += [
    Indicator(
        "tasso_sfitti_rilevazione", "Locali sfitti (rilevazione)",
        "Locali sfitti su locali attivi più sfitti, dal registro dei negozi e dalla rilevazione degli sfitti "
        "dell'analista, alla data di oggi.",
        "%", "negativo", SURVEY, _surveyed("tasso_sfitto", 100.0)),
    Indicator(
        "locali_sfitti_rilevazione", "Locali sfitti rilevati", "Locali commerciali sfitti rilevati sul campo.",
        "locali", "negativo", SURVEY, _surveyed("locali_sfitti")),
    Indicator(
        "mesi_medi_sfitto", "Durata media dello sfitto",
        "Mesi trascorsi in media da quando i locali ancora sfitti si sono svuotati.",
        "mesi", "negativo", SURVEY, _surveyed("mesi_sfitto_ancora_sfitti")),
    Indicator(
        "saldo_aperture_chiusure", "Saldo aperture-chiusure",
        "Negozi aperti meno negozi chiusi nell'ultimo anno con date nel registro dei negozi.",
        "negozi", "positivo", SURVEY, _net_openings),
    Indicator(
        "quota_medie_grandi_strutture", "Medie e grandi strutture",
        "Quota di medie e grandi strutture di vendita tra i negozi attivi del registro con tipologia indicata.",
        "%", "neutro", SURVEY, _surveyed("quota_medie_grandi_strutture", 100.0)),
]

COMMERCE_INDICATORS += [
    Indicator(
        "negozi_osm", "Negozi in OpenStreetMap",
        "Negozi attivi mappati in OpenStreetMap (shop=*, esclusi locali sfitti e servizi alla persona).",
        "negozi", "positivo", OSM, _osm_count("dettaglio_totale")),
    Indicator(
        "bar_ristoranti_osm", "Bar e ristoranti in OpenStreetMap",
        "Bar, caffè, ristoranti, pub, gelaterie e fast food mappati in OpenStreetMap.",
        "esercizi", "positivo", OSM, _osm_count("bar_e_ristoranti")),
    Indicator(
        "locali_sfitti_osm", "Locali sfitti in OpenStreetMap",
        "Locali commerciali vuoti mappati in OpenStreetMap (shop=vacant o disused:shop).",
        "locali", "negativo", OSM, _osm_vacant),
    Indicator(
        "quota_sfitti_osm", "Quota di locali sfitti (OpenStreetMap)",
        "Locali sfitti su negozi attivi più sfitti mappati in OpenStreetMap. La mappatura dei locali "
        "vuoti è spesso incompleta: il valore è un minimo.",
        "%", "negativo", OSM, _osm_vacancy_share),
]
