#!/usr/bin/env bash
# The browser end-to-end run N times in a row (default 20), stopping at the first failure; prints
# each run's time and, at the end, the passes and the times (min, median, max). The .vsix and the
# compiled tests must be there already: npm run package && npx tsc -p tsconfig.test.json.
#   bash scripts/e2e-loop.sh 20
# Each run's output goes to test-results/e2e-loop/run-NN.log; a failed run's screenshots are kept
# in test-results/e2e-loop/failed-NN/.
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
logs=test-results/e2e-loop
rm -rf "$logs"
mkdir -p "$logs"
passed=0
times=()
echo "e2e-loop: $n runs; load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for i in $(seq 1 "$n"); do
  log=$(printf '%s/run-%02d.log' "$logs" "$i")
  start=$(date +%s.%N)
  node out/test/e2e/run.js >"$log" 2>&1
  status=$?
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  if [ $status -ne 0 ]; then
    printf 'e2e-loop: run %d FAILED after %.1f s (load %s): %s\n' "$i" "$secs" "$(cut -d' ' -f1 /proc/loadavg)" "$(grep -m1 'FAILED at step' "$log")"
    cp -r test-results/e2e "$(printf '%s/failed-%02d' "$logs" "$i")" 2>/dev/null
    echo "e2e-loop: $passed of $i passed; the failed run's output: $log"
    exit 1
  fi
  passed=$((passed + 1))
  times+=("$secs")
  printf 'e2e-loop: run %d passed in %.1f s (load %s)\n' "$i" "$secs" "$(cut -d' ' -f1 /proc/loadavg)"
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
min=$(echo "$sorted" | head -1)
max=$(echo "$sorted" | tail -1)
median=$(echo "$sorted" | sed -n "$(( (n + 1) / 2 ))p")
printf 'e2e-loop: %d of %d passed in a row; run time min %.1f s, median %.1f s, max %.1f s\n' "$passed" "$n" "$min" "$median" "$max"
