#!/bin/sh
# The main job on the shipped data (make demo). Writes everything under out/.
set -eu
CARAVAN=${CARAVAN:-.build/release/caravan}
OUT=${OUT:-out}
mkdir -p "$OUT"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "The shipped layers"
for layer in countries provinces borders roads railways border_posts; do
  "$CARAVAN" info "shapefiles/$layer.shp" | sed -n '1,5p'
done

say "Borders derived from the country polygons (caravan borders)"
"$CARAVAN" borders shapefiles/countries.shp -o "$OUT/borders.geojson" --overwrite

say "Focus countries and border posts as GeoJSON for QGIS / ArcGIS (caravan convert)"
"$CARAVAN" convert shapefiles/countries.shp "$OUT/focus_countries.geojson" --where "role = 'focus'" --overwrite
"$CARAVAN" convert shapefiles/border_posts.shp "$OUT/border_posts.geojson" --overwrite
"$CARAVAN" convert samples/events/seizures.xlsx "$OUT/seizures.gpkg" --overwrite

printf '\nOutputs are in %s/\n' "$OUT"
ls -la "$OUT"
