"""``diagnosis proiezioni``: the JSON contract, per-comune output, bad horizons."""

import json

import pytest

from diagnosis.cli import main

RECORD_KEYS = {"anno", "valore", "basso_80", "alto_80", "basso_95", "alto_95", "modello", "errore_backtest"}
REQUIRED_MEASURES = {"popolazione", "popolazione_0_14", "popolazione_65_piu", "indice_vecchiaia"}


def _run_json(capsys, *argv):
    assert main(["proiezioni", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_district_projection_contract(capsys):
    result = _run_json(capsys, "citta-distretto-sassuolo", "--orizzonte", "3")
    assert result["territorio"]["id"] == "citta-distretto-sassuolo"
    assert result["anno_base"] == 2023
    assert REQUIRED_MEASURES <= set(result["proiezioni"])
    for rows in result["proiezioni"].values():
        assert [row["anno"] for row in rows] == [2024, 2025, 2026]
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
