# Caravan — the two commands of the README, and the benchmarks.
#   make demo   install system libraries if missing, build, run the main job on the shipped data
#   make test   install system libraries if missing, build, run the test suite
#   make bench  peer benchmarks (not run by CI)
#   make fuzz   libFuzzer on the parsers (FUZZ_SECONDS each); make sanitize: the tests under ASan and TSan

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/release/caravan

.PHONY: deps test-deps build demo test bench fuzz sanitize tsan-parallel clean

# The C libraries (GDAL, GEOS, PROJ, Cairo, Pango), the map font and the GDAL command-line tools, from Debian's packages.
# The style tests open caravan's outputs in QGIS: python3-qgis and qgis-providers, from Debian's packages.
# The tests also read a real PostGIS database: PostgreSQL and PostGIS, from Debian's packages.
test-deps: deps
	@if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then \
	  echo "Installing postgresql postgresql-postgis (apt-get) for the PostGIS tests…"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql postgresql-postgis >/dev/null; \
	fi
	@if ! /usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1; then \
	  echo "Installing python3-qgis qgis-providers (apt-get) for the QGIS style tests…"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-qgis qgis-providers >/dev/null; \
	fi
	@# The recipe tests open the bulletin in headless Chromium and read its PDF (pdfinfo).
	@if ! command -v chromium >/dev/null || ! command -v pdfinfo >/dev/null; then \
	  echo "Installing chromium poppler-utils (apt-get) for the bulletin tests…"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium poppler-utils >/dev/null; \
	fi

deps:
	@if ! pkg-config --exists gdal geos proj pangocairo 2>/dev/null || ! command -v ogr2ogr >/dev/null || ! fc-list | grep -q "Noto Sans"; then \
	  echo "Installing libgdal-dev libgeos-dev libproj-dev gdal-bin libcairo2-dev libpango1.0-dev fonts-noto-core (apt-get)…"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libgdal-dev libgeos-dev libproj-dev gdal-bin pkg-config libcairo2-dev libpango1.0-dev fonts-noto-core >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c release --product caravan

demo: build
	@CARAVAN=$(BIN) sh scripts/demo.sh

# The tests run against a debug build: a clean optimised build of the tests
# (TEST_FLAGS="-c release -Xswiftc -enable-testing") runs the suite about twice as fast but takes
# several times longer to compile, which costs more than it saves on a fresh CI machine.
TEST_FLAGS ?=

test: test-deps
	$(SWIFT) build --build-tests $(TEST_FLAGS)
	sh scripts/with-postgis.sh $(SWIFT) test --skip-build $(TEST_FLAGS)

# Fuzzing (libFuzzer + ASan) of the parsers people type into; FUZZ_SECONDS per harness (default 120).
fuzz: deps
	sh scripts/fuzz.sh

# The test suite under AddressSanitizer, then ThreadSanitizer (separate build folders).
# Reports in C libraries that are not ours are suppressed narrowly and with reasons in
# scripts/sanitizers/*.supp. `make tsan-parallel`: only the parallel paths under TSan.
ASAN_ENV := ASAN_OPTIONS=detect_leaks=0:halt_on_error=1
TSAN_ENV := TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/scripts/sanitizers/tsan.supp"
TSAN_PARALLEL := DensityAnalysisTests|LineDensityTests|LineDensityOutputTests|EncoderTests|GeocodeTableTests|HotSpotsTests|KernelDensityTests|HotSpotPathsTests
sanitize: test-deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	$(ASAN_ENV) sh scripts/with-postgis.sh $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	$(TSAN_ENV) sh scripts/with-postgis.sh $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan

tsan-parallel: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	$(TSAN_ENV) $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_PARALLEL)'

bench: build
	@sh Benchmarks/run.sh

clean:
	rm -rf .build out
