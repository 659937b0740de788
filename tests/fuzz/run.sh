#!/usr/bin/env bash
# Runs every fuzz target (or the TARGETs named) for SECONDS each (default 10) on its seed corpus
# (tests/fuzz/make_seeds.py, from tests/data) and prints the executions, exec/s, wall seconds and
# final corpus size per target; exits non-zero when a target finds a crash, a leak, undefined
# behaviour or a timeout (its reproducer is left in the work folder it names).
# HFRUN_FUZZ_RUNS=N stops each target after N executions instead (SECONDS still caps it): the long
# runs of docs/reliability.md are HFRUN_FUZZ_RUNS=10000000 tests/fuzz/run.sh 5400 TARGET.
# Build first: cmake --preset fuzz && cmake --build --preset fuzz   (docs/reliability.md)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-10}"
shift || true
bin="${HFRUN_FUZZ_DIR:-$root/build-fuzz/tests/fuzz}"
targets=(fuzz_sse fuzz_http_replies fuzz_task_decode fuzz_hub_names fuzz_space fuzz_flavor
  fuzz_batch_lines fuzz_params)
if [[ $# -gt 0 ]]; then
  targets=("$@")
fi
runs=()
if [[ -n "${HFRUN_FUZZ_RUNS:-}" ]]; then
  runs=(-runs="$HFRUN_FUZZ_RUNS")
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/hfrun-fuzz.XXXXXX")"
/usr/bin/python3 "$root/tests/fuzz/make_seeds.py" "$work/seeds"
status=0
printf '%-20s %12s %10s %8s %8s  %s\n' target executions exec/s seconds corpus result
for target in "${targets[@]}"; do
  if [[ ! -x "$bin/$target" ]]; then
    echo "$target: not built in $bin (cmake --preset fuzz && cmake --build --preset fuzz)" >&2
    exit 2
  fi
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  log="$work/$target/log.txt"
  start=$SECONDS
  set +e
  (cd "$work/$target" && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$bin/$target" -max_total_time="$seconds" "${runs[@]}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/$target/artifacts/" corpus "$work/seeds/$target" \
    >"$log" 2>&1)
  rc=$?
  set -e
  wall=$((SECONDS - start))
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  corpus="$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' "$log" | tail -1)"
  if [[ $rc -eq 0 ]]; then
    result=ok
  else
    result="FAILED (rc $rc): see $log and $work/$target/artifacts/"
    status=1
  fi
  printf '%-20s %12s %10s %8s %8s  %s\n' "$target" "${execs:-?}" "${rate:-?}" "$wall" "${corpus:-?}" \
    "$result"
done
if [[ $status -eq 0 && -z "${HFRUN_FUZZ_KEEP:-}" ]]; then
  rm -rf "$work"
fi
exit $status
