#!/bin/sh
# make fuzz: builds the caravan-fuzz harnesses with libFuzzer and AddressSanitizer and runs each
# for FUZZ_SECONDS (default 120) or FUZZ_RUNS inputs, whichever comes first. Inputs that crash land
# in Tests/Fuzz/<harness>/ as regression cases (`caravan-fuzz HARNESS FILE...` built normally
# replays them; FuzzRegressionTests does).
#   FUZZ_HARNESSES="recipe extract" FUZZ_RUNS=1000000 FUZZ_SECONDS=3600 sh scripts/fuzz.sh
# Each harness's log (libFuzzer's stats: inputs run, time, exec/s) is .build-fuzz/<harness>.log.
#
# SwiftPM links an executable with `--defsym main=<module>_main`; a libFuzzer binary's main is
# libFuzzer's own, so the link is redone from SwiftPM's own command line without that alias.
set -eu
SECONDS_EACH=${FUZZ_SECONDS:-120}
RUNS=${FUZZ_RUNS:--1}
SCRATCH=.build-fuzz
FLAGS="-c release --product caravan-fuzz --scratch-path $SCRATCH -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DCARAVAN_FUZZ"
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  echo "fuzz: building the harnesses with libFuzzer and ASan (a few minutes the first time)…"
  if ! swift build -v $FLAGS > $SCRATCH.log 2>&1; then
    link=$(grep -E '^/.*/swiftc .*-emit-executable.*caravan-fuzz' $SCRATCH.log | tail -1)
    [ -n "$link" ] || { tail -20 $SCRATCH.log; echo "fuzz: the build failed before linking (see $SCRATCH.log)"; exit 1; }
    link=$(printf '%s' "$link" | sed 's/-Xlinker --defsym -Xlinker main=caravan_fuzz_main//')
    sh -c "$link" > $SCRATCH.link.log 2>&1 || { tail -5 $SCRATCH.link.log; echo "fuzz: link failed"; exit 1; }
  fi
fi
BIN=$(swift build $FLAGS --show-bin-path)/caravan-fuzz
status=0
for h in ${FUZZ_HARNESSES:-geocode distance dates recipe extract}; do
  corpus=$SCRATCH/corpus/$h; found=Tests/Fuzz/$h
  mkdir -p "$corpus" "$found"
  # Seed the corpus with the regression cases (typical inputs are among them: seed-*).
  cp "$found"/* "$corpus"/ 2>/dev/null || true
  # Whole documents get room; the one-line parsers stay short (what people type).
  case $h in recipe) maxlen=2048 ;; extract) maxlen=1024 ;; *) maxlen=256 ;; esac
  # The first input of geocode and extract also loads the gazetteer and builds the fuzzy index
  # (seconds under ASan): their time limit allows for it; a hang still trips it.
  case $h in geocode|extract) limit=${FUZZ_TIMEOUT:-60} ;; *) limit=${FUZZ_TIMEOUT:-10} ;; esac
  # Leak checking is off: the only leaks LeakSanitizer found (extract, 2026-12-02) are inside
  # Foundation (FileManager.contents(atPath:)'s read buffer, NSRegularExpression's CF object
  # behind a static let), not in caravan; ASan's memory errors are still fatal.
  echo "fuzz: $h for ${SECONDS_EACH}s or $RUNS inputs"
  if ! ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} CARAVAN_FUZZ=$h "$BIN" -max_total_time="$SECONDS_EACH" -runs="$RUNS" -max_len=$maxlen -rss_limit_mb=4096 -timeout=$limit -detect_leaks=0 \
       -artifact_prefix="$found/" -print_final_stats=1 "$corpus" > "$SCRATCH/$h.log" 2>&1; then
    status=1; echo "fuzz: $h FOUND A PROBLEM — see $SCRATCH/$h.log; the input is in $found/"
  fi
  grep -E "^stat::number_of_executed_units|^stat::average_exec_per_sec|^stat::new_units_added" "$SCRATCH/$h.log" | sed "s/^/  $h: /"
done
exit $status
