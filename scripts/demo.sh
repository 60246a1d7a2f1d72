#!/bin/sh
# The main job on the shipped data (make demo): every output lands in out/.
set -eu
CARAVAN=${CARAVAN:-.build/release/caravan}
OUT=${OUT:-out}
mkdir -p "$OUT"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. The shipped layers (caravan info)"
for layer in countries provinces borders roads railways border_posts; do
  "$CARAVAN" info "shapefiles/$layer.shp" | sed -n '2,4p'
done

say "2. Border lines derived from the country polygons (caravan borders)"
"$CARAVAN" borders shapefiles/countries.shp -o "$OUT/borders.geojson" --overwrite

say "3. Geocoding the events of the news page and the exercise seizures (caravan geocode)"
"$CARAVAN" geocode samples/events/caricc-2022.csv --column place --country-column country -o "$OUT/caricc-2022.geojson" --overwrite
"$CARAVAN" geocode samples/events/seizures.csv --column place --country-column country -o "$OUT/seizures.gpkg" --report "$OUT/seizures_to_check.csv" --overwrite

say "4. Trafficking corridors along the road network, with the crossings they pass (caravan network info, caravan routes --network)"
"$CARAVAN" network info shapefiles/roads.shp | head -7
"$CARAVAN" routes samples/routes/waypoints.csv --network shapefiles/roads.shp --snap line --max-snap 10km --countries shapefiles/countries.shp --posts shapefiles/border_posts.shp -o "$OUT/corridors.geojson" --overwrite
"$CARAVAN" routes samples/routes/waypoints.csv -o "$OUT/corridors_geodesic.geojson" --overwrite

say "5. Load of origin–destination flows on the roads, and Termez–Hairatan closed (caravan flows --closed)"
"$CARAVAN" flows samples/routes/flows.csv --network shapefiles/roads.shp --countries shapefiles/countries.shp --posts shapefiles/border_posts.shp --max-snap 10km --closed "Termez–Hairatan" -o "$OUT/flow_load.gpkg" --overwrite

say "6. Route density of the road and rail network, 25 km cells (caravan density)"
"$CARAVAN" density shapefiles/roads.shp --cell 25km -o "$OUT/road_density.geojson" --overwrite
"$CARAVAN" density shapefiles/roads.shp --cell 10km -o "$OUT/road_density.tif" --overwrite
"$CARAVAN" density shapefiles/railways.shp --grid hex --cell-area 1000km2 --study-area shapefiles/countries.shp --study-where "role = 'focus'" -o "$OUT/rail_density_hex.gpkg" --overwrite

say "7. Where the network crosses the borders of the region (KZ KG TJ TM UZ AF), and which crossings no known post covers (caravan crossings)"
"$CARAVAN" crossings shapefiles/roads.shp shapefiles/countries.shp --posts shapefiles/border_posts.shp --merge 2km -o "$OUT/road_crossings.geojson" --overwrite
"$CARAVAN" crossings shapefiles/railways.shp shapefiles/countries.shp --posts shapefiles/border_posts.shp -o "$OUT/rail_crossings.geojson" --overwrite

say "8. Hot spots of the seizures over the focus countries, 25 km cells, Gi* with FDR (caravan hotspots) and kernel density (caravan kde)"
"$CARAVAN" hotspots "$OUT/seizures.gpkg" --cell 25km --band 100km --fdr --study-area shapefiles/countries.shp --study-where "role = 'focus'" --report "$OUT/seizures_outside_study_area.csv" -o "$OUT/seizure_hotspots.geojson" --overwrite
"$CARAVAN" hotspots "$OUT/seizures.gpkg" --at shapefiles/border_posts.shp --radius 30km --band 400km -o "$OUT/seizures_at_posts.geojson" --overwrite
"$CARAVAN" kde "$OUT/seizures.gpkg" --cell 5km --radius 40km --weight amount_kg --study-area shapefiles/countries.shp --study-where "role = 'focus'" -o "$OUT/seizure_kde.tif" --overwrite

say "9. Seizures and kg per province, cross-checked against the country each row names (caravan count)"
"$CARAVAN" count "$OUT/seizures.gpkg" --polygons shapefiles/provinces.shp --weight amount_kg --report "$OUT/seizures_border_check.csv" -o "$OUT/seizures_per_province.geojson" --overwrite
"$CARAVAN" count "$OUT/seizures.gpkg" --polygons shapefiles/provinces.shp --weight amount_kg --assign-by country -o "$OUT/seizures_per_province_by_row.geojson" --overwrite

say "10. How the seizure hot spots change: space-time cube and emerging hot spots, quarterly (caravan cube, caravan emerging)"
"$CARAVAN" cube "$OUT/seizures.gpkg" --cell 25km --step 3months -o "$OUT/seizures_cube.nc" --overwrite
"$CARAVAN" emerging "$OUT/seizures_cube.nc" --band 100km -o "$OUT/seizures_emerging.gpkg" --bins "$OUT/seizures_emerging_bins.gpkg" --by year --overwrite

say "11. Maps for slides (PNG) and for print (PDF, A4) (caravan render)"
for fmt in png pdf; do
  size="--size 1920x1080"; [ "$fmt" = pdf ] && size="--paper A4 --landscape"
  "$CARAVAN" render "$OUT/seizure_hotspots.geojson" -o "$OUT/map_hotspots.$fmt" $size --overwrite \
    --title "Seizure hot spots, 2021–2023" --subtitle "Getis-Ord Gi* on 25 km cells, 100 km band, false discovery rate corrected · exercise data"
  "$CARAVAN" render "$OUT/road_density.tif" "$OUT/road_crossings.geojson" -o "$OUT/map_roads.$fmt" $size --overwrite \
    --title "Road density and border crossings" --subtitle "Main roads per 10 km cell; where roads cross a border, with or without a known post"
  "$CARAVAN" render "$OUT/seizures.gpkg:field=amount_kg" "$OUT/corridors.geojson" -o "$OUT/map_corridors.$fmt" $size --overwrite \
    --title "Trafficking corridors and seizures" --subtitle "Corridors through their waypoints; seizures sized by amount (kg) · exercise data"
done
say "12. The weekly set as a recipe: every layer, a manifest and the bulletin (caravan run)"
"$CARAVAN" run samples/recipes/weekly-bulletin.yaml -o "$OUT/bulletin"
printf 'The bulletin: %s/bulletin/bulletin.html (and bulletin.pdf); how each layer was made: %s/bulletin/manifest.json\n' "$OUT" "$OUT"
say "13. Reports to events: the CARICC news page compared with the hand-made table, and the Russian field reports (caravan extract)"
"$CARAVAN" extract samples/reports/caricc-news-2022.txt -o "$OUT/caricc-events.csv" --report "$OUT/caricc-review.csv" --compare samples/events/caricc-2022.csv --overwrite
"$CARAVAN" extract samples/reports/ru -o "$OUT/ru-events.gpkg" --report "$OUT/ru-review.csv" --lang ru --overwrite

printf '\nAll outputs are in %s/ — open the .geojson and .gpkg files in QGIS or ArcGIS Pro.\n' "$OUT"
