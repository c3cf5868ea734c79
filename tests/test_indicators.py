"""Demographic indicators: formulas on a hand-computed fixture, sums over districts."""

import numpy as np
import pytest

from diagnosis.indicators import INDICATORS, compute_indicators, indicator_values
from diagnosis.indicators.availability import missing_note, provenance, reference_of
from diagnosis.indicators.compute import counts_for, indicator_values_with_intervals, one_indicator
from diagnosis.indicators.counts import AgeStructure, TerritoryCounts
from diagnosis.tables import measures, population
from diagnosis.tables.measures import Summed
from diagnosis.territory import resolve_territory
from diagnosis.territory.model import comune_territory


def _ages(pairs: dict[int, int]) -> np.ndarray:
    values = np.zeros(101, dtype=np.int64)
    for age, count in pairs.items():
        values[age] = count
    return values


def totals(year: int, **values) -> Summed:
    columns = tuple(values)
    return Summed("popolazione", year, columns, np.array([float(v) for v in values.values()]), edizioni=(), comuni=1)


@pytest.fixture
def tiny() -> TerritoryCounts:
    # 85 males and 100 females at a few ages; every expected value below is worked out by hand.
    males = _ages({5: 10, 17: 10, 30: 20, 45: 20, 62: 10, 70: 10, 85: 5})
    females = _ages({5: 10, 17: 10, 30: 20, 45: 25, 62: 10, 70: 15, 85: 10})
    now = totals(2023, T=185, M=85, F=100)
    return TerritoryCounts(
        anno=2023, comuni=("000000",), popolazione=now, popolazione_precedente=totals(2022, T=180),
        popolazione_confronto=now, eta=AgeStructure(2023, males, females, "definitivo", "prova", "prova"),
        superficie_kmq=2.5,
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
    balance = {"tasso_natalita", "tasso_mortalita", "tasso_crescita_naturale", "tasso_migratorio_totale",
               "tasso_migratorio_interno", "tasso_migratorio_estero", "tasso_acquisizioni_cittadinanza"}
    from diagnosis.indicators.business import BUSINESS_INDICATORS
    from diagnosis.indicators.commerce import COMMERCE_INDICATORS
    from diagnosis.indicators.presences import PRESENCE_INDICATORS
    from diagnosis.indicators.residents import RESIDENT_INDICATORS

    stored = {i.id for i in COMMERCE_INDICATORS + RESIDENT_INDICATORS + BUSINESS_INDICATORS + PRESENCE_INDICATORS}
    stored |= {"variazione_popolazione_lungo_periodo_pct"}
    assert set(HAND_COMPUTED) | income | balance | stored == set(INDICATORS)
    for indicator in INDICATORS.values():
        assert indicator.etichetta and indicator.definizione and indicator.unita and indicator.dati


def test_zero_denominator_gives_none_not_zero(tiny):
    nobody = AgeStructure(2023, np.zeros(101), np.zeros(101), "definitivo", "prova", "prova")
    empty = TerritoryCounts(2023, ("000000",), totals(2023, T=0), None, None, nobody, None)
    assert INDICATORS["indice_vecchiaia"].formula(empty) is None
    assert INDICATORS["densita"].formula(empty) is None
    assert INDICATORS["variazione_popolazione_pct"].formula(empty) is None
    assert INDICATORS["eta_media"].formula(empty) is None


def test_a_total_without_sexes_leaves_them_missing_and_says_why_not_a_zero_denominator():
    # the final totals of 1/1/2023 (SDMX 22_289) carry no split by sex; those of 2026 (P2) do
    without = compute_indicators(resolve_territory("Pedesina"), 2023)["indicatori"]["popolazione_maschi"]
    assert without["valore"] is None and "pubblica solo il totale" in without["nota"]
    assert "nulla" not in without["nota"]
    with_sexes = compute_indicators(resolve_territory("Pedesina"), 2026)["indicatori"]
    assert with_sexes["popolazione_maschi"]["valore"] + with_sexes["popolazione_femmine"]["valore"] == \
        with_sexes["popolazione"]["valore"] and "nota" not in with_sexes["popolazione_maschi"]


def test_a_handful_of_people_is_flagged_not_judged(tiny):
    # +5 people in a comune of 180: the change rests on five people
    assert INDICATORS["variazione_popolazione_pct"].small_numbers(tiny)
    assert not INDICATORS["quota_15_64"].small_numbers(tiny)  # 125 people
    entry = compute_indicators(resolve_territory("Morterone"))["indicatori"]["quota_0_14"]
    assert entry["piccoli_numeri"] and entry["giudizio"] == "non giudicato"


def test_district_is_computed_from_summed_counts():
    district = resolve_territory("citta-distretto-sassuolo")
    year = 2023
    by_comune = [indicator_values(comune_territory(code), year) for code in district.comuni]
    summed = indicator_values(district, year)
    assert summed["popolazione"] == sum(v["popolazione"] for v in by_comune)
    ages = population.ages_by_comune(list(district.comuni), year).sum(axis=(0, 1))
    expected_ageing = ages[65:].sum() / ages[:15].sum() * 100
    assert summed["indice_vecchiaia"] == pytest.approx(expected_ageing, abs=0.005)
    mean_of_ratios = np.mean([v["indice_vecchiaia"] for v in by_comune])
    assert summed["indice_vecchiaia"] != pytest.approx(mean_of_ratios, abs=0.005)


def test_json_contract_for_a_comune():
    result = compute_indicators(resolve_territory("Pioltello"), 2022)
    assert set(result) >= {"territorio", "anno", "indicatori", "dati"}
    assert result["territorio"] == {"id": "015175", "nome": "Pioltello", "livello": "comune", "comuni": ["015175"]}
    assert result["anno"] == 2022
    population_entry = result["indicatori"]["popolazione"]
    assert population_entry["valore"] == 36202  # ISTAT, 1 January 2022
    assert population_entry["stato"] == "definitivo"
    assert population_entry["riferimento"] == "al 1° gennaio 2022"
    assert set(population_entry["confronti"]) == {"provincia:MI", "regione:03", "italia"}
    for entry in result["indicatori"].values():
        assert {"valore", "unita", "fonte", "stato", "riferimento", "confronti"} <= set(entry)


def test_final_totals_of_2023_replace_the_estimate_and_the_change_follows():
    result = compute_indicators(resolve_territory("Pioltello"), 2023)
    values = result["indicatori"]
    # SDMX 22_289: 36,271 on 1/1/2023 (final); the embedded estimate said 36,061
    assert values["popolazione"]["valore"] == 36271 and values["popolazione"]["stato"] == "definitivo"
    # 2022 → 2023, final with final: +0.19 % (the estimate gave -0.39 %)
    assert values["variazione_popolazione_pct"]["valore"] == pytest.approx(0.19, abs=0.005)
    assert values["variazione_popolazione_pct"]["stato"] == "definitivo"
    # the age structure is the 2023 estimate, and says so
    assert values["indice_vecchiaia"]["stato"] == "stima"
    assert result["dati"]["eta"]["stato"] == "stima" and result["dati"]["popolazione"]["stato"] == "definitivo"


def test_the_default_year_is_the_latest_official_total():
    result = compute_indicators(resolve_territory("Pioltello"))
    assert result["anno"] == measures.default_year() == 2026
    values = result["indicatori"]
    assert values["popolazione"]["valore"] == 37709 and values["popolazione"]["stato"] == "provvisorio"
    # the age structure is older than the total: the JSON says both dates and statuses
    assert result["dati"]["eta"]["anno"] == 2023 and any("struttura per età" in w for w in result["avvisi"])
    # the balance of 2025 (P2 2025) gives the rates of that year
    assert values["tasso_natalita"]["riferimento"] == "anno 2025" and values["tasso_natalita"]["valore"] is not None


def test_any_year_with_some_measure_is_accepted():
    # 2019: no population in the package, but MEF income of that tax year
    result = compute_indicators(resolve_territory("Pioltello"), 2019)
    values = result["indicatori"]
    assert values["popolazione"]["valore"] is None and "1° gennaio 2019" in values["popolazione"]["nota"]
    assert values["contribuenti"]["valore"] is not None and values["contribuenti"]["riferimento"] == "anno d'imposta 2019"


def test_first_year_has_no_change_and_says_how_to_get_it():
    entry = compute_indicators(resolve_territory("036040"), 2022)["indicatori"]["variazione_popolazione_pct"]
    assert entry["valore"] is None
    assert "diagnosis dati scarica" in entry["nota"]


def test_italy_total_is_the_sum_of_all_comuni():
    values = indicator_values(resolve_territory("italia"), 2022)
    assert values["popolazione"] == sum(population.totals_by_comune(2022).values())


@pytest.mark.parametrize("territory_id", ("036040", "citta-distretto-sassuolo"))
def test_an_indicator_from_its_own_figures_is_the_same_as_among_all_figures(territory_id):
    # A series sums only the figures an indicator declares (its ``dati``): a formula that read
    # another figure would find it blank there, and differ here.
    territory = resolve_territory(territory_id)
    latest = measures.check_year(None)
    valued = set()
    for year in (latest, latest - 4):
        everything, counts = indicator_values_with_intervals(territory, year), counts_for(territory, year)
        for key, indicator in INDICATORS.items():
            value, own = one_indicator(indicator, territory, year)
            assert value == everything[key], (key, year)
            assert provenance(indicator, own) == provenance(indicator, counts), (key, year)
            assert reference_of(indicator, own) == reference_of(indicator, counts), (key, year)
            if value is None:
                assert missing_note(indicator, own, territory) == missing_note(indicator, counts, territory)
            if value is not None:
                valued.add(key)
    assert len(valued) > len(INDICATORS) / 2  # the values compared, not only their absence
