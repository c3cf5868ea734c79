"""OpenStreetMap via Overpass: query, parsing, errors, the store and the OSM indicators."""

from datetime import datetime, timezone

import pytest
import responses

from diagnosis import store
from diagnosis.cli import main
from diagnosis.errors import ErroreOverpass
from diagnosis.indicators.compute import compute_indicators
from diagnosis.sources import overpass
from diagnosis.tables import osm_points
from diagnosis.territory import resolve_territory



def test_query_asks_the_comune_by_istat_code_and_every_group_tag():
    query = overpass.build_query("036040")
    assert '["ref:ISTAT"="036040"]' in query and '["admin_level"="8"]' in query
    assert 'nwr["shop"](area.a);' in query and 'nwr["disused:shop"](area.a);' in query
    assert "pharmacy" in query and "restaurant" in query and "out tags center;" in query


def test_query_also_asks_the_old_codes_after_a_recoding():
    query = overpass.build_query("111001", ("092001", "092002"))
    assert '["ref:ISTAT"~"^(111001|092001|092002)$"]' in query


def test_points_groups_and_vacancies(fixtures):
    points = overpass.parse_overpass((fixtures / "overpass" / "list_036040.json").read_bytes())
    by_id = points.set_index("osm_id")
    assert len(points) == 9  # the bus stop concerns no group
    assert by_id.loc["node/101", "gruppi"] == ["alimentare", "dettaglio_totale"]
    assert (by_id.loc["way/202", "lat"], by_id.loc["way/202", "lon"]) == (44.5401, 10.7902)  # a way's centre
    assert by_id.loc["node/303", "stato"] == "sfitto" and by_id.loc["node/404", "stato"] == "sfitto"
    assert by_id.loc["node/404", "gruppi"] == ["persona_e_specializzati"]  # the former use
    assert "dettaglio_totale" not in by_id.loc["node/808", "gruppi"]  # a hairdresser is a service
    assert by_id.loc["node/707", "gruppi"] == ["persona_e_specializzati", "farmacie"]


def test_timeout_with_200_is_an_error_not_an_empty_comune(fixtures):
    with pytest.raises(ErroreOverpass, match="interrotto la query"):
        overpass.parse_overpass((fixtures / "overpass" / "timeout.json").read_bytes())


def test_busy_and_overloaded_answers_say_to_wait(fixtures):
    with pytest.raises(ErroreOverpass, match="429"):
        overpass.check_answer(429, (fixtures / "overpass" / "429.html").read_bytes())
    with pytest.raises(ErroreOverpass, match="504"):
        overpass.check_answer(504, b"")
    with pytest.raises(ErroreOverpass, match="HTML"):
        overpass.check_answer(200, (fixtures / "overpass" / "429.html").read_bytes())


def test_status_page_gives_the_wait_for_the_next_slot(fixtures):
    text = (fixtures / "overpass" / "status.txt").read_text()
    assert overpass.slot_wait_seconds(text) == 105
    assert overpass.slot_wait_seconds("Rate limit: 2\n2 slots available now.\n") == 0
    stamped = "Slot available after: 2021-03-15T09:30:24Z, in"
    now = datetime(2021, 3, 15, 9, 30, 0, tzinfo=timezone.utc)
    assert overpass.slot_wait_seconds(stamped, now=now) == 24


@responses.activate
def test_download_stores_each_comune_and_feeds_the_indicators(online_store, fixtures, capsys):
    body = (fixtures / "overpass" / "list_036040.json").read_bytes()
    responses.post(overpass.OVERPASS_URL, body=body)
    assert main(["dati", "scarica", "--fonte", "osm", "--territorio", "036040", "--senza-confronti"]) == 0
    [entry] = store.entries("osm")
    assert entry["comuni"] == ["036040"] and entry["vintage"] == "dati OSM del 2026-11-20"
    sent = responses.calls[0].request.body
    assert "036040" in (sent.decode() if isinstance(sent, bytes) else sent)
    totals = osm_points.totals(["036040"])
    assert totals.sfitti == 2 and totals.attivi_per_gruppo["dettaglio_totale"] == 3
    result = compute_indicators(resolve_territory("036040"), 2023)["indicatori"]
    assert result["negozi_osm"]["valore"] == 3
    assert result["locali_sfitti_osm"]["valore"] == 2
    assert result["quota_sfitti_osm"]["valore"] == pytest.approx(40.0)  # 2 / (3 + 2)
    assert "OpenStreetMap" in result["negozi_osm"]["fonte"]


@responses.activate
def test_a_failed_comune_leaves_the_store_as_it_was_and_is_not_cached(online_store, fixtures, capsys):
    responses.post(overpass.OVERPASS_URL, body=(fixtures / "overpass" / "timeout.json").read_bytes())
    assert main(["dati", "scarica", "--fonte", "osm", "--territorio", "036040", "--senza-confronti"]) == 1
    assert store.entries("osm") == []
    assert "non scaricato" in capsys.readouterr().out
    responses.replace(responses.POST, overpass.OVERPASS_URL, body=(fixtures / "overpass" / "list_036040.json").read_bytes())
    assert main(["dati", "scarica", "--fonte", "osm", "--territorio", "036040", "--senza-confronti"]) == 0
    assert len(store.entries("osm")) == 1


def test_missing_osm_says_which_command_gets_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "empty"))
    entry = compute_indicators(resolve_territory("036040"), 2023)["indicatori"]["negozi_osm"]
    assert entry["valore"] is None
    assert 'diagnosis dati scarica --fonte osm --territorio "Sassuolo (MO)"' in entry["nota"]


def test_an_osm_export_is_imported_for_one_comune(tmp_path, monkeypatch, fixtures, capsys):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    path = fixtures / "overpass" / "list_036040.json"
    assert main(["dati", "aggiungi", str(path)]) == 1
    assert "--territorio" in capsys.readouterr().out
    assert main(["dati", "aggiungi", str(path), "--territorio", "Sassuolo"]) == 0
    assert osm_points.covered(["036040"]) == ["036040"]
    assert main(["dati", "aggiungi", str(path), "--territorio", "provincia:MO"]) == 1
    assert "un comune alla volta" in capsys.readouterr().out


@pytest.mark.real_data
def test_real_prato_export_parses_into_groups(real_data):
    points = overpass.parse_osm_file((real_data / "osm" / "prato_shops_overpass.geojson").read_bytes())
    # 196 shop=* features in the file; every one is a point with coordinates near Prato.
    assert len(points) == 196
    assert points["lat"].between(43.7, 44.0).all() and points["lon"].between(10.9, 11.3).all()
    groups = points.explode("gruppi")["gruppi"].value_counts()
    assert groups["dettaglio_totale"] > 150 and groups["alimentare"] > 0 and groups["persona_e_specializzati"] > 0


@responses.activate
def test_the_peers_are_fetched_too_for_the_vacancy_comparison(online_store, fixtures, capsys):
    from diagnosis.indicators.compute import indicator_values
    from diagnosis.indicators.peers import select_peers

    responses.post(overpass.OVERPASS_URL, body=(fixtures / "overpass" / "list_036040.json").read_bytes())
    assert main(["dati", "scarica", "--fonte", "osm", "--territorio", "Sassuolo"]) == 0
    from diagnosis.tables.measures import default_year

    sassuolo, year = resolve_territory("Sassuolo"), default_year()
    peers = select_peers(sassuolo, indicator_values(sassuolo, year), year)["comuni"]
    assert len(responses.calls) == 1 + len(peers)
    assert set(osm_points.covered(["036040", *peers])) == {"036040", *peers}
    assert "i comuni simili" in capsys.readouterr().out
