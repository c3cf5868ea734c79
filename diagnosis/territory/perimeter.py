"""A district's own perimeter: a drawn polygon, or the census sections, ACE or ASC it is made of.

A district may be smaller than its comuni (a DUC is usually the historic centre). Its YAML
file then names a ``perimetro``::

    perimetro: piastra.geojson        # GeoJSON, GeoPackage or KML, relative to the YAML file

    perimetro:
      sezioni: ["0140610000012"]      # 2021 census sections: comune code + 7-digit number

    perimetro:
      ace: ["015146-001"]             # ISTAT census areas (ACE, 2011): comune code + ACE number

    perimetro:
      asc: ["037006011", "ASC2:037006011"]   # ISTAT sub-comunal areas (municipi, quartieri…)

An ASC code is the comune's 6 digits then the area's 3, as ISTAT's boundaries hold it: the
value of ``COM_ASC1`` (2021; read as a number it loses the leading zero, ``37006011``, which
is put back), or the comune and ``COD_ASC`` of 2011 (``037006-011`` is accepted too). The
2021 boundaries have three levels numbered independently (one code may name different
areas at two levels): a code alone is of level 1, the only one of 2011; ``ASC2:`` or
``ASC3:`` before it names the level of ``COM_ASC2`` or ``COM_ASC3``.

A drawn file is checked against the district's comuni, projected in metres: polygons only,
a declared CRS that exists, no self-intersection, and inside the comuni up to ``OUTSIDE_TOLERANCE`` of
its area beyond ``EDGE_SLOP_M`` from their edge (drawing slop against generalised
boundaries). Sections, ACE and ASC are checked here for their shape and their comune only: their
geometry is the union of ISTAT's section boundaries, found when the figures inside the
perimeter are computed (``tables.census_sections``), once those boundaries are in the store.
The comuni stay the district's benchmark either way, and the indicators are the comuni's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from diagnosis.errors import (
    CodiciPerimetroNonValidi,
    PerimetroAutointersecante,
    PerimetroFuoriDaiComuni,
    PerimetroIllegibile,
    PerimetroNonPoligonale,
    PerimetroSenzaCrs,
    PerimetroVuoto,
)
from diagnosis.territory import boundaries

DRAWN_SUFFIXES = (".geojson", ".json", ".gpkg", ".kml")
# Beyond this distance from the comuni's edge, and above this share of its area, a drawn
# perimeter is refused: the embedded boundaries are generalised, hand drawing is not exact.
EDGE_SLOP_M = 20.0
OUTSIDE_TOLERANCE = 0.01
# 2021 census section: the comune's 6-digit ISTAT code then the section's 7-digit number.
# A code read as a number loses the comune's leading zeros; they are put back.
SECTION_CODE = re.compile(r"^\d{11,13}$")
SECTION_NUMBER_DIGITS = 7
ACE_CODE = re.compile(r"^(\d{4,6})-(\d{1,3})$")
# An optional level (ASC2:, COM_ASC2=), then the code as a number or as comune-area.
ASC_CODE = re.compile(r"^(?:(?:COM_)?ASC([123])\s*[:=]\s*)?(?:(\d{8,9})|(\d{4,6})-(\d{1,3}))$", re.IGNORECASE)
ASC_LEVEL_SEPARATOR = ":"
KINDS = {"sezioni": "sezioni di censimento", "ace": "aree di censimento (ACE)",
         "asc": "aree sub-comunali (ASC)"}
FIX_DRAWING = ("Ridisegnare il perimetro in QGIS, uMap o geojson.io come uno o più poligoni chiusi "
               "e salvarlo di nuovo")
# Said wherever the territory is shown: the indicators are the whole comuni's; only the
# section "Dentro il perimetro" estimates figures inside it, from the census sections.
WHOLE_COMUNI = ("Gli indicatori sono quelli dei comuni interi del distretto, che ne restano il riferimento; "
                "le cifre dentro il perimetro sono stimate dalle sezioni di censimento ISTAT, quando sono "
                "nell'archivio.")
# Shown to the report's readers too: no command here (the section "Dentro il perimetro" tells
# the analyst how to get the boundaries when they are missing).
CODED_GEOMETRY = "Il perimetro è l'unione delle {what} elencate, dai confini delle sezioni di censimento ISTAT. "


@dataclass(frozen=True)
class Perimetro:
    """The part of its comuni a district covers: ``fonte`` says where it comes from.

    ``geometria`` is WKT in EPSG:4326 and ``superficie_kmq`` its area, both ``None`` for
    sections, ACE and ASC, whose shape comes from the section boundaries of the store when
    figures are computed inside it; ``codici`` lists those codes (an ASC of level 2 or 3 as
    ``ASC2:037006011``).
    ``nota`` is the sentence shown with the territory: its figures are the comuni's.
    """

    fonte: str
    tipo: str  # "poligono", "sezioni", "ace" or "asc"
    geometria: str | None = None
    superficie_kmq: float | None = None
    codici: tuple[str, ...] = ()
    nota: str = WHOLE_COMUNI

    def as_json(self) -> dict:
        return {"tipo": self.tipo, "fonte": self.fonte, "superficie_kmq": self.superficie_kmq,
                "codici": list(self.codici), "geometria": self.geometria, "nota": self.nota}

    def descrizione(self) -> str:
        """One line for listings: ``0,42 km² da piastra.geojson``, or how many codes and why no area."""
        if self.superficie_kmq is not None:
            area = f"{self.superficie_kmq:.2f}".replace(".", ",")
            return f"{area} km² da {self.fonte}"
        return f"{len(self.codici)} {KINDS[self.tipo]} (geometria dai confini delle sezioni di censimento)"


def load_perimeter(value, district_file: Path, comuni: tuple[str, ...]) -> Perimetro:
    """The perimeter a district file declares under ``perimetro``, validated against ``comuni``."""
    if isinstance(value, str) and value.strip():
        return drawn_perimeter(district_file.parent / value.strip(), comuni)
    if isinstance(value, dict) and len(value) == 1 and set(value) <= set(KINDS):
        kind, codes = next(iter(value.items()))
        return coded_perimeter(kind, codes, comuni)
    raise CodiciPerimetroNonValidi(
        f"'perimetro' non valido ({value!r}): indicare il percorso di un file GeoJSON, GeoPackage o KML "
        "(relativo al file del distretto), oppure 'sezioni:', 'ace:' o 'asc:' seguito da una lista di codici."
    )


# --- sections, ACE and ASC -------------------------------------------------------------------------

def coded_perimeter(kind: str, codes, comuni: tuple[str, ...]) -> Perimetro:
    if not isinstance(codes, list) or not codes:
        raise CodiciPerimetroNonValidi(f"'perimetro: {kind}:' è vuoto o non è una lista: elencare almeno un codice.")
    normalise = {"sezioni": _section_code, "ace": _ace_code, "asc": _asc_code}[kind]
    normalised: list[str] = []
    for entry in codes:
        code = normalise(str(entry).strip())
        comune = code.rpartition(ASC_LEVEL_SEPARATOR)[2][:6]
        if comune not in comuni:
            raise CodiciPerimetroNonValidi(
                f"il codice {entry!r} di 'perimetro: {kind}:' appartiene al comune {comune}, che non è "
                f"tra i comuni del distretto ({', '.join(comuni)}): aggiungere il comune o correggere il codice."
            )
        if code in normalised:
            raise CodiciPerimetroNonValidi(f"il codice {entry!r} compare più di una volta in 'perimetro: {kind}:'.")
        normalised.append(code)
    return Perimetro(fonte=f"{len(normalised)} codici {kind}", tipo=kind, codici=tuple(normalised),
                     nota=CODED_GEOMETRY.format(what=KINDS[kind]) + WHOLE_COMUNI)


def _section_code(text: str) -> str:
    if not SECTION_CODE.match(text):
        raise CodiciPerimetroNonValidi(
            f"codice di sezione {text!r} non valido: una sezione di censimento 2021 si scrive con il codice "
            "ISTAT del comune (6 cifre) seguito dal numero di sezione (7 cifre), es. 0140610000012."
        )
    return text.zfill(6 + SECTION_NUMBER_DIGITS)


def _ace_code(text: str) -> str:
    found = ACE_CODE.match(text)
    if not found:
        raise CodiciPerimetroNonValidi(
            f"codice ACE {text!r} non valido: scrivere il codice ISTAT del comune, un trattino e il numero "
            "dell'area, es. 015146-001."
        )
    return f"{found.group(1).zfill(6)}-{found.group(2).zfill(3)}"


def _asc_code(text: str) -> str:
    """``037006011`` for level 1, ``ASC2:037006011`` for the others (see the module's docstring)."""
    found = ASC_CODE.match(text)
    if not found:
        raise CodiciPerimetroNonValidi(
            f"codice ASC {text!r} non valido: scrivere il valore del campo COM_ASC1 dei confini delle sezioni "
            "ISTAT 2021, cioè il codice del comune (6 cifre) seguito dal numero dell'area (3 cifre), es. "
            "037006011 (oppure 037006-011); per il secondo o il terzo livello anteporre ASC2: o ASC3:, es. "
            "ASC2:037006011."
        )
    level, whole, comune, area = found.groups()
    code = whole.zfill(9) if whole else comune.zfill(6) + area.zfill(3)
    return code if level in (None, "1") else f"ASC{level}{ASC_LEVEL_SEPARATOR}{code}"


def asc_level(code: str) -> tuple[int, str]:
    """(level, 9-digit code) of a normalised ASC code: ``ASC2:037006011`` -> (2, ``037006011``)."""
    prefix, _, digits = code.rpartition(ASC_LEVEL_SEPARATOR)
    return (int(prefix[3:]) if prefix else 1), digits


# --- a drawn polygon --------------------------------------------------------------------------

def drawn_perimeter(path: Path, comuni: tuple[str, ...]) -> Perimetro:
    """A GeoJSON, GeoPackage or KML polygon, checked and kept in EPSG:4326."""
    import geopandas as gpd  # geopandas takes a second to import: only districts with a perimeter pay

    drawing = _read_drawing(path)
    crs = _crs_of(path, drawing)
    shape = _union_of_valid_polygons(path, drawing)
    drawn = gpd.GeoSeries([shape], crs=crs)
    metric = drawn.to_crs(boundaries.EQUAL_AREA_CRS).iloc[0]
    _check_inside(path, metric, comuni)
    geographic = drawn.to_crs(boundaries.GEOGRAPHIC_CRS).iloc[0]
    return Perimetro(fonte=path.name, tipo="poligono", geometria=geographic.wkt,
                     superficie_kmq=round(metric.area / 1e6, 4))


def _read_drawing(path: Path):
    """Every layer of the file as one table: a KML keeps each folder of placemarks in a layer."""
    import pandas as pd  # as geopandas, which brings it
    import pyogrio  # see drawn_perimeter
    from pyogrio.errors import CRSError  # as pyogrio

    if path.suffix.lower() not in DRAWN_SUFFIXES:
        raise PerimetroIllegibile(
            f"il perimetro {path.name} non è un file GeoJSON, GeoPackage o KML (estensioni ammesse: "
            f"{', '.join(DRAWN_SUFFIXES)}). Esportarlo in uno di questi formati da QGIS, uMap o geojson.io."
        )
    if not path.is_file():
        raise PerimetroIllegibile(f"il file del perimetro {path} non esiste: il percorso va scritto relativo "
                                  "al file del distretto, es. perimetro: piastra.geojson nella stessa cartella.")
    try:
        layers = [pyogrio.read_dataframe(path, layer=name) for name, _kind in pyogrio.list_layers(path)]
    except CRSError as exc:
        raise PerimetroSenzaCrs(f"il sistema di riferimento del file {path.name} non è riconosciuto ({exc}): "
                                "riesportarlo da QGIS con un CRS EPSG (es. EPSG:4326 o EPSG:3003).") from exc
    except (RuntimeError, ValueError, OSError) as exc:  # pyogrio's errors are RuntimeErrors
        raise PerimetroIllegibile(f"il file del perimetro {path.name} non si legge ({exc}). {FIX_DRAWING}.") from exc
    if not layers:
        raise PerimetroVuoto(f"il file del perimetro {path.name} non contiene alcun livello. {FIX_DRAWING}.")
    if len({str(layer.crs) for layer in layers}) > 1:
        raise PerimetroSenzaCrs(f"i livelli del file {path.name} hanno sistemi di riferimento diversi: "
                                "riesportare il perimetro in un solo livello, con un solo CRS.")
    return pd.concat(layers, ignore_index=True) if len(layers) > 1 else layers[0]


def _crs_of(path: Path, drawing):
    """The file's declared CRS; a GeoJSON without one is WGS84, as the format prescribes."""
    _check_geojson_crs_member(path)
    crs = drawing.crs
    if crs is None:
        raise PerimetroSenzaCrs(
            f"il file del perimetro {path.name} non dichiara il sistema di riferimento (CRS): riesportarlo "
            "da QGIS indicando il CRS del progetto (es. EPSG:4326 o EPSG:3003)."
        )
    if crs.is_geographic and not drawing.empty:
        west, south, east, north = drawing.total_bounds
        if west < -180 or east > 180 or south < -90 or north > 90:
            raise PerimetroSenzaCrs(
                f"il file del perimetro {path.name} dichiara coordinate in gradi ({crs.name}) ma contiene valori "
                f"come {west:.0f}, {south:.0f}, che sono metri: il CRS dichiarato è sbagliato. Riesportarlo da "
                "QGIS con il CRS in cui è stato disegnato."
            )
    return crs


def _check_geojson_crs_member(path: Path) -> None:
    """Refuse a GeoJSON whose ``crs`` member names an unknown system: GDAL would read it as WGS84."""
    from pyproj import CRS  # as geopandas, which brings it
    from pyproj.exceptions import CRSError  # as pyproj

    if path.suffix.lower() not in (".geojson", ".json"):
        return
    try:
        member = json.loads(path.read_bytes()).get("crs")
    except (ValueError, AttributeError):
        return  # not a JSON object: pyogrio has already said what is wrong with it
    name = (member or {}).get("properties", {}).get("name") if isinstance(member, dict) else None
    if not name:
        return
    try:
        CRS.from_user_input(name)
    except CRSError as exc:
        raise PerimetroSenzaCrs(
            f"il file del perimetro {path.name} dichiara il sistema di riferimento {name!r}, che non esiste: "
            "riesportarlo da QGIS con un CRS EPSG (es. EPSG:4326 o EPSG:3003)."
        ) from exc


def _union_of_valid_polygons(path: Path, drawing):
    """All features merged into one (multi)polygon, refusing other shapes and invalid rings."""
    import shapely  # as geopandas
    from shapely.validation import explain_validity  # as geopandas

    geometries = [shapely.force_2d(g) for g in drawing.geometry if g is not None and not g.is_empty]
    if not geometries:
        raise PerimetroVuoto(f"il file del perimetro {path.name} non contiene alcuna geometria. {FIX_DRAWING}.")
    kinds = sorted({g.geom_type for g in geometries} - {"Polygon", "MultiPolygon"})
    if kinds:
        raise PerimetroNonPoligonale(
            f"il file del perimetro {path.name} contiene {', '.join(kinds)}, non solo poligoni: un perimetro "
            f"è un'area chiusa. {FIX_DRAWING}, senza punti né linee."
        )
    for number, geometry in enumerate(geometries, start=1):
        if not geometry.is_valid:
            raise PerimetroAutointersecante(
                f"il poligono n. {number} del file {path.name} non è valido: {_where(explain_validity(geometry))} "
                f"(coordinate nel CRS del file). {FIX_DRAWING}, con un bordo che non si incroci."
            )
    shape = shapely.union_all(geometries)
    if shape.area == 0:
        raise PerimetroVuoto(f"i poligoni del file {path.name} hanno area nulla. {FIX_DRAWING}.")
    return shape


def _where(explanation: str) -> str:
    """Shapely's ``Self-intersection[9.87 46.17]`` said in Italian, keeping the coordinates."""
    found = re.match(r"^(.*)\[(\S+) (\S+)\]$", explanation)
    if not found:
        return explanation
    cause = "il bordo si interseca" if "self-intersection" in found.group(1).lower() else found.group(1)
    return f"{cause} nel punto {found.group(2)} {found.group(3)}"


def _check_inside(path: Path, metric_shape, comuni: tuple[str, ...]) -> None:
    import shapely  # as geopandas

    shapes = boundaries.map_geometries()
    members = shapes[shapes["codice"].isin(comuni)]
    area = shapely.union_all(members.geometry.to_numpy())
    if not metric_shape.intersects(area) or metric_shape.intersection(area).area == 0:
        raise PerimetroFuoriDaiComuni(
            f"il perimetro di {path.name} è del tutto fuori dai comuni del distretto ({', '.join(comuni)}): "
            "controllare il CRS del file o la lista dei comuni, oppure ridisegnare il perimetro in QGIS sopra i comuni."
        )
    outside = metric_shape.difference(area.buffer(EDGE_SLOP_M)).area / metric_shape.area
    if outside > OUTSIDE_TOLERANCE:
        share = f"{outside * 100:.1f}".replace(".", ",")
        raise PerimetroFuoriDaiComuni(
            f"il {share}% del perimetro di {path.name} è fuori dai comuni del distretto ({', '.join(comuni)}); "
            f"si tollera il {OUTSIDE_TOLERANCE:.0%} dell'area oltre {EDGE_SLOP_M:.0f} m dal confine. Aggiungere il comune mancante "
            "o ridisegnare il perimetro in QGIS dentro i comuni."
        )
