"""The routing graph Caravan builds, built independently in Python (the peers' side).

Nodes are line endpoints; endpoints within 1 m (3-D distance in ECEF metres, union of close
pairs from a k-d tree) are one node. Each line is an edge both ways costing its geodesic length
on WGS84 summed over its vertices (pyproj.Geod: PROJ's geodesic, Karney). Parallel lines between
the same two nodes: the shorter. Closed loops are never routed on.

    python peers/network_graph.py golden ROADS OUT.csv       # golden Dijkstra lengths for the tests
    python peers/network_graph.py inputs ROADS DIR           # the benchmark's routes and flows tables
"""
import sys
import numpy as np
import pyogrio
import pyproj
from scipy.spatial import cKDTree
from scipy.sparse import csr_matrix


def read_lines(paths):
    """Line coordinate arrays (lon, lat) of every line part of the layers."""
    import shapely
    lines = []
    for p in paths:
        _, _, geoms, _ = pyogrio.raw.read(p, read_geometry=True, columns=[])
        for g in shapely.from_wkb(geoms):
            if g is None or g.is_empty:
                continue
            parts = g.geoms if g.geom_type.startswith("Multi") else [g]
            for part in parts:
                lines.append(np.asarray(part.coords)[:, :2])
    return lines


def build(paths):
    lines = read_lines(paths)
    geod = pyproj.Geod(ellps="WGS84")
    n = len(lines)
    ends = np.empty((2 * n, 2))
    for i, c in enumerate(lines):
        ends[2 * i] = c[0]
        ends[2 * i + 1] = c[-1]
    ecef = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4978", always_xy=True)
    x, y, z = ecef.transform(ends[:, 0], ends[:, 1], np.zeros(len(ends)))
    tree = cKDTree(np.column_stack([x, y, z]))
    parent = np.arange(len(ends))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a
    for a, b in tree.query_pairs(r=1.0):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([find(i) for i in range(len(ends))])
    uniq, node = np.unique(roots, return_inverse=True)
    coords = ends[uniq]
    u, v = node[0::2], node[1::2]
    w = np.array([geod.line_length(c[:, 0], c[:, 1]) for c in lines])
    keep = u != v
    a, b, ww = np.minimum(u, v)[keep], np.maximum(u, v)[keep], w[keep]
    order = np.lexsort((ww, b, a))
    a, b, ww = a[order], b[order], ww[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    a, b, ww = a[first], b[first], ww[first]
    return coords, a, b, ww, len(lines)


def csgraph(coords, a, b, w):
    m = len(coords)
    return csr_matrix((np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(m, m))


def golden(paths, out):
    from scipy.sparse.csgraph import dijkstra, connected_components
    import networkx as nx
    coords, a, b, w, nlines = build(paths)
    g = csgraph(coords, a, b, w)
    ncomp, labels = connected_components(g, directed=False)
    rng = np.random.default_rng(14)
    m = len(coords)
    src = rng.integers(0, m, 60)
    dst = rng.integers(0, m, 60)
    dist = dijkstra(g, directed=True, indices=src)
    nxg = nx.Graph()
    for x, y, c in zip(a, b, w):
        nxg.add_edge(int(x), int(y), weight=float(c))
    with open(out, "w") as f:
        f.write(f"# nodes={m} edges={len(a)} lines={nlines} components={ncomp} largest={np.bincount(labels).max()}\n")
        f.write("# made by Benchmarks/peers/network_graph.py golden (scipy.sparse.csgraph.dijkstra; networkx agrees on the first 20)\n")
        f.write("from_lon,from_lat,to_lon,to_lat,metres\n")
        for k, (s, t) in enumerate(zip(src, dst)):
            d = dist[k, t]
            if k < 20 and np.isfinite(d):
                dn = nx.dijkstra_path_length(nxg, int(s), int(t))
                assert abs(dn - d) <= 1e-9 * max(d, 1), (dn, d)
            f.write(f"{float(coords[s][0])!r},{float(coords[s][1])!r},{float(coords[t][0])!r},{float(coords[t][1])!r},{'inf' if not np.isfinite(d) else repr(float(d))}\n")
    print(f"nodes {m}, routed edges {len(a)}, lines {nlines}, components {ncomp}; wrote {out}")


def inputs(paths, outdir):
    """2,000 two-waypoint routes between random nodes (lon/lat columns) and 100,000 flows among
    1,000 places ("lat, lon" text) near the nodes, seeded."""
    coords, a, b, w, _ = build(paths)
    rng = np.random.default_rng(2000)
    m = len(coords)
    with open(f"{outdir}/network_routes.csv", "w") as f:
        f.write("route,order,lon,lat\n")
        for r in range(2000):
            for k, i in enumerate(rng.integers(0, m, 2)):
                f.write(f"r{r},{k + 1},{coords[i][0]:.6f},{coords[i][1]:.6f}\n")
    places = coords[rng.integers(0, m, 1000)]
    with open(f"{outdir}/network_flows.csv", "w") as f:
        f.write("origin,destination,weight\n")
        o = rng.integers(0, 1000, 100_000)
        d = rng.integers(0, 1000, 100_000)
        wt = rng.gamma(2.0, 20.0, 100_000)
        for x, y, z in zip(o, d, wt):
            f.write(f"\"{places[x][1]:.6f}, {places[x][0]:.6f}\",\"{places[y][1]:.6f}, {places[y][0]:.6f}\",{z:.3f}\n")


if __name__ == "__main__":
    if sys.argv[1] == "golden":
        golden(sys.argv[2:-1], sys.argv[-1])
    else:
        inputs(sys.argv[2:-1], sys.argv[-1])
