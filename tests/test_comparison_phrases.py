"""Comparison phrases at and around each threshold, and the judgement by direction."""

import pytest

from diagnosis.indicators import INDICATORS
from diagnosis.indicators.comparison import RATIO_BANDS, closest_benchmark, judgement, phrase
from diagnosis.territory import resolve_territory
from diagnosis.territory.model import parents

AGEING = INDICATORS["indice_vecchiaia"]          # higher is worse
YOUNG = INDICATORS["quota_0_14"]                 # higher is better
CHANGE = INDICATORS["variazione_popolazione_pct"]
POPULATION = INDICATORS["popolazione"]
NATURAL = INDICATORS["tasso_crescita_naturale"]


@pytest.fixture(scope="module")
def modena():
    return resolve_territory("provincia:MO")


@pytest.mark.parametrize("ratio, expected", [
    (0.40, "meno della metà della Provincia di Modena"),
    (0.45, "circa la metà della Provincia di Modena"),   # at the threshold: the next band
    (0.50, "circa la metà della Provincia di Modena"),
    (0.60, "poco più della metà della Provincia di Modena"),
    (0.89, "nettamente inferiore alla Provincia di Modena"),
    (0.90, "leggermente inferiore alla Provincia di Modena"),
    (0.969, "leggermente inferiore alla Provincia di Modena"),
    (0.97, "in linea con la Provincia di Modena"),
    (1.029, "in linea con la Provincia di Modena"),
    (1.03, "leggermente superiore alla Provincia di Modena"),
    (1.2, "nettamente superiore alla Provincia di Modena"),
    (1.5, "circa una volta e mezza il valore della Provincia di Modena"),
    (2.0, "circa il doppio della Provincia di Modena"),
    (2.19, "circa il doppio della Provincia di Modena"),
    (2.2, "oltre il doppio della Provincia di Modena"),
])
def test_ratio_thresholds(modena, ratio, expected):
    assert expected in phrase(AGEING, 100 * ratio, 100.0, modena)


def test_thresholds_are_increasing():
    bounds = [band[0] for band in RATIO_BANDS]
    assert bounds == sorted(bounds)


def test_italian_number_format_and_article(modena):
    italia = resolve_territory("italia")
    text = phrase(AGEING, 1234.5, 1000.0, italia)
    assert text == "Indice di vecchiaia 1.234,5: nettamente superiore all'Italia (1.000,0)."
    assert "con l'Italia" in phrase(AGEING, 100, 100, italia)


def test_changes_are_compared_in_points(modena):
    assert "0,5 punti sopra la Provincia di Modena" in phrase(CHANGE, 0.2, -0.3, modena)
    assert "1,0 punti sotto l'Italia" in phrase(CHANGE, -0.7, 0.3, resolve_territory("italia"))
    assert "in linea con la Provincia di Modena" in phrase(CHANGE, -0.25, -0.3, modena)
    assert judgement(CHANGE, 0.2, -0.3) == "favorevole"
    assert judgement(CHANGE, -0.5, 0.1) == "critico"


def test_net_rates_below_zero_are_compared_and_judged_in_points(modena):
    # Births minus deaths is negative in most of Italy: a ratio to it would be no comparison at all.
    assert phrase(NATURAL, -3.0, -5.2, modena) == \
        "Tasso di crescita naturale -3,0: 2,2 punti per mille sopra la Provincia di Modena (-5,2)."
    assert judgement(NATURAL, -3.0, -5.2) == "favorevole"
    assert judgement(NATURAL, -6.0, -5.2) == "critico"
    # Against a benchmark near zero, no "oltre il doppio": the gap in points.
    assert "9,4 punti per mille sopra" in phrase(INDICATORS["tasso_migratorio_totale"], 14.9, 5.5, modena)


def test_a_change_of_a_mean_is_tested_on_the_count_of_its_base(modena):
    real_change = INDICATORS["variazione_reale_reddito_per_contribuente_pct"]
    # -21,4 % against +0,6 %: growth factors 0,786 and 1,006, 22 % apart; with 24 declarations
    # chance alone moves a mean by 2/√24 ≈ 41 %, with 2.400 by about 4 %.
    assert judgement(real_change, -21.4, 0.6, base=24) == "neutro"
    assert "può essere dovuto al caso" in phrase(real_change, -21.4, 0.6, modena, base=24)
    assert judgement(real_change, -21.4, 0.6, base=2400) == "critico"


def test_sizes_are_shares_of_the_benchmark(modena):
    assert "il 5,0 % della Provincia di Modena" in phrase(POPULATION, 50, 1000, modena)
    assert "l'1,0 % della" in phrase(POPULATION, 10, 1000, modena)
    assert "meno dello 0,1 %" in phrase(POPULATION, 1, 100000, modena)
    assert judgement(POPULATION, 50, 1000) == "neutro"


@pytest.mark.parametrize("indicator, value, reference, expected", [
    (AGEING, 150, 100, "critico"), (AGEING, 60, 100, "favorevole"), (AGEING, 101, 100, "neutro"),
    (YOUNG, 15, 12, "favorevole"), (YOUNG, 9, 12, "critico"), (YOUNG, None, 12, "neutro"),
    (INDICATORS["densita"], 500, 100, "neutro"),
])
def test_judgement_follows_direction(indicator, value, reference, expected):
    assert judgement(indicator, value, reference) == expected


def test_missing_value_is_said_not_compared(modena):
    assert "non disponibile" in phrase(AGEING, None, 100, modena)


def test_closest_benchmark_is_the_province_or_the_single_region():
    assert closest_benchmark(parents(resolve_territory("Pioltello"))).id == "provincia:MI"
    assert closest_benchmark(parents(resolve_territory("citta-distretto-sassuolo"))).id == "regione:08"
    assert closest_benchmark(parents(resolve_territory("regione:08"))).id == "italia"
    assert closest_benchmark([]) is None
