"""The streets, cycle ways and railway stations of a comune, from OpenStreetMap.

One Overpass query per comune (the comune's area found by ``ref:ISTAT`` as for the shops of
``overpass``) asks the ways a cyclist or a shop front can be on, each with its geometry and
its node ids (``out geom``: shared node ids are the crossings), and the stations with a point
(``out tags center``). An analyst may import instead an extract saved by hand: OSM XML (JOSM,
the OSM website's export, Overpass ``[out:xml]``) or Overpass JSON.

Each way is put in one class, the first that applies:

- ``pista_ciclabile``: ``highway=cycleway``;
- ``percorso_promiscuo``: ``bicycle_road=yes`` or ``cyclestreet=yes`` (bicycle streets), or a
  path, footway or pedestrian way with ``bicycle=designated`` or ``yes``;
- ``corsia_ciclabile``: a street with ``cycleway``, ``cycleway:left``, ``:right`` or ``:both``
  set to ``lane`` or ``track`` (a lane on both sides counts once, as the street's length);
- ``strada``: any other street from ``primary`` down to ``residential``, ``living_street``
  and ``pedestrian``. Motorways and roads closed to cyclists as motorways are
  (``motorroad=yes``) are left out; paths and footways without ``bicycle`` are left out too.

Stations are ``railway=station`` or ``halt``, and ``public_transport=station`` serving
trains (``train=yes``): bus stations are not railway stations.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import pandas as pd

from diagnosis.errors import FileOsmNonValido
from diagnosis.sources import overpass

# A network answer is larger than the shops': allow the server its default maximum.
QUERY_TIMEOUT = 180

CYCLEWAY = "pista_ciclabile"
CYCLE_LANE = "corsia_ciclabile"
SHARED_PATH = "percorso_promiscuo"
STREET = "strada"
CYCLE_CLASSES = (CYCLEWAY, CYCLE_LANE, SHARED_PATH)
CLASSES = (*CYCLE_CLASSES, STREET)
CLASS_LABELS = {
    CYCLEWAY: "Pista ciclabile", CYCLE_LANE: "Corsia ciclabile su strada",
    SHARED_PATH: "Percorso promiscuo o strada ciclabile", STREET: "Strada ordinaria",
}

STREETS = ("primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
           "trunk", "trunk_link", "unclassified", "residential", "living_street", "pedestrian")
SHARED_HIGHWAYS = ("path", "footway", "pedestrian")
BICYCLE_ALLOWED = ("designated", "yes")
LANE_KEYS = ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both")
LANE_VALUES = ("lane", "track", "opposite_lane", "opposite_track")
STATION_RAILWAY = ("station", "halt")

WAY_COLUMNS = ["osm_id", "classe", "highway", "nome", "bici_ammesse", "nodi", "coordinate"]
STATION_COLUMNS = ["osm_id", "nome", "lat", "lon"]


@dataclass(frozen=True)
class OsmNetwork:
    """The ways (one row each, ``coordinate`` as ``(lon, lat)`` pairs) and stations of an extract."""

    vie: pd.DataFrame
    stazioni: pd.DataFrame
    data_dati: str | None


# --- query -------------------------------------------------------------------------------

def build_query(code: str, old_codes: tuple[str, ...] = ()) -> str:
    """The Overpass QL asking the comune's streets, cycle ways and stations."""
    lines = [
        f"[out:json][timeout:{QUERY_TIMEOUT}];",
        overpass.area_statement(code, old_codes),
        "(",
        f'  way["highway"~"^({"|".join((*STREETS, "cycleway"))})$"](area.a);',
        f'  way["highway"~"^({"|".join(SHARED_HIGHWAYS)})$"]["bicycle"~"^({"|".join(BICYCLE_ALLOWED)})$"](area.a);',
        '  way["bicycle_road"="yes"](area.a);',
        '  way["cyclestreet"="yes"](area.a);',
        ")->.rete;",
        "(",
        f'  nwr["railway"~"^({"|".join(STATION_RAILWAY)})$"](area.a);',
        '  nwr["public_transport"="station"](area.a);',
        ")->.stazioni;",
        ".rete out geom;",
        ".stazioni out tags center;",
    ]
    return "\n".join(lines)


def fetch_comune(code: str, old_codes: tuple[str, ...] = ()) -> bytes:
    """The checked Overpass answer for one comune, through the shops' session and checks."""
    return overpass.fetch_query(build_query(code, old_codes), QUERY_TIMEOUT)


# --- classes -----------------------------------------------------------------------------

def classify_way(tags: dict) -> str | None:
    """The class of a way (see the module's docstring), or None when it is not kept."""
    highway = tags.get("highway", "")
    if highway.startswith("motorway") or tags.get("motorroad") == "yes":
        return None
    if highway == "cycleway":
        return CYCLEWAY
    if tags.get("bicycle_road") == "yes" or tags.get("cyclestreet") == "yes":
        return SHARED_PATH
    if highway in SHARED_HIGHWAYS and tags.get("bicycle") in BICYCLE_ALLOWED:
        return SHARED_PATH
    if highway not in STREETS:
        return None
    if any(tags.get(key) in LANE_VALUES for key in LANE_KEYS):
        return CYCLE_LANE
    return STREET


def bicycles_allowed(tags: dict) -> bool:
    """False where a cyclist may not ride: ``bicycle=no`` or ``dismount``, or a pedestrian area
    not opened to bicycles (in Italy a pedestrian area admits bicycles only where signed)."""
    if tags.get("bicycle") in ("no", "dismount"):
        return False
    return not (tags.get("highway") == "pedestrian" and tags.get("bicycle") not in BICYCLE_ALLOWED)


def is_station(tags: dict) -> bool:
    if tags.get("railway") in STATION_RAILWAY:
        return True
    return tags.get("public_transport") == "station" and any(
        tags.get(mode) == "yes" for mode in ("train", "light_rail", "subway"))


def _way_row(osm_id: str, tags: dict, nodes: list[int], points: list[tuple[float, float]]) -> dict | None:
    kind = classify_way(tags)
    if kind is None or len(points) < 2 or len(nodes) != len(points):
        return None
    return {"osm_id": osm_id, "classe": kind, "highway": tags.get("highway", ""), "nome": tags.get("name", ""),
            "bici_ammesse": bicycles_allowed(tags), "nodi": tuple(nodes), "coordinate": tuple(points)}


def _network(ways: list[dict], stations: list[dict], taken: str | None) -> OsmNetwork:
    way_frame = pd.DataFrame(ways, columns=WAY_COLUMNS).drop_duplicates("osm_id", ignore_index=True)
    station_frame = pd.DataFrame(stations, columns=STATION_COLUMNS).drop_duplicates("osm_id", ignore_index=True)
    return OsmNetwork(way_frame, station_frame, taken)


# --- Overpass JSON -----------------------------------------------------------------------

def parse_overpass_json(body: bytes) -> OsmNetwork:
    """The network in an Overpass JSON answer (``out geom`` for ways); checked as the shops' answers."""
    elements = overpass.check_answer(200, body)["elements"]
    ways, stations = [], []
    for element in elements:
        if not isinstance(element, dict):
            raise FileOsmNonValido("Risposta Overpass con un elemento che non è un oggetto JSON: il file è alterato.")
        tags = element.get("tags") or {}
        osm_id = f"{element.get('type')}/{element.get('id')}"
        if is_station(tags):
            lat, lon = _station_point(element)
            if lat is not None:
                stations.append({"osm_id": osm_id, "nome": tags.get("name", ""), "lat": lat, "lon": lon})
            continue
        if element.get("type") != "way":
            continue
        geometry = element.get("geometry")
        if geometry is None:
            raise FileOsmNonValido(
                f"La via {osm_id} della risposta Overpass non ha geometria: la query deve finire con «out geom» "
                "(il programma la scrive così: usare diagnosis dati scarica --fonte osm_rete)."
            )
        # Overpass writes null for a node outside a clipping box: such a way is cut, its parts kept apart.
        pairs = [(n, (float(p["lon"]), float(p["lat"]))) for n, p in zip(element.get("nodes") or [], geometry) if p]
        row = _way_row(osm_id, tags, [n for n, _ in pairs], [p for _, p in pairs])
        if row is not None:
            ways.append(row)
    return _network(ways, stations, overpass.data_date(body))


def _station_point(element: dict) -> tuple[float | None, float | None]:
    if "lat" in element:
        return float(element["lat"]), float(element["lon"])
    center = element.get("center") or {}
    if "lat" in center:
        return float(center["lat"]), float(center["lon"])
    points = [p for p in element.get("geometry") or [] if p]
    if points:
        return sum(p["lat"] for p in points) / len(points), sum(p["lon"] for p in points) / len(points)
    return None, None


# --- OSM XML -----------------------------------------------------------------------------

def parse_osm_xml(data: bytes) -> OsmNetwork:
    """The network in an OSM XML extract: nodes then ways (``<nd ref>``), or Overpass XML with
    the points inside each ``<nd>`` (``out geom``)."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise FileOsmNonValido(
            f"Il file OSM XML non si legge ({error}): è incompleto o modificato a mano. Esportarlo di nuovo "
            "da JOSM, dal sito di OpenStreetMap o da Overpass e ripetere l'importazione."
        ) from error
    if root.tag != "osm":
        raise FileOsmNonValido(f"Il file XML non è un'estrazione OpenStreetMap (elemento radice <{root.tag}>, "
                               "atteso <osm>).")
    nodes = {node.get("id"): (float(node.get("lon")), float(node.get("lat")))
             for node in root.iter("node") if node.get("lat") is not None}
    ways, stations = [], []
    for node in root.iter("node"):
        tags = _xml_tags(node)
        if is_station(tags) and node.get("id") in nodes:
            lon, lat = nodes[node.get("id")]
            stations.append({"osm_id": f"node/{node.get('id')}", "nome": tags.get("name", ""), "lat": lat, "lon": lon})
    for way in root.iter("way"):
        tags = _xml_tags(way)
        osm_id = f"way/{way.get('id')}"
        refs = [(int(nd.get("ref")), _nd_point(nd, nodes)) for nd in way.iter("nd")]
        known = [(ref, point) for ref, point in refs if point is not None]
        if is_station(tags) and known:
            stations.append({"osm_id": osm_id, "nome": tags.get("name", ""),
                             "lat": sum(p[1] for _, p in known) / len(known),
                             "lon": sum(p[0] for _, p in known) / len(known)})
            continue
        row = _way_row(osm_id, tags, [r for r, _ in known], [p for _, p in known])
        if row is not None:
            ways.append(row)
    meta = root.find("meta")
    taken = meta.get("osm_base", "")[:10] if meta is not None else None
    return _network(ways, stations, taken or None)


def _xml_tags(element) -> dict:
    return {tag.get("k"): tag.get("v") for tag in element.findall("tag")}


def _nd_point(nd, nodes: dict) -> tuple[float, float] | None:
    if nd.get("lat") is not None:
        return float(nd.get("lon")), float(nd.get("lat"))
    return nodes.get(nd.get("ref"))


# --- files -------------------------------------------------------------------------------

def file_kind(data: bytes) -> str | None:
    """``xml`` or ``json`` when the bytes are an OSM extract holding street ways, else None.

    A shops answer (``out tags center``) has no way geometry and stays the ``osm`` dataset's.
    """
    head = data[:4096].decode("utf-8-sig", errors="replace").lstrip()
    if head.startswith("<") and re.search(r"<osm[\s>]", head):
        return "xml" if b'k="highway"' in data or b"k='highway'" in data else None
    if head.startswith("{") and '"elements"' in data[:1 << 20].decode("utf-8", errors="replace"):
        return "json" if re.search(rb'"geometry"\s*:\s*\[', data) and b'"highway"' in data else None
    return None


def parse_network_file(data: bytes) -> OsmNetwork:
    """An OSM extract as the store keeps it: OSM XML or Overpass JSON."""
    kind = file_kind(data)
    if kind == "xml":
        return parse_osm_xml(data)
    if kind == "json":
        return parse_overpass_json(data)
    raise FileOsmNonValido(
        "Il file non è un'estrazione OpenStreetMap della rete stradale: servono le vie (highway) con la loro "
        "geometria, in OSM XML o in JSON di Overpass con «out geom»."
    )

