#!/bin/sh
# make bench: peer benchmarks, whole process against whole process, in one run. Not run by CI.
# Writes Benchmarks/results/latest.md. Large inputs are generated (seeded) into Benchmarks/data/.
set -eu
cd "$(dirname "$0")"
ROOT=..
CARAVAN=$ROOT/.build/release/caravan
DATA=data
RESULTS=results/latest.md
mkdir -p "$DATA" results
{ command -v /usr/bin/time && command -v bc; } >/dev/null || apt-get install -y -qq time bc >/dev/null

echo "== building caravan-bench and the C peer"
swift build -c release --product caravan-bench >/dev/null
BENCH=$(swift build -c release --show-bin-path)/caravan-bench
cc -O2 -o "$DATA/ogr_iterate" peers/ogr_iterate.c $(pkg-config --cflags --libs gdal)

[ -f "$DATA/routes_10m.gpkg" ] || { echo "== generating 10 million route vertices"; python3 generate.py routes 10e6 "$DATA/routes_10m.gpkg"; }

# measure LABEL CMD...: prints "seconds peak_MiB", best of 5 runs
measure() {
  label=$1; shift
  best=""
  for i in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o "$DATA/time.txt" "$@" >/dev/null 2>"$DATA/err.txt" || { cat "$DATA/err.txt"; exit 1; }
    read -r s kb < "$DATA/time.txt"
    if [ -z "$best" ] || [ "$(echo "$s < $best" | bc)" = 1 ]; then best=$s; mem=$((kb / 1024)); fi
  done
  echo "$best $mem"
}
ratio() { echo "scale=2; $1 / $2" | bc; }

{
echo "# Benchmarks — $(date -u +%Y-%m-%d), $(nproc) cores"
echo
echo "## Read 10 million vertices (GeoPackage) into coordinate arrays"
set -- $(measure gdal "$DATA/ogr_iterate" "$DATA/routes_10m.gpkg"); g=$1; gm=$2
set -- $(measure caravan "$BENCH" read "$DATA/routes_10m.gpkg"); c=$1; cm=$2
echo "| | seconds | peak MiB |"; echo "|---|---:|---:|"
echo "| GDAL C iteration (OGR_G_GetPoints) | $g | $gm |"
echo "| CaravanKit Layer.forEachGeometry | $c | $cm |"
echo; echo "Ratio Caravan / GDAL: **$(ratio "$c" "$g")** (target ≤ 1.2)"
echo
echo "## Convert to GeoJSON (RFC 7946, 6 decimals)"
rm -f "$DATA/o1.geojson" "$DATA/o2.geojson"
set -- $(measure ogr2ogr sh -c "rm -f $DATA/o1.geojson; ogr2ogr -f GeoJSON -lco RFC7946=YES -lco COORDINATE_PRECISION=6 $DATA/o1.geojson $DATA/routes_10m.gpkg"); o=$1; om=$2
set -- $(measure caravan "$CARAVAN" convert "$DATA/routes_10m.gpkg" "$DATA/o2.geojson" --overwrite); c=$1; cm=$2
echo "| | seconds | peak MiB |"; echo "|---|---:|---:|"
echo "| ogr2ogr -f GeoJSON | $o | $om |"
echo "| caravan convert | $c | $cm |"
echo; echo "Ratio Caravan / ogr2ogr: **$(ratio "$c" "$o")** (target ≤ 1.2)"
} | tee "$RESULTS"
