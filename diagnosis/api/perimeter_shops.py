"""The shops inside a district's perimeter: counts and densities, the categories it lacks
against the rest of its comuni and the peer comuni, the places to map."""

from __future__ import annotations

import pandas as pd

from diagnosis.api.common import Provenance, fotografia_year, territory_of, tidy
from diagnosis.api.indicators import fotografia_result
from diagnosis.errors import SenzaPerimetro
from diagnosis.indicators.perimeter_geometry import clip_places
from diagnosis.indicators.perimeter_shops import shops_in_perimeter
from diagnosis.sources.overpass import ACTIVE, VACANT
from diagnosis.tables import analyst, osm_points
from diagnosis.territory.model import Territorio

COUNT_COLUMNS = ["territorio", "fonte", "variabile", "valore", "versione"]
CATEGORY_COLUMNS = ["territorio", "confronto", "gruppo", "etichetta", "presenti", "attese", "scarto", "quota_perimetro",
                    "quota_confronto", "lettura"]
PLACE_COLUMNS = ["territorio", "fonte", "nome", "stato", "gruppi", "lat", "lon"]
# The sources of the counts, as the tables name them.
SOURCES = {"osm": "OpenStreetMap", "registro": "Registro dei negozi", "sfitti_rilevati": "Locali sfitti rilevati"}
REST, PEERS = "resto dei comuni", "comuni simili"


def _with_perimeter(territorio) -> Territorio:
    territory = territory_of(territorio)
    if territory.perimetro is None:
        raise SenzaPerimetro(
            f"{territory.etichetta} non ha un perimetro: i negozi nel perimetro si calcolano per un distretto "
            "più piccolo dei suoi comuni. Aggiungere 'perimetro:' al suo file in data/distretti (vedi "
            "duc-sondrio-piastra.yaml)."
        )
    return territory


def _summary(territory: Territorio, anno, residenti, strade) -> dict:
    year = fotografia_year(anno)
    peers = (fotografia_result(territory, year).get("pari") or {}).get("comuni", [])
    return shops_in_perimeter(territory, year, peers, residents=residenti, streets=strade)


def _provenance(territory: Territorio, summary: dict) -> Provenance:
    provenance = Provenance(territory)
    provenance.sources += [block["fonte"] for key in SOURCES if (block := summary[key])]
    provenance.extra |= {"regole": summary["regole"], "mancanti": summary["mancanti"],
                         "residenti": summary["residenti"], "fronte": summary["fronte"],
                         "perimetro": territory.perimetro.as_json()}
    return provenance


def negozi_nel_perimetro(territorio, residenti: float | None = None, strade=None, anno=None):
    """The shops and vacant premises inside the district's perimeter, and their densities.

    Each source (``fonte``: OpenStreetMap, the analyst's shop register, the vacant premises
    of the register and the survey) clipped to the perimeter: ``negozi`` inside (retail, for
    OpenStreetMap; active shops, for the register), ``sfitti``, ``fuori`` (outside the
    perimeter), ``non_localizzati`` (rows without coordinates: neither inside nor outside),
    ``per_1000_residenti`` and ``per_km_fronte``. OpenStreetMap also counts
    ``esercizi_attivi`` (every active place), ``negozi_fuori`` (the shops of the comuni outside
    the perimeter) and, per comune of the district, ``negozi_CODICE``.

    ``residenti``: the perimeter's residents (from its census sections); without them the
    density per residents is missing, never guessed from the comuni. ``strade``: the street
    lines (GeoDataFrame in EPSG:3035 with a ``classe`` column); the frontage is both sides
    of each street inside the perimeter, one side of a street along its edge
    (``attrs["fronte"]`` per class). ``attrs["regole"]`` states the rules, ``attrs["mancanti"]``
    what is missing and how to get it. A territory without a perimeter raises
    :class:`SenzaPerimetro`.

    Columns: ``territorio``, ``fonte``, ``variabile``, ``valore``, ``versione``.

    >>> import diagnosis as dg
    >>> n = dg.negozi_nel_perimetro("duc-sondrio-piastra")
    >>> len(n), len(n.attrs["mancanti"])
    (0, 4)
    """
    territory = _with_perimeter(territorio)
    summary = _summary(territory, anno, residenti, strade)
    rows = []
    for key, name in SOURCES.items():
        block = summary[key]
        if block is None:
            continue
        common = {"territorio": territory.id, "fonte": name, "versione": block.get("data_dati")}
        figures = block["conteggi"] | {f"negozi_{code}": n for code, n in block.get("negozi_per_comune", {}).items()}
        figures |= block.get("densita", {})
        rows += [common | {"variabile": variable, "valore": value} for variable, value in figures.items()]
    return tidy(rows, COUNT_COLUMNS, _provenance(territory, summary))


def categorie_nel_perimetro(territorio, residenti: float | None = None, anno=None):
    """The commercial groups of the perimeter against the rest of its comuni and the peer comuni.

    ``confronto`` ``resto dei comuni``: OpenStreetMap places of the district's comuni outside
    the perimeter; ``attese`` are the perimeter's places at their mix, ``quota_perimetro``
    and ``quota_confronto`` the shares (%) of each group. ``confronto`` ``comuni simili``: the
    peers' OpenStreetMap places per resident × ``residenti`` of the perimeter (only with
    them), ``quota_confronto`` their rate per 1,000 residents. ``lettura`` judges a group
    only on at least 20 places and beyond chance; ``da attrarre`` marks a gap of one place
    or more against the peers. Largest gap (``scarto`` = attese − presenti) first.

    Columns: ``territorio``, ``confronto``, ``gruppo``, ``etichetta``, ``presenti``,
    ``attese``, ``scarto``, ``quota_perimetro``, ``quota_confronto``, ``lettura``.
    """
    territory = _with_perimeter(territorio)
    summary = _summary(territory, anno, residenti, None)
    rows = [{"territorio": territory.id, "confronto": REST, "gruppo": row["gruppo"], "etichetta": row["nome"],
             "presenti": row["presenti"], "attese": row["attese"], "scarto": row["scarto"],
             "quota_perimetro": row["quota_perimetro"], "quota_confronto": row["quota_resto"],
             "lettura": row["lettura"]} for row in summary["categorie_resto"]]
    rows += [{"territorio": territory.id, "confronto": PEERS, "gruppo": row["gruppo"], "etichetta": row["nome"],
              "presenti": row["presenti"], "attese": row["attese"], "scarto": row["scarto"],
              "quota_confronto": row["tasso_pari_per_1000"],
              "lettura": "da attrarre" if row["mancanti"] else "in linea o oltre"} for row in summary["categorie_pari"]]
    return tidy(rows, CATEGORY_COLUMNS, _provenance(territory, summary))


def luoghi_nel_perimetro(territorio):
    """The places inside the perimeter, for its map: OpenStreetMap's and the analyst's, one row each.

    ``fonte`` is ``OpenStreetMap`` or ``rilevazione``; ``stato`` ``attivo`` or ``sfitto``.
    Places without coordinates are not here: :func:`negozi_nel_perimetro` counts them.
    ``attrs["perimetro"]`` carries the perimeter (WKT in EPSG:4326) to draw.

    Columns: ``territorio``, ``fonte``, ``nome``, ``stato``, ``gruppi``, ``lat``, ``lon``.
    """
    territory = _with_perimeter(territorio)
    provenance = Provenance(territory)
    provenance.extra["perimetro"] = territory.perimetro.as_json()
    shape = territory.perimetro.geometria
    frames = []
    if shape is not None and osm_points.totals(territory.comuni) is not None:  # as the counts: every comune
        mapped = clip_places(osm_points.points(territory.comuni), shape).inside
        frames.append(mapped.assign(fonte="OpenStreetMap"))
        provenance.sources.append(osm_points.SOURCE)
    surveyed = analyst.all_points(territory.id) if shape is not None else None
    if surveyed is not None:
        inside = clip_places(surveyed[surveyed["stato"].isin([ACTIVE, VACANT])], shape).inside
        frames.append(inside.assign(fonte="rilevazione"))
        provenance.sources.append(analyst.figures(territory.id)["fonte"])
    found = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PLACE_COLUMNS)
    rows = [{"territorio": territory.id, "fonte": row.fonte, "nome": row.nome, "stato": row.stato,
             "gruppi": row.gruppi, "lat": row.lat, "lon": row.lon} for row in found.itertuples()]
    return tidy(rows, PLACE_COLUMNS, provenance)
