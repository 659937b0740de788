#!/usr/bin/env bash
# `hfrun download` against hfrun-emulator, side by side with the usual ways to fetch the same bytes
# (docs/benchmarks.md, "download"): wall time, MB/s and peak RSS of each whole process.
#   a) hfrun-emulator/one-gib's blob.bin (1 GiB) with the CDN capped per connection (--bandwidth,
#      default 40 MB/s): hfrun download vs curl -L (one stream) vs aria2c -x16 -s16 vs
#      @huggingface/hub downloadFileToCacheDir;
#   b) the same without a cap;
#   c) hfrun-emulator/nested-files (200 files in nested folders): hfrun download vs
#      @huggingface/hub snapshotDownload.
# Every run starts from an empty cache/output folder, and every result is checked (size, hash).
# Builds nothing. Needs curl, aria2c (scripts/install-deps.sh), node with tests/conformance's
# node_modules (tests/conformance/setup.sh), python3, /usr/bin/time, sha256sum.
#
#   tests/bench/download_bench.sh [--hfrun PATH] [--emulator PATH] [--runs N] [--bandwidth B] [--keep DIR]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
hfrun="$repo/build-release/src/hfrun"
emulator="$repo/build-release/tests/emulator/hfrun-emulator"
runs=2
bandwidth=40000000
keep=""

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while (($#)); do
  case "$1" in
    --hfrun) hfrun="$2"; shift 2 ;;
    --emulator) emulator="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --bandwidth) bandwidth="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "download_bench: unknown argument $1" >&2; usage 2 ;;
  esac
done
for tool in curl aria2c node python3 /usr/bin/time sha256sum; do
  command -v "$tool" >/dev/null || { echo "download_bench: $tool is required (scripts/install-deps.sh)" >&2; exit 2; }
done
[[ -f "$repo/tests/conformance/node_modules/@huggingface/hub/package.json" ]] ||
  { echo "download_bench: run tests/conformance/setup.sh first (@huggingface/hub)" >&2; exit 2; }
for bin in "$hfrun" "$emulator"; do
  [[ -e "$bin" ]] || { echo "download_bench: $bin not found (build a Release tree, or pass --hfrun/--emulator)" >&2; exit 2; }
done
hfrun="$(realpath "$hfrun")"
emulator="$(realpath "$emulator")"
helper="$here/bench_helper.py"

work="$(mktemp -d "${TMPDIR:-/tmp}/hfrun-download-bench.XXXXXX")"
# shellcheck source=scripts/emulator.sh
source "$repo/scripts/emulator.sh"
cleanup() {
  emulator_stop
  if [[ -n "$keep" ]]; then
    mkdir -p "$keep"
    cp "$work"/*.tsv "$work"/*.txt "$keep"/ 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export EMULATOR_OUTPUT="$work/emulator.err"
# Every tool downloads anonymously (both repos are public) and away from the user's caches.
unset HF_TOKEN HUGGING_FACE_HUB_TOKEN HF_TOKEN_PATH HF_HUB_OFFLINE HF_HUB_CACHE HUGGINGFACE_HUB_CACHE
export XDG_CONFIG_HOME="$work/xdg-config" XDG_CACHE_HOME="$work/xdg-cache"

# `hfrun download` gets --connections 16 only once it has the option (parallel byte ranges).
connections=()
if "$hfrun" download --help 2>&1 | grep -q -- '--connections'; then
  connections=(--connections 16)
fi

echo "== hfrun download benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "   hfrun:    $hfrun ${connections[*]:-(no --connections option: one stream per file)}"
echo "   emulator: $emulator"
echo "   curl:     $(curl --version | head -1)"
echo "   aria2c:   $(aria2c --version | head -1)"
echo "   node:     $(node --version), @huggingface/hub $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
  "$repo/tests/conformance/node_modules/@huggingface/hub/package.json")"
echo "   runs:     best of $runs per tool and case, interleaved; CDN cap for (a): $bandwidth bytes/s per connection"

results="$work/results.tsv"
: >"$results"
one_gib="hfrun-emulator/one-gib"
nested="hfrun-emulator/nested-files"

# The commands, run in $run (a fresh folder): each writes what it fetched under it and prints
# nothing that matters on stdout.
tool_cmd() { # TOOL CASE_KIND: the argv, one word per line
  local hub="$HF_ENDPOINT"
  case "$1:$2" in
    hfrun:file) printf '%s\n' env "HF_HOME=$run/hf-home" "$hfrun" download "$one_gib" blob.bin "${connections[@]}" ;;
    curl:file) printf '%s\n' curl -sSfL -o "$run/blob.bin" "$hub/$one_gib/resolve/main/blob.bin" ;;
    aria2c:file) printf '%s\n' aria2c -x16 -s16 --dir "$run" -o blob.bin --console-log-level=warn \
      --summary-interval=0 --download-result=hide "$hub/$one_gib/resolve/main/blob.bin" ;;
    hub.js:file) printf '%s\n' node "$here/hub_download.mjs" file "$one_gib" blob.bin "$run/cache" ;;
    hfrun:snapshot) printf '%s\n' env "HF_HOME=$run/hf-home" "$hfrun" download "$nested" "${connections[@]}" ;;
    hub.js:snapshot) printf '%s\n' node "$here/hub_download.mjs" snapshot "$nested" "$run/cache" ;;
  esac
}

# The file a `file` run produced (the cache's snapshot link, or curl's/aria2c's output).
fetched_file() {
  find "$run" -path '*/snapshots/*/blob.bin' -o -path "$run/blob.bin" | head -1
}

# check_snapshot: every file of nested-files in the snapshot $run made, with the tree's size and
# hash (sha256 for LFS, git blob sha1 otherwise). Prints the bytes.
check_snapshot() {
  local snap
  snap="$(find "$run" -type d -path '*/models--hfrun-emulator--nested-files/snapshots/*' -prune | head -1)"
  [[ -n "$snap" ]] || { echo "download_bench: no snapshot folder in $run" >&2; return 1; }
  curl -sSf "$HF_ENDPOINT/api/models/$nested/tree/main?recursive=true&limit=1000" >"$work/tree.json"
  python3 - "$snap" "$work/tree.json" <<'EOF'
import hashlib, json, os, sys
snap, tree = sys.argv[1], json.load(open(sys.argv[2]))
total = 0
for e in tree:
    if e["type"] != "file":
        continue
    data = open(os.path.join(snap, e["path"]), "rb").read()
    if len(data) != e["size"]:
        sys.exit(f"download_bench: {e['path']}: {len(data)} bytes, the tree says {e['size']}")
    if "lfs" in e:
        ok = hashlib.sha256(data).hexdigest() == e["lfs"]["oid"]
    else:
        ok = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == e["oid"]
    if not ok:
        sys.exit(f"download_bench: {e['path']}: wrong bytes")
    total += len(data)
print(total)
EOF
}

# measure CASE LABEL KIND TOOL...: `runs` interleaved rounds of every TOOL, each from an empty
# folder; wall from bash's clock around /usr/bin/time, which gives the peak RSS and the CPU time
# (user + sys). The first run of
# a tool has its whole result hashed; later ones are checked by size (hashing 1 GiB takes seconds).
measure() {
  local case="$1" label="$2" kind="$3" r tool t0 t1 bytes rss user sys
  shift 3
  local expected_sha expected_size
  if [[ "$kind" == file ]]; then
    local head
    head="$(curl -sSI "$HF_ENDPOINT/$one_gib/resolve/main/blob.bin" | tr -d '\r')"
    expected_sha="$(grep -i '^x-linked-etag:' <<<"$head" | cut -d' ' -f2- | tr -d '"')"
    expected_size="$(grep -i '^x-linked-size:' <<<"$head" | cut -d' ' -f2-)"
  fi
  for ((r = 1; r <= runs; r++)); do
    for tool in "$@"; do
      run="$work/run"
      rm -rf "$run"
      mkdir -p "$run"
      mapfile -t argv < <(tool_cmd "$tool" "$kind")
      t0=$EPOCHREALTIME
      if ! /usr/bin/time -f '%M %U %S' -o "$work/rss.txt" -- "${argv[@]}" >"$work/out.txt" 2>"$work/err.txt"; then
        echo "download_bench: $tool ($case, run $r) failed: ${argv[*]}" >&2
        cat "$work/err.txt" >&2
        exit 1
      fi
      t1=$EPOCHREALTIME
      if [[ "$kind" == file ]]; then
        local file
        file="$(fetched_file)"
        [[ -n "$file" ]] || { echo "download_bench: $tool ($case) left no blob.bin" >&2; exit 1; }
        bytes="$(stat -L -c %s "$file")"
        [[ "$bytes" == "$expected_size" ]] || { echo "download_bench: $tool ($case): $bytes bytes, expected $expected_size" >&2; exit 1; }
        if ((r == 1)) && [[ "$(sha256sum <"$file" | cut -d' ' -f1)" != "$expected_sha" ]]; then
          echo "download_bench: $tool ($case): the bytes do not hash to $expected_sha" >&2
          exit 1
        fi
      else
        bytes="$(check_snapshot)"
      fi
      read -r rss user sys < <(tail -1 "$work/rss.txt")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$label" "$tool" "$r" \
        "$(python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.3f}")' "$t0" "$t1")" \
        "$rss" "$bytes" "$(python3 -c 'import sys; print(f"{float(sys.argv[1]) + float(sys.argv[2]):.2f}")' "$user" "$sys")" >>"$results"
      printf '   %-10s %-8s run %d: %s s wall, %s s CPU\n' "$case" "$tool" "$r" "$(tail -1 "$results" | cut -f5)" \
        "$(tail -1 "$results" | cut -f8)"
      rm -rf "$run"
    done
  done
}

echo
echo "-- (a) 1 GiB, CDN capped at $bandwidth bytes/s per connection"
emulator_start "$emulator" "$work/ports.json" --bandwidth "$bandwidth" || exit 1
HF_ENDPOINT="$(emulator_value "$work/ports.json" hub)"
export HF_ENDPOINT
measure capped "1 GiB, $((bandwidth / 1000000)) MB/s per connection" file hfrun curl aria2c hub.js
emulator_stop

echo "-- (b) 1 GiB, no cap; (c) 200 files"
emulator_start "$emulator" "$work/ports.json" || exit 1
HF_ENDPOINT="$(emulator_value "$work/ports.json" hub)"
export HF_ENDPOINT
measure uncapped "1 GiB, no cap" file hfrun curl aria2c hub.js
measure nested "nested-files, 200 files (102 MiB)" snapshot hfrun hub.js
emulator_stop

echo
python3 "$helper" download-report --results "$results" \
  --ratio "capped hfrun vs curl:capped:hfrun:curl:6" \
  --ratio "capped hfrun vs aria2c -x16 -s16:capped:hfrun:aria2c:1.0" \
  --ratio "uncapped hfrun vs curl:uncapped:hfrun:curl:0.9" \
  --ratio "200 files hfrun vs @huggingface/hub:nested:hfrun:hub.js:3" \
  --rss-limit hfrun:64
echo
echo "Commands ({hub} = the emulator's hub origin, {run} = a fresh folder per run):"
run='{run}' HF_ENDPOINT='{hub}'
for k in hfrun:file curl:file aria2c:file hub.js:file hfrun:snapshot hub.js:snapshot; do
  c="$(tool_cmd "${k%%:*}" "${k#*:}" | tr '\n' ' ')"
  printf '  %-16s %s\n' "$k" "${c//$repo\//}"
done
