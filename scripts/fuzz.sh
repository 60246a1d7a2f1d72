#!/bin/sh
# make fuzz: builds the caravan-fuzz harnesses with libFuzzer and AddressSanitizer and runs each
# for FUZZ_SECONDS (default 120). Inputs that crash land in Tests/Fuzz/<harness>/ as regression
# cases (`caravan-fuzz HARNESS FILE...` built normally replays them; a test does).
#
# SwiftPM links an executable with `--defsym main=<module>_main`; a libFuzzer binary's main is
# libFuzzer's own, so the link is redone from SwiftPM's own command line without that alias.
set -eu
SECONDS_EACH=${FUZZ_SECONDS:-120}
SCRATCH=.build-fuzz
FLAGS="-c release --product caravan-fuzz --scratch-path $SCRATCH -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DCARAVAN_FUZZ"
echo "fuzz: building the harnesses with libFuzzer and ASan (a few minutes the first time)…"
if ! swift build -v $FLAGS > $SCRATCH.log 2>&1; then
  link=$(grep -E '^/.*/swiftc .*-emit-executable.*caravan-fuzz' $SCRATCH.log | tail -1)
  [ -n "$link" ] || { tail -20 $SCRATCH.log; echo "fuzz: the build failed before linking (see $SCRATCH.log)"; exit 1; }
  link=$(printf '%s' "$link" | sed 's/-Xlinker --defsym -Xlinker main=caravan_fuzz_main//')
  sh -c "$link" > $SCRATCH.link.log 2>&1 || { tail -5 $SCRATCH.link.log; echo "fuzz: link failed"; exit 1; }
fi
BIN=$(swift build $FLAGS --show-bin-path)/caravan-fuzz
status=0
for h in ${FUZZ_HARNESSES:-geocode distance dates}; do
  corpus=$SCRATCH/corpus/$h; found=Tests/Fuzz/$h
  mkdir -p "$corpus" "$found"
  # Seed the corpus with the regression cases and a few typical inputs.
  cp "$found"/* "$corpus"/ 2>/dev/null || true
  printf 'Tashkent' > "$corpus/seed1"; printf 'г. Ош, Кыргызстан' > "$corpus/seed2"; printf '41.3N 69.2E' > "$corpus/seed3"
  printf '25km' > "$corpus/seed4"; printf '12.03.2023' > "$corpus/seed5"
  echo "fuzz: $h for ${SECONDS_EACH}s"
  if ! CARAVAN_FUZZ=$h "$BIN" -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 -timeout=10 \
       -artifact_prefix="$found/" -print_final_stats=1 "$corpus" > "$SCRATCH/$h.log" 2>&1; then
    status=1; echo "fuzz: $h FOUND A PROBLEM — see $SCRATCH/$h.log; the input is in $found/"
  fi
  grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$SCRATCH/$h.log" | sed "s/^/  $h: /"
done
exit $status
