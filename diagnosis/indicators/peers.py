"""Peer comuni and the territory's position among them and in its province.

Criteria, applied in order and recorded in the output:

1. **Population band**: comuni whose population (same year) is within ±30 % of the
   territory's, widened to ±50 % and then ±100 % until at least ``MIN_PEERS`` are found.
2. **Area**: the territory's region first; the whole of Italy when the region has too few.
3. **Urbanisation and altitude**: the comuni of the territory's official degree of
   urbanisation, then of its altitude zone (mountain, hill, plain; for a district, the
   class where most of its residents live), each applied only when enough comuni remain
   (ISTAT's classifications, embedded, or a newer file imported). Where a comune has no
   class, the same density class (below 150, 150–500, above 500 inhabitants per km² —
   the density steps of the EU urbanisation classes, applied to the whole comune).
4. The ``MAX_PEERS`` closest in population (log distance), ties broken by code, so the
   same inputs always give the same peers.

A district's peers are comuni resembling the district as a whole (summed population and
density), its own comuni excluded; provinces, regions and Italy have no peers.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from diagnosis import store
from diagnosis.indicators.catalogue import INDICATORS
from diagnosis.tables import population
from diagnosis.tables.classifications import DEGURBA, ZONE_GROUPS, classes
from diagnosis.territory import registry
from diagnosis.territory.model import Territorio

MIN_PEERS = 10
MAX_PEERS = 20
BANDS = (0.30, 0.50, 1.00)
DENSITY_STEPS = (150.0, 500.0)
DENSITY_LABELS = ("bassa densità (<150 ab./km²)", "media densità (150-500 ab./km²)", "alta densità (>500 ab./km²)")


def density_class(density: float | None) -> int | None:
    if density is None or math.isnan(density):
        return None
    return int(np.searchsorted(DENSITY_STEPS, density, side="right"))


@dataclass(frozen=True)
class _Candidates:
    """Every comune with residents in a year, as aligned arrays: what a peer is chosen among."""

    codes: np.ndarray  # today's codes, as text
    population: np.ndarray
    region: np.ndarray  # region names
    degree: np.ndarray  # ISTAT degree of urbanisation, NaN where a comune has none
    zone: np.ndarray  # altitude group (montagna, collina, pianura), "" where none
    density_class: np.ndarray  # see ``density_class``; -1 where the density is unknown
    position: dict  # code -> its index in the arrays
    region_of: dict  # code -> region name, of every comune (with residents or not)


def _candidates(year: int) -> _Candidates:
    return _candidates_cached(year, store.state())


# Every report of a batch chooses its peers among all comuni: their sizes and classes are
# gathered once while the store is unchanged, and each report only compares arrays.
@functools.lru_cache(maxsize=4)
def _candidates_cached(year: int, _state: tuple) -> _Candidates:
    table = registry.comuni().set_index("codice")
    sizes = population.totals_by_comune(year)
    codes = [code for code in table.index if code in sizes]
    population_ = np.array([sizes[code] for code in codes], dtype=float)
    density = population_ / table.loc[codes, "superficie_kmq"].to_numpy(dtype=float)
    degree_of, zone_of = _class_lookups(_state)
    return _Candidates(
        codes=np.array(codes, dtype=str), population=population_,
        region=table.loc[codes, "regione_nome"].to_numpy(dtype=object),
        degree=np.array([degree_of.get(code, np.nan) for code in codes], dtype=float),
        zone=np.array([ZONE_GROUPS.get(zone_of.get(code), "") for code in codes], dtype=object),
        density_class=np.where(np.isnan(density), -1, np.searchsorted(DENSITY_STEPS, density, side="right")),
        position={code: index for index, code in enumerate(codes)},
        region_of=table["regione_nome"].to_dict(),
    )


@functools.lru_cache(maxsize=4)
def _class_lookups(_state: tuple) -> tuple[dict, dict]:
    """Comune → degree of urbanisation, and comune → altitude zone, where known."""
    table = classes()
    return (table["grado_urbanizzazione"].dropna().to_dict(), table["zona_altimetrica"].dropna().to_dict())


def _majority(codes, class_of: dict, weights: dict) -> int | None:
    """The class holding most of the territory's residents; of two with as many, the lower."""
    residents: dict = {}
    for code in codes:
        if code in class_of:
            residents[class_of[code]] = residents.get(class_of[code], 0) + weights.get(code, 0)
    if not residents:
        return None
    return int(max(sorted(residents), key=residents.__getitem__))


def _refinements(territory: Territorio, values: dict, candidates: _Candidates) -> list[tuple[str, str, np.ndarray]]:
    """(criterion, label, which candidates meet it) applied in order while enough comuni remain.

    ISTAT's official degree of urbanisation and altitude zone (mountain, hill, plain);
    the density class where the territory's comuni have no class.
    """
    # A class is chosen by the territory's own residents: only its comuni are weighed.
    weights = _own_sizes(territory, values)
    degree_of, zone_of = _class_lookups(store.state())
    steps = []
    degree = _majority(territory.comuni, degree_of, weights)
    if degree is not None:
        steps.append(("grado_urbanizzazione", DEGURBA[degree], candidates.degree == degree))
    zone = _majority(territory.comuni, zone_of, weights)
    if zone is not None:
        group = ZONE_GROUPS[zone]
        steps.append(("zona_altimetrica", group, candidates.zone == group))
    return steps or _density_step(values, candidates)


def _density_step(values: dict, candidates: _Candidates) -> list[tuple[str, str, np.ndarray]]:
    target = density_class(values.get("densita"))
    if target is None:
        return []
    return [("classe_densita", DENSITY_LABELS[target], candidates.density_class == target)]


def _own_sizes(territory: Territorio, values: dict) -> dict[str, float]:
    return population.totals_by_comune(values["_anno"], territory.comuni)


def select_peers(territory: Territorio, values: dict, year: int) -> dict | None:
    """``{"criteri": {...}, "comuni": [codes]}``, or None for provinces, regions and Italy."""
    if territory.livello not in ("comune", "distretto") or not values.get("popolazione"):
        return None
    candidates = _candidates(year)
    outside = np.ones(len(candidates.codes), dtype=bool)
    outside[[candidates.position[code] for code in territory.comuni if code in candidates.position]] = False
    target = float(values["popolazione"])
    regions = {candidates.region_of[code] for code in territory.comuni}
    in_regions = np.isin(candidates.region, list(regions))
    refinements = _refinements(territory, {**values, "_anno": year}, candidates)
    for band in BANDS:
        low, high = target * (1 - band), target * (1 + band)
        in_band = outside & (candidates.population >= low) & (candidates.population <= high)
        for scope, pool in ((", ".join(sorted(regions)), in_band & in_regions), ("Italia", in_band)):
            if pool.sum() < MIN_PEERS:
                continue
            chosen, applied = _refined(pool, refinements)
            return {
                "criteri": {
                    "popolazione_da": int(math.floor(low)), "popolazione_a": int(math.ceil(high)),
                    "ambito": scope, **applied,
                    "numero": int(min(chosen.sum(), MAX_PEERS)),
                    "nota": _criteria_note(refinements),
                },
                "comuni": _closest(candidates, chosen, target)[:MAX_PEERS],
            }
    return None


def _refined(pool: np.ndarray, refinements) -> tuple[np.ndarray, dict]:
    """The pool narrowed by each criterion that leaves enough comuni, and what each did."""
    chosen, applied = pool, {}
    for criterion, label, meets in refinements:
        narrower = chosen & meets
        enough = narrower.sum() >= MIN_PEERS
        applied[criterion] = label if enough else "non applicata (troppo pochi comuni)"
        chosen = narrower if enough else chosen
    return chosen, applied


def _closest(candidates: _Candidates, chosen: np.ndarray, target: float) -> list[str]:
    """The chosen comuni by closeness in population (log distance), ties by code."""
    picked = np.flatnonzero(chosen)
    distance = np.abs(np.log(candidates.population[picked]) - math.log(target))
    return candidates.codes[picked][np.lexsort((candidates.codes[picked], distance))].tolist()


def _criteria_note(refinements) -> str:
    if any(criterion == "grado_urbanizzazione" for criterion, _, _ in refinements):
        return "grado di urbanizzazione e zona altimetrica dalle classificazioni statistiche ISTAT dei comuni"
    return "classe di densità: i comuni del territorio non hanno una classificazione ISTAT"


def _position(value, others: list) -> dict | None:
    """Rank 1 = highest value; percentile = share of the others with a lower value."""
    known = [v for v in others if v is not None]
    if value is None or not known:
        return None
    higher = sum(v > value for v in known)
    lower = sum(v < value for v in known)
    return {"rango": higher + 1, "su": len(known) + 1, "percentile": round(lower / len(known) * 100, 1)}


def province_members(territory: Territorio) -> list[str]:
    """The other comuni of the territory's province, when it lies in one; else none."""
    if territory.livello not in ("comune", "distretto"):
        return []
    province_of, members_of = registry.province_lookup()
    provinces = {province_of[code] for code in territory.comuni}
    if len(provinces) != 1:
        return []
    return [code for code in members_of[provinces.pop()] if code not in territory.comuni]


def positions(values: dict, peer_values: dict[str, dict], province_values: dict[str, dict]) -> dict[str, dict]:
    """Per indicator: position among the peers and among the other comuni of the province,
    given each one's values (``{code: {indicator id: value}}``)."""
    result = {}
    for key in INDICATORS:
        entry = {}
        if peer_values:
            entry["pari"] = _position(values[key], [v[key] for v in peer_values.values()])
        if province_values:
            entry["provincia"] = _position(values[key], [v[key] for v in province_values.values()])
        result[key] = entry
    return result
