"""Mix, location quotients, missing categories and desertification signals, hand-computed."""

import json
import re

import pytest
import responses

from diagnosis.cli import main
from diagnosis.indicators import commerce_analysis
from diagnosis.indicators.compute import compute_indicators
from diagnosis.sources import istat_sdmx
from diagnosis.tables import population
from diagnosis.tables.local_units import LocalUnitTotals
from diagnosis.territory import resolve_territory

from test_local_units import FLOW, HEADER, asia_structure, codes_in, serve_asia


def totals(**units) -> LocalUnitTotals:
    return LocalUnitTotals(anno=2023, unita_locali=0, addetti=0, per_gruppo={k: (v, 0) for k, v in units.items()},
                           livello_ateco=3, comuni_coperti=1, fonte="", vintage="", stato="definitivo")


def test_mix_shares_and_location_quotients_by_hand():
    town = totals(alimentare=20, bar_e_ristoranti=30, servizi_alla_persona=50, dettaglio_totale=999)
    region = totals(alimentare=400, bar_e_ristoranti=300, servizi_alla_persona=300)
    # shares over the mix groups only (dettaglio_totale overlaps them): 20 %, 30 %, 50 %
    assert commerce_analysis.mix_shares(town) == {"alimentare": 20.0, "bar_e_ristoranti": 30.0, "servizi_alla_persona": 50.0}
    # LQ = share / regional share: 20/40, 30/30, 50/30
    assert commerce_analysis.location_quotients(town, region) == {
        "alimentare": 0.5, "bar_e_ristoranti": 1.0, "servizi_alla_persona": 1.67}
    assert [commerce_analysis.lq_reading(v) for v in (0.5, 1.0, 1.67, None)] == [
        "sotto-rappresentato", "in linea", "specializzazione", "non calcolabile"]


@responses.activate
def test_missing_categories_are_ranked_by_the_gap_to_the_peers_rate(online_store):
    serve_asia()
    assert main(["dati", "scarica", "--fonte", "asia_ul", "--territorio", "Sassuolo", "--anni", "2023"]) == 0
    result = compute_indicators(resolve_territory("Sassuolo"))  # the peers downloaded are those of today
    peers = result["pari"]["comuni"]
    own_people = sum(population.totals_by_comune(2023, ["036040"]).values())
    peer_people = sum(population.totals_by_comune(2023, peers).values())
    scales = [1 + int(c[-2:]) % 5 for c in peers]
    expected_food = 8 * sum(scales) / peer_people * own_people  # peers: 471 = 3 s, 472 = 5 s per comune
    expected_bars = 4 * sum(scales) / peer_people * own_people  # peers: 561 = 4 s
    rows = {row["gruppo"]: row for row in result["commercio"]["categorie_mancanti"]}
    assert rows["alimentare"]["attese"] == pytest.approx(round(expected_food, 1))
    assert rows["alimentare"]["presenti"] == 120
    assert rows["bar_e_ristoranti"]["scarto"] == pytest.approx(round(expected_bars - 260, 1))
    gaps = [row["scarto"] for row in result["commercio"]["categorie_mancanti"]]
    assert gaps == sorted(gaps, reverse=True)
    # location quotients against the province (fetched whole), not the region (not fetched)
    assert list(result["commercio"]["quozienti_localizzazione"]) == ["provincia:MO"]
    assert sum(result["commercio"]["quote"].values()) == pytest.approx(100, abs=0.3)


@responses.activate
def test_falling_density_and_a_single_food_shop_are_signalled(online_store):
    def answer(request):
        lines = []
        for code in codes_in(request.url):
            for year, total, food in ((2022, 5, 1), (2023, 4, 1)):
                for ateco, value in (("0010", total), ("472", food), ("561", 3)):
                    lines.append(f"{FLOW},A,{code},LU,{ateco},TOTAL,{year},{value},,,,,")
        return 200, {}, HEADER + "\n".join(lines) + "\n"

    pattern = re.compile(re.escape(istat_sdmx.data_url("183_1163_DF_DICA_ASIAULP_TERRIFDATA_3", "")) + ".*")
    responses.add_callback(responses.GET, pattern, callback=answer)
    responses.get(istat_sdmx.structure_url("183_1163"), body=asia_structure())
    assert main(["dati", "scarica", "--fonte", "asia_ul", "--territorio", "Morterone", "--anni", "2022-2023",
                 "--senza-confronti"]) == 0
    signals = commerce_analysis.desertification_signals(resolve_territory("Morterone"), [], 2023)
    kinds = [s["tipo"] for s in signals]
    assert kinds == ["deserto_alimentare", "unita_locali_in_calo"]
    assert "Morterone: un solo esercizio alimentare (ISTAT ASIA 2023)" in signals[0]["testo"]
    people = {y: population.totals_by_comune(y, ["097055"])["097055"] for y in (2022, 2023)}
    first = f"{5 / people[2022] * 1000:.1f}".replace(".", ",")
    assert f"da {first} nel 2022" in signals[1]["testo"]


def test_vacancy_above_the_peers_is_signalled(tmp_path, monkeypatch, fixtures):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    answer = json.loads((fixtures / "overpass" / "list_036040.json").read_text())
    (tmp_path / "sassuolo.json").write_text(json.dumps(answer))
    without_vacant = dict(answer, elements=[e for e in answer["elements"] if e["id"] not in (303, 404)])
    (tmp_path / "fiorano.json").write_text(json.dumps(without_vacant))
    assert main(["dati", "aggiungi", str(tmp_path / "sassuolo.json"), "--territorio", "036040"]) == 0
    assert main(["dati", "aggiungi", str(tmp_path / "fiorano.json"), "--territorio", "036013"]) == 0
    [signal] = commerce_analysis.desertification_signals(resolve_territory("036040"), ["036013"], 2023)
    # Sassuolo: 2 vacant / (3 shops + 2) = 40 %; the peer: 0 / 3 = 0 %
    assert signal["tipo"] == "sfitti_sopra_i_pari" and "40,0% dei negozi contro 0,0%" in signal["testo"]
