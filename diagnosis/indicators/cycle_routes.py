"""Whether commercial poles and railway stations are joined by cycle routes.

The network is a graph built with osmnx from the stored ways (never downloaded by osmnx):
one edge per stretch between two consecutive nodes of a way, both directions (a cyclist's
direction of travel is not modelled), its length measured on the ellipsoid. Ways where
bicycles are not allowed are left out.

**The rule.** The route between two places is the shortest one for a cyclist who prefers
cycle infrastructure: a metre of ordinary street costs ``STREET_PENALTY`` metres of cycle
way, lane or shared path, so a detour of up to that factor is taken to stay on them.
Each place joins the network at its nearest node. The two places are *collegati* when at
least ``MIN_CYCLE_SHARE`` of the route is on cycle infrastructure and no stretch off it is
longer than ``GAP_TOLERANCE_M`` (a crossing, the last metres to a station's forecourt).
Every stretch off cycle infrastructure is a *lacuna*, tolerated or not.

**Poles.** Shops (OpenStreetMap ``shop=*`` in use) closer than ``CLUSTER_DISTANCE_M`` to one
another are chained into one cluster; a cluster of at least ``MIN_SHOPS`` is a commercial
pole, placed at its shops' mean point and named after its nearest street.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from diagnosis.sources.osm_network import CYCLE_CLASSES
from diagnosis.tables.cycle_network import segment_lengths

STREET_PENALTY = 2.0
MIN_CYCLE_SHARE = 0.5
GAP_TOLERANCE_M = 200.0
CLUSTER_DISTANCE_M = 100.0
MIN_SHOPS = 5
# Beyond this many poles, only the largest are joined pairwise: the table must stay readable.
MAX_POLES = 10

RULE = (f"Due mete sono collegate quando il percorso più breve per chi preferisce le ciclabili (un metro di strada "
        f"ordinaria vale {STREET_PENALTY:g} metri di ciclabile) corre per almeno il {MIN_CYCLE_SHARE:.0%} su "
        f"infrastruttura ciclabile e nessun tratto fuori da essa supera {GAP_TOLERANCE_M:.0f} metri.").replace(
            "%", " %")
CONNECTION_COLUMNS = ["da", "a", "lunghezza_m", "su_ciclabile_m", "quota_ciclabile", "lacuna_max_m", "collegato"]
GAP_COLUMNS = ["da", "a", "vie", "lunghezza_m", "tollerata"]


@dataclass(frozen=True)
class Routes:
    collegamenti: pd.DataFrame  # one row per pair of places
    lacune: object  # GeoDataFrame, one row per stretch off cycle infrastructure on a route


def routing_graph(lines):
    """The osmnx graph (EPSG:3035) of the ways cyclists may ride, from the frame of ``tables.cycle_network``."""
    import geopandas as gpd  # geopandas and osmnx take seconds to import: only the network analysis pays
    import osmnx as ox  # as geopandas
    import shapely  # as geopandas

    ridden = lines[lines["bici_ammesse"].astype(bool)].reset_index(drop=True)
    rows = []
    for way, nodes, points_3035, metres in zip(
            ridden.itertuples(), ridden["nodi"], ridden.geometry, segment_lengths(ridden)):
        coords = list(points_3035.coords)
        for i in range(len(nodes) - 1):
            rows.append({"u": nodes[i], "v": nodes[i + 1], "osm_id": way.osm_id, "classe": way.classe,
                         "nome": way.nome, "length": metres[i], "a": coords[i], "b": coords[i + 1]})
    edges = pd.DataFrame(rows)
    if edges.empty:
        return None
    both = pd.concat([edges, edges.rename(columns={"u": "v", "v": "u", "a": "b", "b": "a"})], ignore_index=True)
    both["ciclabile"] = both["classe"].isin(CYCLE_CLASSES)
    both["costo"] = both["length"] * np.where(both["ciclabile"], 1.0, STREET_PENALTY)
    both["key"] = both.groupby(["u", "v"]).cumcount()
    geometry = [shapely.LineString([a, b]) for a, b in zip(both["a"], both["b"])]
    edge_frame = gpd.GeoDataFrame(both.drop(columns=["a", "b"]), geometry=geometry, crs=lines.crs)
    edge_frame = edge_frame.set_index(["u", "v", "key"])
    points = dict(zip(both["u"], both["a"]))
    node_frame = gpd.GeoDataFrame(
        {"x": [p[0] for p in points.values()], "y": [p[1] for p in points.values()]},
        index=pd.Index(list(points), name="osmid"),
        geometry=[shapely.Point(p) for p in points.values()], crs=lines.crs)
    return ox.convert.graph_from_gdfs(node_frame, edge_frame, graph_attrs={"crs": lines.crs})


def commercial_poles(shops, graph):
    """The poles (GeoDataFrame of points, EPSG:3035: ``nome``, ``negozi``) among ``shops`` (points, EPSG:3035)."""
    import geopandas as gpd  # see routing_graph
    import networkx as nx  # as geopandas: a fifth of a second at every start of a report process
    import osmnx as ox  # as geopandas
    from scipy.spatial import cKDTree  # as geopandas: only the network analysis pays

    if shops.empty:
        return gpd.GeoDataFrame({"nome": [], "negozi": []}, geometry=[], crs=shops.crs)
    xy = np.column_stack([shops.geometry.x, shops.geometry.y])
    near = nx.Graph()
    near.add_nodes_from(range(len(xy)))
    near.add_edges_from(cKDTree(xy).query_pairs(CLUSTER_DISTANCE_M))
    clusters = sorted((sorted(c) for c in nx.connected_components(near) if len(c) >= MIN_SHOPS),
                      key=lambda c: (-len(c), c[0]))[:MAX_POLES]
    centres = [xy[members].mean(axis=0) for members in clusters]
    names = []
    for number, centre in enumerate(centres, start=1):
        street = ""
        if graph is not None:
            u, v, key = ox.distance.nearest_edges(graph, centre[0], centre[1])
            street = graph.edges[u, v, key].get("nome") or ""
        names.append(f"Polo {number}" + (f" ({street})" if street else ""))
    return gpd.GeoDataFrame({"nome": names, "negozi": [len(c) for c in clusters]},
                            geometry=gpd.points_from_xy([c[0] for c in centres], [c[1] for c in centres]),
                            crs=shops.crs)


def connections(graph, poles, stations) -> Routes:
    """Each pole with each station and each other pole: the route, its share on cycle infrastructure, its gaps."""
    import geopandas as gpd  # see routing_graph
    import osmnx as ox  # as geopandas
    import shapely  # as geopandas

    rows, gaps = [], []
    pole_names, station_names = list(poles["nome"]), list(stations["nome"])
    pairs = list(combinations(pole_names, 2)) + [(pole, station) for pole in pole_names for station in station_names]
    if graph is None:
        pairs = []
    if pairs:  # each place joins the network at its nearest node
        points = list(poles.geometry) + list(stations.geometry)
        nodes = ox.distance.nearest_nodes(graph, [p.x for p in points], [p.y for p in points])
        entry = dict(zip(pole_names + station_names, nodes))
    for start, end in pairs:
        route = ox.routing.shortest_path(graph, entry[start], entry[end], weight="costo")
        if route is None:
            rows.append({"da": start, "a": end, "collegato": False})
            continue
        steps = [min(graph.get_edge_data(a, b).values(), key=lambda e: e["costo"]) for a, b in zip(route, route[1:])]
        stretches = _stretches_off_cycleways(steps)
        total = sum(step["length"] for step in steps)
        on_cycleways = sum(step["length"] for step in steps if step["ciclabile"])
        longest = max((sum(s["length"] for s in stretch) for stretch in stretches), default=0.0)
        share = on_cycleways / total if total else 1.0
        rows.append({"da": start, "a": end, "lunghezza_m": total, "su_ciclabile_m": on_cycleways,
                     "quota_ciclabile": 100.0 * share, "lacuna_max_m": longest,
                     "collegato": share >= MIN_CYCLE_SHARE and longest <= GAP_TOLERANCE_M})
        for stretch in stretches:
            metres = sum(s["length"] for s in stretch)
            gaps.append({"da": start, "a": end, "vie": ", ".join(dict.fromkeys(s["nome"] for s in stretch if s["nome"])),
                         "lunghezza_m": metres, "tollerata": metres <= GAP_TOLERANCE_M,
                         "geometry": shapely.line_merge(shapely.MultiLineString([s["geometry"] for s in stretch]))})
    table = pd.DataFrame(rows, columns=CONNECTION_COLUMNS)
    table["collegato"] = table["collegato"].astype(bool)
    crs = poles.crs if poles.crs is not None else stations.crs
    lacune = gpd.GeoDataFrame(pd.DataFrame(gaps, columns=GAP_COLUMNS + ["geometry"]), geometry="geometry", crs=crs)
    return Routes(table, lacune)


def _stretches_off_cycleways(steps: list[dict]) -> list[list[dict]]:
    """The runs of consecutive route steps that are not on cycle infrastructure."""
    runs: list[list[dict]] = []
    for previous, step in zip([None, *steps], steps):
        if step["ciclabile"]:
            continue
        if previous is None or previous["ciclabile"]:
            runs.append([])
        runs[-1].append(step)
    return runs
