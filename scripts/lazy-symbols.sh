#!/bin/sh
# Writes Sources/CLazyLibraries/symbols.def: every GDAL and PROJ function caravan's objects call
# (their undefined symbols that libgdal or libproj defines), each a lazy trampoline.
# Run after a build that compiled the objects (a missing function fails the link):
#   swift build -c release --product caravan; sh scripts/lazy-symbols.sh
set -eu
build=${1:-.build/release}
lib=$(dirname "$(readlink -f /usr/lib/*/libgdal.so)")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
find "$build/" -path '*CaravanKit.build/*.o' | xargs nm -u | awk '{print $NF}' | sort -u > "$tmp/undefined"
nm -D --defined-only "$lib/libproj.so" | awk '{print $3}' | sort -u > "$tmp/proj"
nm -D --defined-only "$lib/libgdal.so" | awk '{print $3}' | sort -u | comm -23 - "$tmp/proj" > "$tmp/gdal"
out=Sources/CLazyLibraries/symbols.def
{
  echo "/* The GDAL and PROJ functions caravan calls, each a lazy trampoline (trampolines.S)."
  echo "   Made by scripts/lazy-symbols.sh from the objects' undefined symbols; a function missing"
  echo "   here is a link error (\"undefined reference\"). */"
  comm -12 "$tmp/undefined" "$tmp/gdal" | sed 's/.*/GDAL(&)/'
  comm -12 "$tmp/undefined" "$tmp/proj" | sed 's/.*/PROJ(&)/'
} > "$out"
echo "$(grep -c '^GDAL(' "$out") GDAL and $(grep -c '^PROJ(' "$out") PROJ functions in $out"
