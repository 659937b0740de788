#!/usr/bin/env bash
# `hfrun local` with transformers.js, warm (model folder on disk, runtime installed), whole processes
# (issue #14's local benchmark, issue #15's local batch figure):
#   a) one text-classification: `hfrun local MODEL --text TEXT --json` vs tests/bench/local_node.mjs
#      (the same @huggingface/transformers pipeline, loaded with the worker's options, the result
#      printed as JSON); RUNS runs of each, alternating: median, p90, ratio hfrun/node (target <= 1.3);
#   b) LINES lines of {"id": N, "text": "..."} through one `hfrun local MODEL --batch in.jsonl -o
#      out.jsonl` vs LINES separate `hfrun local MODEL --text ... --json` calls: wall, ratio
#      (target: batch <= 1/10 of separate);
#   c) where a whole `hfrun local` run goes: hfrun's own start (`hfrun --version`), node's start
#      (`node -e 0`), node + the runtime's import, + the model's load (local_node.mjs --stage), and
#      STRACE_RUNS runs of hfrun under `strace -f --seccomp-bpf` cut at the worker's execve, its port
#      file, hfrun reading it, the SIGTERM and the worker's exit (medians).
# Every result is checked (a label in each reply; LINES ok rows). The model is the tiny BERT of
# tests/local/make_tiny_models.py unless --model names a folder (config.json and onnx/model.onnx).
# Builds nothing. Needs node and tests/local/node_modules (tests/local/setup.sh), /usr/bin/python3
# with onnx and numpy (for the tiny model), strace for (c) (skipped without it).
#
#   tests/bench/local_bench.sh [--hfrun PATH] [--model DIR] [--runs N] [--lines N] [--strace-runs N] [--keep DIR]
#
# Figures, 2026-12-02 (Debian 12, 2 CPUs shared with other benchmarks; node 20.20.2,
# @huggingface/transformers 4.3.2, the tiny BERT; defaults: 20 runs, 100 lines, 5 strace'd runs).
# Two runs, at a 1-min load of about 4 and about 12 (the second in brackets):
#   (a) hfrun local --json median 336 ms, p90 380 ms [475, 599]; node local_node.mjs median 286 ms,
#       p90 323 ms [425, 523]; hfrun/node 1.17x, p90 1.18x [1.12x, 1.15x]: target <= 1.3x met.
#   (b) 100 lines: one --batch 0.46 s [0.44 s], 100 separate calls 36.16 s [53.98 s]:
#       0.013 [0.008], 79x [122x]: target <= 1/10 met.
#   (c) alone: hfrun --version 7 ms [12], node -e 0 55 ms [59], + import 168 ms [253],
#       + pipeline() 219 ms [302]. hfrun under strace: 10 ms [10] to the worker's execve, 242 ms [317]
#       worker execve .. port file (node start, runtime import, model load, listen), 25 ms [26]
#       until hfrun reads the port file (polled every 50 ms, src/backends/local.cpp), 12 ms [16]
#       request, 22 ms [23] worker shutdown after SIGTERM, 19 ms [20] until hfrun has reaped it and
#       exited (ChildProcess::stop polls every 20 ms).
#
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
hfrun_src="$repo/build/src/hfrun"
model=""
runs=20
lines=100
strace_runs=5
keep=""
text="great good love"

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while (($#)); do
  case "$1" in
    --hfrun) hfrun_src="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --lines) lines="$2"; shift 2 ;;
    --strace-runs) strace_runs="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "local_bench: unknown argument $1" >&2; usage 2 ;;
  esac
done
for n in "$runs" "$lines"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "local_bench: --runs and --lines take a positive number, not $n" >&2; exit 2; }
done
[[ "$strace_runs" =~ ^[0-9]+$ ]] || { echo "local_bench: --strace-runs takes a number, not $strace_runs" >&2; exit 2; }
command -v node >/dev/null || { echo "local_bench: node is required" >&2; exit 2; }
[[ -x /usr/bin/python3 ]] || { echo "local_bench: /usr/bin/python3 is required" >&2; exit 2; }
runtime_dir="${HFRUN_LOCAL_RUNTIME_DIR:-$repo/tests/local}"
[[ -f "$runtime_dir/node_modules/@huggingface/transformers/package.json" ]] ||
  { echo "local_bench: no @huggingface/transformers under $runtime_dir (run tests/local/setup.sh)" >&2; exit 2; }
[[ -x "$hfrun_src" ]] || { echo "local_bench: $hfrun_src not found (build it, or pass --hfrun)" >&2; exit 2; }
if ((strace_runs > 0)) && ! command -v strace >/dev/null; then
  echo "local_bench: no strace, (c) has no timeline of the hfrun run (apt-get install strace)" >&2
  strace_runs=0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/hfrun-local-bench.XXXXXX")"
cleanup() {
  if [[ -n "$keep" ]]; then
    mkdir -p "$keep"
    cp "$work"/*.tsv "$work"/*.txt "$work"/*.jsonl "$keep"/ 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# A copy: the build tree's binary may be rebuilt while this runs.
cp "$hfrun_src" "$work/hfrun"
hfrun="$work/hfrun"
node_script="$here/local_node.mjs"
export TMPDIR="$work/tmp" XDG_CACHE_HOME="$work/xdg-cache" XDG_CONFIG_HOME="$work/xdg-config"
export HF_HUB_OFFLINE=1 HFRUN_LOCAL_RUNTIME_DIR="$runtime_dir"
unset HF_TOKEN HUGGING_FACE_HUB_TOKEN HF_HUB_CACHE HF_HOME
mkdir -p "$TMPDIR"

if [[ -z "$model" ]]; then
  /usr/bin/python3 "$repo/tests/local/make_tiny_models.py" "$work/models" >/dev/null ||
    { echo "local_bench: make_tiny_models.py failed (Debian: python3-onnx python3-numpy)" >&2; exit 2; }
  model="$work/models/text-classifier"
fi
model="$(realpath "$model")"
[[ -f "$model/config.json" && -f "$model/onnx/model.onnx" ]] ||
  { echo "local_bench: $model has no config.json and onnx/model.onnx" >&2; exit 2; }

load() { cut -d' ' -f1 /proc/loadavg; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", b - a }'; }
# stats FILE: median p90 min max of the numbers in FILE (p90: nearest rank).
stats() {
  sort -g "$1" | awk '{ a[NR] = $1 } END {
    m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    p = int(0.9 * NR); if (p < 0.9 * NR) p++; if (p < 1) p = 1
    printf "%.3f %.3f %.3f %.3f\n", m, a[p], a[1], a[NR] }'
}
# timed OUT CMD...: runs CMD (stdout to OUT, stderr to $work/err.txt), prints its wall seconds.
timed() {
  local out="$1" t0 t1
  shift
  t0=$EPOCHREALTIME
  if ! "$@" >"$out" 2>"$work/err.txt"; then
    echo "local_bench: failed: $*" >&2
    cat "$work/err.txt" >&2
    exit 1
  fi
  t1=$EPOCHREALTIME
  elapsed "$t0" "$t1"
}

echo "== hfrun local benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "   hfrun:   $hfrun_src ($("$hfrun" --version))"
echo "   node:    $(node --version), @huggingface/transformers $(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
  "$runtime_dir/node_modules/@huggingface/transformers/package.json") from $runtime_dir"
echo "   model:   $model"
echo "   runs:    $runs of each in (a), alternating; $lines lines in (b); $strace_runs strace'd runs in (c)"

hfrun_one=("$hfrun" local "$model" --text "$text" --json)
node_one=(node "$node_script" "$runtime_dir" "$model" "$text")

# One of each first (not counted): the page cache holds node, the runtime and the model.
timed "$work/out.txt" "${hfrun_one[@]}" >/dev/null
grep -q '"label"' "$work/out.txt" || { echo "local_bench: hfrun's reply has no label:" >&2; cat "$work/out.txt" >&2; exit 1; }
hfrun_label="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["labels"][0]["label"])' "$work/out.txt")"
timed "$work/out.txt" "${node_one[@]}" >/dev/null
node_label="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["label"])' "$work/out.txt")"
[[ "$hfrun_label" == "$node_label" ]] ||
  { echo "local_bench: hfrun says $hfrun_label, transformers.js says $node_label" >&2; exit 1; }

echo
echo "-- (a) one text-classification, whole process ($runs each, alternating)"
: >"$work/a_hfrun.txt"
: >"$work/a_node.txt"
load_a0="$(load)"
for ((r = 1; r <= runs; r++)); do
  if ((r % 2)); then order=(hfrun node); else order=(node hfrun); fi
  for tool in "${order[@]}"; do
    if [[ "$tool" == hfrun ]]; then
      t="$(timed "$work/out.txt" "${hfrun_one[@]}")"
      grep -q "\"$hfrun_label\"" "$work/out.txt" || { echo "local_bench: hfrun run $r: no $hfrun_label" >&2; exit 1; }
    else
      t="$(timed "$work/out.txt" "${node_one[@]}")"
      grep -q "\"$node_label\"" "$work/out.txt" || { echo "local_bench: node run $r: no $node_label" >&2; exit 1; }
    fi
    echo "$t" >>"$work/a_$tool.txt"
  done
done
load_a1="$(load)"
read -r h_med h_p90 h_min h_max < <(stats "$work/a_hfrun.txt")
read -r n_med n_p90 n_min n_max < <(stats "$work/a_node.txt")
ratio_med="$(awk -v a="$h_med" -v b="$n_med" 'BEGIN { printf "%.2f", a / b }')"
ratio_p90="$(awk -v a="$h_p90" -v b="$n_p90" 'BEGIN { printf "%.2f", a / b }')"
ok_a="$(awk -v r="$ratio_med" 'BEGIN { print (r <= 1.3) ? "met" : "NOT met" }')"

echo
echo "-- (b) $lines lines: one hfrun local --batch vs $lines separate hfrun local calls"
/usr/bin/python3 - "$lines" "$work/in.jsonl" <<'EOF'
import json, sys
words = ["great", "good", "love", "bad", "awful", "hate", "fine", "movie", "the", "plot"]
with open(sys.argv[2], "w") as f:
    for i in range(int(sys.argv[1])):
        text = " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(3 + i % 5))
        f.write(json.dumps({"id": i, "text": text}) + "\n")
EOF
load_b0="$(load)"
t_batch="$(timed "$work/batch_stdout.txt" "$hfrun" local "$model" --batch "$work/in.jsonl" -o "$work/out.jsonl")"
/usr/bin/python3 - "$lines" "$work/out.jsonl" <<'EOF' || exit 1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[2])]
bad = [r for r in rows if not r.get("ok")]
ids = sorted(r["id"] for r in rows)
if len(rows) != int(sys.argv[1]) or bad or ids != list(range(int(sys.argv[1]))):
    sys.exit(f"local_bench: --batch gave {len(rows)} rows, {len(bad)} not ok (want {sys.argv[1]}, all ok, one per id)")
EOF
mapfile -t texts < <(/usr/bin/python3 -c 'import json,sys; [print(json.loads(l)["text"]) for l in open(sys.argv[1])]' "$work/in.jsonl")
t0=$EPOCHREALTIME
for t in "${texts[@]}"; do
  "$hfrun" local "$model" --text "$t" --json >"$work/out.txt" 2>"$work/err.txt" ||
    { echo "local_bench: hfrun local --text '$t' failed" >&2; cat "$work/err.txt" >&2; exit 1; }
  grep -q '"label"' "$work/out.txt" || { echo "local_bench: no label for '$t'" >&2; exit 1; }
done
t1=$EPOCHREALTIME
t_separate="$(elapsed "$t0" "$t1")"
load_b1="$(load)"
ratio_b="$(awk -v a="$t_batch" -v b="$t_separate" 'BEGIN { printf "%.4f", a / b }')"
speedup_b="$(awk -v a="$t_batch" -v b="$t_separate" 'BEGIN { printf "%.0f", b / a }')"
ok_b="$(awk -v r="$ratio_b" 'BEGIN { print (r <= 0.1) ? "met" : "NOT met" }')"

echo
echo "-- (c) where a whole hfrun local run goes"
# Stages measured on their own (RUNS each, medians): what the worker does before it listens.
stage() { # NAME CMD...
  local name="$1" r
  shift
  : >"$work/c_$name.txt"
  for ((r = 1; r <= runs; r++)); do
    timed /dev/null "$@" >>"$work/c_$name.txt"
    echo >>"$work/c_$name.txt"
  done
  stats "$work/c_$name.txt" | cut -d' ' -f1
}
load_c0="$(load)"
s_hfrun="$(stage hfrun_version "$hfrun" --version)"
s_node="$(stage node_e0 node -e 0)"
s_import="$(stage node_import node "$node_script" "$runtime_dir" "$model" "$text" --stage import)"
s_load="$(stage node_load node "$node_script" "$runtime_dir" "$model" "$text" --stage load)"

# The timeline of hfrun runs under strace (seccomp-bpf: only the syscalls named stop the process).
timeline=""
if ((strace_runs > 0)); then
  : >"$work/c_timeline.tsv"
  for ((r = 1; r <= strace_runs; r++)); do
    strace -f --seccomp-bpf -ttt -s 256 -o "$work/strace.txt" \
      -e trace=execve,rename,renameat,renameat2,openat,connect,kill,exit_group \
      "${hfrun_one[@]}" >"$work/out.txt" 2>"$work/err.txt" ||
      { echo "local_bench: hfrun under strace failed" >&2; cat "$work/err.txt" >&2; exit 1; }
    /usr/bin/python3 - "$work/strace.txt" >>"$work/c_timeline.tsv" <<'EOF' || exit 1
import re, sys
ev = {}
main = worker = None
for line in open(sys.argv[1]):
    m = re.match(r"(\d+) (\d+\.\d+) (.*)", line)
    if not m:
        continue
    pid, t, rest = int(m.group(1)), float(m.group(2)), m.group(3)
    if main is None and rest.startswith("execve("):
        main = pid; ev["start"] = t
    elif rest.startswith('execve("') and "transformers_js.mjs" in rest and " = 0" in rest:
        worker = pid; ev["exec"] = t
    elif rest.startswith("rename") and 'port.json")' in rest:
        ev.setdefault("ready", t)
    elif pid == main and rest.startswith("openat(") and 'port.json"' in rest and "= -1" not in rest:
        ev.setdefault("seen", t)
    elif pid == main and rest.startswith("kill(") and "SIGTERM" in rest:
        ev.setdefault("term", t)
    elif pid == worker and rest.startswith("+++ exited"):
        ev["gone"] = t
    elif pid == main and (rest.startswith("+++ exited") or rest.startswith("exit_group(")):
        ev["end"] = t
need = ["start", "exec", "ready", "seen", "term", "gone", "end"]
if [k for k in need if k not in ev]:
    sys.exit(f"local_bench: the strace timeline lacks {[k for k in need if k not in ev]}")
print("\t".join(f"{ev[b] - ev[a]:.4f}" for a, b in zip(need, need[1:])) + f"\t{ev['end'] - ev['start']:.4f}")
EOF
  done
  for col in 1 2 3 4 5 6 7; do
    cut -f"$col" "$work/c_timeline.tsv" >"$work/c_col.txt"
    timeline+="$(stats "$work/c_col.txt" | cut -d' ' -f1) "
  done
fi
load_c1="$(load)"

ms() { awk -v s="$1" 'BEGIN { printf "%6.0f ms", s * 1000 }'; }
echo
echo "== results (load: a $load_a0..$load_a1, b $load_b0..$load_b1, c $load_c0..$load_c1)"
printf '%-58s %9s %9s %9s %9s\n' "(a) one text-classification, whole process" median p90 min max
printf '%-58s %9s %9s %9s %9s\n' "hfrun local MODEL --text ... --json" "$(ms "$h_med")" "$(ms "$h_p90")" "$(ms "$h_min")" "$(ms "$h_max")"
printf '%-58s %9s %9s %9s %9s\n' "node local_node.mjs (transformers.js pipeline)" "$(ms "$n_med")" "$(ms "$n_p90")" "$(ms "$n_min")" "$(ms "$n_max")"
printf '%-58s %9s %9s   target <= 1.30 (median): %s\n' "ratio hfrun/node" "${ratio_med}x" "${ratio_p90}x" "$ok_a"
echo
printf '%-58s %12s\n' "(b) $lines lines" wall
printf '%-58s %9.2f s\n' "one hfrun local MODEL --batch in.jsonl -o out.jsonl" "$t_batch"
printf '%-58s %9.2f s\n' "$lines separate hfrun local MODEL --text ... --json" "$t_separate"
printf '%-58s %12s   target <= 0.1: %s (%sx faster)\n' "ratio batch/separate" "$ratio_b" "$ok_b" "$speedup_b"
echo
printf '%-58s %9s\n' "(c) stages on their own (medians of $runs)" wall
printf '%-58s %9s\n' "hfrun --version (hfrun's own process start)" "$(ms "$s_hfrun")"
printf '%-58s %9s\n' "node -e 0 (node's start and exit)" "$(ms "$s_node")"
printf '%-58s %9s\n' "node + import @huggingface/transformers" "$(ms "$s_import")"
printf '%-58s %9s\n' "node + import + pipeline() (model loaded)" "$(ms "$s_load")"
printf '%-58s %9s\n' "node + import + load + one classification (a's median)" "$(ms "$n_med")"
if [[ -n "$timeline" ]]; then
  read -r c1 c2 c3 c4 c5 c6 c7 <<<"$timeline"
  echo
  printf '%-58s %9s\n' "(c) hfrun local under strace -f (medians of $strace_runs)" wall
  printf '%-58s %9s\n' "hfrun start .. worker execve (hfrun: options, files, plan)" "$(ms "$c1")"
  printf '%-58s %9s\n' "worker execve .. port file (node, import, load, listen)" "$(ms "$c2")"
  printf '%-58s %9s\n' "port file .. hfrun reads it (hfrun's wait)" "$(ms "$c3")"
  printf '%-58s %9s\n' "hfrun reads it .. SIGTERM (HTTP request, classification)" "$(ms "$c4")"
  printf '%-58s %9s\n' "SIGTERM .. worker exited (worker shutdown)" "$(ms "$c5")"
  printf '%-58s %9s\n' "worker exited .. hfrun exited (hfrun's wait, clean-up)" "$(ms "$c6")"
  printf '%-58s %9s\n' "whole run under strace" "$(ms "$c7")"
fi
{
  printf 'case\tmetric\tvalue\n'
  printf 'a\thfrun_median_s\t%s\na\thfrun_p90_s\t%s\na\tnode_median_s\t%s\na\tnode_p90_s\t%s\na\tratio_median\t%s\n' \
    "$h_med" "$h_p90" "$n_med" "$n_p90" "$ratio_med"
  printf 'b\tbatch_s\t%s\nb\tseparate_s\t%s\nb\tratio\t%s\n' "$t_batch" "$t_separate" "$ratio_b"
} >"$work/results.tsv"
