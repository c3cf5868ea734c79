"""``diagnosis proiezioni``: the JSON contract, per-comune output, bad horizons."""

import json

import pytest

from diagnosis.cli import main
from diagnosis.tables import population

RECORD_KEYS = {"anno", "valore", "basso_80", "alto_80", "basso_95", "alto_95", "modello", "errore_backtest"}
REQUIRED_MEASURES = {"popolazione", "popolazione_0_14", "popolazione_65_piu", "indice_vecchiaia"}


def _run_json(capsys, *argv):
    assert main(["proiezioni", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_district_projection_contract(capsys):
    result = _run_json(capsys, "citta-distretto-sassuolo", "--orizzonte", "3")
    assert result["territorio"]["id"] == "citta-distretto-sassuolo"
    # from the latest official totals (1/1/2026, P2 2025), the age structure of 2023 carried to that date
    assert result["anno_base"] == 2026 and result["base"]["struttura_per_eta"]["anno"] == 2023
    assert result["base"]["valore_popolazione"] == sum(population.totals_by_comune(2026, result["territorio"]["comuni"]).values())
    assert REQUIRED_MEASURES <= set(result["proiezioni"])
    for measure, rows in result["proiezioni"].items():
        # the cohort measures start after the base; a series (income: last tax year 2023) from its last year
        if measure in REQUIRED_MEASURES:
            assert [row["anno"] for row in rows] == [2027, 2028, 2029]
        assert rows[-1]["anno"] == 2029
        for row in rows:
            assert set(row) == RECORD_KEYS
            assert row["basso_95"] <= row["basso_80"] <= row["valore"] <= row["alto_80"] <= row["alto_95"]


def test_intervals_widen_with_the_horizon(capsys):
    rows = _run_json(capsys, "Pioltello", "--orizzonte", "5")["proiezioni"]["popolazione"]
    widths = [row["alto_80"] - row["basso_80"] for row in rows]
    assert widths == sorted(widths) and widths[-1] > widths[0]


def test_district_is_the_sum_of_its_comuni(capsys):
    district = _run_json(capsys, "citta-distretto-sassuolo", "--orizzonte", "3")
    by_comune = _run_json(capsys, "citta-distretto-sassuolo", "--orizzonte", "3", "--per-comune")
    assert set(by_comune) == set(district["territorio"]["comuni"])
    summed = sum(single["proiezioni"]["popolazione"][-1]["valore"] for single in by_comune.values())
    assert district["proiezioni"]["popolazione"][-1]["valore"] == pytest.approx(summed, abs=1.0)


def test_whole_province_in_one_call(capsys):
    result = _run_json(capsys, "provincia:LC", "--orizzonte", "3", "--per-comune")
    assert "097055" in result and len(result) > 80  # Morterone; Lecco has 84 comuni
    assert all(single["territorio"]["livello"] == "comune" for single in result.values())


def test_horizon_out_of_range_is_refused(capsys):
    assert main(["proiezioni", "Pioltello", "--orizzonte", "40"]) == 2
    assert "Orizzonte 40 non valido" in capsys.readouterr().err


def test_a_past_base_is_checked_against_the_population_published_since(capsys):
    result = _run_json(capsys, "Pioltello", "--orizzonte", "3", "--anno", "2023")
    assert result["anno_base"] == 2023 and result["base"]["valore_popolazione"] == 36271  # final, SDMX 22_289
    checked = {row["anno"]: row for row in result["verifica"]}
    # published since: 1/1/2024 (POSAS), 1/1/2025 (P2 2025, census) and 1/1/2026 (P2 2025, provisional)
    assert sorted(checked) == [2024, 2025, 2026]
    assert checked[2025]["pubblicata"] == 37184 and checked[2026]["pubblicata"] == 37709
    assert checked[2026]["stato"] == "provvisorio"
    for row in checked.values():
        assert row["errore_pct"] == pytest.approx((row["proiettata"] - row["pubblicata"]) / row["pubblicata"] * 100, abs=0.01)
