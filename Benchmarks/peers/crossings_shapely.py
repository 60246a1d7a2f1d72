"""The usual Shapely/GeoPandas way to find where routes cross borders: STRtree of the border
lines, query each route, intersect, keep the point parts. usage: crossings_shapely.py ROUTES BORDERS"""
import sys
import numpy as np
import pyogrio, shapely

routes = np.asarray(pyogrio.read_dataframe(sys.argv[1], columns=[]).geometry.values)
borders = np.asarray(pyogrio.read_dataframe(sys.argv[2], columns=["pair"]).geometry.values)
tree = shapely.STRtree(borders)
ri, bi = tree.query(routes, predicate="crosses")
inter = shapely.intersection(routes[ri], borders[bi])
parts = shapely.get_parts(inter)
points = parts[shapely.get_type_id(parts) == 0]
print(f"{len(points)} crossing points")
