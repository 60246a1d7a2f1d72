"""The usual GeoPandas/Shapely way to sum route length per grid cell: build the cells, query an
STRtree of the routes with each cell, intersect. usage: density_geopandas.py ROUTES CRS CELL_M OUT.csv"""
import sys
import numpy as np
import pyogrio, shapely
from pyproj import CRS, Transformer

src, crs, cell, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
geoms = pyogrio.read_dataframe(src, columns=[]).geometry.values
t = Transformer.from_crs("EPSG:4326", CRS.from_user_input(crs), always_xy=True)
geoms = shapely.transform(np.asarray(geoms), lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
c0, c1 = int(np.floor(xmin / cell)), int(np.floor(xmax / cell))
r0, r1 = int(np.floor(ymin / cell)), int(np.floor(ymax / cell))
cols, rows = np.meshgrid(np.arange(c0, c1 + 1), np.arange(r0, r1 + 1))
cols, rows = cols.ravel(), rows.ravel()
cells = shapely.box(cols * cell, rows * cell, (cols + 1) * cell, (rows + 1) * cell)
tree = shapely.STRtree(geoms)
ci, gi = tree.query(cells, predicate="intersects")
lengths = shapely.length(shapely.intersection(cells[ci], geoms[gi]))
total = np.bincount(ci, weights=lengths, minlength=len(cells))
keep = total > 0
with open(out, "w") as f:
    f.write("col,row,length_m\n")
    for c, r, v in zip(cols[keep], rows[keep], total[keep]):
        f.write(f"{c},{r},{v:.6f}\n")
print(f"{keep.sum()} cells", file=sys.stderr)
