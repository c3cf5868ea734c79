"""Maps a reader can trust: a scale bar of a round length, the north, the territory's neighbours named."""

import hashlib
import re

import matplotlib.pyplot as plt
import pandas as pd
import pyproj
import pytest
import shapely
from matplotlib.text import Annotation

from diagnosis import viz
from diagnosis.territory import boundaries, registry, resolve_territory
from diagnosis.viz import cartography, maps
from diagnosis.viz.figure import image_of
from diagnosis.viz.maps import MAX_NEIGHBOURS

PIOLTELLO = "015175"
LECCE = "075035"
SASSUOLO_DISTRICT = tuple(resolve_territory("citta-distretto-sassuolo").comuni)  # across Modena and Reggio Emilia


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _province(code: str) -> list[str]:
    table = registry.comuni()
    sigla = table.set_index("codice").loc[code, "provincia_sigla"]
    return table.loc[table["provincia_sigla"] == sigla, "codice"].tolist()


def _provinces(codes) -> list[str]:
    return sorted({c for code in codes for c in _province(code)})


def _touching(codes) -> set[str]:
    """The names of the comuni sharing a border with ``codes``, found on the shapes themselves."""
    shapes = boundaries.geometries()
    inside = shapes[shapes["codice"].isin(list(codes))].geometry.union_all()
    around = shapes[~shapes["codice"].isin(list(codes)) & shapes.intersects(inside)]
    return {registry.names()[code] for code in around["codice"]}


def _scale_bar(ax):
    bars = [artist for artist in ax.artists if artist.get_gid() == cartography.SCALE_GID]
    assert len(bars) == 1
    return bars[0]


def _bar_metres(bar) -> float:
    """The bar's length as its label says it, in metres."""
    number, unit = re.fullmatch(r"(\d+) (km|m)", bar.txt_label.get_text()).groups()
    return int(number) * (1000 if unit == "km" else 1)


def _bar_width(bar) -> float:
    """The bar's length in the axes' data units, as drawn."""
    rectangle = bar.size_bar.get_children()[0]
    return rectangle.get_width()


def _north(ax) -> list:
    return [text for text in ax.texts if text.get_gid() == cartography.NORTH_GID]


def _neighbour_names(ax, territory_names: set[str]) -> set[str]:
    return {text.get_text() for text in ax.texts if isinstance(text, Annotation) and text.get_gid() is None
            and text.get_text() not in territory_names}


def test_a_comune_map_has_a_scale_bar_the_north_and_its_neighbours_named():
    ax = viz.mappa_comuni([PIOLTELLO], contesto=_province(PIOLTELLO))
    bar = _scale_bar(ax)
    width = abs(ax.get_xlim()[1] - ax.get_xlim()[0])  # EPSG:3035: metres
    assert _bar_width(bar) == pytest.approx(_bar_metres(bar))
    assert width * 0.08 <= _bar_metres(bar) <= width * cartography.SCALE_SHARE
    assert [text.get_text() for text in _north(ax)].count("N") == 1
    shown = _neighbour_names(ax, {"Pioltello"})
    touching = _touching([PIOLTELLO])
    assert shown <= touching and len(shown) >= 4, (shown, touching)
    assert {"Segrate", "Rodano"} <= shown  # two of the comuni around Pioltello, both in its province
    assert "Pioltello" in {text.get_text() for text in ax.texts}  # one comune is named too


def test_by_default_the_surroundings_cross_the_province_border():
    morterone = "097055"  # Lecco's, on the border with the province of Bergamo
    ax = viz.mappa_comuni([morterone])
    names = registry.comuni().set_index("nome")["provincia_sigla"]
    provinces = {names[name] for name in _neighbour_names(ax, {"Morterone"})}
    assert {"LC", "BG"} <= provinces, provinces
    assert not _neighbour_names(viz.mappa_comuni([morterone], contesto=[]), {"Morterone"})  # [] asks for none


def test_the_maps_shapes_are_the_comuni_projected_once():
    codes = [PIOLTELLO, LECCE]
    shapes = boundaries.geometries()
    expected = shapes[shapes["codice"].isin(codes)].to_crs(boundaries.EQUAL_AREA_CRS)
    projected = boundaries.map_geometries()
    got = projected[projected["codice"].isin(codes)]
    assert projected.crs == expected.crs and len(projected) == len(shapes)
    assert list(got["codice"]) == list(expected["codice"])
    assert all(a.equals_exact(b, tolerance=0) for a, b in zip(got.geometry, expected.geometry))
    assert boundaries._cache_file(boundaries.EQUAL_AREA_CRS).exists()  # projected once, then read


def test_the_surroundings_are_every_comune_in_the_frame_in_the_tables_order():
    members = maps._shapes_of([PIOLTELLO])
    around = maps._surroundings(members)
    shapes = boundaries.map_geometries()
    frame = shapely.box(*maps._frame(members))
    in_frame = shapes[shapes.geometry.intersects(frame)]["codice"].tolist()
    assert set(in_frame) <= set(around)  # every comune the frame shows; beyond, only some whose box it crosses
    assert around == [code for code in shapes["codice"] if code in set(around)]


def test_neighbour_names_do_not_cover_each_other_or_the_territorys():
    ax = viz.mappa_comuni(list(SASSUOLO_DISTRICT), contesto=_provinces(SASSUOLO_DISTRICT))
    renderer = ax.figure.canvas.get_renderer()
    labels = [text for text in ax.texts if text.get_gid() is None]
    boxes = [text.get_window_extent(renderer) for text in labels]
    overlapping = [(labels[i].get_text(), labels[j].get_text()) for i in range(len(boxes))
                   for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
    territory = {registry.names()[code] for code in SASSUOLO_DISTRICT}
    assert territory <= {text.get_text() for text in labels}  # the territory's own names all stay
    assert not [pair for pair in overlapping if not set(pair) <= territory], overlapping
    neighbours = _neighbour_names(ax, territory)
    assert 0 < len(neighbours) <= MAX_NEIGHBOURS and neighbours <= _touching(SASSUOLO_DISTRICT)


def test_a_province_names_its_comuni_only_when_few_and_keeps_scale_and_north():
    codes = _province("015175")  # Milan's 133 comuni: too many names for the map
    ax = viz.mappa_comuni(codes, contesto=_provinces(["012133", "098031"]) + codes)  # Varese's and Lodi's around
    assert not [text for text in ax.texts if text.get_gid() is None]
    assert _bar_metres(_scale_bar(ax)) >= 10_000 and _north(ax)


def test_the_same_map_gives_the_same_bytes():
    def drawn() -> bytes:
        figure, ax = plt.subplots(figsize=(6.5, 6.0))
        viz.mappa_comuni([PIOLTELLO], ax=ax, contesto=_province(PIOLTELLO))
        image, _mime = image_of(figure)
        plt.close(figure)
        return image

    assert hashlib.sha256(drawn()).digest() == hashlib.sha256(drawn()).digest()


def test_the_arrow_points_to_true_north_far_from_the_projections_centre():
    ax = viz.mappa_comuni([LECCE], contesto=_province(LECCE))
    letter = next(text for text in _north(ax) if text.get_text() == "N")
    (left, right), (bottom, top) = ax.get_xlim(), ax.get_ylim()
    to_degrees = pyproj.Transformer.from_crs(boundaries.EQUAL_AREA_CRS, "EPSG:4326", always_xy=True)
    lon, lat = to_degrees.transform((left + right) / 2, (bottom + top) / 2)
    # East of 10° E the meridians of LAEA Europe lean left towards the pole: north is anticlockwise from up.
    assert lon > 18 and 4 < letter.get_rotation() < 10
    centre = viz.mappa_comuni(["036040"])  # Sassuolo, near 10.8° E: north is almost straight up
    rotation = next(text for text in _north(centre) if text.get_text() == "N").get_rotation()
    assert min(rotation, 360 - rotation) < 1.5


def test_the_choropleth_and_the_shop_map_have_a_scale_bar_and_the_north():
    codes = list(SASSUOLO_DISTRICT)
    choropleth = viz.mappa_coropletica(pd.DataFrame({"codice": codes, "valore": range(len(codes))}),
                                       etichetta="Prova", unita="abitanti")
    assert _bar_width(_scale_bar(choropleth)) == pytest.approx(_bar_metres(_scale_bar(choropleth)))
    assert _north(choropleth)
    points = viz.mappa_punti(pd.DataFrame({"lat": [45.497, 45.503], "lon": [9.321, 9.34], "stato": ["attivo", "sfitto"],
                                           "gruppi": [["alimentare"], []]}), [PIOLTELLO])
    bar = _scale_bar(points)
    geodesic = pyproj.Geod(ellps="WGS84")
    _azimuth, _back, metres = geodesic.inv(9.33, 45.5, 9.33 + _bar_width(bar), 45.5)  # the bar's degrees, on the ground
    assert metres == pytest.approx(_bar_metres(bar), rel=0.01)
    assert _north(points)


@pytest.mark.parametrize(("width", "length"), [(37_000, 5_000), (9_000, 1_000), (120_000, 20_000), (2_400, 200)])
def test_the_scale_bar_takes_a_round_length_of_at_most_a_fifth_of_the_map(width, length):
    assert cartography.round_length(width) == length
    assert cartography.length_label(length) == (f"{length // 1000} km" if length >= 1000 else f"{length} m")
