"""Peer comuni: deterministic, documented criteria; the territory's position."""

from diagnosis.indicators import compute_indicators
from diagnosis.indicators.peers import MIN_PEERS, _position, density_class, select_peers
from diagnosis.indicators.compute import indicator_values
from diagnosis.territory import registry, resolve_territory


def test_peers_of_a_comune_are_similar_deterministic_and_recorded():
    pioltello = resolve_territory("Pioltello")
    values = indicator_values(pioltello, 2023)
    first, second = select_peers(pioltello, values, 2023), select_peers(pioltello, values, 2023)
    assert first == second
    assert len(first["comuni"]) >= MIN_PEERS and "015175" not in first["comuni"]
    criteria = first["criteri"]
    assert criteria["ambito"] == "Lombardia"
    sizes = {code: indicator_values(resolve_territory(code), 2023)["popolazione"] for code in first["comuni"]}
    assert all(criteria["popolazione_da"] <= size <= criteria["popolazione_a"] for size in sizes.values())
    regions = registry.comuni().set_index("codice").loc[first["comuni"], "regione_nome"]
    assert set(regions) == {"Lombardia"}


def test_small_comune_widens_the_search_and_district_excludes_its_members():
    morterone = resolve_territory("Morterone")
    peers = select_peers(morterone, indicator_values(morterone, 2023), 2023)
    assert len(peers["comuni"]) >= MIN_PEERS
    district = resolve_territory("citta-distretto-sassuolo")
    district_peers = select_peers(district, indicator_values(district, 2023), 2023)
    assert not set(district_peers["comuni"]) & set(district.comuni)


def test_provinces_have_no_peers_and_json_carries_positions():
    modena = resolve_territory("provincia:MO")
    assert select_peers(modena, indicator_values(modena, 2023), 2023) is None
    result = compute_indicators(resolve_territory("Pioltello"), 2023)
    assert set(result["pari"]) == {"criteri", "comuni"}
    position = result["indicatori"]["indice_vecchiaia"]["posizione"]
    assert position["provincia"]["su"] == 133  # the comuni of the Città metropolitana di Milano
    assert 1 <= position["pari"]["rango"] <= position["pari"]["su"]


def test_position_rank_and_percentile_by_hand():
    assert _position(5, [1, 9, 3, 7]) == {"rango": 3, "su": 5, "percentile": 50.0}
    assert _position(10, [1, 2]) == {"rango": 1, "su": 3, "percentile": 100.0}
    assert _position(None, [1]) is None and _position(1, [None]) is None


def test_density_classes():
    assert [density_class(d) for d in (10, 150, 499.9, 500, 2000)] == [0, 1, 1, 2, 2]
    assert density_class(None) is None
