#!/bin/sh
# Runs a command with a throwaway PostGIS server (Unix socket only, no TCP port), so the tests can
# read a real PostGIS layer through GDAL's PG: driver. The database holds shapefiles/border_posts.
# Exports CARAVAN_TEST_PG (a GDAL connection string) to the command; stops and removes the server after.
#   sh scripts/with-postgis.sh swift test --skip-build
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "with-postgis: no PostgreSQL server found (apt-get install postgresql postgis)" >&2; exit 1
fi
DIR=$(mktemp -d /tmp/caravan-pg.XXXXXX)
chmod 755 "$DIR"
RUN=""
if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; RUN="su postgres -s /bin/sh -c"; fi
as_pg() { if [ -n "$RUN" ]; then $RUN "$*"; else sh -c "$*"; fi; }
cleanup() { as_pg "'$PGBIN/pg_ctl' -D '$DIR/data' -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT INT TERM
as_pg "'$PGBIN/initdb' -D '$DIR/data' -A trust -U postgres" >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
as_pg "'$PGBIN/pg_ctl' -D '$DIR/data' -o \"-k $DIR -c listen_addresses=''\" -l '$DIR/server.log' -w start" >/dev/null
"$PGBIN/psql" -h "$DIR" -U postgres -q -c "CREATE DATABASE caravan_test" >/dev/null
"$PGBIN/psql" -h "$DIR" -U postgres -d caravan_test -q -c "CREATE EXTENSION postgis" >/dev/null
CONN="PG:host=$DIR user=postgres dbname=caravan_test"
ogr2ogr -f PostgreSQL "$CONN" "$ROOT/shapefiles/border_posts.shp" -nln border_posts -lco GEOMETRY_NAME=geom
export CARAVAN_TEST_PG="$CONN"
"$@"
