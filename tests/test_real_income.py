"""Income at constant prices: the price index import and the real change per taxpayer."""

import pytest

from diagnosis import store
from diagnosis.cli import main
from diagnosis.indicators.compute import compute_indicators
from diagnosis.tables import income as incomes
from diagnosis.sources.price_index import parse_index
from diagnosis.territory import resolve_territory

INDEX = '"";"anno";"Raccordo";"indice"\n"1";2013;NA;146,911\n"2";2014;NA;NA\n"3";2023;1,071;174,5463321\n'


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_price_index_with_decimal_commas_and_missing_rows():
    assert parse_index(INDEX.encode()) == {2013: 146.911, 2023: 174.5463321}


def test_price_index_is_recognised_on_import(own_store):
    (own_store / "prezzi.csv").write_text(INDEX)
    assert main(["dati", "aggiungi", str(own_store / "prezzi.csv")]) == 0
    [entry] = store.entries("indice_prezzi")
    assert entry["years"] == [2013, 2023]


# Sassuolo, read from the MEF files: 2023 818,785,622 € / 31,082 taxpayers, 2013 642,948,377 € /
# 29,191; the ISTAT index (base 1995) 174.5463321 in 2023 and 146.911 in 2013.
SASSUOLO_REAL_CHANGE = (818785622 / 31082 / 174.5463321) / (642948377 / 29191 / 146.911) * 100 - 100


def test_real_change_comes_from_the_embedded_index_with_nothing_imported(own_store):
    entry = compute_indicators(resolve_territory("Sassuolo"), 2023)["indicatori"][
        "variazione_reale_reddito_per_contribuente_pct"]
    assert entry["valore"] == pytest.approx(round(SASSUOLO_REAL_CHANGE, 2))
    assert entry["riferimento"] == "dall'anno d'imposta 2013 al 2023"
    assert "(incorporato)" in incomes.real_change(["036040"], 2023).fonte


def test_an_imported_index_reaching_a_later_year_is_used_whole(own_store):
    # A different base (2023 = 100) for the same prices: the ratio, hence the change, is the same.
    rebased = '"anno";"indice"\n2013;84,168\n2023;100\n2024;101\n'
    (own_store / "prezzi.csv").write_text(rebased)
    assert main(["dati", "aggiungi", str(own_store / "prezzi.csv")]) == 0
    change = incomes.real_change(["036040"], 2023)
    assert "(importato)" in change.fonte
    expected = (818785622 / 31082 / 100) / (642948377 / 29191 / 84.168) * 100 - 100
    assert change.variazione_pct == pytest.approx(expected)


def test_an_imported_index_ending_earlier_is_set_aside_and_says_why(own_store, capsys):
    (own_store / "vecchio.csv").write_text('"anno";"indice"\n2013;100\n2020;102\n')
    assert main(["dati", "aggiungi", str(own_store / "vecchio.csv")]) == 0
    assert "(incorporato)" in incomes.real_change(["036040"], 2023).fonte
    assert main(["dati", "stato"]) == 0
    assert "superato dall'indice incorporato" in capsys.readouterr().out


@pytest.mark.real_data
def test_real_change_of_income_per_taxpayer_for_sassuolo(own_store, real_data):
    mef = real_data / "mef_irpef"
    files = [mef / f"Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_{y}.csv" for y in (2005, 2013, 2023)]
    assert main(["dati", "aggiungi", *map(str, files), str(mef / "indice_prezzi_istat_1995_2024.csv")]) == 0
    result = compute_indicators(resolve_territory("Sassuolo"), 2023)["indicatori"]
    assert result["variazione_reale_reddito_per_contribuente_pct"]["valore"] == pytest.approx(
        round(SASSUOLO_REAL_CHANGE, 2))
    assert result["variazione_reale_reddito_per_contribuente_pct"]["confronti"]["italia"] is not None
    # 2005 follows the 2003-2006 definition: 2013 is compared with 2007, the earliest comparable year
    assert incomes.real_change(["036040"], 2013).da == 2007
    assert incomes.real_change(["036040"], 2006).da == 2003


@pytest.mark.real_data
def test_income_class_shares_read_from_the_mef_bands(own_store, real_data):
    path = real_data / "mef_irpef" / "Redditi_e_principali_variabili_IRPEF_su_base_comunale_CSV_2023.csv"
    assert main(["dati", "aggiungi", str(path)]) == 0
    result = compute_indicators(resolve_territory("Sassuolo"), 2023)["indicatori"]
    # Sassuolo 2023 declarations by band, read from the file: ≤0: 0, 0-10k 5,530, 10-15k 2,958,
    # 15-26k 8,786, 26-55k 10,823, 55-75k 1,067, 75-120k 738, >120k 465
    bands = [0, 5530, 2958, 8786, 10823, 1067, 738, 465]
    assert result["quota_redditi_fino_15000"]["valore"] == pytest.approx(round(sum(bands[:3]) / sum(bands) * 100, 2))
    assert result["quota_redditi_oltre_55000"]["valore"] == pytest.approx(round(sum(bands[5:]) / sum(bands) * 100, 2))
    # Italy has blank classes in thousands of comuni: its share is an interval, fixed by the class total
    low, high = result["quota_redditi_oltre_55000"]["confronti_intervallo"]["italia"]
    assert low < high < low + 1
