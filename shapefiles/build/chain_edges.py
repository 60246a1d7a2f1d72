"""Chain a routing graph of two-point edges into polylines between junctions.

Input: a GeoJSON of LineString edges with from_node, to_node, from_iso, to_iso (as the
source GeoPackages have them). Output: a GeoJSON of LineStrings, one per chain of edges
between nodes whose degree is not 2, keeping the end node ids (so the routing graph can be
rebuilt: intermediate nodes have degree 2 and carry no junction), with
id, kind, from_node, to_node, from_iso, to_iso, edges. Lengths are added afterwards by
SQLite/SpatiaLite (geodesic). Standard library only.

usage: python3 chain_edges.py EDGES.geojson KIND OUT.geojson
"""
import json, sys
from collections import defaultdict

src, kind, out = sys.argv[1:4]
edges = json.load(open(src))["features"]
adj = defaultdict(list)          # node -> [edge index]
coord, iso = {}, {}
for i, e in enumerate(edges):
    p = e["properties"]; c = e["geometry"]["coordinates"]
    a, b = p["from_node"], p["to_node"]
    adj[a].append(i); adj[b].append(i)
    coord[a], coord[b] = c[0], c[-1]
    iso[a], iso[b] = p.get("from_iso") or "", p.get("to_iso") or ""

def other(i, n):
    p = edges[i]["properties"]
    return p["to_node"] if p["from_node"] == n else p["from_node"]

used = [False] * len(edges)
chains = []
def walk(start, first):
    nodes = [start]; es = []; i = first; n = start
    while True:
        used[i] = True; es.append(i)
        n = other(i, n); nodes.append(n)
        if len(adj[n]) != 2 or n == start:
            break
        nxt = [j for j in adj[n] if not used[j]]
        if not nxt:
            break
        i = nxt[0]
    return nodes, es

# Chains from every junction or dead end, in node order for a stable output...
for n in sorted(adj):
    if len(adj[n]) != 2:
        for i in adj[n]:
            if not used[i]:
                chains.append(walk(n, i))
# ...then isolated loops of degree-2 nodes.
for i in range(len(edges)):
    if not used[i]:
        n = edges[i]["properties"]["from_node"]
        chains.append(walk(n, i))

feats = []
for k, (nodes, es) in enumerate(chains, 1):
    coords = [coord[n] for n in nodes]
    feats.append({"type": "Feature", "properties": {
        "id": k, "kind": kind, "from_node": nodes[0], "to_node": nodes[-1],
        "from_iso": iso[nodes[0]], "to_iso": iso[nodes[-1]], "edges": len(es)},
        "geometry": {"type": "LineString", "coordinates": coords}})
json.dump({"type": "FeatureCollection", "features": feats}, open(out, "w"))
print(f"{kind}: {len(edges)} edges -> {len(feats)} chains", file=sys.stderr)
