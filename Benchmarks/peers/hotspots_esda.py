"""PySAL esda's Gi* on the grid Caravan aggregated (read from Caravan's CSV of cell centres),
binary distance-band weights, star=True: the reference ArcGIS's GiZScore matches.
usage: hotspots_esda.py CARAVAN_HOTSPOTS.csv CRS BAND_M [--compare]"""
import csv, sys
import numpy as np
from pyproj import CRS, Transformer
from libpysal.weights import DistanceBand
from esda.getisord import G_Local

src, crs, band = sys.argv[1], sys.argv[2], float(sys.argv[3])
rows = list(csv.DictReader(open(src)))
lon = np.array([float(r["lon"]) for r in rows]); lat = np.array([float(r["lat"]) for r in rows])
value_field = "count" if "count" in rows[0] else "sum"
y = np.array([float(r[value_field]) for r in rows])
x_, y_ = Transformer.from_crs("EPSG:4326", CRS.from_user_input(crs), always_xy=True).transform(lon, lat)
pts = np.column_stack([x_, y_])
w = DistanceBand(pts, threshold=band * (1 + 1e-9), binary=True, silence_warnings=True)
g = G_Local(y, w, transform="B", star=True, permutations=0)
if "--compare" in sys.argv:
    z = np.array([float(r["GiZScore"]) if r["GiZScore"] not in ("", None) else np.nan for r in rows])
    ok = ~np.isnan(z)
    print(f"{len(rows)} cells; worst |GiZScore − esda Zs| = {np.max(np.abs(z[ok] - g.Zs[ok])):.2e}")
else:
    print(f"{len(rows)} cells, {w.s0:.0f} weights", file=sys.stderr)
