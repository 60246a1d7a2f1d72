"""Compares per-cell lengths of two CSVs (col,row and length_m or length_km). usage: compare_cells.py A.csv B.csv"""
import csv, sys
def load(p):
    out = {}
    for r in csv.DictReader(open(p)):
        v = float(r["length_m"]) if "length_m" in r else float(r["length_km"]) * 1000
        out[(int(float(r["col"])), int(float(r["row"])))] = v
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
keys = set(a) | set(b)
diff = {k: abs(a.get(k, 0) - b.get(k, 0)) for k in keys}
worst_abs = max(diff.values())
big = [k for k in keys if max(a.get(k, 0), b.get(k, 0)) >= 100]
worst_rel = max((diff[k] / max(a.get(k, 0), b.get(k, 0)) for k in big), default=0)
ta, tb = sum(a.values()), sum(b.values())
print(f"{len(a)} vs {len(b)} cells; worst cell difference {worst_abs:.3g} m (relative {worst_rel:.1e} over cells with ≥ 100 m); totals {ta/1000:.3f} km vs {tb/1000:.3f} km")
