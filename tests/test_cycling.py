"""The cycle network's figures and links, on the hand-made Pioltello network of tests/fixtures/osm_rete.

The network (see test_osm_network for the metres per degree): a cycle way runs 444.6 m north
from pole 1 (five shops) to 55.6 m of street before the station; pole 2 (five shops) lies
469.0 m east of pole 1 along Via Roma, an ordinary street.
"""

import json

import pytest

import diagnosis as dg
from diagnosis.cli import main
from diagnosis.errors import DatiNonDisponibili
from diagnosis.indicators import cycle_routes, cycling
from diagnosis.report import sections
from diagnosis.tables import measures, population
from diagnosis.territory import resolve_territory
from diagnosis.territory.districts import load_district

NORTH = 111_141.5  # metres per degree of latitude at 45.49° N
EAST = 78_172.0  # metres per degree of longitude there
PIOLTELLO = "015175"
# West of 9.3175 E: the cycle way, the shared path, the street to the station, and 0.0015° of
# both Via Roma (along 45.488 N) and Via Milano (along 45.4925 N).
WEST_PART = [[9.3120, 45.4870], [9.3175, 45.4870], [9.3175, 45.4935], [9.3120, 45.4935], [9.3120, 45.4870]]


@pytest.fixture
def stored(tmp_path, monkeypatch, fixtures, capsys):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    for name in ("rete_015175.json", "negozi_015175.json"):
        assert main(["dati", "aggiungi", str(fixtures / "osm_rete" / name), "--territorio", "Pioltello"]) == 0
    capsys.readouterr()
    return tmp_path


def _perimeter_district(folder):
    (folder / "ovest.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [WEST_PART]}}]}))
    path = folder / "ovest.yaml"
    path.write_text(f'id: ovest\nnome: Ovest\ntipo: DUC\ncomuni:\n  - "{PIOLTELLO}"\nperimetro: ovest.geojson\n',
                    encoding="utf-8")
    return load_district(path)


def test_lengths_density_and_share_of_the_comune(stored):
    [whole] = cycling.analyse(resolve_territory("Pioltello"))
    figures = whole.figures()
    km = figures["km_per_classe"]
    assert km["pista_ciclabile"] == pytest.approx(0.004 * NORTH / 1000, abs=5e-4)
    assert km["corsia_ciclabile"] == pytest.approx(0.002 * NORTH / 1000, abs=5e-4)
    assert km["percorso_promiscuo"] == pytest.approx(0.003 * EAST / 1000, abs=5e-4)
    assert km["strada"] == pytest.approx((0.005 * NORTH + 0.012 * EAST) / 1000, abs=1e-3)
    cycle_km = km["pista_ciclabile"] + km["corsia_ciclabile"] + km["percorso_promiscuo"]
    assert figures["km_ciclabili"] == pytest.approx(cycle_km)
    assert figures["quota_ciclabile_rete"] == pytest.approx(100 * cycle_km / (cycle_km + km["strada"]))
    assert figures["km_ciclabili_per_kmq"] == pytest.approx(cycle_km / 13.08)  # ISTAT area of Pioltello
    residents = population.totals_by_comune(measures.default_year(), [PIOLTELLO])[PIOLTELLO]
    assert figures["km_ciclabili_per_1000_abitanti"] == pytest.approx(1000 * cycle_km / residents)


def test_the_graph_is_built_by_osmnx_from_the_stored_ways_in_both_directions(stored):
    [whole] = cycling.analyse(resolve_territory("Pioltello"))
    graph = cycle_routes.routing_graph(whole.rete)
    assert graph.graph["crs"] == "EPSG:3035"
    assert graph.has_edge(1, 2) and graph.has_edge(2, 1)  # the cycle way's first stretch, both ways
    assert graph.number_of_nodes() == 9 and graph.number_of_edges() == 2 * 9


def test_a_pole_joined_to_the_station_by_a_cycle_way_with_a_short_street_is_connected(stored):
    links = dg.collegamenti_ciclabili("Pioltello").set_index(["da", "a"])
    poles = dg.rete_ciclabile("Pioltello").query("elemento == 'polo'")
    assert poles["negozi"].tolist() == [5, 5]  # the lone kiosk and the café make no pole
    first = links.loc[("Polo 1 (Ciclabile della Martesana)", "Pioltello-Limito")]
    assert first["collegato"]
    assert first["su_ciclabile_m"] == pytest.approx(0.004 * NORTH, abs=0.5)
    assert first["lacuna_max_m"] == pytest.approx(0.0005 * NORTH, abs=0.5)  # Via della Stazione, tolerated
    assert first["quota_ciclabile"] == pytest.approx(100 * 0.004 / 0.0045, abs=0.1)


def test_a_pole_reached_only_along_a_long_street_is_not_connected_and_its_gap_is_mapped(stored):
    links = dg.collegamenti_ciclabili("Pioltello")
    second = links[links["da"].str.startswith("Polo 2") | links["a"].str.startswith("Polo 2")]
    assert len(second) == 2 and not second["collegato"].any()
    to_station = second[second["a"] == "Pioltello-Limito"].iloc[0]
    assert to_station["lacuna_max_m"] == pytest.approx(0.006 * EAST, abs=0.5)  # the whole of Via Roma
    gaps = dg.rete_ciclabile("Pioltello").query("elemento == 'lacuna'")
    long_ones = gaps[~gaps["tollerata"].astype(bool)]
    assert set(long_ones["nome"]) == {"Via Roma"}
    assert long_ones["lunghezza_m"].tolist() == pytest.approx([0.006 * EAST] * len(long_ones), abs=0.5)
    assert gaps.crs.to_epsg() == 3035


def test_a_district_perimeter_clips_the_network_and_keeps_the_poles_inside(stored, tmp_path):
    district = _perimeter_district(tmp_path)
    whole, inside = cycling.analyse(district)
    assert inside.ambito == "perimetro"
    km = inside.km_per_classe()
    assert km["pista_ciclabile"] == pytest.approx(0.004 * NORTH / 1000, abs=5e-4)
    assert km["percorso_promiscuo"] == pytest.approx(0.003 * EAST / 1000, abs=5e-4)
    assert km["corsia_ciclabile"] == 0.0
    assert km["strada"] == pytest.approx((0.0005 * NORTH + 2 * 0.0015 * EAST) / 1000, abs=5e-4)
    assert inside.poli["nome"].tolist() == ["Polo 1 (Ciclabile della Martesana)"]
    assert inside.collegamenti["collegato"].tolist() == [True]
    figures = inside.figures()
    assert figures["km_ciclabili_per_kmq"] == pytest.approx(figures["km_ciclabili"] / district.perimetro.superficie_kmq)
    assert figures["km_ciclabili_per_1000_abitanti"] is None  # residents of the perimeter are not known
    table = dg.ciclabilita(district)
    assert set(table["ambito"]) == {"comuni", "perimetro"}
    per_person = table.set_index(["ambito", "indicatore"]).loc[("perimetro", "km_ciclabili_per_1000_abitanti")]
    assert per_person["valore"] != per_person["valore"] and "residenti del perimetro" in per_person["nota"]


def test_the_shops_of_a_perimeter_are_counted_per_km_of_the_stored_streets_they_can_face(stored, tmp_path):
    from diagnosis.indicators.perimeter_shops import shops_in_perimeter  # the reader of the streets

    fronte = shops_in_perimeter(_perimeter_district(tmp_path), 2023, [])["fronte"]
    per_class = {row["classe"]: row for row in fronte["per_classe"]}
    assert "pista_ciclabile" not in per_class  # a separate cycle track has no shop fronts
    # the same street length inside the perimeter as the network's own figures above
    assert per_class["strada"]["lunghezza_km"] == pytest.approx((0.0005 * NORTH + 2 * 0.0015 * EAST) / 1000, abs=5e-4)
    assert per_class["percorso_promiscuo"]["lunghezza_km"] == pytest.approx(0.003 * EAST / 1000, abs=5e-4)


def test_the_perimeter_at_a_glance_puts_its_shops_and_network_beside_the_rest(stored, tmp_path):
    from diagnosis.report.perimeter_overview import overview  # the report's summary of a perimeter

    table = overview(_perimeter_district(tmp_path)).set_index("Grandezza")
    shops = table.loc["Negozi al dettaglio in OpenStreetMap"]
    # pole 1 inside; pole 2 and the kiosk north of the perimeter outside
    assert (shops["Dentro il perimetro"], shops["Resto dei comuni"], shops["Comuni interi"]) == (5, 6, 11)
    cycle = table.loc["Piste, corsie e percorsi ciclabili"]
    inside = (0.004 * NORTH + 0.003 * EAST) / 1000  # the cycle track and the shared path inside, as above
    assert cycle["Dentro il perimetro"] == pytest.approx(inside, abs=5e-4)
    assert cycle["Dentro il perimetro"] + cycle["Resto dei comuni"] == pytest.approx(cycle["Comuni interi"])
    assert "Negozi per 1.000 residenti" not in table.index  # the perimeter's residents are not in the store
    assert "Residenti (censimento 2021)" not in table.index


def test_streets_come_as_lines_in_laea_with_their_class(stored):
    lines = dg.strade("Pioltello")
    assert lines.crs.to_epsg() == 3035
    assert lines.set_index("osm_id")["classe"].to_dict() == {
        "way/10": "pista_ciclabile", "way/11": "strada", "way/12": "strada", "way/13": "strada",
        "way/14": "corsia_ciclabile", "way/15": "percorso_promiscuo"}
    assert {"highway", "nome", "lunghezza_m", "bici_ammesse"} <= set(lines.columns)


def test_without_the_network_nothing_is_zero_and_the_command_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "vuoto"))
    table = dg.ciclabilita("Pioltello")
    assert table["valore"].isna().all()
    assert table.attrs["comuni_mancanti"] == {"osm_rete": [PIOLTELLO]}
    assert "diagnosis dati scarica --fonte osm_rete" in table["nota"].iloc[0]
    with pytest.raises(DatiNonDisponibili, match="osm_rete"):
        dg.strade("Pioltello")
    assert main(["indicatori", "Pioltello", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["ciclabilita"]
    assert summary["disponibile"] is False and "--fonte osm_rete" in summary["nota"]
    section = {"Rete ciclabile": " ".join(table.loc[table["valore"].isna(), "nota"].dropna().unique())}  # as the section does
    client = sections.data_gaps(dg.indicatori("Pioltello"), others=section).set_index("Indicatori")
    assert client.loc["Rete ciclabile", "Nota"] == "Rete stradale e ciclabile di OpenStreetMap non disponibile per Pioltello."
    analyst = sections.data_gaps(dg.indicatori("Pioltello"), "analista", others=section).set_index("Indicatori")
    assert "diagnosis dati scarica --fonte osm_rete" in analyst.loc["Rete ciclabile", "Nota"]


def test_the_json_of_the_indicators_carries_the_figures(stored, capsys):
    assert main(["indicatori", "Pioltello", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["ciclabilita"]
    [whole] = summary["ambiti"]
    assert summary["disponibile"] and whole["collegamenti_ciclabili"] == 1 and whole["poli_commerciali"] == 2
    assert whole["regola"] == cycle_routes.RULE


def test_the_map_draws_classes_gaps_poles_and_stations_with_scale_and_north(stored):
    import matplotlib.pyplot as plt

    from diagnosis import viz
    from diagnosis.viz import cartography

    figure, ax = plt.subplots()
    assert viz.mappa_ciclabile(dg.rete_ciclabile("Pioltello"), ax=ax) is ax
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend[:4] == ["Strade ordinarie (1,5 km)", "Corsie ciclabili su strada (0,2 km)",
                          "Percorsi promiscui e strade ciclabili (0,2 km)", "Piste ciclabili (0,4 km)"]
    assert {"Lacune oltre la tolleranza", "Lacune tollerate", "Poli commerciali", "Stazioni ferroviarie"} <= set(legend)
    assert any(artist.get_gid() == cartography.SCALE_GID for artist in ax.artists)
    assert any(text.get_gid() == cartography.NORTH_GID for text in ax.texts)
    plt.close(figure)


def test_the_sentences_name_each_link_that_is_not_cycled(stored):
    links = dg.collegamenti_ciclabili("Pioltello")
    first, *others = sections.cycle_links(links)
    assert first == "Dei 3 collegamenti esaminati fra poli commerciali e stazioni, 1 corre su percorso ciclabile."
    assert len(others) == 2 and all("tratto più lungo fuori da essa 469 m" in text for text in others)
    assert sections.cycle_links(links[links["collegato"]]) == ["Il collegamento esaminato corre su percorso ciclabile."]


@pytest.mark.slow
def test_the_section_shows_the_network_and_is_left_out_for_the_client_without_it(stored, tmp_path, monkeypatch):
    from diagnosis.config import NOTEBOOKS_DIR
    from diagnosis.report.runner import run_notebook

    def shown(edition):
        executed = run_notebook(NOTEBOOKS_DIR / "territorio.ipynb", None,
                                {"territorio": "Pioltello", "anno": 2023, "edizione": edition}, in_process=True)
        return " ".join(str(output.get("data", {}).get("text/markdown") or output.get("data", {}).get("text/html"))
                        for cell in executed.cells if cell.get("id", "").startswith("ciclabilita")
                        for output in cell.get("outputs", []))

    with_data = shown("cliente")
    assert "## Rete ciclabile" in with_data and "1 corre su percorso ciclabile" in with_data
    assert "Pista ciclabile" in with_data and "data:image/svg" in with_data
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "vuoto"))
    assert "Rete ciclabile" not in shown("cliente")
    assert "--fonte osm_rete" in shown("analista")


def test_without_the_shops_the_network_stands_and_the_poles_are_missing_not_zero(tmp_path, monkeypatch, fixtures):
    monkeypatch.setenv("DIAGNOSIS_DATA_DIR", str(tmp_path / "data"))
    assert main(["dati", "aggiungi", str(fixtures / "osm_rete" / "rete_015175.json"), "--territorio", "Pioltello"]) == 0
    table = dg.ciclabilita("Pioltello").set_index("indicatore")
    assert table.loc["km_pista_ciclabile", "valore"] == pytest.approx(0.004 * NORTH / 1000, abs=5e-4)
    assert table.loc[["poli_commerciali", "collegamenti", "collegamenti_ciclabili"], "valore"].isna().all()
    assert "--fonte osm --territorio" in table.loc["poli_commerciali", "nota"]
    assert table.loc["stazioni", "valore"] == 1
    assert sections.cycle_links(dg.collegamenti_ciclabili("Pioltello"))[0].startswith("Nessun collegamento")
