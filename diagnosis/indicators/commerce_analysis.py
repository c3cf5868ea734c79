"""What the commercial figures say: mix, location quotients, missing categories, desertification.

Every figure is computed from summed counts (ISTAT ASIA local units, OpenStreetMap places)
of the territory, its benchmarks and its peer comuni; nothing is averaged across comuni.
Each result carries the evidence a reader needs to check it.
"""

from __future__ import annotations

from diagnosis.formatting import format_number
from diagnosis.sources.commerce_groups import all_groups, mix_groups
from diagnosis.tables import local_units, osm_points, population
from diagnosis.tables.local_units import LocalUnitTotals
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio

# Thresholds, stated in the output: a quotient outside ±20 % is a specialisation or a gap;
# an expected count must exceed the actual one by at least one unit to be "missing".
LQ_BAND = 0.20
MIN_GAP = 1.0
MAX_FOOD_SHOPS = 1  # "at most one food shop": the desertification threshold of the issue


def _people(comuni, year: int) -> float | None:
    """Residents of ``comuni`` on 1 January ``year``; None unless every comune has a figure."""
    found = population.totals_by_comune(year, comuni)
    return sum(found.values()) if len(found) == len(set(comuni)) else None


def _mix_units(totals: LocalUnitTotals) -> dict[str, float]:
    return {g.id: totals.units(g.id) for g in mix_groups() if totals.units(g.id) is not None}


def mix_shares(totals: LocalUnitTotals) -> dict[str, float]:
    """Share of each group in the commercial fabric (the ``mix`` groups), in %."""
    units = _mix_units(totals)
    whole = sum(units.values())
    return {gid: round(value / whole * 100, 1) for gid, value in units.items()} if whole else {}


def location_quotients(territory: LocalUnitTotals, benchmark: LocalUnitTotals) -> dict[str, float | None]:
    """LQ = (group share in the territory) / (group share in the benchmark); 1 = same mix."""
    own, reference = mix_shares(territory), mix_shares(benchmark)
    return {gid: (round(own[gid] / reference[gid], 2) if reference.get(gid) else None) for gid in own}


def lq_reading(value: float | None) -> str:
    if value is None:
        return "non calcolabile"
    if value >= 1 + LQ_BAND:
        return "specializzazione"
    if value <= 1 - LQ_BAND:
        return "sotto-rappresentato"
    return "in linea"


def missing_categories(territory: Territorio, peer_codes: list[str], year: int) -> list[dict]:
    """Per group: the units expected at the peers' rate × population, against the actual ones.

    Ranked by the gap (expected − actual), largest first: what the district lacks most
    compared with comuni like it. Groups where the territory has as many or more are kept
    at the end with a negative gap, so the list also shows strengths.
    """
    own = local_units.totals(territory.comuni, year)
    peers = local_units.totals(peer_codes, year) if peer_codes else None
    if own is None or peers is None or peers.comuni_coperti < len(peer_codes):
        return []
    # Residents on 1 January of the ASIA year: units and people of the same date.
    own_people, peer_people = _people(territory.comuni, own.anno), _people(peer_codes, own.anno)
    if not peer_people or not own_people:
        return []
    actual = {group.id: own.units(group.id) for group in mix_groups()}
    peer_units = {group.id: peers.units(group.id) for group in mix_groups()}
    return gaps_at_peer_rate(actual, peer_units, peer_people, own_people)


def gaps_at_peer_rate(actual: dict[str, float | None], peer_units: dict[str, float | None], peer_people: float,
                      own_people: float) -> list[dict]:
    """Per mix group: the units expected at the peers' rate × ``own_people``, against ``actual``.

    A group missing from either side (None) is left out, never read as zero; largest gap first.
    """
    result = []
    for group in mix_groups():
        present, peers = actual.get(group.id), peer_units.get(group.id)
        if present is None or peers is None:
            continue
        expected = peers / peer_people * own_people
        result.append({
            "gruppo": group.id, "nome": group.nome, "attese": round(expected, 1), "presenti": int(present),
            "scarto": round(expected - present, 1), "mancanti": (expected - present) >= MIN_GAP,
            "tasso_pari_per_1000": round(peers / peer_people * 1000, 2),
        })
    return sorted(result, key=lambda row: -row["scarto"])


def _food_signals(territory: Territorio, year: int) -> list[dict]:
    signals = []
    for code in territory.comuni:
        totals = local_units.totals([code], year)
        osm = osm_points.totals([code])
        if totals is not None and totals.units("alimentare") is not None:
            count, source = totals.units("alimentare"), f"ISTAT ASIA {totals.anno}"
        elif osm is not None:
            count, source = osm.attivi_per_gruppo.get("alimentare", 0), osm.fonte
        else:
            continue
        if count <= MAX_FOOD_SHOPS:
            name = _name(code)
            signals.append({
                "tipo": "deserto_alimentare", "comune": code,
                "testo": f"{name}: {'un solo esercizio alimentare' if count == 1 else 'nessun esercizio alimentare'} "
                         f"({source}), la soglia della desertificazione commerciale.",
            })
    return signals


def _name(code: str) -> str:
    return str(registry.comuni().set_index("codice").loc[code, "nome"])


def _density_trend(territory: Territorio) -> list[dict]:
    """Local units per 1,000 inhabitants over the ASIA years that have a population too."""
    series = local_units.series(territory.comuni)
    points = {}
    for year, units in sorted(series.items()):
        people = _people(territory.comuni, year)  # no population that year: skipped, not guessed
        if people:
            points[year] = units / people * 1000
    if len(points) < 2:
        return []
    first, last = min(points), max(points)
    if points[last] >= points[first]:
        return []
    return [{
        "tipo": "unita_locali_in_calo",
        "testo": f"Unità locali per 1.000 abitanti in calo: da {format_number(points[first], 1)} nel {first} "
                 f"a {format_number(points[last], 1)} nel {last} (ISTAT ASIA).",
    }]


def _vacancy_signal(territory: Territorio, peer_codes: list[str]) -> list[dict]:
    own = osm_points.totals(territory.comuni)
    peers = osm_points.totals(peer_codes) if peer_codes else None
    if own is None or peers is None:
        return []

    def share(t):
        shops = t.attivi_per_gruppo.get("dettaglio_totale", 0)
        return t.sfitti / (shops + t.sfitti) * 100 if shops + t.sfitti else None

    mine, theirs = share(own), share(peers)
    if mine is None or theirs is None or mine <= theirs:
        return []
    return [{
        "tipo": "sfitti_sopra_i_pari",
        "testo": f"Locali sfitti mappati: {format_number(mine, 1)}% dei negozi contro "
                 f"{format_number(theirs, 1)}% nei comuni simili (OpenStreetMap).",
    }]


def desertification_signals(territory: Territorio, peer_codes: list[str], year: int) -> list[dict]:
    """Signals of commercial desertification, each stated with its evidence."""
    return _food_signals(territory, year) + _density_trend(territory) + _vacancy_signal(territory, peer_codes)


def commerce_summary(territory: Territorio, benchmarks: list[Territorio], peer_codes: list[str], year: int) -> dict | None:
    """The ``commercio`` block of the indicators JSON, or None when no commercial data is stored."""
    own = local_units.totals(territory.comuni, year)
    signals = desertification_signals(territory, peer_codes, year)
    if own is None and not signals:
        return None
    summary: dict = {"segnali_desertificazione": signals}
    if own is not None:
        summary["anno_asia"] = own.anno
        summary["quote"] = mix_shares(own)
        summary["quozienti_localizzazione"] = {}
        for benchmark in benchmarks:
            totals = local_units.totals(benchmark.comuni, year)
            if totals is not None and totals.comuni_coperti >= 0.99 * len(benchmark.comuni):
                summary["quozienti_localizzazione"][benchmark.id] = location_quotients(own, totals)
        summary["categorie_mancanti"] = missing_categories(territory, peer_codes, year)
        summary["gruppi"] = {g.id: g.nome for g in all_groups().values()}
    return summary
