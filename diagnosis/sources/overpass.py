"""OpenStreetMap shops, food-and-drink places, services and vacant premises, via Overpass.

A comune is the OSM administrative boundary carrying its ISTAT code in ``ref:ISTAT``
(after a re-coding OSM may still carry the old code, so old codes are asked too). The
query asks every element the groups of ``diagnosis/sources/commerce_groups.yaml`` know, plus the
two ways OSM marks empty premises (``shop=vacant`` and ``disused:shop``), with a point for
each (``out tags center``). Overpass answers a timeout with HTTP 200 and a ``remark``: it
is an error here, never an empty comune. After a 429 (two slots per address) the query is
sent once more if ``/api/status`` says a slot frees up within two minutes; a 429 beyond
that and a 504 (load) are errors that say to wait. The shared session spaces calls 30 s
apart and never retries a 4xx by itself.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timezone

import pandas as pd

from diagnosis import http
from diagnosis.sources.commerce_groups import all_groups, groups_for_tags
from diagnosis.errors import DiagnosisError, ErroreOverpass
from diagnosis.store.checks import looks_like_html

OVERPASS_URL = "https://overpass-api.de/api/interpreter"
STATUS_URL = "https://overpass-api.de/api/status"
QUERY_TIMEOUT = 90
# After a 429, waiting for a slot up to this long beats telling the user to come back later.
MAX_SLOT_WAIT = 120.0
VACANT = "sfitto"
ACTIVE = "attivo"
POINT_COLUMNS = ["osm_id", "nome", "chiave", "valore", "stato", "gruppi", "lat", "lon"]


def _code_filter(codes: list[str]) -> str:
    if len(codes) == 1:
        return f'["ref:ISTAT"="{codes[0]}"]'
    return f'["ref:ISTAT"~"^({"|".join(codes)})$"]'


def _tag_selectors() -> list[str]:
    """One Overpass selector per key, OR-ing the values the groups use."""
    by_key: dict[str, set[str]] = {}
    for group in all_groups().values():
        for tag in group.osm:
            key, _, value = tag.partition("=")
            by_key.setdefault(key, set()).add(value)
    selectors = []
    for key, values in sorted(by_key.items()):
        if "*" in values:
            selectors.append(f'nwr["{key}"](area.a);')
        else:
            selectors.append(f'nwr["{key}"~"^({"|".join(sorted(values))})$"](area.a);')
    return selectors


def area_statement(code: str, old_codes: tuple[str, ...] = ()) -> str:
    """The comune's area as ``.a``, found by its code and any code it had before a re-coding."""
    codes = [code, *[c for c in old_codes if c != code]]
    return f'area["boundary"="administrative"]["admin_level"="8"]{_code_filter(codes)}->.a;'


def build_query(code: str, old_codes: tuple[str, ...] = ()) -> str:
    """The Overpass QL for one comune (its code and any code it had before a re-coding)."""
    lines = [
        f"[out:json][timeout:{QUERY_TIMEOUT}];",
        area_statement(code, old_codes),
        "(",
        *(f"  {selector}" for selector in _tag_selectors()),
        '  nwr["disused:shop"](area.a);',
        ");",
        "out tags center;",
    ]
    return "\n".join(lines)


# --- parse -------------------------------------------------------------------------------

def check_answer(status: int, body: bytes) -> dict:
    """The decoded JSON of a good answer, or an ``ErroreOverpass`` that says what to do."""
    if status == 429:
        raise ErroreOverpass(
            "Overpass è occupato (HTTP 429: troppe richieste contemporanee da questo indirizzo). "
            "Attendere qualche minuto e ripetere: le richieste già riuscite restano in cache."
        )
    if status in (502, 503, 504):
        raise ErroreOverpass(
            f"Overpass è sovraccarico (HTTP {status}). Riprovare più tardi; l'archivio è invariato."
        )
    if status != 200:
        raise ErroreOverpass(f"Overpass ha risposto HTTP {status}: la richiesta non è stata accettata.")
    if looks_like_html(body[:2048]):
        raise ErroreOverpass("Overpass ha risposto con una pagina HTML invece dei dati JSON: riprovare più tardi.")
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ErroreOverpass(f"Risposta Overpass non leggibile (JSON non valido: {error}); riprovare più tardi.") from error
    if not isinstance(answer, dict) or "elements" not in answer:
        raise ErroreOverpass("Risposta Overpass senza l'elenco 'elements': non è una risposta dell'API Overpass.")
    remark = answer.get("remark")
    if remark and ("error" in remark.lower() or "timed out" in remark.lower()):
        raise ErroreOverpass(
            f"Overpass ha interrotto la query ({remark.strip()}): la risposta è incompleta e non è "
            "stata usata. Riprovare più tardi, quando il server è meno carico."
        )
    return answer


def _point(element: dict) -> tuple[float | None, float | None]:
    if "lat" in element and "lon" in element:
        return float(element["lat"]), float(element["lon"])
    center = element.get("center") or {}
    if "lat" in center:
        return float(center["lat"]), float(center["lon"])
    return None, None


def classify(tags: dict) -> tuple[str, str, str, list[str]] | None:
    """(key, value, status, groups) of an element, or None when no group concerns it."""
    if tags.get("shop") == "vacant":
        return "shop", "vacant", VACANT, []
    if "disused:shop" in tags and "shop" not in tags:
        former = {"shop": tags["disused:shop"]} if tags["disused:shop"] not in ("yes", "") else {}
        return "disused:shop", tags["disused:shop"], VACANT, [g for g in groups_for_tags(former) if g != "dettaglio_totale"]
    groups = groups_for_tags(tags)
    if not groups:
        return None
    key = next(k for k in ("shop", "amenity", "tourism") if k in tags)
    return key, tags[key], ACTIVE, groups


def elements_to_points(elements: list[dict]) -> pd.DataFrame:
    rows = []
    for element in elements:
        tags = element.get("tags") or {}
        found = classify(tags)
        if found is None:
            continue
        key, value, status, groups = found
        lat, lon = _point(element)
        rows.append({
            "osm_id": f"{element.get('type', 'node')}/{element.get('id')}", "nome": tags.get("name", ""),
            "chiave": key, "valore": value, "stato": status, "gruppi": groups, "lat": lat, "lon": lon,
        })
    return pd.DataFrame(rows, columns=POINT_COLUMNS)


def parse_overpass(body: bytes) -> pd.DataFrame:
    """Overpass JSON → one row per shop, place or vacant premise, with groups and a point."""
    return elements_to_points(check_answer(200, body)["elements"])


def parse_geojson(body: bytes) -> pd.DataFrame:
    """The same table from an osmtogeojson export (tags under ``properties.tags``)."""
    data = json.loads(body.decode("utf-8-sig"))
    elements = []
    for feature in data.get("features", []):
        properties = feature.get("properties") or {}
        tags = properties.get("tags") or {k: v for k, v in properties.items() if isinstance(v, str)}
        osm_type, _, osm_id = str(feature.get("id", "")).partition("/")
        element = {"type": properties.get("type", osm_type or "node"), "id": properties.get("id", osm_id), "tags": tags}
        element.update(_geometry_point(feature.get("geometry") or {}))
        elements.append(element)
    return elements_to_points(elements)


def _geometry_point(geometry: dict) -> dict:
    """A representative point: the point itself, or the mean of a polygon's outer ring."""
    coordinates = geometry.get("coordinates")
    if geometry.get("type") == "Point" and coordinates:
        return {"lon": coordinates[0], "lat": coordinates[1]}
    if geometry.get("type") == "Polygon" and coordinates:
        ring = coordinates[0]
        return {"lon": sum(p[0] for p in ring) / len(ring), "lat": sum(p[1] for p in ring) / len(ring)}
    return {}


def looks_like_osm(data: bytes) -> str | None:
    """``overpass`` or ``geojson`` when the bytes are an OSM export, else None."""
    head = data[:4096].decode("utf-8-sig", errors="replace").lstrip()
    if not head.startswith("{"):
        return None
    if '"generator"' in head and "Overpass" in head and '"elements"' in data.decode("utf-8", errors="replace"):
        return "overpass"
    if '"FeatureCollection"' in head and ('"tags"' in head or '"shop"' in head or '"amenity"' in head):
        return "geojson"
    return None


def parse_osm_file(data: bytes) -> pd.DataFrame:
    kind = looks_like_osm(data)
    if kind == "overpass":
        return parse_overpass(data)
    if kind == "geojson":
        return parse_geojson(data)
    raise ErroreOverpass("Il file non è un'esportazione OpenStreetMap (JSON Overpass o GeoJSON).")


def data_date(data: bytes) -> str | None:
    """The date of the OSM data (``osm3s.timestamp_osm_base``), when the answer carries it."""
    match = re.search(rb'"timestamp_osm_base"\s*:\s*"(\d{4}-\d\d-\d\d)', data[:4096])
    return match.group(1).decode() if match else None


def slot_wait_seconds(status_text: str, now: datetime | None = None) -> float:
    """Seconds until a slot frees up, from the text of ``/api/status`` (0 when one is free)."""
    if re.search(r"(\d+) slots? available now", status_text):
        return 0.0
    waits = [float(s) for s in re.findall(r"in (\d+) seconds", status_text)]
    if waits:
        return min(waits)
    stamps = re.findall(r"Slot available after: (\S+Z)", status_text)
    if stamps:
        now = now or datetime.now(timezone.utc)
        soonest = min(datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps)
        return max(0.0, (soonest - now).total_seconds())
    return 0.0


# --- fetch -------------------------------------------------------------------------------

def fetch_comune(code: str, old_codes: tuple[str, ...] = ()) -> bytes:
    """The raw Overpass answer for one comune, checked; cached by the shared session."""
    return fetch_query(build_query(code, old_codes), QUERY_TIMEOUT)


def fetch_query(query: str, query_timeout: int = QUERY_TIMEOUT, sleep=time.sleep) -> bytes:
    """The raw answer to an Overpass QL query, checked; a bad answer leaves no trace in the cache.

    A 429 (both slots of this address busy) is asked once more when ``/api/status`` says a slot
    frees up within ``MAX_SLOT_WAIT`` seconds; otherwise it is the error that says to wait.
    """
    response = _post(query, query_timeout)
    if response.status_code == 429:
        wait = _slot_wait()
        if wait is not None and wait <= MAX_SLOT_WAIT:
            sleep(wait + 1.0)
            response = _post(query, query_timeout)
    try:
        check_answer(response.status_code, response.content)
    except ErroreOverpass:
        http.forget(response)
        raise
    return response.content


def _post(query: str, query_timeout: int):
    return http.fetch(OVERPASS_URL, method="POST", data={"data": query}, timeout=(10.0, query_timeout + 30.0))


def _slot_wait() -> float | None:
    """Seconds until a slot frees up, from ``/api/status``; None when the status cannot be read."""
    try:
        response = http.fetch(STATUS_URL, use_cache=False, timeout=(10.0, 30.0))
    except DiagnosisError:
        return None
    return slot_wait_seconds(response.text) if response.ok else None
