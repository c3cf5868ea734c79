"""The shops inside a district's perimeter: clipping, densities and categories, checked by hand."""

from __future__ import annotations

import json
import math
import urllib.parse

import geopandas as gpd
import pandas as pd
import pytest
import responses
import shapely

import diagnosis as dg
from diagnosis.cli import main
from diagnosis.errors import SenzaPerimetro, StradeNonValide
from diagnosis.indicators import perimeter_shops
from diagnosis.indicators.perimeter_geometry import clip_places, frontage_by_class
from diagnosis.sources import overpass
from diagnosis.territory import resolve_territory

from conftest import FIXTURES
from test_perimeter import ASTRIDE_SASSUOLO_FIORANO, _geojson

SASSUOLO, FIORANO = "036040", "036013"
PERIMETER = shapely.Polygon(ASTRIDE_SASSUOLO_FIORANO).wkt  # lon 10.7997–10.8097, lat 44.5160–44.5220


def _places(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["nome", "lat", "lon"])


def test_places_inside_outside_on_the_border_and_without_coordinates():
    places = _places(("dentro", 44.5190, 10.8050), ("fuori", 44.5300, 10.8050), ("sul bordo", 44.5160, 10.8040),
                     ("sul vertice", 44.5220, 10.8097), ("senza lat", None, 10.8050), ("senza lon", 44.519, float("nan")))
    clipped = clip_places(places, PERIMETER)
    assert list(clipped.inside["nome"]) == ["dentro", "sul bordo", "sul vertice"]
    assert list(clipped.outside["nome"]) == ["fuori"]
    assert list(clipped.unlocated["nome"]) == ["senza lat", "senza lon"]


def test_no_place_inside_gives_empty_tables_not_an_error():
    clipped = clip_places(_places(("lontano", 44.60, 10.90)), PERIMETER)
    assert clipped.inside.empty and len(clipped.outside) == 1 and clipped.unlocated.empty
    nothing = clip_places(_places(), PERIMETER)
    assert nothing.inside.empty and nothing.outside.empty and nothing.unlocated.empty


def _projected_corners() -> list[tuple[float, float]]:
    """The perimeter's corners in EPSG:3035, projected as the frontage function projects them."""
    shape = gpd.GeoSeries.from_wkt([PERIMETER], crs="EPSG:4326").to_crs("EPSG:3035").iloc[0]
    return list(shape.exterior.coords)


def _streets(lines, classes) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"classe": classes}, geometry=lines, crs="EPSG:3035")


def test_frontage_counts_both_sides_inside_and_one_side_along_the_edge():
    corners = _projected_corners()
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = corners[:4]  # SW, SE, NE, NW
    centre_x, centre_y = (x0 + x2) / 2, (y0 + y2) / 2
    inner = shapely.LineString([(centre_x - 150, centre_y), (centre_x + 150, centre_y)])  # 300 m, wholly inside
    edge = shapely.LineString([(x0, y0), (x1, y1)])  # the southern edge, as drawn
    # From the centre northwards far beyond the northern edge: inside up to that edge.
    crossing = shapely.LineString([(centre_x, centre_y), (centre_x, centre_y + 5000)])
    north_y = y3 + (y2 - y3) * (centre_x - x3) / (x2 - x3)
    outside = shapely.LineString([(x0 - 2000, y0 - 2000), (x0 - 1000, y0 - 2000)])
    table = frontage_by_class(_streets([inner, edge, crossing, outside], ["residential", "primary", "residential",
                                                                          "primary"]), PERIMETER)
    edge_km = math.dist((x0, y0), (x1, y1)) / 1000
    inside_km = 0.3 + (north_y - centre_y) / 1000
    rows = table.set_index("classe")
    assert rows.loc["residential", "lunghezza_km"] == pytest.approx(inside_km, abs=1e-6)
    assert rows.loc["residential", "fronte_km"] == pytest.approx(2 * inside_km, abs=1e-6)
    assert rows.loc["primary", "lunghezza_km"] == pytest.approx(edge_km, abs=1e-6)
    assert rows.loc["primary", "bordo_km"] == pytest.approx(edge_km, abs=1e-6)
    assert rows.loc["primary", "fronte_km"] == pytest.approx(edge_km, abs=1e-6)  # one side faces the district
    assert 0.7 < edge_km < 0.85  # about 800 m of longitude at 44.5° N: the corners are the ones meant


def test_streets_in_degrees_or_without_a_class_are_refused_saying_how_to_fix():
    line = shapely.LineString([(10.80, 44.517), (10.805, 44.517)])
    with pytest.raises(StradeNonValide, match=r"to_crs\('EPSG:3035'\)"):
        frontage_by_class(gpd.GeoDataFrame({"classe": ["residential"]}, geometry=[line], crs="EPSG:4326"), PERIMETER)
    with pytest.raises(StradeNonValide, match="colonna 'classe'"):
        frontage_by_class(gpd.GeoDataFrame(geometry=[line], crs="EPSG:3035"), PERIMETER)


def test_densities_by_hand_and_missing_terms_stay_missing():
    assert perimeter_shops.densities(12, 4000, 3.0) == {"per_1000_residenti": 3.0, "per_km_fronte": 4.0}
    assert perimeter_shops.densities(12, None, None) == {"per_1000_residenti": None, "per_km_fronte": None}
    assert perimeter_shops.densities(0, 4000, 0.0) == {"per_1000_residenti": 0.0, "per_km_fronte": None}


def test_groups_are_judged_only_on_enough_places_and_beyond_chance():
    groups = list(perimeter_shops.per_group(pd.DataFrame(columns=["stato", "gruppi"])))
    food, people, bars = groups[0], groups[1], groups[2]
    inside = dict.fromkeys(groups, 0) | {food: 10, people: 25, bars: 5}
    rest = dict.fromkeys(groups, 0) | {food: 300, people: 250, bars: 50}  # 50 %, 41,7 %, 8,3 %
    rows = {row["gruppo"]: row for row in perimeter_shops.against_rest(inside, rest)}
    # 40 places inside: expected 20 food shops at the rest's mix, 10 present: |10/20 − 1| = 0,5 > 2/√20 = 0,45.
    assert rows[food]["attese"] == 20.0 and rows[food]["scarto"] == 10.0
    assert rows[food]["lettura"] == "meno presente nel perimetro"
    # 16,7 expected, 25 present: at least 20 places, |25/16,7 − 1| = 0,5 > 2/√16,7 = 0,49.
    assert rows[people]["lettura"] == "più presente nel perimetro"
    assert rows[people]["quota_perimetro"] == 62.5 and rows[people]["quota_resto"] == 41.7
    assert rows[bars]["lettura"] == "pochi esercizi: non giudicato"  # 3,3 expected, 5 present
    inside_close = dict.fromkeys(groups, 0) | {food: 22, people: 18}
    close = {row["gruppo"]: row for row in perimeter_shops.against_rest(inside_close, rest)}
    assert close[food]["attese"] == 20.0 and close[food]["lettura"] == "in linea"  # 22 against 20: chance
    assert set(rows) == {food, people, bars}  # the groups found on neither side are left out
    assert perimeter_shops.against_rest(dict.fromkeys(groups, 0), rest) == []


# --- through the store: a district across Sassuolo and Fiorano Modenese -------------------------

@pytest.fixture
def district(online_store, monkeypatch):
    """The district ``confine`` (Sassuolo and Fiorano, a perimeter astride their border), with
    OpenStreetMap for both comuni and the analyst's register and vacancy survey."""
    folder = online_store / "distretti"
    folder.mkdir()
    (folder / "confine.geojson").write_text(_geojson([ASTRIDE_SASSUOLO_FIORANO]), encoding="utf-8")
    (folder / "confine.yaml").write_text(
        f'id: confine\nnome: Distretto del Confine\ntipo: DUC\ncomuni:\n  - "{SASSUOLO}"\n  - "{FIORANO}"\n'
        "perimetro: confine.geojson\n", encoding="utf-8")
    monkeypatch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(folder))

    def answer(request):
        query = urllib.parse.unquote_plus(request.body)
        code = SASSUOLO if SASSUOLO in query else FIORANO
        return 200, {}, (FIXTURES / "perimetro" / f"osm_{code}.json").read_bytes()

    with responses.RequestsMock() as mocked:
        mocked.add_callback(responses.POST, overpass.OVERPASS_URL, callback=answer)
        assert main(["dati", "scarica", "--fonte", "osm", "--territorio", "confine", "--senza-confronti"]) == 0
    files = [str(FIXTURES / "perimetro" / name) for name in ("registro.csv", "sfitti.csv")]
    assert main(["dati", "aggiungi", *files, "--territorio", "confine"]) == 0
    return resolve_territory("confine")


def _figures(table) -> dict:
    return {(row.fonte, row.variabile): row.valore for row in table.itertuples()}


def test_shops_of_two_comuni_are_clipped_and_counted_by_hand(district):
    figures = _figures(dg.negozi_nel_perimetro("confine", residenti=1500))
    # OpenStreetMap: bakery, clothes (Sassuolo), butcher, jewellery on the eastern edge (Fiorano);
    # the café on the southern edge is a public place, not a shop; one vacant shop inside.
    assert figures[("OpenStreetMap", "negozi")] == 4
    assert figures[("OpenStreetMap", f"negozi_{SASSUOLO}")] == 2 and figures[("OpenStreetMap", f"negozi_{FIORANO}")] == 2
    assert figures[("OpenStreetMap", "esercizi_attivi")] == 5
    assert figures[("OpenStreetMap", "sfitti")] == 1 and figures[("OpenStreetMap", "fuori")] == 5
    assert figures[("OpenStreetMap", "per_1000_residenti")] == pytest.approx(round(4 / 1500 * 1000, 2))
    # Register: three active shops inside (one on the edge), the supermarket outside, the
    # haberdashery without coordinates counted apart; the closed shop is not active.
    assert figures[("Registro dei negozi", "negozi")] == 3
    assert figures[("Registro dei negozi", "fuori")] == 1
    assert figures[("Registro dei negozi", "non_localizzati")] == 1
    assert figures[("Registro dei negozi", "per_1000_residenti")] == 2.0
    # Vacant: the register's ex perfumery is the survey's Via Circonvallazione 10 (once), Via
    # Ghiarola 22 inside, Piazza Garibaldi outside, Via Radici without coordinates; one re-let.
    assert figures[("Locali sfitti rilevati", "sfitti")] == 2
    assert figures[("Locali sfitti rilevati", "fuori")] == 1
    assert figures[("Locali sfitti rilevati", "non_localizzati")] == 1


def test_missing_residents_and_streets_are_said_not_guessed(district):
    table = dg.negozi_nel_perimetro("confine")
    figures = _figures(table)
    assert math.isnan(figures[("OpenStreetMap", "per_1000_residenti")])
    assert math.isnan(figures[("Registro dei negozi", "per_km_fronte")])
    missing = " ".join(table.attrs["mancanti"])
    assert "residenti del perimetro" in missing and "strade del perimetro" in missing


def test_frontage_density_from_street_lines(district):
    corners = _projected_corners()
    (x0, y0), (x1, y1) = corners[:2]
    edge = shapely.LineString([(x0, y0), (x1, y1)])
    table = dg.negozi_nel_perimetro("confine", strade=_streets([edge], ["primary"]))
    frontage_km = round(math.dist((x0, y0), (x1, y1)) / 1000, 3)
    assert table.attrs["fronte"]["fronte_km"] == pytest.approx(frontage_km)
    assert _figures(table)[("OpenStreetMap", "per_km_fronte")] == pytest.approx(round(4 / frontage_km, 2))


def test_categories_of_the_perimeter_against_the_rest_of_its_comuni(district):
    table = dg.categorie_nel_perimetro("confine")
    rest = table[table["confronto"] == "resto dei comuni"].set_index("gruppo")
    # Inside: 2 food, 2 personal, 1 bar (5); outside: 1 food, 1 shoes, 2 bars, 1 hardware (5).
    assert rest.loc["alimentare", ["presenti", "attese", "scarto"]].tolist() == [2, 1.0, -1.0]
    assert rest.loc["casa_e_tempo_libero", ["presenti", "attese"]].tolist() == [0, 1.0]
    assert rest.loc["bar_e_ristoranti", "quota_perimetro"] == 20.0 and rest.loc["bar_e_ristoranti", "quota_confronto"] == 40.0
    assert set(rest["lettura"]) == {"pochi esercizi: non giudicato"}
    assert table[table["confronto"] == "comuni simili"].empty  # no residents given: no peers' rate


def test_the_map_places_are_those_inside(district):
    places = dg.luoghi_nel_perimetro("confine")
    assert len(places[places["fonte"] == "OpenStreetMap"]) == 6  # 5 active and 1 vacant
    surveyed = places[places["fonte"] == "rilevazione"]
    assert sorted(surveyed["stato"]) == ["attivo", "attivo", "attivo", "sfitto", "sfitto"]
    assert places.attrs["perimetro"]["geometria"].startswith("POLYGON")


def test_indicatori_json_has_the_perimeter_shops(district, capsys):
    assert main(["indicatori", "confine", "--json"]) == 0
    block = json.loads(capsys.readouterr().out)["negozi_perimetro"]
    assert block["osm"]["conteggi"]["negozi"] == 4
    assert block["registro"]["conteggi"]["non_localizzati"] == 1
    assert block["osm"]["densita"]["per_1000_residenti"] is None
    assert any("residenti del perimetro" in note for note in block["mancanti"])


def test_a_territory_without_perimeter_is_told_how_to_add_one():
    with pytest.raises(SenzaPerimetro, match="perimetro:"):
        dg.negozi_nel_perimetro("Sassuolo")


def test_the_perimeter_map_draws_its_places_in_metres_with_scale_and_north():
    from test_maps import _bar_metres, _bar_width, _north, _scale_bar

    from diagnosis import viz

    places = pd.DataFrame({"lat": [44.5190, 44.5200, 44.5175, None], "lon": [10.8050, 10.8030, 10.8060, 10.80],
                           "stato": ["attivo", "sfitto", "sfitto", "attivo"]})
    ax = viz.mappa_negozi_perimetro(places, PERIMETER)
    drawn = {collection.get_label(): len(collection.get_offsets()) for collection in ax.collections
             if collection.get_label().startswith(("Attivi", "Sfitti"))}
    assert drawn == {"Attivi (1)": 1, "Sfitti (2)": 2}  # the place without coordinates is not drawn
    bar = _scale_bar(ax)
    assert _bar_width(bar) == pytest.approx(_bar_metres(bar))  # the axes are metres
    assert _north(ax)
    left, right = ax.get_xlim()
    assert 0.8e3 < right - left < 1.2e3  # the perimeter (about 800 m wide) and a margin, not the comuni


def test_the_appendix_lists_what_the_perimeter_section_misses_once_with_the_indicators():
    from diagnosis.report import sections

    indicators = dg.indicatori("duc-sondrio-piastra")
    # as the section does: what the perimeter's shops miss, under the section's name
    section = {"Negozi nel perimetro": " ".join(dg.negozi_nel_perimetro("duc-sondrio-piastra").attrs["mancanti"])}
    client = sections.data_gaps(indicators, others=section).set_index("Nota")["Indicatori"]
    residents = "Dato mancante: i residenti del perimetro, dalle sezioni di censimento."
    assert client[residents] == "Negozi nel perimetro"  # the command is for the analyst only
    osm = "Dato mancante: OpenStreetMap per tutti i comuni del territorio."
    assert client[osm].startswith("Negozi in OpenStreetMap") and client[osm].endswith(", Negozi nel perimetro")
    analyst = sections.data_gaps(indicators, sections.ANALYST, section)
    assert analyst["Nota"].str.contains("diagnosis dati scarica --fonte osm --territorio duc-sondrio-piastra").any()
    assert not sections.data_gaps(dg.indicatori("Sondrio"))["Indicatori"].str.contains("perimetro").any()


# --- the report's section -------------------------------------------------------------------

def _report(territory, folder, edition: str, notebook: str = "commercio") -> str:
    from diagnosis.config import NOTEBOOKS_DIR
    from diagnosis.report.fotografia import build_fotografia

    files = build_fotografia(territory, output_dir=folder, notebook=NOTEBOOKS_DIR / f"{notebook}.ipynb",
                             in_process=True, edition=edition)
    page = files.html.read_text(encoding="utf-8")
    assert "Traceback" not in page
    return page


@pytest.mark.slow
def test_the_section_shows_the_counts_the_unlocated_rows_and_the_map(district, tmp_path):
    page = _report(district, tmp_path, "cliente")
    assert "Negozi nel perimetro" in page and "Negozi e locali sfitti nel perimetro" in page
    assert "Registro dei negozi: 1 negozio senza coordinate, contato a parte" in page
    assert "il perimetro e il resto dei suoi comuni" in page
    assert "Mappa del perimetro di Distretto del Confine con 8 esercizi attivi e 3 locali sfitti." in page


@pytest.mark.slow
def test_without_data_the_client_reads_the_section_in_the_appendix_only(tmp_path):
    piastra = resolve_territory("duc-sondrio-piastra")
    client = _report(piastra, tmp_path / "cliente", "cliente", notebook="fotografia")
    assert 'id="negozi-perimetro"' not in client
    assert "Negozi nel perimetro" in client  # in the appendix, with what it misses
    analyst = _report(piastra, tmp_path / "analista", "analista")
    assert 'id="negozi-perimetro"' in analyst and "Che cosa manca al perimetro" in analyst
    assert "diagnosis dati scarica --fonte osm --territorio duc-sondrio-piastra" in analyst


def test_the_counts_table_tells_a_missing_density_from_a_figure_not_counted():
    from diagnosis.report import perimeter_shops as shown

    long = pd.DataFrame({"fonte": ["Registro dei negozi"] * 4 + ["Locali sfitti rilevati"] * 3,
                         "variabile": ["negozi", "fuori", "non_localizzati", "per_1000_residenti",
                                       "sfitti", "fuori", "non_localizzati"],
                         "valore": [3, 1, 2, float("nan"), 2, 0, 1]})
    table = shown.counts_table(long).set_index("Fonte")
    assert table.loc["Registro dei negozi", "Negozi nel perimetro"] == 3
    assert pd.isna(table.loc["Registro dei negozi", "Negozi per 1.000 residenti"])  # missing: n.d.
    assert table.loc["Registro dei negozi", "Sfitti nel perimetro"] == shown.NOT_COUNTED
    assert table.loc["Locali sfitti rilevati", "Negozi nel perimetro"] == shown.NOT_COUNTED
    assert shown.unlocated_notes(long) == [
        "Registro dei negozi: 2 negozi senza coordinate, contati a parte, né dentro né fuori dal perimetro. "
        "Aggiungendo lat e lon nel file si localizzano.",
        "Locali sfitti rilevati: 1 locale sfitto senza coordinate, contato a parte, né dentro né fuori dal perimetro. "
        "Aggiungendo lat e lon nel file si localizzano."]


def test_categories_against_the_peers_at_their_rate_times_the_perimeter_residents(district):
    from diagnosis.tables import osm_points, population

    peers = dg.pari("confine")["codice"].tolist()

    def answer(request):  # every peer has Fiorano's four places: a butcher, a jeweller, a hardware shop, a café
        return 200, {}, (FIXTURES / "perimetro" / f"osm_{FIORANO}.json").read_bytes()

    with responses.RequestsMock() as mocked:
        mocked.add_callback(responses.POST, overpass.OVERPASS_URL, callback=answer)
        assert main(["dati", "scarica", "--fonte", "osm", "--territorio", "confine"]) == 0
    assert osm_points.totals(peers) is not None
    year = dg.indicatori("confine").attrs["anno"]
    people = sum(population.totals_by_comune(year, peers).values())
    table = dg.categorie_nel_perimetro("confine", residenti=1500)
    rows = table[table["confronto"] == "comuni simili"].set_index("gruppo")
    # One hardware shop per peer: expected len(peers) / people × 1.500 in the perimeter, none present.
    expected = len(peers) / people * 1500
    assert rows.loc["casa_e_tempo_libero", "attese"] == pytest.approx(round(expected, 1))
    assert rows.loc["casa_e_tempo_libero", "quota_confronto"] == pytest.approx(round(len(peers) / people * 1000, 2))
    assert rows.loc["alimentare", "presenti"] == 2
    assert set(rows["lettura"]) <= {"da attrarre", "in linea o oltre"}


def test_a_perimeter_of_census_sections_says_its_shops_cannot_be_placed_yet():
    from diagnosis.territory.model import Territorio
    from diagnosis.territory.perimeter import coded_perimeter

    perimeter = coded_perimeter("sezioni", ["0140610000012"], ("014061",))
    territory = Territorio(id="sezioni", nome="Per sezioni", livello="distretto", comuni=("014061",),
                           perimetro=perimeter)
    table = dg.negozi_nel_perimetro(territory)
    assert table.empty and table.attrs["mancanti"] == [perimeter_shops.NO_GEOMETRY]
    assert dg.luoghi_nel_perimetro(territory).empty
