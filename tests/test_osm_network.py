"""The street and cycle network from OpenStreetMap: query, classes, both file formats, the store.

The fixture network lies in Pioltello around 45.488 N, 9.316 E. Lengths checked by hand: a
metre of latitude there is 1/111,141.5 of a degree (the meridian arc, 111,132.954 −
559.822·cos 2φ + 1.175·cos 4φ m per degree at φ = 45.49°), so 0.002° north is 222.28 m; a
degree of longitude is 111,412.84·cos φ − 93.5·cos 3φ = 78,172 m, so 0.003° east is 234.5 m.
"""

from urllib.parse import parse_qs

import pytest
import responses

from diagnosis import store
from diagnosis.cli import main
from diagnosis.errors import ErroreOverpass, FileOsmNonValido
from diagnosis.sources import osm_network, overpass
from diagnosis.tables import cycle_network
from diagnosis.territory.history import predecessors

METRES_PER_DEGREE_NORTH = 111_141.5
METRES_PER_DEGREE_EAST = 78_172.0
PIOLTELLO = "015175"


@pytest.fixture
def answer(fixtures) -> bytes:
    return (fixtures / "osm_rete" / "rete_015175.json").read_bytes()


def test_query_asks_streets_cycle_ways_and_stations_of_the_comune_with_their_geometry():
    query = osm_network.build_query(PIOLTELLO, ("015999",))
    assert '["ref:ISTAT"~"^(015175|015999)$"]' in query
    assert ".rete out geom;" in query and ".stazioni out tags center;" in query
    assert "|cycleway)$" in query and "residential" in query and "motorway" not in query
    assert '["bicycle"~"^(designated|yes)$"]' in query and '["bicycle_road"="yes"]' in query
    assert 'nwr["railway"~"^(station|halt)$"]' in query and 'nwr["public_transport"="station"]' in query


@pytest.mark.parametrize("tags, expected", [
    ({"highway": "cycleway"}, "pista_ciclabile"),
    ({"highway": "residential", "cycleway:right": "lane"}, "corsia_ciclabile"),
    ({"highway": "secondary", "cycleway:both": "track"}, "corsia_ciclabile"),
    ({"highway": "tertiary", "cycleway": "lane"}, "corsia_ciclabile"),
    ({"highway": "residential", "cycleway": "shared_lane"}, "strada"),  # painted symbols are no lane
    ({"highway": "footway", "bicycle": "designated"}, "percorso_promiscuo"),
    ({"highway": "path", "bicycle": "yes"}, "percorso_promiscuo"),
    ({"highway": "residential", "bicycle_road": "yes"}, "percorso_promiscuo"),
    ({"highway": "unclassified", "cyclestreet": "yes"}, "percorso_promiscuo"),
    ({"highway": "primary"}, "strada"),
    ({"highway": "living_street"}, "strada"),
    ({"highway": "motorway"}, None),
    ({"highway": "motorway_link"}, None),
    ({"highway": "trunk", "motorroad": "yes"}, None),
    ({"highway": "footway"}, None),
    ({"highway": "service"}, None),
])
def test_each_way_gets_one_class(tags, expected):
    assert osm_network.classify_way(tags) == expected


def test_overpass_answer_gives_the_ways_with_their_nodes_and_the_railway_station_once(answer):
    network = osm_network.parse_overpass_json(answer)
    ways = network.vie.set_index("osm_id")
    assert list(ways.index) == ["way/10", "way/11", "way/12", "way/13", "way/14", "way/15"]
    assert ways.loc["way/10", "nodi"] == (1, 2, 3) and ways.loc["way/10", "classe"] == "pista_ciclabile"
    assert ways.loc["way/10", "coordinate"][0] == (9.316, 45.488)  # (lon, lat)
    assert ways.loc["way/14", "classe"] == "corsia_ciclabile" and ways.loc["way/15", "classe"] == "percorso_promiscuo"
    # The node and the building of the same station are both there; the bus station is not.
    assert sorted(network.stazioni["osm_id"]) == ["node/100", "way/200"]
    assert network.data_dati == "2026-11-20"


def test_lengths_by_class_match_the_hand_computed_ones(answer):
    found = cycle_network.StoredNetwork(*_parts(answer), coperti=(PIOLTELLO,), mancanti=(), data_dati="", fonte="")
    lines = cycle_network.lines(found)
    assert lines.crs.to_epsg() == 3035
    metres = lines.groupby("classe")["lunghezza_m"].sum()
    assert metres["pista_ciclabile"] == pytest.approx(0.004 * METRES_PER_DEGREE_NORTH, abs=0.5)  # 444.6 m
    assert metres["corsia_ciclabile"] == pytest.approx(0.002 * METRES_PER_DEGREE_NORTH, abs=0.5)  # 222.3 m
    assert metres["percorso_promiscuo"] == pytest.approx(0.003 * METRES_PER_DEGREE_EAST, abs=0.5)  # 234.5 m
    # Via della Stazione 0.0005° N, Via Milano 0.006° E + 0.0045° N, Via Roma 0.006° E.
    streets = 0.005 * METRES_PER_DEGREE_NORTH + 0.012 * METRES_PER_DEGREE_EAST
    assert metres["strada"] == pytest.approx(streets, abs=1.0)
    assert cycle_network.stations(found)["nome"].tolist() == ["Pioltello-Limito"]  # named twice, kept once


def _parts(answer):
    network = osm_network.parse_overpass_json(answer)
    return network.vie.assign(codice=PIOLTELLO), network.stazioni.assign(codice=PIOLTELLO)


def test_osm_xml_extract_keeps_streets_and_cycle_ways_and_leaves_out_motorways_and_plain_footways(fixtures):
    network = osm_network.parse_network_file((fixtures / "osm_rete" / "estratto_015175.osm").read_bytes())
    assert dict(zip(network.vie["osm_id"], network.vie["classe"])) == {
        "way/10": "pista_ciclabile", "way/11": "strada", "way/13": "strada"}
    assert network.vie.set_index("osm_id").loc["way/13", "coordinate"] == ((9.316, 45.488), (9.319, 45.488),
                                                                           (9.322, 45.488))
    assert network.stazioni["nome"].tolist() == ["Pioltello-Limito"]


def test_the_same_ways_read_alike_from_xml_and_from_json(fixtures, answer):
    xml = osm_network.parse_network_file((fixtures / "osm_rete" / "estratto_015175.osm").read_bytes()).vie
    json_ways = osm_network.parse_network_file(answer).vie
    shared = json_ways[json_ways["osm_id"].isin(xml["osm_id"])].reset_index(drop=True)
    assert shared[["osm_id", "classe", "nodi", "coordinate"]].equals(xml[["osm_id", "classe", "nodi", "coordinate"]])


def test_bad_files_are_refused_saying_why(fixtures):
    with pytest.raises(FileOsmNonValido, match="non si legge"):
        osm_network.parse_osm_xml(b"<?xml version='1.0'?><osm version='0.6'><way id='1'><nd ref='1'/>")
    with pytest.raises(FileOsmNonValido, match="radice"):
        osm_network.parse_osm_xml(b"<?xml version='1.0'?><gpx><trk/></gpx>")
    with pytest.raises(FileOsmNonValido, match="rete stradale"):
        osm_network.parse_network_file((fixtures / "overpass" / "list_036040.json").read_bytes())  # shops only
    shops_geometry_missing = (b'{"version": 0.6, "generator": "Overpass API", "elements": [{"type": "way", "id": 1, '
                              b'"nodes": [1, 2], "tags": {"highway": "residential"}}]}')
    with pytest.raises(FileOsmNonValido, match="out geom"):
        osm_network.parse_overpass_json(shops_geometry_missing)
    with pytest.raises(ErroreOverpass, match="interrotto la query"):
        osm_network.parse_overpass_json((fixtures / "overpass" / "timeout.json").read_bytes())


def test_a_shops_answer_is_still_the_shops_dataset_and_a_network_extract_is_the_network(fixtures, answer):
    from diagnosis.intake.recognise import recognise

    assert recognise((fixtures / "overpass" / "list_036040.json").read_bytes()).dataset == "osm"
    assert recognise(answer).dataset == "osm_rete"
    xml = recognise((fixtures / "osm_rete" / "estratto_015175.osm").read_bytes())
    assert xml.dataset == "osm_rete" and xml.suggested_name == "osm_rete.osm"


def test_an_extract_is_imported_for_one_comune_and_is_the_one_read(tmp_path, monkeypatch, fixtures, capsys):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    path = fixtures / "osm_rete" / "estratto_015175.osm"
    assert main(["dati", "aggiungi", str(path), "--territorio", "provincia:MI"]) == 1
    assert "un comune alla volta" in capsys.readouterr().out
    assert main(["dati", "aggiungi", str(path), "--territorio", "Pioltello"]) == 0
    assert cycle_network.covered([PIOLTELLO]) == [PIOLTELLO]
    assert sorted(cycle_network.network([PIOLTELLO]).vie["osm_id"]) == ["way/10", "way/11", "way/13"]
    assert main(["dati", "stato"]) == 0
    assert "rete stradale e ciclabile OpenStreetMap: 1 comune" in capsys.readouterr().out


@responses.activate
def test_download_stores_the_answer_and_a_timeout_leaves_the_store_as_it_was(online_store, answer, fixtures, capsys):
    responses.post(overpass.OVERPASS_URL, body=(fixtures / "overpass" / "timeout.json").read_bytes())
    assert main(["dati", "scarica", "--fonte", "osm_rete", "--territorio", "Pioltello"]) == 1
    assert store.entries("osm_rete") == [] and "non scaricato" in capsys.readouterr().out
    responses.replace(responses.POST, overpass.OVERPASS_URL, body=answer)
    assert main(["dati", "scarica", "--fonte", "osm_rete", "--territorio", "Pioltello"]) == 0
    [entry] = store.entries("osm_rete")
    assert entry["comuni"] == [PIOLTELLO] and entry["vintage"] == "dati OSM del 2026-11-20"
    sent = parse_qs(responses.calls[-1].request.body)["data"][0]
    assert sent == osm_network.build_query(PIOLTELLO, tuple(predecessors(PIOLTELLO)))
    assert len(cycle_network.network([PIOLTELLO]).vie) == 6


@responses.activate
def test_a_busy_server_is_an_error_that_says_to_wait(online_store, fixtures):
    responses.post(overpass.OVERPASS_URL, status=429, body=(fixtures / "overpass" / "429.html").read_bytes())
    with pytest.raises(ErroreOverpass, match="429"):
        osm_network.fetch_comune(PIOLTELLO)


@responses.activate
def test_a_busy_server_is_asked_again_when_a_slot_frees_up_soon(online_store, answer, fixtures):
    responses.post(overpass.OVERPASS_URL, status=429, body=(fixtures / "overpass" / "429.html").read_bytes())
    responses.post(overpass.OVERPASS_URL, body=answer)
    responses.get(overpass.STATUS_URL, body=(fixtures / "overpass" / "status.txt").read_bytes())
    waits = []
    body = overpass.fetch_query(osm_network.build_query(PIOLTELLO), sleep=waits.append)
    assert body == answer and waits == [106.0]  # the sooner of the two slots, and a second more


@responses.activate
def test_a_slot_too_far_away_is_not_waited_for(online_store, fixtures):
    responses.post(overpass.OVERPASS_URL, status=429, body=(fixtures / "overpass" / "429.html").read_bytes())
    far = "Rate limit: 2\nSlot available after: 2021-03-15T09:30:24Z, in 968 seconds.\n"
    responses.get(overpass.STATUS_URL, body=far)
    waits = []
    with pytest.raises(ErroreOverpass, match="429"):
        overpass.fetch_query(osm_network.build_query(PIOLTELLO), sleep=waits.append)
    assert waits == [] and len([c for c in responses.calls if c.request.method == "POST"]) == 1
