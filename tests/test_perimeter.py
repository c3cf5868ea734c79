"""A district's own perimeter: drawn files in the formats analysts export, census sections, ACE, ASC."""

from __future__ import annotations

import json
import warnings

import pytest

from diagnosis.cli import main
from diagnosis.errors import (
    CodiciPerimetroNonValidi,
    PerimetroAutointersecante,
    PerimetroFuoriDaiComuni,
    PerimetroIllegibile,
    PerimetroNonPoligonale,
    PerimetroNonValido,
    PerimetroSenzaCrs,
    PerimetroVuoto,
)
from diagnosis.territory import resolve_territory
from diagnosis.territory.districts import load_district
from diagnosis.territory.perimeter import EDGE_SLOP_M, OUTSIDE_TOLERANCE

SONDRIO = "014061"
# A rectangle of about 460 × 330 m around the centre of Sondrio, drawn by hand.
CENTRE = [[9.869, 46.169], [9.875, 46.169], [9.875, 46.172], [9.869, 46.172], [9.869, 46.169]]
# The same corners in Monte Mario / Italy zone 1 (EPSG:3003), as a QGIS project in Gauss-Boaga exports them.
CENTRE_3003 = [[1567112.7, 5113213.1], [1567575.9, 5113218.2], [1567572.2, 5113551.5],
               [1567109.1, 5113546.4], [1567112.7, 5113213.1]]
# About 900 × 650 m astride the border of Sassuolo (036040) and Fiorano Modenese (036013).
ASTRIDE_SASSUOLO_FIORANO = [[10.7997, 44.5160], [10.8097, 44.5160], [10.8097, 44.5220],
                            [10.7997, 44.5220], [10.7997, 44.5160]]


def _geojson(rings, kind="Polygon", crs=None) -> str:
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nome": "perimetro"}, "geometry": {"type": kind, "coordinates": rings}}]}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(collection)


def _district(folder, perimeter: str, comuni=(SONDRIO,)):
    members = "".join(f'  - "{code}"\n' for code in comuni)
    path = folder / "prova.yaml"
    path.write_text(f"id: prova\nnome: Prova\ntipo: DUC\ncomuni:\n{members}perimetro: {perimeter}\n", encoding="utf-8")
    return load_district(path)


def _drawn(folder, name: str, text: str, comuni=(SONDRIO,)):
    (folder / name).write_text(text, encoding="utf-8")
    return _district(folder, name, comuni)


def test_a_geojson_polygon_inside_its_comune_is_kept_in_wgs84_with_its_area(tmp_path):
    perimeter = _drawn(tmp_path, "centro.geojson", _geojson([CENTRE])).perimetro
    assert perimeter.tipo == "poligono" and perimeter.fonte == "centro.geojson"
    assert perimeter.geometria.startswith("POLYGON ((9.869 46.169")
    # 0.006° of longitude × 0.003° of latitude at 46.17° N: 463 m × 333 m
    assert 0.14 < perimeter.superficie_kmq < 0.16


def test_a_redrawn_perimeter_changes_the_batch_fingerprint(tmp_path):
    from diagnosis.batch.inputs_hash import fingerprint

    drawn = _drawn(tmp_path, "centro.geojson", _geojson([CENTRE]))
    smaller = [[9.870, 46.169], [9.875, 46.169], [9.875, 46.172], [9.870, 46.172], [9.870, 46.169]]
    redrawn = _drawn(tmp_path, "centro.geojson", _geojson([smaller]))
    plain = tmp_path / "intera.yaml"  # the same district without a perimeter
    plain.write_text(f'id: prova\nnome: Prova\ntipo: DUC\ncomuni:\n  - "{SONDRIO}"\n', encoding="utf-8")
    whole = load_district(plain)
    assert whole.perimetro is None
    prints = {fingerprint(district, 2024) for district in (drawn, redrawn, whole)}
    assert len(prints) == 3


def test_the_same_perimeter_in_monte_mario_is_accepted_with_the_same_area(tmp_path):
    wgs84 = _drawn(tmp_path, "a.geojson", _geojson([CENTRE])).perimetro
    monte_mario = _drawn(tmp_path, "b.geojson", _geojson([CENTRE_3003], crs="urn:ogc:def:crs:EPSG::3003")).perimetro
    assert monte_mario.superficie_kmq == pytest.approx(wgs84.superficie_kmq, rel=0.01)
    assert monte_mario.geometria.startswith("POLYGON ((9.86")


def test_a_kml_placemark_polygon_is_read(tmp_path):
    coordinates = " ".join(f"{x},{y},0" for x, y in CENTRE)
    kml = ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">\n'
           "<Document><name>Piastra</name>\n<Placemark><name>Piastra</name><Polygon><outerBoundaryIs><LinearRing>"
           f"<coordinates>{coordinates}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>\n"
           "</Document>\n</kml>\n")
    perimeter = _drawn(tmp_path, "piastra.kml", kml).perimetro
    wgs84 = _drawn(tmp_path, "a.geojson", _geojson([CENTRE])).perimetro
    assert perimeter.superficie_kmq == pytest.approx(wgs84.superficie_kmq)


def test_a_kml_with_a_folder_per_half_is_their_union(tmp_path):
    def placemark(west, east):
        ring = [(west, 46.169), (east, 46.169), (east, 46.172), (west, 46.172), (west, 46.169)]
        coordinates = " ".join(f"{x},{y}" for x, y in ring)
        return (f"<Folder><name>{west}</name><Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>"
                f"{coordinates}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Folder>")

    kml = ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
           f"{placemark(9.869, 9.872)}{placemark(9.872, 9.875)}</Document></kml>\n")
    halves = _drawn(tmp_path, "meta.kml", kml).perimetro
    whole = _drawn(tmp_path, "a.geojson", _geojson([CENTRE])).perimetro
    assert halves.superficie_kmq == pytest.approx(whole.superficie_kmq, rel=1e-3)


def _geopackage(path, geometries, crs="EPSG:4326"):
    import geopandas as gpd
    from shapely.geometry import shape

    frame = gpd.GeoDataFrame({"nome": [f"parte {i}" for i in range(len(geometries))]},
                             geometry=[shape(g) for g in geometries], crs=crs)
    with warnings.catch_warnings():  # pyogrio warns of the missing CRS the test wants
        warnings.simplefilter("ignore")
        frame.to_file(path, driver="GPKG")


def test_a_geopackage_of_two_polygons_is_their_union(tmp_path):
    west = {"type": "Polygon", "coordinates": [[[9.869, 46.169], [9.872, 46.169], [9.872, 46.172], [9.869, 46.172],
                                                [9.869, 46.169]]]}
    east = {"type": "Polygon", "coordinates": [[[9.872, 46.169], [9.875, 46.169], [9.875, 46.172], [9.872, 46.172],
                                                [9.872, 46.169]]]}
    _geopackage(tmp_path / "due.gpkg", [west, east])
    whole = _drawn(tmp_path, "a.geojson", _geojson([CENTRE])).perimetro
    union = _district(tmp_path, "due.gpkg").perimetro
    assert union.superficie_kmq == pytest.approx(whole.superficie_kmq, rel=1e-3)
    assert union.geometria.startswith("POLYGON")


def test_a_perimeter_across_two_comuni_of_the_district_is_accepted(tmp_path):
    text = _geojson([ASTRIDE_SASSUOLO_FIORANO])
    perimeter = _drawn(tmp_path, "confine.geojson", text, comuni=("036040", "036013")).perimetro
    assert perimeter.superficie_kmq > 0.5
    # Without Fiorano, much of it lies outside the district's only comune.
    with pytest.raises(PerimetroFuoriDaiComuni, match=r"% del perimetro .* fuori dai comuni"):
        _drawn(tmp_path, "confine.geojson", text, comuni=("036040",))


def test_a_perimeter_wholly_outside_its_comuni_is_refused(tmp_path):
    pioltello = [[[9.32, 45.49], [9.33, 45.49], [9.33, 45.50], [9.32, 45.49]]]
    with pytest.raises(PerimetroFuoriDaiComuni, match="del tutto fuori") as error:
        _drawn(tmp_path, "altrove.geojson", _geojson(pioltello))
    assert "prova.yaml" in str(error.value)


def _edge_piece_of_sondrio(overhang_m: float) -> str:
    """A piece of Sondrio along its edge, pushed ``overhang_m`` past it, as GeoJSON in WGS84."""
    import geopandas as gpd
    from shapely.geometry import box

    from diagnosis.territory import boundaries

    shapes = boundaries.geometries()
    sondrio = shapes[shapes["codice"] == SONDRIO].to_crs("EPSG:3035").geometry.iloc[0]
    west, south, _east, _north = sondrio.bounds
    corner = sondrio.intersection(box(west, south, west + 2000, south + 2000)).buffer(overhang_m)
    return gpd.GeoSeries([corner], crs="EPSG:3035").to_crs("EPSG:4326").to_json()


def test_drawing_slop_past_the_edge_is_tolerated_up_to_the_stated_distance(tmp_path):
    assert EDGE_SLOP_M == 20 and OUTSIDE_TOLERANCE == 0.01  # the figures the messages and README state
    accepted = _drawn(tmp_path, "bordo.geojson", _edge_piece_of_sondrio(EDGE_SLOP_M / 2)).perimetro
    assert accepted.superficie_kmq > 0
    with pytest.raises(PerimetroFuoriDaiComuni, match="oltre 20 m dal confine"):
        _drawn(tmp_path, "bordo.geojson", _edge_piece_of_sondrio(10 * EDGE_SLOP_M))


def test_a_self_intersecting_polygon_is_refused_saying_where(tmp_path):
    bowtie = [[[9.869, 46.169], [9.875, 46.172], [9.875, 46.169], [9.869, 46.172], [9.869, 46.169]]]
    with pytest.raises(PerimetroAutointersecante, match=r"si interseca nel punto 9\.872 46\.1705") as error:
        _drawn(tmp_path, "farfalla.geojson", _geojson(bowtie))
    assert "QGIS" in str(error.value)


def test_points_and_lines_are_not_a_perimeter(tmp_path):
    with pytest.raises(PerimetroNonPoligonale, match="LineString"):
        _drawn(tmp_path, "linea.geojson", _geojson(CENTRE, kind="LineString"))


def test_a_geopackage_without_crs_is_refused(tmp_path):
    _geopackage(tmp_path / "senza.gpkg", [{"type": "Polygon", "coordinates": [CENTRE]}], crs=None)
    with pytest.raises(PerimetroSenzaCrs, match="non dichiara il sistema di riferimento"):
        _district(tmp_path, "senza.gpkg")


def test_a_geojson_naming_an_unknown_crs_is_refused_not_read_as_wgs84(tmp_path):
    # GDAL falls back to WGS84 for a crs member it cannot resolve, and these coordinates are
    # plausible degrees: only the declared name shows the file is wrong.
    with pytest.raises(PerimetroSenzaCrs, match="EPSG::999999.*non esiste"):
        _drawn(tmp_path, "ignoto.geojson", _geojson([CENTRE], crs="urn:ogc:def:crs:EPSG::999999"))


def test_metres_in_a_geojson_without_crs_are_refused_as_a_wrong_crs(tmp_path):
    with pytest.raises(PerimetroSenzaCrs, match="sono metri"):
        _drawn(tmp_path, "gauss.geojson", _geojson([CENTRE_3003]))


def test_an_empty_drawing_is_refused(tmp_path):
    empty = json.dumps({"type": "FeatureCollection", "features": []})
    with pytest.raises(PerimetroVuoto, match="non contiene alcuna geometria"):
        _drawn(tmp_path, "vuoto.geojson", empty)


@pytest.mark.parametrize("name, text, message", [
    ("manca.geojson", None, "non esiste"),
    ("piastra.shp", "x", "non è un file GeoJSON, GeoPackage o KML"),
    ("rotto.geojson", "{non è json", "non si legge"),
])
def test_an_unreadable_perimeter_file_is_refused(tmp_path, name, text, message):
    if text is not None:
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(PerimetroIllegibile, match=message):
        _district(tmp_path, name)


def test_census_sections_are_recorded_without_geometry(tmp_path):
    # 140610000013 is how a spreadsheet shows 0140610000013: the comune's leading zero is put back.
    perimeter = _district(tmp_path, '\n  sezioni: ["0140610000012", 140610000013]').perimetro
    assert perimeter.codici == ("0140610000012", "0140610000013")
    assert perimeter.geometria is None and perimeter.superficie_kmq is None
    assert "confini delle sezioni" in perimeter.nota and "comuni interi" in perimeter.nota
    assert "diagnosis dati" not in perimeter.nota  # the note is shown to the client too
    assert perimeter.descrizione() == "2 sezioni di censimento (geometria dai confini delle sezioni di censimento)"


def test_ace_codes_are_recorded(tmp_path):
    assert _district(tmp_path, '\n  ace: ["14061-1"]').perimetro.codici == ("014061-001",)


def test_asc_codes_are_recorded_as_text_with_their_level(tmp_path):
    # 14061001 is how ISTAT's COM_ASC1 holds 014061001: a number, without the leading zero.
    perimeter = _district(tmp_path, '\n  asc: [14061001, "014061-2", "ASC2:014061003", "com_asc3=14061004"]').perimetro
    assert perimeter.codici == ("014061001", "014061002", "ASC2:014061003", "ASC3:014061004")
    assert perimeter.tipo == "asc" and perimeter.geometria is None
    assert perimeter.descrizione().startswith("4 aree sub-comunali (ASC)")


@pytest.mark.parametrize("perimeter, message", [
    ('\n  sezioni: ["01406112"]', "codice di sezione '01406112' non valido"),
    ('\n  sezioni: ["0151750000001"]', "015175, che non è tra i comuni del distretto"),
    ('\n  sezioni: ["0140610000001", "0140610000001"]', "più di una volta"),
    ('\n  sezioni: []', "vuoto"),
    ('\n  ace: ["Centro"]', "codice ACE 'Centro' non valido"),
    ('\n  asc: ["Centro"]', "codice ASC 'Centro' non valido: scrivere il valore del campo COM_ASC1"),
    ('\n  asc: ["ASC4:014061001"]', "codice ASC 'ASC4:014061001' non valido"),
    ('\n  asc: ["ASC2:015146001"]', "015146, che non è tra i comuni del distretto"),
    ('\n  asc: ["014061001", "ASC1:014061001"]', "più di una volta"),
    ('\n  quartieri: ["1"]', "'perimetro' non valido"),
])
def test_badly_written_codes_are_refused(tmp_path, perimeter, message):
    with pytest.raises(CodiciPerimetroNonValidi, match=message):
        _district(tmp_path, perimeter)


def test_every_perimeter_error_is_a_bad_file_of_the_error_tree():
    from diagnosis.errors import FormatoNonRiconosciuto

    assert issubclass(PerimetroNonValido, FormatoNonRiconosciuto)


def test_the_example_district_is_the_piastra_inside_sondrio():
    district = resolve_territory("duc-sondrio-piastra")
    assert district.comuni == (SONDRIO,)
    assert district.perimetro.fonte == "piastra-sondrio.geojson"
    assert 0.1 < district.perimetro.superficie_kmq < 1
    assert district.as_json()["perimetro"]["superficie_kmq"] == district.perimetro.superficie_kmq


def test_territori_lists_the_perimeter(capsys):
    assert main(["territori", "distretti"]) == 0
    printed = capsys.readouterr().out
    area = resolve_territory("duc-sondrio-piastra").perimetro.superficie_kmq
    assert f"perimetro: {area:.2f} km² da piastra-sondrio.geojson".replace(".", ",", 1) in printed


def test_the_api_shows_the_perimeter_and_says_the_figures_are_the_comuni(capsys):
    import diagnosis as dg

    table = dg.territorio("duc-sondrio-piastra")
    assert list(table["codice"]) == [SONDRIO]
    assert table.attrs["territorio"]["perimetro"]["tipo"] == "poligono"
    assert "comuni interi" in table.attrs["nota_perimetro"]


def test_indicatori_json_carries_the_perimeter(capsys):
    assert main(["indicatori", "duc-sondrio-piastra", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["territorio"]["perimetro"]["fonte"] == "piastra-sondrio.geojson"
    assert result["territorio"]["comuni"] == [SONDRIO]


def test_the_fotografia_of_the_example_district_builds_on_its_comune(tmp_path):
    from markupsafe import escape

    import diagnosis as dg
    from diagnosis.report.fotografia import build_fotografia

    district = resolve_territory("duc-sondrio-piastra")
    files = build_fotografia(district, year=2023, output_dir=tmp_path, in_process=True)
    html = files.html.read_text(encoding="utf-8")
    assert "Traceback" not in html and "Sondrio" in html
    note = dg.territorio("duc-sondrio-piastra").attrs["nota_perimetro"]
    assert str(escape(note)) in html  # the reader is told the figures are still the whole comune's
    manifest = json.loads((files.html.parent / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["territorio"]["comuni"] == [SONDRIO]
    assert manifest["territorio"]["perimetro"]["superficie_kmq"] == district.perimetro.superficie_kmq
