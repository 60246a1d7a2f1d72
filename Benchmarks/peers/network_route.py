"""Peers of `caravan routes --network` and `caravan flows`, whole process: read the network,
build the same graph (network_graph.build), snap points to the nearest node, route, write a CSV.

    python peers/network_route.py scipy|igraph routes ROADS ROUTES.csv OUT.csv
    python peers/network_route.py scipy|igraph flows ROADS FLOWS.csv OUT.csv

routes: each two-waypoint route's path (edge list reconstructed) and length. flows: every flow's
length and the load (flows, summed weight) on every edge, from each flow's path.
scipy: scipy.sparse.csgraph.dijkstra from the distinct sources (predecessors returned), paths
walked in Python. igraph: Graph.get_shortest_paths(output="epath") per source, loads with numpy.
"""
import csv
import sys
import numpy as np
import pyproj
from scipy.spatial import cKDTree

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from network_graph import build, csgraph  # noqa: E402


def snapper(coords, a, b):
    used = np.unique(np.concatenate([a, b]))
    ecef = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4978", always_xy=True)
    x, y, z = ecef.transform(coords[used, 0], coords[used, 1], np.zeros(len(used)))
    tree = cKDTree(np.column_stack([x, y, z]))

    def snap(lon, lat):
        px, py, pz = ecef.transform(np.asarray(lon), np.asarray(lat), np.zeros(len(lon)))
        _, i = tree.query(np.column_stack([px, py, pz]))
        return used[i]
    return snap


def read_routes(path):
    rows = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            rows.setdefault(r["route"], []).append((float(r["order"]), float(r["lon"]), float(r["lat"])))
    names = list(rows)
    pts = [sorted(rows[n]) for n in names]
    return names, pts


def read_flows(path):
    o, d, w = [], [], []
    with open(path) as f:
        for r in csv.DictReader(f):
            o.append(r["origin"]); d.append(r["destination"]); w.append(float(r["weight"]))
    places = sorted(set(o) | set(d))
    index = {p: i for i, p in enumerate(places)}
    latlon = np.array([[float(v) for v in p.split(",")] for p in places])
    return np.array([index[p] for p in o]), np.array([index[p] for p in d]), np.array(w), latlon


def main():
    peer, mode, roads, table, out = sys.argv[1:6]
    coords, a, b, w, _ = build([roads])
    m = len(coords)
    snap = snapper(coords, a, b)
    if mode == "routes":
        names, pts = read_routes(table)
        s = snap([p[0][1] for p in pts], [p[0][2] for p in pts])
        t = snap([p[1][1] for p in pts], [p[1][2] for p in pts])
        pairs = list(zip(s, t))
    else:
        fo, fd, fw, latlon = read_flows(table)
        pn = snap(latlon[:, 1], latlon[:, 0])
        pairs = list(zip(pn[fo], pn[fd]))
    n = len(pairs)
    length = np.full(n, np.inf)
    load_n = np.zeros(len(a)); load_w = np.zeros(len(a))
    weights = fw if mode == "flows" else np.ones(n)
    by_source = {}
    for k, (s, t) in enumerate(pairs):
        by_source.setdefault(int(s), []).append(k)
    sources = sorted(by_source)
    if peer == "scipy":
        from scipy.sparse.csgraph import dijkstra
        g = csgraph(coords, a, b, w)
        # The edge between two nodes, for walking predecessors.
        edge_of = {}
        for e, (x, y) in enumerate(zip(a, b)):
            edge_of[(int(x), int(y))] = e; edge_of[(int(y), int(x))] = e
        for c in range(0, len(sources), 100):          # 100 sources at a time bounds the memory
            chunk = sources[c:c + 100]
            dist, pred = dijkstra(g, directed=True, indices=chunk, return_predecessors=True)
            for row, s in enumerate(chunk):
                p = pred[row]
                for k in by_source[s]:
                    t = int(pairs[k][1])
                    if not np.isfinite(dist[row, t]):
                        continue
                    length[k] = dist[row, t]
                    v = t
                    while v != s:
                        u = int(p[v]); e = edge_of[(u, v)]
                        load_n[e] += 1; load_w[e] += weights[k]
                        v = u
    else:
        import igraph as ig
        g = ig.Graph(n=m, edges=list(zip(a.tolist(), b.tolist())), directed=False)
        for s in sources:
            ks = by_source[s]
            paths = g.get_shortest_paths(s, to=[int(pairs[k][1]) for k in ks], weights=w, output="epath")
            for k, ep in zip(ks, paths):
                t = int(pairs[k][1])
                if not ep and t != s:
                    continue
                length[k] = w[ep].sum() if ep else 0.0
                load_n[ep] += 1; load_w[ep] += weights[k]
    with open(out, "w") as f:
        f.write("k,length_km\n")
        for k in range(n):
            f.write(f"{k},{length[k] / 1000:.6f}\n")
    print(f"{peer}: {n} {mode}, {np.isfinite(length).sum()} routed, total {np.nansum(np.where(np.isfinite(length), length, 0)) / 1000:.3f} km, "
          f"max edge load {load_w.max():.3f}")


if __name__ == "__main__":
    main()
