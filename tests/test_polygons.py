"""Areas drawn as geopandas draws them: the same paths, the same pixels, the same limits."""

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Polygon

from diagnosis.viz.polygons import add_polygons

# Counter-clockwise, starting away from the corner geopandas' normalisation begins with; a hole; a
# multipolygon; a missing and an empty geometry, which are not drawn.
SQUARE_WITH_HOLE = Polygon([(4, 4), (0, 4), (0, 0), (4, 0)], [[(1, 1), (1, 2), (2, 2), (2, 1)]])
TWO_ISLANDS = MultiPolygon([Polygon([(6, 0), (8, 0), (8, 2)]), Polygon([(6, 3), (9, 3), (9, 6), (6, 6)])])
SHAPES = gpd.GeoDataFrame(geometry=[SQUARE_WITH_HOLE, None, TWO_ISLANDS, Polygon()], crs="EPSG:3035")
STYLE = {"edgecolor": "white", "linewidth": 0.6}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _drawn(draw):
    figure, ax = plt.subplots(figsize=(3, 2))
    ax.set_axis_off()
    collection = draw(ax)
    ax.set_aspect("equal")
    figure.canvas.draw()
    return ax, collection, np.asarray(figure.canvas.buffer_rgba()).copy()


def test_polygons_are_drawn_as_geopandas_draws_them():
    by_geopandas, _, geopandas_pixels = _drawn(lambda ax: SHAPES.plot(ax=ax, color="#0072B2", **STYLE).collections[0])
    ax, collection, pixels = _drawn(lambda ax: add_polygons(ax, SHAPES, facecolor="#0072B2", **STYLE))

    expected = by_geopandas.collections[0].get_paths()
    assert len(collection.get_paths()) == len(expected) == 2
    for path, reference in zip(collection.get_paths(), expected):
        np.testing.assert_array_equal(path.vertices, reference.vertices)
        np.testing.assert_array_equal(path.codes, reference.codes)
    np.testing.assert_array_equal(collection.get_facecolor(), by_geopandas.collections[0].get_facecolor())
    assert ax.dataLim.bounds == by_geopandas.dataLim.bounds
    np.testing.assert_array_equal(pixels, geopandas_pixels)


def test_areas_coloured_by_value_as_geopandas_colours_them():
    valued = SHAPES.assign(valore=[3.0, 5.0, 9.0, 1.0])
    by_geopandas, _, geopandas_pixels = _drawn(
        lambda ax: valued.plot(ax=ax, column="valore", cmap="Blues", vmin=0.0, vmax=9.0, **STYLE).collections[0])
    _, collection, pixels = _drawn(lambda ax: add_polygons(ax, valued, values=valued["valore"], cmap="Blues",
                                                           vmin=0.0, vmax=9.0, **STYLE))

    np.testing.assert_array_equal(collection.get_array(), by_geopandas.collections[0].get_array())
    np.testing.assert_array_equal(pixels, geopandas_pixels)
