#!/bin/sh
# The points, radii and GeoNames admin1 codes of scripts/gazetteer/provinces.tsv, from the prepared
# Natural Earth admin-1 polygons (central_asia_admin1.gpkg) and the prepared GeoNames extract:
#   sh scripts/gazetteer/province_points.sh DATA_DIR > points.tsv
# Columns: fid, country, name, gn_name, woe_name, lon, lat (the centroid, or the point on surface when the
# centroid is outside), radius_km (of a circle of the polygon's area), admin1 codes (of the GeoNames places
# inside, 10 %+ of them). The names, Russian and local forms in provinces.tsv are written by hand beside these.
# Needs gdal-bin (ogr2ogr with SpatiaLite) and python3.
set -eu
DATA=${1:?usage: province_points.sh DATA_DIR}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
awk -F'\t' 'BEGIN{OFS=","; print "gid,country,admin1,lon,lat"} NR>1 {print $1,$7,"\""$8"\"",$6,$5}' "$DATA/central_asia_gazetteer.tsv" > "$WORK/pts.csv"
ogr2ogr -f GPKG "$WORK/j.gpkg" "$DATA/central_asia_admin1.gpkg" admin1
ogr2ogr -update "$WORK/j.gpkg" "$WORK/pts.csv" -nln pts -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:4326
ogr2ogr -f CSV "$WORK/join.csv" "$WORK/j.gpkg" -dialect SQLite -sql "SELECT a.fid+0 AS afid, p.admin1 AS adm, count(*) AS n FROM admin1 a JOIN pts p ON p.country = a.country_iso_a2 AND ST_Within(p.geom, a.geom) GROUP BY a.fid, p.admin1 ORDER BY a.fid, n DESC"
ogr2ogr -f CSV "$WORK/geom.csv" "$WORK/j.gpkg" -dialect SQLite -sql "SELECT fid+0 AS afid, country_iso_a2 AS c, name, gn_name, woe_name,
  CASE WHEN ST_Within(ST_Centroid(geom), geom) THEN ST_X(ST_Centroid(geom)) ELSE ST_X(ST_PointOnSurface(geom)) END AS lon,
  CASE WHEN ST_Within(ST_Centroid(geom), geom) THEN ST_Y(ST_Centroid(geom)) ELSE ST_Y(ST_PointOnSurface(geom)) END AS lat,
  ST_Area(geom) AS a FROM admin1"
python3 - "$WORK" <<'PY'
import csv, math, sys
w = sys.argv[1]
codes = {}
for r in csv.DictReader(open(w + "/join.csv")):
    codes.setdefault(r["afid"], []).append((r["adm"], int(r["n"])))
for r in csv.DictReader(open(w + "/geom.csv")):
    c = codes.get(r["afid"], [])
    total = sum(n for _, n in c)
    lat = float(r["lat"])
    km2 = float(r["a"]) * 111.32 ** 2 * math.cos(math.radians(lat))   # degrees² to km² at the point's latitude
    print(r["afid"], r["c"], r["name"], r["gn_name"], r["woe_name"], "%.4f" % float(r["lon"]), "%.4f" % lat,
          "%.0f" % math.sqrt(km2 / math.pi), ",".join(a for a, n in c if n >= 0.1 * total), sep="\t")
PY
