"""Areas on a map (comuni) as one collection of paths, drawn as geopandas' ``plot`` draws
them, without the work it adds around them.

geopandas' ``plot`` ends by drawing the whole figure (``canvas.draw_idle``: the map rasterised
once more for each layer, before it is framed or named), defines a new collection class at
each call (matplotlib then writes the setters' documentation of that class anew) and names
the axes after the projection; a map of comuni has two layers, a fotografia one map or two.
Here each geometry becomes the same path geopandas makes of it (normalised, each ring
closed, the parts of a multipolygon in one compound path), and the collection is added to
the axes the same way: the map is the same, drawn once, when it is saved.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.path import Path


def add_polygons(ax, shapes, *, values=None, cmap=None, vmin=None, vmax=None, **style) -> PathCollection:
    """The polygons and multipolygons of ``shapes`` (a GeoDataFrame or GeoSeries) on ``ax``, in
    one collection with ``style`` (``facecolor``, ``edgecolor``, ``linewidth``...), or coloured by
    ``values`` (one per shape) on ``cmap`` from ``vmin`` to ``vmax``; the axes' limits widened to
    them. Missing and empty geometries are left out, as geopandas does."""
    import shapely  # as geopandas, which the caller's shapes come from: only a map pays for it

    geometries = shapely.normalize(np.asarray(shapes.geometry))
    drawn = np.array([geometry is not None and not geometry.is_empty for geometry in geometries], dtype=bool)
    # The paths themselves: geopandas wraps each in a patch, only for the collection to take
    # its path back (under the patch's identity transform), a full artist per comune.
    collection = PathCollection([_path(geometry) for geometry in geometries[drawn]], **style)
    if values is not None:
        collection.set_cmap(cmap)
        collection.set_array(np.asarray(values)[drawn])
        collection.set_clim(vmin, vmax)
    ax.add_collection(collection, autolim=True)
    ax.autoscale_view()
    return collection


def _path(geometry) -> Path:
    """A (multi)polygon as one path: each part's outer ring, then its holes, each ring closed."""
    parts = [geometry] if geometry.geom_type == "Polygon" else geometry.geoms
    rings = [Path(np.asarray(ring.coords)[:, :2], closed=True)
             for part in parts for ring in (part.exterior, *part.interiors)]
    return Path.make_compound_path(*rings)
