# Caravan — the two commands of the README, and the benchmarks.
#   make demo   install system libraries if missing, build, run the main job on the shipped data
#   make test   install system libraries if missing, build, run the test suite
#   make bench  peer benchmarks (not run by CI)

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/release/caravan

.PHONY: deps test-deps build demo test bench clean

# The C libraries (GDAL, GEOS, PROJ) and the GDAL command-line tools, from Debian's packages.
# The tests also read a real PostGIS database: PostgreSQL and PostGIS, from Debian's packages.
test-deps: deps
	@if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then \
	  echo "Installing postgresql postgresql-postgis (apt-get) for the PostGIS tests…"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql postgresql-postgis >/dev/null; \
	fi
	@# The recipe tests open the bulletin in headless Chromium and read its PDF (pdfinfo).
	@if ! command -v chromium >/dev/null || ! command -v pdfinfo >/dev/null; then \
	  echo "Installing chromium poppler-utils (apt-get) for the bulletin tests…"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium poppler-utils >/dev/null; \
	fi

deps:
	@if ! pkg-config --exists gdal geos proj 2>/dev/null || ! command -v ogr2ogr >/dev/null; then \
	  echo "Installing libgdal-dev libgeos-dev libproj-dev gdal-bin (apt-get)…"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libgdal-dev libgeos-dev libproj-dev gdal-bin pkg-config >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c release --product caravan

demo: build
	@CARAVAN=$(BIN) sh scripts/demo.sh

test: test-deps
	$(SWIFT) build --build-tests
	sh scripts/with-postgis.sh $(SWIFT) test --skip-build

bench: build
	@sh Benchmarks/run.sh

clean:
	rm -rf .build out
