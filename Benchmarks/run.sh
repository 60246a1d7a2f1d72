#!/bin/sh
# make bench: peer benchmarks, whole process against whole process, side by side in one run.
# Not run by CI. Usage: sh Benchmarks/run.sh [read] [convert] [density] ...   (default: all)
# Results go to Benchmarks/results/<section>.md. Large inputs are generated (seeded) into
# Benchmarks/data/; Python peers run in Benchmarks/.venv, made here.
set -eu
cd "$(dirname "$0")"
ROOT=$(cd .. && pwd)
CARAVAN=$ROOT/.build/release/caravan
DATA=data
mkdir -p "$DATA" results
{ command -v /usr/bin/time && command -v bc; } >/dev/null || apt-get install -y -qq time bc >/dev/null
SECTIONS=${*:-read convert writer density hotspots crossings geocode render emerging network extract}

echo "== building caravan-bench and the C peer"
case " $SECTIONS " in   # the network, emerging and extract sections need only the caravan binary
*" read "*|*" convert "*|*" writer "*|*" density "*|*" hotspots "*|*" crossings "*|*" geocode "*|*" render "*) NEED_BENCH=1 ;;
*) NEED_BENCH=0 ;;
esac
if [ "$NEED_BENCH" = 1 ]; then
swift build -c release --product caravan-bench >/dev/null
BENCH=$(swift build -c release --show-bin-path)/caravan-bench
fi
cc -O2 -o "$DATA/ogr_iterate" peers/ogr_iterate.c $(pkg-config --cflags --libs gdal)

venv() {
  [ -x .venv/bin/python ] || { echo "== creating the Python peers' virtual environment"; python3 -m venv .venv; }
  .venv/bin/python -c "import numpy, shapely, pyproj, pyogrio, geopandas, esda, libpysal, rapidfuzz, geotext, dateparser, natasha" 2>/dev/null ||
    .venv/bin/pip install -q numpy shapely pyproj pyogrio geopandas esda libpysal rapidfuzz geotext dateparser natasha
}
routes() { # routes N NAME
  [ -f "$DATA/$2.gpkg" ] || { echo "== generating $1 route vertices"; python3 generate.py routes "$1" "$DATA/$2.gpkg"; }
}

# measure CMD...: prints "seconds peak_MiB", best of 3 runs (1 run when BENCH_ONCE=1 or the run takes > 60 s)
measure() {
  best=""; mem=0
  for i in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$DATA/time.txt" "$@" >/dev/null 2>"$DATA/err.txt" || { cat "$DATA/err.txt" >&2; echo "FAILED 0"; return; }
    read -r s kb < "$DATA/time.txt"
    if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" = 1 ]; then best=$s; mem=$((kb / 1024)); fi
    [ "${BENCH_ONCE:-0}" = 1 ] && break
    [ "$(echo "$s > 60" | bc)" = 1 ] && break
  done
  echo "$best $mem"
}
ratio() { echo "scale=2; $1 / $2" | bc; }
row() { echo "| $1 | $2 | $3 |"; }

for section in $SECTIONS; do
case $section in
read)
  routes 10e6 routes_10m
  {
  echo "## Read 10 million vertices (GeoPackage) into coordinate arrays — $(date -u +%F), $(nproc) cores"
  set -- $(measure "$DATA/ogr_iterate" "$DATA/routes_10m.gpkg"); g=$1; gm=$2
  set -- $(measure "$BENCH" read "$DATA/routes_10m.gpkg"); c=$1; cm=$2
  echo "| | seconds | peak MiB |"; echo "|---|---:|---:|"
  row "GDAL C iteration (OGR_G_GetPoints)" "$g" "$gm"
  row "CaravanKit Layer.forEachGeometry" "$c" "$cm"
  echo; echo "Ratio Caravan / GDAL: **$(ratio "$c" "$g")** (target ≤ 1.2)"
  } | tee results/read.md ;;
convert)
  routes 10e6 routes_10m
  {
  echo "## Convert 10 million vertices to GeoJSON (RFC 7946, 6 decimals) — $(date -u +%F), $(nproc) cores"
  set -- $(measure sh -c "rm -f $DATA/o1.geojson; ogr2ogr -f GeoJSON -lco RFC7946=YES -lco COORDINATE_PRECISION=6 $DATA/o1.geojson $DATA/routes_10m.gpkg"); o=$1; om=$2
  set -- $(measure "$CARAVAN" convert "$DATA/routes_10m.gpkg" "$DATA/o2.geojson" --overwrite); c=$1; cm=$2
  echo "| | seconds | peak MiB |"; echo "|---|---:|---:|"
  row "ogr2ogr -f GeoJSON" "$o" "$om"
  row "caravan convert (own streaming encoder, 2 threads)" "$c" "$cm"
  sed 3d "$DATA/o1.geojson" | cmp -s - "$DATA/o2.geojson" && same="byte-identical to ogr2ogr's but for its \`name\` member" || same="differs from ogr2ogr's beyond the \`name\` member"
  echo; echo "Speed-up over ogr2ogr: **$(ratio "$o" "$c")×** (goal ≥ 3×). Output $same."
  rm -f "$DATA/o1.geojson" "$DATA/o2.geojson"
  } | tee results/convert.md ;;
writer)
  # The one result writer: the 1 M-vertex density grid (5 km cells) in every format, against its GeoTIFF.
  routes 1e6 routes_1m
  CRS="+proj=laea +lat_0=42 +lon_0=67 +datum=WGS84 +units=m +type=crs"
  {
  echo "## Writing the 1 M-vertex density grid (5 km cells) — $(date -u +%F), $(nproc) cores"
  echo; echo "| output | seconds | peak MiB | MB | × GeoTIFF |"; echo "|---|---:|---:|---:|---:|"
  set -- $(measure "$CARAVAN" density "$DATA/routes_1m.gpkg" --cell 5km --crs "$CRS" -o "$DATA/w.tif" --overwrite); t=$1
  echo "| GeoTIFF | $1 | $2 | $(du -m "$DATA/w.tif" | cut -f1) | 1 |"
  for ext in geojson csv gpkg fgb; do
    set -- $(measure "$CARAVAN" density "$DATA/routes_1m.gpkg" --cell 5km --crs "$CRS" -o "$DATA/w.$ext" --overwrite)
    echo "| $ext | $1 | $2 | $(du -m "$DATA/w.$ext" | cut -f1) | $(ratio "$1" "$t") |"
    [ "$ext" = geojson ] && gj=$1
  done
  echo; echo "GeoJSON / GeoTIFF: **$(ratio "$gj" "$t")** (goal ≤ 3). GeoJSON and CSV: caravan's encoder; GeoPackage and FlatGeobuf: GDAL."
  rm -f "$DATA"/w.*
  } | tee results/writer.md ;;
density)
  venv; routes 1e6 routes_1m; routes 10e6 routes_10m
  CRS="+proj=laea +lat_0=42 +lon_0=67 +datum=WGS84 +units=m +type=crs"
  {
  echo "## Route density, 5 km square cells — $(date -u +%F), $(nproc) cores"
  for n in 1m 10m; do
    f="$DATA/routes_$n.gpkg"
    echo; echo "### $n vertices"; echo
    echo "| | seconds | peak MiB | × Caravan |"; echo "|---|---:|---:|---:|"
    set -- $(measure "$DATA/ogr_iterate" "$f"); rd=$1; rdm=$2
    set -- $(measure "$CARAVAN" density "$f" --cell 5km --crs "$CRS" -o "$DATA/caravan_$n.tif" --overwrite); c=$1; cm=$2
    set -- $(measure "$CARAVAN" density "$f" --cell 5km --crs "$CRS" -o "$DATA/caravan_$n.csv" --overwrite); cc=$1; ccm=$2
    set -- $(measure .venv/bin/python peers/density_numpy.py "$f" "$CRS" 5000 "$DATA/numpy_$n.csv"); np=$1; npm=$2
    if [ "$n" = 1m ] || [ "${BENCH_GEOPANDAS_10M:-0}" = 1 ]; then
      set -- $(BENCH_ONCE=1 measure .venv/bin/python peers/density_geopandas.py "$f" "$CRS" 5000 "$DATA/geopandas_$n.csv"); gp=$1; gpm=$2
    else gp=""; fi
    echo "| GDAL: merely reading the layer (C) | $rd | $rdm | $(ratio "$rd" "$c") |"
    echo "| **caravan density** → GeoTIFF | **$c** | **$cm** | 1 |"
    echo "| caravan density → CSV (GDAL's CSV writer, 8 columns with lon/lat) | $cc | $ccm | $(ratio "$cc" "$c") |"
    echo "| numpy hand-vectorised traversal (→ 3-column CSV) | $np | $npm | $(ratio "$np" "$c") |"
    [ -n "$gp" ] && echo "| GeoPandas/Shapely STRtree + intersection | $gp | $gpm | $(ratio "$gp" "$c") |"
    echo
    echo "Caravan vs numpy: $(.venv/bin/python peers/compare_cells.py "$DATA/caravan_$n.csv" "$DATA/numpy_$n.csv")  "
    [ -n "$gp" ] && echo "Caravan vs GeoPandas: $(.venv/bin/python peers/compare_cells.py "$DATA/caravan_$n.csv" "$DATA/geopandas_$n.csv")"
  done
  echo; echo "Targets: ≥ 20× GeoPandas, ≥ 3× numpy, ≤ 2× reading through GDAL; peak memory bounded by the grid, not the input."
  } | tee results/density.md ;;
hotspots)
  venv
  [ -f "$DATA/events_1m.csv" ] || python3 generate.py events 1e6 "$DATA/events_1m.csv"
  [ -f "$DATA/events_100k.csv" ] || python3 generate.py events 1e5 "$DATA/events_100k.csv"
  CRS="+proj=laea +lat_0=42 +lon_0=67 +datum=WGS84 +units=m +type=crs"
  {
  echo "## Hot spots (Gi*) — $(date -u +%F), $(nproc) cores"
  echo; echo "### ~100,000 cells (5 km), band 25 km (5 cell widths)"; echo
  "$CARAVAN" hotspots "$DATA/events_100k.csv" --cell 5km --band 25km --crs "$CRS" -o "$DATA/hs_100k.csv" --overwrite >/dev/null 2>&1
  set -- $(measure "$CARAVAN" hotspots "$DATA/events_100k.csv" --cell 5km --band 25km --crs "$CRS" -o "$DATA/hs_100k.csv" --overwrite); c=$1; cm=$2
  set -- $(BENCH_ONCE=1 measure .venv/bin/python peers/hotspots_esda.py "$DATA/hs_100k.csv" 5000 25000); e=$1; em=$2
  echo "| | seconds | peak MiB | × Caravan |"; echo "|---|---:|---:|---:|"
  echo "| **caravan hotspots** (aggregation of 100,000 events included) | **$c** | **$cm** | 1 |"
  echo "| esda G_Local + libpysal DistanceBand (on Caravan's grid) | $e | $em | $(ratio "$e" "$c") |"
  echo; echo "Agreement: $(.venv/bin/python peers/hotspots_esda.py "$DATA/hs_100k.csv" 5000 25000 --compare)"
  "$CARAVAN" hotspots "$DATA/events_100k.csv" --cell 5km --band 25km --study-area "$ROOT/shapefiles/countries.shp" --study-where "role = 'focus'" -o "$DATA/hs_100k_masked.csv" --overwrite >/dev/null 2>&1
  echo; echo "Masked grid (cells inside the focus countries only, the study-area fast path): $(.venv/bin/python peers/hotspots_esda.py "$DATA/hs_100k_masked.csv" 5000 25000 --compare)"
  echo; echo "### ~1,000,000 cells (2 km), band 60 km (30 cell widths, ~2,800 neighbours per cell), 1,000,000 events"; echo
  set -- $(measure "$CARAVAN" hotspots "$DATA/events_1m.csv" --cell 2km --band 60km --crs "$CRS" -o "$DATA/hs_1m.csv" --overwrite); c=$1; cm=$2
  set -- $(measure "$CARAVAN" hotspots "$DATA/events_1m.csv" --cell 2km --band 2km --crs "$CRS" -o "$DATA/hs_1m.csv" --overwrite); a=$1; am=$2
  echo "| | seconds | peak MiB |"; echo "|---|---:|---:|"
  echo "| caravan hotspots, band 30 cells (read + aggregate + Gi* + write ~1M cells as CSV) | $c | $cm |"
  echo "| the same with a 1-cell band (≈ reading, aggregating and writing alone) | $a | $am |"
  echo; echo "esda cannot hold ~2.8 billion weights in memory; Caravan's disk convolution needs none."
  } | tee results/hotspots.md ;;
crossings)
  venv; routes 10e6 routes_10m
  {
  echo "## Border crossings of 10 million route vertices against the shipped borders — $(date -u +%F), $(nproc) cores"
  set -- $(measure "$CARAVAN" crossings "$DATA/routes_10m.gpkg" "$ROOT/shapefiles/borders.shp" -o "$DATA/x.csv" --overwrite); c=$1; cm=$2
  set -- $(BENCH_ONCE=1 measure .venv/bin/python peers/crossings_shapely.py "$DATA/routes_10m.gpkg" "$ROOT/shapefiles/borders.shp"); p=$1; pm=$2
  echo "| | seconds | peak MiB | × Caravan |"; echo "|---|---:|---:|---:|"
  echo "| **caravan crossings** (CSV output; the peer writes nothing) | **$c** | **$cm** | 1 |"
  echo "| Shapely STRtree + intersection | $p | $pm | $(ratio "$p" "$c") |"
  echo; echo "Caravan: $(($(wc -l < "$DATA/x.csv") - 1)) crossings; Shapely: $(.venv/bin/python peers/crossings_shapely.py "$DATA/routes_10m.gpkg" "$ROOT/shapefiles/borders.shp")"
  } | tee results/crossings.md ;;
geocode)
  venv
  [ -f "$DATA/places_1m.csv" ] || python3 generate.py places 1e6 "$DATA/places_1m.csv"
  {
  echo "## Geocoding — $(date -u +%F), $(nproc) cores"
  echo; echo "One core, the shipped gazetteer (GeoNames and the border posts); the fuzzy index is built on first use and timed apart:"; echo
  for run in 1 2 3; do echo "- Caravan, run $run: $("$BENCH" geocode 200000)"; done   # this machine varies run to run
  echo "- Python (a dict of the same normal forms; rapidfuzz): $(.venv/bin/python peers/geocode_rapidfuzz.py "$ROOT/Sources/CaravanKit/Resources/gazetteer.tsv" 200000)"
  echo; echo "CSV tables geocoded in streaming fashion (both cores): memory must not grow with the rows."; echo
  head -100001 "$DATA/places_1m.csv" > "$DATA/places_100k.csv"
  set -- $(measure "$CARAVAN" geocode "$DATA/places_100k.csv" --column place -o "$DATA/places_out.csv" --overwrite); s=$1; sm=$2
  set -- $(measure "$CARAVAN" geocode "$DATA/places_1m.csv" --column place -o "$DATA/places_out.csv" --overwrite); c=$1; cm=$2
  echo "| caravan geocode | seconds | peak MiB |"; echo "|---|---:|---:|"
  echo "| 100,000 rows | $s | $sm |"
  echo "| 1,000,000 rows | $c | $cm |"
  # Whole process, 200,000 rows of exact names (places over 20,000 people): caravan geocode against
  # the Python peer (csv module, a dict of the gazetteer's normal forms, csv writer), CSV in and out.
  [ -f "$DATA/exact_200k.csv" ] || python3 generate.py exact 2e5 "$DATA/exact_200k.csv" "$ROOT/Sources/CaravanKit/Resources/gazetteer.tsv"
  # Interleaved runs (caravan, then the peer, five times): this shared machine's speed drifts by
  # half from minute to minute, so each round's ratio is taken, and the medians are shown.
  once() { # "elapsed cpu peak_MiB" of one run
    /usr/bin/time -f "%e %U %S %M" -o "$DATA/time.txt" "$@" >/dev/null 2>"$DATA/err.txt" || { cat "$DATA/err.txt" >&2; echo "FAILED 0 0"; return; }
    read -r e u s kb < "$DATA/time.txt"; echo "$e $(echo "$u + $s" | bc) $((kb / 1024))"
  }
  median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  GE=""; GC=""; PE=""; PC=""; RE=""; RC=""
  for round in 1 2 3 4 5; do
    set -- $(once "$CARAVAN" geocode "$DATA/exact_200k.csv" --column place -o "$DATA/exact_out.csv" --overwrite); ge=$1; gc=$2; gm=$3
    set -- $(once .venv/bin/python peers/geocode_rapidfuzz.py table "$ROOT/Sources/CaravanKit/Resources/gazetteer.tsv" "$DATA/exact_200k.csv" place "$DATA/exact_peer.csv"); pe=$1; pc=$2; pm=$3
    GE="$GE $ge"; GC="$GC $gc"; PE="$PE $pe"; PC="$PC $pc"; RE="$RE $(ratio "$pe" "$ge")"; RC="$RC $(ratio "$pc" "$gc")"
  done
  echo; echo "Whole process, 200,000 rows of exact names, CSV in and CSV out (load average $load at the start; $(nproc) cores; medians of five interleaved rounds, the ratios each round's):"; echo
  echo "| | elapsed s | CPU s | peak MiB | × Caravan (CPU) | × Caravan (elapsed) |"; echo "|---|---:|---:|---:|---:|---:|"
  echo "| **caravan geocode** | **$(echo $GE | median)** | $(echo $GC | median) | $gm | 1 | 1 |"
  echo "| Python peer (csv module, dict of normal forms) | $(echo $PE | median) | $(echo $PC | median) | $pm | $(echo $RC | median) | **$(echo $RE | median)** |"
  echo; echo "Each round's ratio, elapsed:$RE; CPU:$RC."
  echo; echo "Goal: the peer's time / Caravan's ≥ 5."
  } | tee results/geocode.md ;;
render)
  # The demo's 10 km road-density grid (498 x 362 = 180,276 cells) and its 3,000 geocoded seizures.
  OUTD="$ROOT/out"; mkdir -p "$OUTD"
  [ -f "$OUTD/road_density.tif" ] || "$CARAVAN" density "$ROOT/shapefiles/roads.shp" --cell 10km -o "$OUTD/road_density.tif" --overwrite >/dev/null
  [ -f "$OUTD/seizures.gpkg" ] || "$CARAVAN" geocode "$ROOT/samples/events/seizures.csv" --column place --country-column country -o "$OUTD/seizures.gpkg" --overwrite >/dev/null 2>&1
  /usr/bin/python3 -c "import qgis.core" 2>/dev/null || { echo "render: python3-qgis is missing (make test-deps installs it)"; exit 2; }
  {
  echo "## Render the 180,276-cell density grid and 3,000 events at 1920x1080 — $(date -u +%F), $(nproc) cores"
  echo; echo "Whole process, PNG written. QGIS: QgsMapRendererSequentialJob headless (peers/render_qgis.py: the raster in five classes,"
  echo "events sized by amount_kg, the country outlines). Caravan: the same layers plus its base map, towns, legend, scale bar."; echo
  set -- $(measure env QT_QPA_PLATFORM=offscreen /usr/bin/python3 peers/render_qgis.py "$OUTD/road_density.tif" "$OUTD/seizures.gpkg" "$ROOT/shapefiles/countries.shp" "$DATA/qgis_map.png" 1920x1080); q=$1; qm=$2
  set -- $(measure "$CARAVAN" render "$OUTD/road_density.tif" "$OUTD/seizures.gpkg:field=amount_kg" -o "$DATA/caravan_map.png" --overwrite); c=$1; cm=$2
  set -- $(measure "$CARAVAN" render "$OUTD/road_density.tif" "$OUTD/seizures.gpkg:field=amount_kg" -o "$DATA/caravan_map.pdf" --paper A4 --landscape --overwrite); p=$1; pm=$2
  set -- $(measure "$CARAVAN" render "$OUTD/road_density.tif" "$OUTD/seizures.gpkg:field=amount_kg" -o "$DATA/caravan_big.png" --size 3840x2160 --overwrite); b=$1; bm=$2
  echo "| | seconds | peak MiB |"; echo "|---|---:|---:|"
  row "QGIS 3.22 QgsMapRendererSequentialJob, 1920x1080 PNG" "$q" "$qm"
  row "caravan render, 1920x1080 PNG (georeferenced)" "$c" "$cm"
  row "caravan render, A4 landscape PDF" "$p" "$pm"
  row "caravan render, 3840x2160 PNG" "$b" "$bm"
  echo; echo "Ratio Caravan / QGIS at 1920x1080: **$(ratio "$c" "$q")** (target < 1)"
  } | tee results/render.md ;;
emerging)
  # Emerging hot spots: 1,000,000 events over 36 monthly steps, 25 km cells, band 75 km, whole process.
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -c "import numpy, pandas, pyproj, scipy" 2>/dev/null || .venv/bin/pip install -q numpy pandas pyproj scipy
  .venv/bin/python -c "import pymannkendall" 2>/dev/null || .venv/bin/pip install -q pymannkendall || true
  [ -f "$DATA/emerging_1m.csv" ] || .venv/bin/python peers/emerging_numpy.py generate 1e6 "$DATA/emerging_1m.csv"
  CRS="+proj=laea +lat_0=42 +lon_0=67 +datum=WGS84 +units=m +type=crs"
  # cpu CMD...: "elapsed cpu peak_MiB", best of 3 by CPU time (user + sys: fair on a shared machine)
  cpu() {
    best=""
    for i in 1 2 3; do
      /usr/bin/time -f "%e %U %S %M" -o "$DATA/time.txt" "$@" >/dev/null 2>"$DATA/err.txt" || { cat "$DATA/err.txt" >&2; echo "FAILED 0 0"; return; }
      read -r e u s kb < "$DATA/time.txt"
      c=$(echo "$u + $s" | bc)
      if [ -z "$best" ] || [ "$(echo "$c < $best" | bc)" = 1 ]; then best=$c; el=$e; mem=$((kb / 1024)); fi
    done
    echo "$el $best $mem"
  }
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  {
  echo "## Emerging hot spots — $(date -u +%F), $(nproc) cores"
  echo; echo "1,000,000 events (CSV), 36 monthly steps, 25 km square cells, band 75 km, time window 1; whole process (read, cube, Gi*, FDR, Mann–Kendall, patterns, write)."; echo
  set -- $(cpu "$CARAVAN" emerging "$DATA/emerging_1m.csv" --cell 25km --step 1month --band 75km --crs "$CRS" -o "$DATA/emerging_caravan.csv" --overwrite); ce=$1; cc=$2; cm=$3
  set -- $(cpu "$CARAVAN" cube "$DATA/emerging_1m.csv" --cell 25km --step 1month --crs "$CRS" -o "$DATA/emerging_cube.nc" --overwrite); ke=$1; kc=$2; km=$3
  set -- $(cpu .venv/bin/python peers/emerging_numpy.py run "$DATA/emerging_1m.csv" 25000 75000 "$CRS" "$DATA/emerging_peer.csv"); pe=$1; pc=$2; pm=$3
  set -- $(cpu "$CARAVAN" --version); fe=$1; fc=$2; fm=$3
  set -- $(cpu .venv/bin/python -c "import numpy, pandas, pyproj, scipy.special"); ie=$1; ic=$2; im=$3
  # Memory bounded by the cube: ten times the events (the same table ten times: the same cube, ten times the counts).
  [ -f "$DATA/emerging_10m.csv" ] || { head -1 "$DATA/emerging_1m.csv"; for i in 1 2 3 4 5 6 7 8 9 10; do tail -n +2 "$DATA/emerging_1m.csv"; done; } > "$DATA/emerging_10m.csv"
  set -- $(cpu "$CARAVAN" emerging "$DATA/emerging_10m.csv" --cell 25km --step 1month --band 75km --crs "$CRS" -o "$DATA/emerging_caravan10.csv" --overwrite); te=$1; tc=$2; tm=$3
  echo "Load average when the runs began: $load (2 cores shared; CPU time is the fairer figure)."; echo
  echo "| | elapsed s | CPU s | peak MiB | × Caravan (CPU) | × Caravan (elapsed) |"; echo "|---|---:|---:|---:|---:|---:|"
  echo "| **caravan emerging** | $ce | **$cc** | $cm | 1 | 1 |"
  echo "| caravan cube (to netCDF) | $ke | $kc | $km | | |"
  echo "| caravan emerging, 10,000,000 events (memory: the cube and one 16 MB batch, not the events) | $te | $tc | $tm | | |"
  echo "| numpy peer (pandas read_csv, pyproj, numpy convolution and Mann–Kendall) | $pe | $pc | $pm | $(ratio "$pc" "$cc") | $(ratio "$pe" "$ce") |"
  echo "| fixed cost: caravan --version (loading Swift, GDAL, PROJ, GEOS: 155 libraries) | $fe | $fc | $fm | | |"
  echo "| fixed cost: the peer's imports (numpy, pandas, pyproj, scipy.special) | $ie | $ic | $im | | |"
  echo; echo "Agreement: $(.venv/bin/python peers/emerging_numpy.py compare "$DATA/emerging_peer.csv" "$DATA/emerging_caravan.csv")"
  echo; echo "$(.venv/bin/python peers/emerging_numpy.py mk-check)"
  } | tee results/emerging.md ;;
network)
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -c "import numpy, scipy, networkx, igraph, shapely, pyogrio, pyproj" 2>/dev/null ||
    .venv/bin/pip install -q numpy scipy networkx igraph shapely pyogrio pyproj
  ROADS=$ROOT/shapefiles/roads.shp
  [ -f "$DATA/network_flows.csv" ] || .venv/bin/python peers/network_graph.py inputs "$ROADS" "$DATA"
  total() { .venv/bin/python -c "import csv,sys; print(round(sum(float(r['length_km']) for r in csv.DictReader(open(sys.argv[1])) if r['length_km'] not in ('', 'inf')), 3))" "$1"; }
  # nmeasure CMD...: "wall peak_MiB cpu" of the faster of 2 runs, every side alike (cpu: user + system seconds)
  nmeasure() {
    best=""; mem=0; cpu=0
    for i in 1 2; do
      /usr/bin/time -f "%e %M %U %S" -o "$DATA/time.txt" "$@" >/dev/null 2>"$DATA/err.txt" || { cat "$DATA/err.txt" >&2; echo "FAILED 0 0"; return; }
      read -r s kb u sy < "$DATA/time.txt"
      if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" = 1 ]; then best=$s; mem=$((kb / 1024)); cpu=$(echo "$u + $sy" | bc); fi
    done
    echo "$best $mem $cpu"
  }
  loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
  ONE=""; command -v taskset >/dev/null && ONE="taskset -c 0"
  nhead() { echo "| | wall s | CPU s | peak MiB | wall × Caravan | CPU × Caravan |"; echo "|---|---:|---:|---:|---:|---:|"; }
  nline() { echo "| $1 | $2 | $4 | $3 | $(ratio "$2" "$c") | $(ratio "$4" "$cc") |"; }
  {
  echo "## Shortest paths on the shipped roads (23,459 nodes, 36,148 routed edges) — $(date -u +%F), $(nproc) cores"
  echo
  echo "Whole process on every side: read shapefiles/roads.shp, build the graph, snap the points to the nearest"
  echo "node, route, write a CSV. The peers build the same graph (peers/network_graph.py: endpoints within 1 m one"
  echo "node, WGS84 geodesic lengths, the shorter of parallel lines, no loops) and snap with a k-d tree; they write"
  echo "one length per route or flow, Caravan writes every route's geometry (WKT) and, for flows, the load CSV of all"
  echo "36,220 lines with geometry and the 100,000-row flows CSV. Caravan runs on both cores (searches in parallel,"
  echo "results in input order, the same with one thread); scipy and igraph run on one. The \"one core\" rows pin"
  echo "Caravan to one CPU (taskset -c 0). Each side runs twice, back to back; the faster run is shown."
  echo; echo "### 2,000 routes (two waypoints each, random nodes)"; echo
  l0=$(loadavg)
  set -- $(nmeasure "$CARAVAN" routes "$DATA/network_routes.csv" --network "$ROADS" -o "$DATA/nr_astar.csv" --overwrite); c=$1; cm=$2; cc=$3
  set -- $(nmeasure $ONE "$CARAVAN" routes "$DATA/network_routes.csv" --network "$ROADS" -o "$DATA/nr_one.csv" --overwrite); c1=$1; c1m=$2; c1c=$3
  set -- $(nmeasure "$CARAVAN" routes "$DATA/network_routes.csv" --network "$ROADS" --search dijkstra -o "$DATA/nr_dijkstra.csv" --overwrite); cd=$1; cdm=$2; cdc=$3
  set -- $(nmeasure .venv/bin/python peers/network_route.py scipy routes "$ROADS" "$DATA/network_routes.csv" "$DATA/nr_scipy.csv"); s=$1; sm=$2; sc=$3
  set -- $(nmeasure .venv/bin/python peers/network_route.py igraph routes "$ROADS" "$DATA/network_routes.csv" "$DATA/nr_igraph.csv"); i=$1; im=$2; ic=$3
  l1=$(loadavg)
  nhead
  echo "| **caravan routes --network** (A*: 16 ALT landmarks and the geodesic bound; 2 threads) | **$c** | **$cc** | **$cm** | 1 | 1 |"
  nline "caravan routes --network, one core" "$c1" "$c1m" "$c1c"
  nline "caravan routes --network --search dijkstra (early exit at the target)" "$cd" "$cdm" "$cdc"
  nline "scipy.sparse.csgraph.dijkstra (full trees from the distinct sources, predecessors walked)" "$s" "$sm" "$sc"
  nline "igraph get_shortest_paths (epath, per source)" "$i" "$im" "$ic"
  echo; echo "Load average (1, 5, 15 min) before: $l0; after: $l1."
  echo "scipy ÷ Caravan: **$(ratio "$s" "$c")×** wall, **$(ratio "$sc" "$cc")×** CPU, $(ratio "$s" "$c1")× wall on one core; igraph ÷ Caravan: **$(ratio "$i" "$c")×** wall, $(ratio "$ic" "$cc")× CPU."
  cmp -s "$DATA/nr_astar.csv" "$DATA/nr_one.csv" && rsame="byte-identical" || rsame="DIFFERENT"
  echo; echo "Caravan's output on one core and on two: $rsame."
  echo "Total km: Caravan A* $(total "$DATA/nr_astar.csv"), Dijkstra $(total "$DATA/nr_dijkstra.csv"), scipy $(total "$DATA/nr_scipy.csv"), igraph $(total "$DATA/nr_igraph.csv")"
  echo; echo "### 100,000 flows among 1,000 places (\"lat, lon\" text, geocoded by Caravan), load on every edge"; echo
  l0=$(loadavg)
  set -- $(nmeasure "$CARAVAN" flows "$DATA/network_flows.csv" --network "$ROADS" --max-snap 50km -o "$DATA/nf_load.csv" --overwrite); c=$1; cm=$2; cc=$3
  set -- $(nmeasure $ONE "$CARAVAN" flows "$DATA/network_flows.csv" --network "$ROADS" --max-snap 50km -o "$DATA/nf_one.csv" --overwrite); c1=$1; c1m=$2; c1c=$3
  set -- $(nmeasure .venv/bin/python peers/network_route.py scipy flows "$ROADS" "$DATA/network_flows.csv" "$DATA/nf_scipy.csv"); s=$1; sm=$2; sc=$3
  set -- $(nmeasure .venv/bin/python peers/network_route.py igraph flows "$ROADS" "$DATA/network_flows.csv" "$DATA/nf_igraph.csv"); i=$1; im=$2; ic=$3
  l1=$(loadavg)
  nhead
  echo "| **caravan flows** (a Dijkstra tree per origin, stopped when its destinations are settled; 2 threads) | **$c** | **$cc** | **$cm** | 1 | 1 |"
  nline "caravan flows, one core" "$c1" "$c1m" "$c1c"
  nline "scipy.sparse.csgraph.dijkstra, 100 sources a time, paths walked in Python" "$s" "$sm" "$sc"
  nline "igraph get_shortest_paths per source, numpy loads" "$i" "$im" "$ic"
  echo; echo "Load average (1, 5, 15 min) before: $l0; after: $l1."
  echo "scipy ÷ Caravan: **$(ratio "$s" "$c")×** wall, **$(ratio "$sc" "$cc")×** CPU, $(ratio "$s" "$c1")× wall on one core; igraph ÷ Caravan: **$(ratio "$i" "$c")×** wall, $(ratio "$ic" "$cc")× CPU."
  cmp -s "$DATA/nf_load.csv" "$DATA/nf_one.csv" && cmp -s "$DATA/nf_load_flows.csv" "$DATA/nf_one_flows.csv" && same="byte-identical" || same="DIFFERENT"
  echo; echo "Total km: Caravan $(total "$DATA/nf_load_flows.csv"), scipy $(total "$DATA/nf_scipy.csv"), igraph $(total "$DATA/nf_igraph.csv"). Caravan's outputs on one core and on two: $same."
  echo; echo "Targets: ≥ 3× scipy, ≥ 1× igraph (whole process, wall)."
  echo
  echo "Where Caravan's CPU time goes (perf record, 2026-12-02, these inputs). Routes: the A* searches 47 %, the 16"
  echo "landmark trees 4.5 %, reading the roads and building the graph 7 %, paths and their geometry 8.5 %, the CSV with"
  echo "WKT 6.6 %. Flows: the 1,000 Dijkstra trees 66 %, reading the trees out (lengths, load pushed up each tree in"
  echo "settle order) 8.5 %, writing 4 %, the gazetteer 2.4 %, reading the roads 1.5 %. What paid (CPU, same inputs):"
  echo "16 ALT landmarks over the chord bound alone 1.9 → 1.0 s for the routes (8 landmarks 1.3 s, 24 1.1 s, 32 1.2 s,"
  echo "48 1.3 s); reading each origin's tree once in settle order instead of walking every flow's path back, plus"
  echo "target and cost packed in one array and the snap text formatted once per place, 4.8 → 3.8 s for the flows."
  echo "Grouping by origin was already done (one tree per origin); the 2,000 routes have 2,000 distinct origins, so"
  echo "it cannot help them. Bidirectional search and contraction hierarchies were not tried."
  } | tee results/network.md ;;
extract)
  # 10,000 report pages (seeded), then the labelled set: caravan extract against geotext+dateparser and natasha.
  venv
  R=$DATA/reports10k
  [ -f "$R/report-09999.txt" ] || { echo "== generating 10,000 report pages"; python3 peers/extract_generate.py 10000 "$R"; }
  mkdir -p "$DATA/reports200"; [ -f "$DATA/reports200/report-00199.txt" ] || cp "$R"/report-00[01]??.txt "$DATA/reports200/"
  {
  echo "## Reports to events: 10,000 generated report pages (2,400-2,900 characters each; 2 in 3 English news items, 1 in 3 Russian field reports) — $(date -u +%F), $(nproc) cores"
  echo; echo "Whole process, read the files, find dates, places (geocoded), kinds, amounts, write a CSV. The peers are timed on the first 200 of the same pages (10,000 would take them too long); reports/s compares."
  echo
  set -- $(measure "$CARAVAN" extract "$R" -o "$DATA/extract_caravan.csv" --report "$DATA/extract_review.csv" --overwrite); c=$1; cm=$2
  set -- $(measure "$CARAVAN" extract "$DATA/reports200" -o "$DATA/extract_caravan200.csv" --overwrite); c5=$1; c5m=$2
  set -- $(BENCH_ONCE=1 measure .venv/bin/python peers/extract_peers.py geotext "$DATA/reports200" "$DATA/extract_geotext.csv"); g=$1; gm=$2
  set -- $(BENCH_ONCE=1 measure .venv/bin/python peers/extract_peers.py natasha "$DATA/reports200" "$DATA/extract_natasha.csv"); n=$1; nm=$2
  rate() { echo "scale=1; $1 / $2" | bc; }
  cr=$(rate 10000 "$c"); gr=$(rate 200 "$g"); nr=$(rate 200 "$n")
  echo "| | reports | seconds | peak MiB | reports/s | caravan's reports/s × |"; echo "|---|---:|---:|---:|---:|---:|"
  echo "| **caravan extract** (both cores, streamed) | 10,000 | **$c** | **$cm** | **$cr** | 1 |"
  echo "| caravan extract | 200 | $c5 | $c5m | $(rate 200 "$c5") | |"
  echo "| geotext + dateparser.search_dates (English and Russian) | 200 | $g | $gm | $gr | $(ratio "$cr" "$gr") |"
  echo "| natasha (its NER and DatesExtractor; Russian pages only, the others skipped) | 200 | $n | $nm | $nr | $(ratio "$cr" "$nr") |"
  echo; echo "Events: caravan $(($(wc -l < "$DATA/extract_caravan.csv") - 1)) from 10,000 pages; on the 200: caravan $(($(wc -l < "$DATA/extract_caravan200.csv") - 1)), geotext+dateparser $(($(wc -l < "$DATA/extract_geotext.csv") - 1)), natasha $(($(wc -l < "$DATA/extract_natasha.csv") - 1)) (date, place) pairs."
  for set in eval holdout holdout2; do
  echo; echo "### (date, place) pairs on samples/reports/$set (labelled by hand before the extractor ran on it)"; echo
  "$CARAVAN" extract "$ROOT/samples/reports/$set" -o "$DATA/${set}_caravan.csv" --overwrite >/dev/null 2>&1
  .venv/bin/python peers/extract_peers.py geotext "$ROOT/samples/reports/$set" "$DATA/${set}_geotext.csv"
  .venv/bin/python peers/extract_peers.py natasha "$ROOT/samples/reports/$set" "$DATA/${set}_natasha.csv"
  .venv/bin/python peers/extract_score.py "$ROOT/samples/reports/$set/labels.csv" "$ROOT/samples/reports/$set" "$DATA/${set}_caravan.csv" "$DATA/${set}_geotext.csv" "$DATA/${set}_natasha.csv"
  done
  echo; echo "Goal: caravan precision ≥ 0.95 and recall ≥ 0.90, better than every peer."
  } | tee results/extract.md.new
  # The hand-written notes below the measured part of results/extract.md are kept.
  [ -f results/extract.md ] && sed -n '/^<!-- notes -->/,$p' results/extract.md >> results/extract.md.new
  mv results/extract.md.new results/extract.md ;;
*) echo "unknown section $section (read, convert, writer, density, hotspots, crossings, geocode, render, emerging, network, extract)"; exit 2 ;;
esac
done
