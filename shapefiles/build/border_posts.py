"""Position the well-known border crossing points of the region (a training layer).

For each post of border_posts.csv (names of both sides, the two countries, kind, an
approximate anchor location near the towns on either side, and the source of the names), take the nearest point where
the shipped network crosses that pair's border (the network crossing candidates of the
source data, of the post's kind) within 25 km of the anchor; when the network has no
crossing there, project the anchor onto the pair's border line. The method is recorded.

usage: python3 border_posts.py border_posts.csv CANDIDATES.geojson BORDERS.geojson OUT.geojson
Standard library only. Distances are local equirectangular (fine at these scales).
"""
import csv, json, math, sys

posts_csv, cand_path, borders_path, out_path = sys.argv[1:5]
cands = json.load(open(cand_path))["features"]
borders = json.load(open(borders_path))["features"]

def km(a, b):
    mlat = math.radians((a[1] + b[1]) / 2)
    dx = (a[0] - b[0]) * 111.32 * math.cos(mlat); dy = (a[1] - b[1]) * 110.57
    return math.hypot(dx, dy)

def nearest_on_line(p, lines):
    best = (1e18, None)
    for line in lines:
        for a, b in zip(line, line[1:]):
            c = math.cos(math.radians(p[1]))
            ax, ay, bx, by, px, py = a[0] * c, a[1], b[0] * c, b[1], p[0] * c, p[1]
            dx, dy = bx - ax, by - ay
            t = 0 if dx == dy == 0 else max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
            q = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
            d = km(p, q)
            if d < best[0]:
                best = (d, q)
    return best

def pair_of(a, b):
    return "-".join(sorted([a, b]))

lines_by_pair = {}
for f in borders:
    g = f["geometry"]
    parts = g["coordinates"] if g["type"] == "MultiLineString" else [g["coordinates"]]
    lines_by_pair.setdefault(f["properties"]["pair"], []).extend(parts)

out = []
for i, r in enumerate(csv.DictReader(open(posts_csv, encoding="utf-8")), 1):
    anchor = [float(r["anchor_lon"]), float(r["anchor_lat"])]
    pair = pair_of(r["iso_a"], r["iso_b"])
    kinds = {"road", "rail"} if r["kind"] == "both" else {r["kind"]}
    best = None
    for c in cands:
        p = c["properties"]
        if p["pair"] != pair or p["kind"] not in kinds:
            continue
        xy = c["geometry"]["coordinates"]
        d = km(anchor, xy)
        if d <= 25 and (best is None or d < best[0]):
            best = (d, xy, p["kind"])
    if best:
        pos, method = best[1], f"network crossing ({best[2]})"
    else:
        d, pos = nearest_on_line(anchor, lines_by_pair.get(pair, []))
        if pos is None:
            sys.exit(f"border_posts: no {pair} border line for {r['name']}")
        method = "anchor projected onto the border line"
    out.append({"type": "Feature", "properties": {
        "id": i, "name": r["name"], "name_a": r["name_a"], "name_b": r["name_b"], "aliases": r["aliases"],
        "iso_a": r["iso_a"], "iso_b": r["iso_b"], "pair": pair, "kind": r["kind"], "method": method,
        "lon": round(pos[0], 6), "lat": round(pos[1], 6),
        "note": "training layer, not an authoritative register",
        "source": r["source"],
        "accuracy": ("where the shipped network crosses this border, nearest the anchor (within 25 km): "
                     "typically 1-10 km from the checkpoint itself") if best else
                    ("an approximate anchor near the checkpoint projected onto the generalised border: "
                     "5-20 km from the checkpoint itself")},
        "geometry": {"type": "Point", "coordinates": pos}})
    print(f"  {r['name']:40s} {pair}  {method}", file=sys.stderr)
json.dump({"type": "FeatureCollection", "features": out}, open(out_path, "w"), ensure_ascii=False)
