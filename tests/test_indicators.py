"""Demographic indicators: formulas on a hand-computed fixture, sums over districts."""

import numpy as np
import pytest

from diagnosis.indicators import INDICATORS, compute_indicators, indicator_values
from diagnosis.indicators.counts import TerritoryCounts
from diagnosis.tables import population
from diagnosis.tables.population import Provenance
from diagnosis.territory import resolve_territory
from diagnosis.territory.model import comune_territory


def _ages(pairs: dict[int, int]) -> np.ndarray:
    values = np.zeros(101, dtype=np.int64)
    for age, count in pairs.items():
        values[age] = count
    return values


@pytest.fixture
def tiny() -> TerritoryCounts:
    # 85 males and 100 females at a few ages; every expected value below is worked out by hand.
    return TerritoryCounts(
        anno=2023,
        maschi=_ages({5: 10, 17: 10, 30: 20, 45: 20, 62: 10, 70: 10, 85: 5}),
        femmine=_ages({5: 10, 17: 10, 30: 20, 45: 25, 62: 10, 70: 15, 85: 10}),
        superficie_kmq=2.5,
        popolazione_confrontabile=185,
        popolazione_precedente=180,
        anno_precedente=2022,
        provenienza=Provenance("prova", "prova", "definitivo"),
    )


HAND_COMPUTED = {
    "popolazione": 185,
    "popolazione_maschi": 85,
    "popolazione_femmine": 100,
    "superficie_kmq": 2.5,
    "densita": 74.0,                                  # 185 / 2.5
    "eta_media": 8022.5 / 185,                        # Σ (age + 0.5) × people / 185
    "quota_0_14": 20 / 185 * 100,
    "quota_15_64": 125 / 185 * 100,
    "quota_65_piu": 40 / 185 * 100,
    "quota_80_piu": 15 / 185 * 100,
    "indice_vecchiaia": 200.0,                        # 40 / 20
    "indice_dipendenza_strutturale": 48.0,            # (20 + 40) / 125
    "indice_dipendenza_anziani": 32.0,                # 40 / 125
    "indice_ricambio_popolazione_attiva": 100.0,      # 60-64: 20 / 15-19: 20
    "indice_struttura_popolazione_attiva": 65 / 60 * 100,  # 40-64: 65 / 15-39: 60
    "variazione_popolazione_pct": 5 / 180 * 100,
}


@pytest.mark.parametrize("indicator_id", sorted(HAND_COMPUTED))
def test_formula_matches_hand_computation(tiny, indicator_id):
    assert INDICATORS[indicator_id].formula(tiny) == pytest.approx(HAND_COMPUTED[indicator_id])


def test_every_indicator_has_metadata():
    income = {"contribuenti", "reddito_imponibile_per_contribuente", "reddito_imponibile_per_abitante",
              "variazione_reale_reddito_per_contribuente_pct", "quota_redditi_fino_15000", "quota_redditi_oltre_55000"}
    balance = {"tasso_natalita", "tasso_mortalita", "tasso_crescita_naturale", "tasso_migratorio_totale"}
    from diagnosis.indicators.commerce import COMMERCE_INDICATORS
    from diagnosis.indicators.residents import RESIDENT_INDICATORS

    stored = {i.id for i in COMMERCE_INDICATORS + RESIDENT_INDICATORS} | {"variazione_popolazione_lungo_periodo_pct"}
    assert set(HAND_COMPUTED) | income | balance | stored == set(INDICATORS)
    for indicator in INDICATORS.values():
        assert indicator.etichetta and indicator.definizione and indicator.unita and indicator.fonti


def test_zero_denominator_gives_none_not_zero(tiny):
    empty = TerritoryCounts(2023, np.zeros(101, int), np.zeros(101, int), None, None, None, None, tiny.provenienza)
    assert INDICATORS["indice_vecchiaia"].formula(empty) is None
    assert INDICATORS["densita"].formula(empty) is None
    assert INDICATORS["variazione_popolazione_pct"].formula(empty) is None


def test_district_is_computed_from_summed_counts():
    district = resolve_territory("citta-distretto-sassuolo")
    year = 2023
    by_comune = [indicator_values(comune_territory(code), year) for code in district.comuni]
    summed = indicator_values(district, year)
    assert summed["popolazione"] == sum(v["popolazione"] for v in by_comune)
    cube = population.cube(year).total_for(district.comuni).sum(axis=0)
    expected_ageing = cube[65:].sum() / cube[:15].sum() * 100
    assert summed["indice_vecchiaia"] == pytest.approx(expected_ageing, abs=0.005)
    mean_of_ratios = np.mean([v["indice_vecchiaia"] for v in by_comune])
    assert summed["indice_vecchiaia"] != pytest.approx(mean_of_ratios, abs=0.005)


def test_json_contract_for_a_comune():
    result = compute_indicators(resolve_territory("Pioltello"), 2022)
    assert set(result) >= {"territorio", "anno", "indicatori"}
    assert result["territorio"] == {"id": "015175", "nome": "Pioltello", "livello": "comune", "comuni": ["015175"]}
    assert result["anno"] == 2022
    population_entry = result["indicatori"]["popolazione"]
    assert population_entry["valore"] == 36202  # ISTAT, 1 January 2022
    assert population_entry["stato"] == "definitivo"
    assert set(population_entry["confronti"]) == {"provincia:MI", "regione:03", "italia"}
    for entry in result["indicatori"].values():
        assert {"valore", "unita", "fonte", "stato", "confronti"} <= set(entry)


def test_2023_is_labelled_an_estimate_and_change_is_computed():
    result = compute_indicators(resolve_territory("036040"), 2023)
    assert result["indicatori"]["popolazione"]["stato"] == "stima"
    assert "stima" in result["indicatori"]["popolazione"]["fonte"]
    change = result["indicatori"]["variazione_popolazione_pct"]
    assert change["valore"] == pytest.approx((40736 - 40469) / 40469 * 100, abs=0.005)
    assert change["stato"] == "stima"


def test_first_year_has_no_change_and_says_how_to_get_it():
    entry = compute_indicators(resolve_territory("036040"), 2022)["indicatori"]["variazione_popolazione_pct"]
    assert entry["valore"] is None
    assert "diagnosis dati scarica" in entry["nota"]


def test_italy_total_is_the_sum_of_all_comuni():
    values = indicator_values(resolve_territory("italia"), 2022)
    assert values["popolazione"] == int(population.cube(2022).values.sum())
