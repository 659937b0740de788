#!/usr/bin/env bash
# `hfrun serverless --batch` against hfrun-emulator, side by side with the usual ways to send the same
# requests (docs/benchmarks.md, "Batch", issue #15). LINES lines (default 2000) of
# {"id": N, "text": "..."} for distilbert/distilbert-base-uncased-finetuned-sst-2-english
# (text-classification on hf-inference), the emulator answering every request after 50 ms:
#   hfrun   hfrun serverless MODEL --batch in.jsonl -j 64 -o out.jsonl
#   xargs   xargs -P 64 running one curl per line (same URL, body and Authorization header)
#   node    tests/bench/batch_node.mjs: @huggingface/inference textClassification, a pool of 64
#   ab      ab -k -c 64: the same POST from a raw load generator, the emulator's ceiling
# Each is one whole process under /usr/bin/time: requests/s, wall, peak RSS, CPU (user+sys, children
# included). Then BIG_LINES lines (default 100000) through hfrun on a second emulator without
# latency, for its peak RSS. Every row/response is checked (all ok, one per line).
# Builds nothing. Needs curl, xargs, node with tests/conformance's node_modules
# (tests/conformance/setup.sh), ab (Debian apache2-utils), python3, /usr/bin/time (Debian time).
#
#   tests/bench/batch_bench.sh [LINES]
# Environment: HFRUN, EMULATOR (default build/src/hfrun, build/tests/emulator/hfrun-emulator),
#   JOBS (64), LATENCY_MS (50), BIG_LINES (100000; 0 skips), KEEP (a folder for the raw files).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
lines="${1:-2000}"
jobs="${JOBS:-64}"
latency="${LATENCY_MS:-50}"
big_lines="${BIG_LINES:-100000}"
keep="${KEEP:-}"
hfrun_src="${HFRUN:-$repo/build/src/hfrun}"
emulator_src="${EMULATOR:-$repo/build/tests/emulator/hfrun-emulator}"
model="distilbert/distilbert-base-uncased-finetuned-sst-2-english"

case "$lines" in -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
[[ "$lines" =~ ^[1-9][0-9]*$ ]] || { echo "batch_bench: LINES must be a positive number, not $lines" >&2; exit 2; }
for tool in curl xargs node ab python3 /usr/bin/time; do
  command -v "$tool" >/dev/null ||
    { echo "batch_bench: $tool is required (ab: apt-get install apache2-utils; time: apt-get install time)" >&2; exit 2; }
done
[[ -f "$repo/tests/conformance/node_modules/@huggingface/inference/package.json" ]] ||
  { echo "batch_bench: run tests/conformance/setup.sh first (@huggingface/inference)" >&2; exit 2; }
for bin in "$hfrun_src" "$emulator_src"; do
  [[ -x "$bin" ]] || { echo "batch_bench: $bin not found (build it, or set HFRUN / EMULATOR)" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/hfrun-batch-bench.XXXXXX")"
# shellcheck source=scripts/emulator.sh
source "$repo/scripts/emulator.sh"
cleanup() {
  emulator_stop
  if [[ -n "$keep" ]]; then
    mkdir -p "$keep"
    cp "$work"/*.tsv "$work"/*.txt "$work"/*.log "$keep"/ 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Private copies: the build tree may be rebuilt while this runs.
cp "$hfrun_src" "$work/hfrun"
cp "$emulator_src" "$work/hfrun-emulator"
hfrun="$work/hfrun"
emulator="$work/hfrun-emulator"
unset HF_TOKEN HUGGING_FACE_HUB_TOKEN HF_TOKEN_PATH HF_HUB_OFFLINE HFRUN_ROUTER_URL HF_ENDPOINT
export HF_HOME="$work/hf-home" XDG_CONFIG_HOME="$work/xdg-config" XDG_CACHE_HOME="$work/xdg-cache"

# make_input N FILE [BODIES]: N lines {"id": i, "text": "..."}; BODIES gets {"inputs": "..."} per line.
make_input() {
  python3 - "$@" <<'EOF'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
words = ["good", "bad", "great", "awful", "fine", "boring", "lovely", "dull"]
with open(path, "w") as f, open(sys.argv[3] if len(sys.argv) > 3 else "/dev/null", "w") as b:
    for i in range(1, n + 1):
        text = f"review {i}: the film was {words[i % len(words)]} and the music {words[(i * 7) % len(words)]}"
        f.write(json.dumps({"id": i, "text": text}) + "\n")
        b.write(json.dumps({"inputs": text}, separators=(",", ":")) + "\n")
EOF
}

results="$work/results.tsv"
: >"$results"
# The kernel's count of connections dropped because a listen queue was full (all sockets of this
# network namespace). cpp-httplib listens with a backlog of 5, so a burst of 64 connects overflows it.
listen_overflows() {
  awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 } else { for (i = 1; i <= NF; i++) if (k[i] == "ListenOverflows") print $i } }' /proc/net/netstat
}
# timed NAME N OUTCHECK -- CMD...: one run under /usr/bin/time; wall from bash's clock.
# OUTCHECK is a function name that prints the number of ok results of that run.
timed() {
  local name="$1" n="$2" check="$3" t0 t1 rss user sys rc=0 ok o0 o1
  shift 4
  o0="$(listen_overflows)"
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M %U %S' -o "$work/time-$name.txt" -- "$@" >"$work/stdout-$name.txt" 2>"$work/stderr-$name.log" || rc=$?
  t1=$EPOCHREALTIME
  o1="$(listen_overflows)"
  read -r rss user sys < <(tail -1 "$work/time-$name.txt")
  ok="$("$check")"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$n" "$ok" "$rc" "$t0" "$t1" "$rss" "$user" "$sys" \
    "$((${o1:-0} - ${o0:-0}))" >>"$results"
  printf '   %-8s %s lines: exit %s, %s ok, %.2f s wall\n' "$name" "$n" "$rc" "$ok" \
    "$(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$t0" "$t1")"
  if [[ "$ok" != "$n" || "$rc" != 0 ]]; then
    echo "batch_bench: $name: $ok of $n ok, exit $rc; its stderr ends:" >&2
    tail -n 5 "$work/stderr-$name.log" >&2
  fi
}
ok_rows() { # rows of out.jsonl with "ok": true, one per line of the input
  python3 - "$work/out.jsonl" <<'EOF'
import json, sys
ids, ok = set(), 0
for line in open(sys.argv[1]):
    row = json.loads(line)
    ids.add(row["id"])
    ok += row.get("ok") is True
print(ok if len(ids) == ok else f"{ok}(ids:{len(ids)})")
EOF
}
ok_curl() { grep -c '^200$' "$work/stdout-xargs.txt" || true; }
ok_ab() {
  local f="$work/stdout-ab.txt" done failed non2xx
  done="$(sed -nE 's/^Complete requests: *([0-9]+).*/\1/p' "$f")"
  failed="$(sed -nE 's/^Failed requests: *([0-9]+).*/\1/p' "$f")"
  non2xx="$(sed -nE 's/^Non-2xx responses: *([0-9]+).*/\1/p' "$f")"
  echo $(( ${done:-0} - ${failed:-0} - ${non2xx:-0} ))
}

echo "== hfrun --batch benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, uptime:$(uptime | sed 's/.*up/ up/'))"
echo "   hfrun:    $hfrun_src ($("$hfrun" --version 2>&1 | head -1))"
echo "   emulator: $emulator_src, --latency-ms $latency"
echo "   curl:     $(curl --version | head -1 | cut -d' ' -f1-3), $(ab -V | sed -n "s/.*Version \([^ ]*\).*/ab \1/p" | head -1)"
echo "   node:     $(node --version), @huggingface/inference $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
  "$repo/tests/conformance/node_modules/@huggingface/inference/package.json")"
echo "   $lines lines, concurrency $jobs; big run: $big_lines lines, no latency"

make_input "$lines" "$work/in.jsonl" "$work/bodies.txt"
head -1 "$work/bodies.txt" | tr -d '\n' >"$work/body-ab.json"

echo
echo "-- $lines lines, emulator latency $latency ms"
EMULATOR_OUTPUT="$work/emulator.log" emulator_start "$emulator" "$work/ports.json" --latency-ms "$latency" || exit 1
hub="$(emulator_value "$work/ports.json" hub)"
router="$(emulator_value "$work/ports.json" router)"
token="$(emulator_value "$work/ports.json" token)"
url="$router/hf-inference/models/$model"
hfenv=(env "HF_ENDPOINT=$hub" "HFRUN_ROUTER_URL=$router" "HF_TOKEN=$token" "HF_HOME=$work/hf-home")
# One request of each kind first (connections, page cache); not timed.
"${hfenv[@]}" "$hfrun" serverless "$model" --text warm-up >/dev/null
curl -sSf -o /dev/null "$url" -H 'Content-Type: application/json' -H "Authorization: Bearer $token" --data-binary '{"inputs":"warm-up"}'

timed ab "$lines" ok_ab -- ab -k -q -c "$jobs" -n "$lines" -p "$work/body-ab.json" -T application/json \
  -H "Authorization: Bearer $token" "$url"
rm -f "$work/out.jsonl"
timed hfrun "$lines" ok_rows -- "${hfenv[@]}" "$hfrun" serverless "$model" --batch "$work/in.jsonl" -j "$jobs" -o "$work/out.jsonl"
cp "$work/stderr-hfrun.log" "$work/hfrun-summary.txt"
timed xargs "$lines" ok_curl -- xargs -P "$jobs" -d '\n' -I '{}' -a "$work/bodies.txt" \
  curl -sS -o /dev/null -w '%{http_code}\n' "$url" -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $token" --data-binary '{}'
rm -f "$work/out.jsonl"
timed node "$lines" ok_rows -- node "$here/batch_node.mjs" "$router" "$token" "$model" "$work/in.jsonl" "$work/out.jsonl" "$jobs"
emulator_stop

if ((big_lines > 0)); then
  echo "-- $big_lines lines through hfrun, no latency"
  make_input "$big_lines" "$work/in.jsonl"
  EMULATOR_OUTPUT="$work/emulator-big.log" emulator_start "$emulator" "$work/ports.json" || exit 1
  hub="$(emulator_value "$work/ports.json" hub)"
  router="$(emulator_value "$work/ports.json" router)"
  hfenv=(env "HF_ENDPOINT=$hub" "HFRUN_ROUTER_URL=$router" "HF_TOKEN=$token" "HF_HOME=$work/hf-home")
  rm -f "$work/out.jsonl"
  timed hfrun-big "$big_lines" ok_rows -- "${hfenv[@]}" "$hfrun" serverless "$model" --batch "$work/in.jsonl" -j "$jobs" -o "$work/out.jsonl"
  emulator_stop
  rm -f "$work/out.jsonl" "$work/in.jsonl"
fi

echo
python3 - "$results" "$latency" "$jobs" <<'EOF'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, n, ok, rc, t0, t1, rss, user, sys_, overflows = line.rstrip("\n").split("\t")
    wall = float(t1) - float(t0)
    rows[name] = dict(n=int(n), ok=ok, rc=rc, wall=wall, rps=int(n) / wall, rss=int(rss) / 1024,
                      cpu=float(user) + float(sys_), overflows=overflows)
latency, jobs = int(sys.argv[2]), int(sys.argv[3])
label = {"hfrun": f"hfrun --batch -j {jobs}", "xargs": f"xargs -P {jobs} curl (one process per line)",
         "node": f"node @huggingface/inference, pool of {jobs}", "ab": f"ab -k -c {jobs} (emulator ceiling)",
         "hfrun-big": f"hfrun --batch -j {jobs}, no latency"}
print("| tool | lines | ok | exit | requests/s | wall s | peak RSS MiB | CPU s (user+sys) | listen overflows |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for name in ["hfrun", "xargs", "node", "ab", "hfrun-big"]:
    if name in rows:
        r = rows[name]
        print(f"| {label[name]} | {r['n']} | {r['ok']} | {r['rc']} | {r['rps']:.0f} | {r['wall']:.2f} | {r['rss']:.1f} | {r['cpu']:.2f} | {r['overflows']} |")
if latency:
    print(f"\nIdeal ceiling at {jobs} in flight and {latency} ms per request: {jobs * 1000 / latency:.0f} requests/s.")
print()
print("| ratio (requests/s) | measured | target | met |")
print("|---|---:|---:|:-:|")
bench, all_met = [], True
for other, target in [("xargs", 3.0), ("node", 1.5), ("ab", 0.8)]:
    if "hfrun" in rows and other in rows:
        ratio = rows["hfrun"]["rps"] / rows[other]["rps"]
        met = ratio >= target and rows["hfrun"]["ok"] == str(rows["hfrun"]["n"])
        all_met &= met
        print(f"| hfrun / {other} | {ratio:.2f} | >= {target} | {'yes' if met else 'no'} |")
        bench.append(f"BENCH figure=batch-vs-{other} ratio_rps={ratio:.3f} target={target} pass={'yes' if met else 'no'}")
if "hfrun-big" in rows:
    r = rows["hfrun-big"]
    met = r["rss"] <= 64 and r["ok"] == str(r["n"])
    all_met &= met
    print(f"| hfrun peak RSS, {r['n']} lines | {r['rss']:.1f} MiB | <= 64 MiB | {'yes' if met else 'no'} |")
    bench.append(f"BENCH figure=batch-big lines={r['n']} rss_kib={r['rss'] * 1024:.0f} rps={r['rps']:.0f} target_rss_mib=64 pass={'yes' if met else 'no'}")
print()
for name, r in rows.items():
    print(f"BENCH tool={name} lines={r['n']} ok={r['ok']} exit={r['rc']} rps={r['rps']:.1f} wall_s={r['wall']:.3f} rss_kib={r['rss'] * 1024:.0f} cpu_s={r['cpu']:.2f} listen_overflows={r['overflows']}")
print("\n".join(bench))
print(f"BENCH all_targets_met={'yes' if all_met else 'no'}")
EOF
echo
echo "hfrun's own summary ($lines lines):"
tail -n 2 "$work/hfrun-summary.txt" | sed 's/^/  /'
if [[ -f "$work/stderr-hfrun-big.log" ]]; then
  echo "hfrun's own summary ($big_lines lines):"
  tail -n 2 "$work/stderr-hfrun-big.log" | sed 's/^/  /'
fi
