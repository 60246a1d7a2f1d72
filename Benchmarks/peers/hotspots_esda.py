"""PySAL esda's Gi* on the grid Caravan aggregated (read from Caravan's CSV of cell centres),
binary distance-band weights, star=True: the reference ArcGIS's GiZScore matches. Cell centres
come from Caravan's col and row (exact), not from the rounded lon/lat columns.
usage: hotspots_esda.py CARAVAN_HOTSPOTS.csv CELL_M BAND_M [--compare]"""
import csv, sys
import numpy as np
from libpysal.weights import DistanceBand
from esda.getisord import G_Local

src, cell, band = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = list(csv.DictReader(open(src)))
value_field = "count" if "count" in rows[0] else "sum"
y = np.array([float(r[value_field]) for r in rows])
pts = np.column_stack([(np.array([float(r["col"]) for r in rows]) + 0.5) * cell, (np.array([float(r["row"]) for r in rows]) + 0.5) * cell])
w = DistanceBand(pts, threshold=band * (1 + 1e-9), binary=True, silence_warnings=True)
g = G_Local(y, w, transform="B", star=True, permutations=0)
if "--compare" in sys.argv:
    z = np.array([float(r["GiZScore"]) if r["GiZScore"] not in ("", None) else np.nan for r in rows])
    ok = ~np.isnan(z)
    print(f"{len(rows)} cells; worst |GiZScore − esda Zs| = {np.max(np.abs(z[ok] - g.Zs[ok])):.2e}")
else:
    print(f"{len(rows)} cells, {w.s0:.0f} weights", file=sys.stderr)
