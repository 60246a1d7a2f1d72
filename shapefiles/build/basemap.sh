#!/bin/sh
# Rebuilds Sources/CaravanKit/Resources/basemap.gpkg, the countries `caravan render` draws under
# every map: Natural Earth 1:10m countries (v4.1.0, generalised, as shipped in Debian's
# qgis-common, public domain), NOT clipped to the analysis box (whose straight edges would show
# on a map) but to a wide lon 10..130, lat 5..80 window, simplified to 0.015 degrees (~1.5 km),
# the Baykonur lease merged into Kazakhstan, Siachen kept apart as XS.
# Usage: sh shapefiles/build/basemap.sh   (needs apt-get download and ogr2ogr)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
apt-get download qgis-common >/dev/null
dpkg-deb -x qgis-common_*.deb x
W=x/usr/share/qgis/resources/data/world_map.gpkg
OUT=$ROOT/Sources/CaravanKit/Resources/basemap.gpkg
rm -f "$OUT"
ogr2ogr -f GPKG "$OUT" "$W" -dialect SQLite -nln countries -nlt MULTIPOLYGON -simplify 0.015 -sql "
SELECT * FROM (
 SELECT c.iso_a2 AS iso_a2, c.ISO_A3 AS iso_a3, c.NAME AS name,
  CASE WHEN c.iso_a2 IN ('KZ','KG','TJ','TM','UZ','AF') THEN 'focus' WHEN c.iso_a2 IN ('CN','IR','PK','RU') THEN 'neighbour' ELSE 'context' END AS role,
  CastToMultiPolygon(ST_Intersection(CASE WHEN c.iso_a2='KZ' THEN ST_Union(c.geom, (SELECT s.geom FROM states_provinces s WHERE s.adm0_a3='KAB')) ELSE c.geom END, BuildMbr(10,5,130,80,4326))) AS geom
 FROM countries c WHERE c.iso_a2 <> '-1'
 UNION ALL SELECT 'XS','KAS','Siachen Glacier','context', CastToMultiPolygon(s.geom) FROM states_provinces s WHERE s.adm0_a3='KAS'
) WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom) AND ST_Area(geom) > 0.0001"
echo "wrote $OUT"
