#!/usr/bin/env bash
# The README's first run, timed: a fresh clone of this repository, then `scripts/demo.sh` twice
# (the first builds hfrun and the emulator with the `demo` preset, the second rebuilds nothing).
# ccache is disabled so the first build compiles everything, as on a fresh machine. The Debian
# packages are not removed first: their install time on a fresh machine is measured separately
# (docs/benchmarks.md, "First run").
#
#   tests/bench/first_run_bench.sh [--keep DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
keep=""
while (($#)); do
  case "$1" in
    --keep) keep="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "first_run_bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
work="$(mktemp -d "${TMPDIR:-/tmp}/hfrun-first-run.XXXXXX")"
cleanup() { [[ -n "$keep" ]] && mkdir -p "$keep" && cp "$work"/*.log "$keep"/ 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

git clone -q "$repo" "$work/clone"
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores" >&2
export CCACHE_DISABLE=1
t0=$(now)
/usr/bin/time -f "%U %S" -o "$work/first.cpu" "$work/clone/scripts/demo.sh" >"$work/first.out" 2>"$work/first.log"
t1=$(now)
"$work/clone/scripts/demo.sh" >"$work/second.out" 2>"$work/second.log"
t2=$(now)
read -r user sys <"$work/first.cpu"
first=$(elapsed "$t0" "$t1")
second=$(elapsed "$t1" "$t2")
cpu=$(python3 -c "import sys; print(f'{float(sys.argv[1]) + float(sys.argv[2]):.0f}')" "$user" "$sys")
grep -q "demo done" "$work/first.log" || { echo "first_run_bench: the first demo did not finish" >&2; tail "$work/first.log" >&2; exit 1; }
grep -q "demo done" "$work/second.log" || { echo "first_run_bench: the second demo did not finish" >&2; exit 1; }
echo "| run | wall s | CPU s (user+sys) |"
echo "|---|---|---|"
echo "| first (clone, configure, build hfrun + emulator, demo) | $first | $cpu |"
echo "| second (nothing to rebuild, demo) | $second | |"
echo "BENCH figure=first-run wall_s=$first cpu_s=$cpu target_s=240"
echo "BENCH figure=second-run wall_s=$second target_s=10"
