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


def _comuni_sizes(year: int):
    return _comuni_sizes_cached(year, store.state())


# Every report of a batch chooses its peers among all comuni: their sizes and classes are
# gathered once while the store is unchanged, not once per report.
@functools.lru_cache(maxsize=4)
def _comuni_sizes_cached(year: int, _state: tuple):
    table = registry.comuni().set_index("codice")
    sizes = population.totals_by_comune(year)
    frame = table.loc[[c for c in table.index if c in sizes]].copy()
    frame["popolazione"] = [sizes[c] for c in frame.index]
    frame["densita"] = frame["popolazione"] / frame["superficie_kmq"]
    return frame


def _majority(codes, column: str, table, weights) -> int | None:
    """The class of ``column`` holding most of the territory's residents."""
    present = [c for c in codes if c in table.index]
    if not present:
        return None
    frame = table.loc[present, [column]].assign(peso=[weights.get(c, 0) for c in present])
    return int(frame.groupby(column)["peso"].sum().idxmax())


def _refinements(territory: Territorio, values: dict) -> list[tuple[str, str, object]]:
    """(criterion, label, mask function) applied in order while enough comuni remain.

    ISTAT's official degree of urbanisation and altitude zone (mountain, hill, plain);
    the density class where the territory's comuni have no class.
    """
    table = classes()
    # A class is chosen by the territory's own residents: only its comuni are weighed.
    weights = _own_sizes(territory, values)
    degree_of, zone_of = _class_lookups(store.state())
    steps = []
    degree = _majority(territory.comuni, "grado_urbanizzazione", table, weights)
    if degree is not None:
        steps.append(("grado_urbanizzazione", DEGURBA[degree], lambda pool: pool.index.map(degree_of.get) == degree))
    zone = _majority(territory.comuni, "zona_altimetrica", table, weights)
    if zone is not None:
        group = ZONE_GROUPS[zone]
        steps.append(("zona_altimetrica", group, lambda pool: pool.index.map(zone_of.get) == group))
    return steps or _density_step(values)


@functools.lru_cache(maxsize=4)
def _class_lookups(_state: tuple) -> tuple[dict, dict]:
    """Comune → degree of urbanisation, and comune → altitude group (mountain, hill, plain)."""
    table = classes()
    return table["grado_urbanizzazione"].to_dict(), table["zona_altimetrica"].map(ZONE_GROUPS).to_dict()


def _density_step(values: dict) -> list[tuple[str, str, object]]:
    target = density_class(values.get("densita"))
    if target is None:
        return []
    return [("classe_densita", DENSITY_LABELS[target], lambda pool: pool["densita"].map(density_class) == target)]


def _own_sizes(territory: Territorio, values: dict) -> dict[str, float]:
    return population.totals_by_comune(values["_anno"], territory.comuni)


def select_peers(territory: Territorio, values: dict, year: int) -> dict | None:
    """``{"criteri": {...}, "comuni": [codes]}``, or None for provinces, regions and Italy."""
    if territory.livello not in ("comune", "distretto") or not values.get("popolazione"):
        return None
    sizes = _comuni_sizes(year)
    sizes = sizes[~sizes.index.isin(territory.comuni)]
    values = {**values, "_anno": year}
    target = float(values["popolazione"])
    regions = set(registry.comuni().set_index("codice").loc[list(territory.comuni), "regione_nome"])
    refinements = _refinements(territory, values)
    for band in BANDS:
        low, high = target * (1 - band), target * (1 + band)
        in_band = sizes[(sizes["popolazione"] >= low) & (sizes["popolazione"] <= high)]
        for scope, pool in ((", ".join(sorted(regions)), in_band[in_band["regione_nome"].isin(regions)]),
                            ("Italia", in_band)):
            if len(pool) < MIN_PEERS:
                continue
            chosen, applied = pool, {}
            for criterion, label, mask in refinements:
                narrower = chosen[np.asarray(mask(chosen), dtype=bool)]
                applied[criterion] = label if len(narrower) >= MIN_PEERS else "non applicata (troppo pochi comuni)"
                chosen = narrower if len(narrower) >= MIN_PEERS else chosen
            distance = (np.log(chosen["popolazione"]) - math.log(target)).abs()
            ordered = chosen.assign(distanza=distance).reset_index().sort_values(["distanza", "codice"])
            return {
                "criteri": {
                    "popolazione_da": int(math.floor(low)), "popolazione_a": int(math.ceil(high)),
                    "ambito": scope, **applied,
                    "numero": int(min(len(ordered), MAX_PEERS)),
                    "nota": _criteria_note(refinements),
                },
                "comuni": ordered["codice"].head(MAX_PEERS).tolist(),
            }
    return None


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
