"""What lies inside a district's perimeter: places by their coordinates, street frontage by length.

Rules, said wherever the figures are shown:

* a place is inside when the perimeter covers it: a shop exactly on the edge (a border
  street's façade, as drawn) is inside; a place without coordinates is neither, and is
  counted apart as "non localizzato";
* the street frontage is the length of street that can hold a shop window: both sides of
  every street inside the perimeter, and one side only of a street drawn along the edge,
  whose other side faces out of the district.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from diagnosis.errors import StradeNonValide

BORDER_RULE = ("Un esercizio sul bordo del perimetro è contato dentro; uno senza coordinate non è né dentro né "
               "fuori ed è contato a parte come non localizzato.")
FRONTAGE_RULE = ("Fronte stradale: entrambi i lati di ogni strada dentro il perimetro, un solo lato di una strada "
                 "che ne segue il bordo.")
STREETS_CRS = "EPSG:3035"  # metres: the street lines arrive in ETRS89-LAEA, as the maps are drawn
SIDES = 2


@dataclass(frozen=True)
class Clipped:
    """The places of a table split by the perimeter: ``inside``, ``outside``, ``unlocated`` (rows)."""

    inside: pd.DataFrame
    outside: pd.DataFrame
    unlocated: pd.DataFrame


def clip_places(places: pd.DataFrame, perimeter_wkt: str) -> Clipped:
    """``places`` (with ``lat``, ``lon`` in degrees, EPSG:4326) split by the perimeter (WKT, EPSG:4326).

    The test is made in degrees, the CRS both are drawn in, so that a place on the edge
    stays on it rather than a rounding away on either side.
    """
    import shapely  # loaded only for a district with a perimeter

    shape = shapely.from_wkt(perimeter_wkt)
    latitude = pd.to_numeric(places["lat"], errors="coerce")
    longitude = pd.to_numeric(places["lon"], errors="coerce")
    located = latitude.notna() & longitude.notna()
    covered = pd.Series(False, index=places.index)
    if located.any():
        points = shapely.points(longitude[located].to_numpy(), latitude[located].to_numpy())
        covered[located] = shapely.covers(shape, points)
    return Clipped(inside=places[located & covered], outside=places[located & ~covered],
                   unlocated=places[~located])


def frontage_by_class(streets, perimeter_wkt: str) -> pd.DataFrame:
    """Street length and frontage inside the perimeter, per ``classe`` of street.

    ``streets``: a GeoDataFrame of lines in EPSG:3035 with a ``classe`` column. Columns of
    the result: ``classe``, ``lunghezza_km`` (centre lines inside the perimeter, its edge
    included), ``bordo_km`` (of which along the edge), ``fronte_km`` (2 × inside − edge).
    """
    import geopandas as gpd  # as clip_places

    _check_streets(streets)
    perimeter = gpd.GeoSeries.from_wkt([perimeter_wkt], crs="EPSG:4326").to_crs(STREETS_CRS).iloc[0]
    lines = streets.geometry
    inside = lines.intersection(perimeter).length
    # A line along the edge shares its length with the boundary; crossing it only touches a point.
    edge = lines.intersection(perimeter.boundary).length
    table = pd.DataFrame({"classe": streets["classe"].astype(str).to_numpy(), "lunghezza_km": inside.to_numpy() / 1000,
                          "bordo_km": edge.to_numpy() / 1000})
    per_class = table.groupby("classe", as_index=False, sort=True)[["lunghezza_km", "bordo_km"]].sum()
    per_class["fronte_km"] = SIDES * per_class["lunghezza_km"] - per_class["bordo_km"]
    return per_class[per_class["lunghezza_km"] > 0].reset_index(drop=True)


def _check_streets(streets) -> None:
    if "classe" not in getattr(streets, "columns", ()):
        raise StradeNonValide("le strade del perimetro non hanno la colonna 'classe': servono linee con la classe "
                              "della strada (es. residential, pedestrian), in EPSG:3035.")
    crs = getattr(streets, "crs", None)
    if crs is None or crs.to_epsg() != 3035:
        raise StradeNonValide(f"le strade del perimetro sono in {crs or 'un sistema di riferimento non dichiarato'}, "
                              "non in EPSG:3035 (metri): riproiettarle con strade.to_crs('EPSG:3035').")
    kinds = set(streets.geometry.geom_type.dropna()) - {"LineString", "MultiLineString"}
    if kinds:
        raise StradeNonValide(f"le strade del perimetro contengono {', '.join(sorted(kinds))}: servono solo linee.")
