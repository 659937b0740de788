#!/usr/bin/env bash
# Whole-process cost of `hfrun endpoint` against hfrun-emulator's self-hosted TGI and TEI servers,
# next to curl making the same call: wall time, CPU time and peak RSS of one chat call and one
# embedding call, and the time to the first token of a streamed chat. Builds nothing; see
# docs/benchmarks.md.
#
#   tests/bench/endpoint_bench.sh [--hfrun PATH] [--emulator PATH] [--runs N] [--keep DIR]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
hfrun="$repo/build-release/src/hfrun"
emulator="$repo/build-release/tests/emulator/hfrun-emulator"
runs=30
keep=""

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while (($#)); do
  case "$1" in
    --hfrun) hfrun="$2"; shift 2 ;;
    --emulator) emulator="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "endpoint_bench: unknown argument $1" >&2; usage 2 ;;
  esac
done
for tool in curl python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "endpoint_bench: $tool is required" >&2; exit 2; }
done
for bin in "$hfrun" "$emulator"; do
  [[ -e "$bin" ]] || { echo "endpoint_bench: $bin not found (build a Release tree, or pass --hfrun/--emulator)" >&2; exit 2; }
done
hfrun="$(realpath "$hfrun")"
emulator="$(realpath "$emulator")"
helper="$here/bench_helper.py"

work="$(mktemp -d "${TMPDIR:-/tmp}/hfrun-endpoint-bench.XXXXXX")"
# shellcheck source=scripts/emulator.sh
source "$repo/scripts/emulator.sh"
cleanup() {
  emulator_stop
  if [[ -n "$keep" ]]; then
    mkdir -p "$keep"
    cp "$work"/*.txt "$work"/*.json "$work"/*.jsonl "$keep"/ 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export EMULATOR_OUTPUT="$work/emulator.err"
# Keep hfrun away from the user's token file, config and caches; the servers need no token.
export HF_HOME="$work/hf-home" XDG_CONFIG_HOME="$work/xdg-config" XDG_CACHE_HOME="$work/xdg-cache"
unset HUGGING_FACE_HUB_TOKEN HF_TOKEN_PATH HF_HUB_OFFLINE HF_TOKEN
mkdir -p "$HF_HOME"

echo "== hfrun endpoint benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "   hfrun:    $hfrun"
echo "   emulator: $emulator"
echo "   curl:     $(curl --version | head -1)"

# The commands, by name; the URLs are filled in per emulator (@TGI@, @TEI@).
q() { printf %q "$1"; }
chat_body='{"model":"tgi","messages":[{"role":"user","content":"Hello"}]}'
stream_body='{"model":"tgi","messages":[{"role":"user","content":"Hello"}],"stream":true}'
names=(chat chat-direct embed embed-direct)
declare -A label=(
  [chat]="chat --no-stream, flavour probed (GET /info + POST /v1/chat/completions)"
  [chat-direct]="chat --no-stream, --flavor tgi --task conversational (1 request)"
  [embed]="embedding --json, flavour probed (GET /info + POST /embed)"
  [embed-direct]="embedding --json, --flavor tei --task feature-extraction (1 request)"
)
declare -A cmd=(
  [hfrun-chat]="$(q "$hfrun") endpoint @TGI@ --text Hello --no-stream"
  [hfrun-chat-direct]="$(q "$hfrun") endpoint @TGI@ --flavor tgi --task conversational --text Hello --no-stream"
  [hfrun-embed]="$(q "$hfrun") endpoint @TEI@ --text 'a sentence' --json"
  [hfrun-embed-direct]="$(q "$hfrun") endpoint @TEI@ --flavor tei --task feature-extraction --text 'a sentence' --json"
  [curl-chat]="curl -s @TGI@/v1/chat/completions -H 'Content-Type: application/json' -d $(q "$chat_body")"
  [curl-embed]="curl -s @TEI@/embed -H 'Content-Type: application/json' -d $(q '{"inputs":"a sentence"}')"
)
# Each hfrun variant is paired with its own copy of the curl command, so that every pair is
# interleaved run by run.
cmd[curl-chat-direct]="${cmd[curl-chat]}"
cmd[curl-embed-direct]="${cmd[curl-embed]}"
streams=(stream stream-direct)
declare -A stream_label=(
  [stream]="chat --stream, flavour probed"
  [stream-direct]="chat --stream, --flavor tgi --task conversational"
)
cmd[hfrun-stream]="$(q "$hfrun") endpoint @TGI@ --text Hello --stream"
cmd[hfrun-stream-direct]="$(q "$hfrun") endpoint @TGI@ --flavor tgi --task conversational --text Hello --stream"
cmd[curl-stream]="curl -sN @TGI@/v1/chat/completions -H 'Content-Type: application/json' -d $(q "$stream_body")"
cmd[curl-stream-direct]="${cmd[curl-stream]}"
# The first token on stdout: hfrun prints the text itself, curl the SSE event that carries it.
declare -A marker=([hfrun]='You' [curl]='"content":"You"')

# with_urls PORT_FILE NAME: the command NAME with this emulator's server URLs.
with_urls() {
  local endpoints c
  endpoints="$(emulator_value "$1" endpoints)"
  c="${cmd[$2]//@TGI@/$endpoints/servers/tgi}"
  printf '%s\n' "${c//@TEI@/$endpoints/servers/tei}"
}

# 1. On an emulator with a request log: each command once, its answer checked against curl's,
#    and the requests it made listed.
log="$work/requests.jsonl"
emulator_start "$emulator" "$work/ports-log.json" --log "$log" || exit 1
log_lines() { if [[ -f "$log" ]]; then wc -l <"$log"; else echo 0; fi; }
for n in "${names[@]}" "${streams[@]}"; do
  for tool in hfrun curl; do
    a=$(log_lines)
    if ! eval "$(with_urls "$work/ports-log.json" "$tool-$n")" >"$work/out-$tool-$n.txt" 2>"$work/err-$tool-$n.txt"; then
      echo "endpoint_bench: $tool-$n failed:" >&2
      cat "$work/err-$tool-$n.txt" >&2
      exit 1
    fi
    b=$(log_lines)
    printf '   %-22s requests: %s\n' "$tool-$n" "$(python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):int(sys.argv[3])]
print(", ".join(e["method"] + " " + e["path"] + " " + str(e["status"]) for e in map(json.loads, lines)))' "$log" "$a" "$b")"
  done
  # The same answer from both: chat text, embedding vector, streamed text.
  python3 - "$n" "$work/out-hfrun-$n.txt" "$work/out-curl-$n.txt" <<'EOF'
import json, sys
name, h, c = sys.argv[1], open(sys.argv[2]).read(), open(sys.argv[3]).read()
if name.startswith("chat"):
    same = h.strip() == json.loads(c)["choices"][0]["message"]["content"]
elif name.startswith("embed"):
    same = json.loads(h)["embeddings"] == json.loads(c)
else:
    events = [json.loads(line[6:]) for line in c.splitlines() if line.startswith("data: {")]
    text = "".join(e["choices"][0]["delta"].get("content", "") for e in events)
    same = h.strip() == text
if not same:
    sys.exit(f"endpoint_bench: hfrun and curl disagree on {name}:\n  hfrun: {h[:300]!r}\n  curl:  {c[:300]!r}")
print(f"   {name}: hfrun and curl give the same answer")
EOF
done
emulator_stop

# 2. Timing, on a fresh emulator without the log (no per-request hashing or disk writes).
emulator_start "$emulator" "$work/ports.json" || exit 1
: >"$work/spec.txt"
for n in "${names[@]}"; do
  for tool in hfrun curl; do
    printf '%s\t%s\n' "$tool-$n" "$(with_urls "$work/ports.json" "$tool-$n")" >>"$work/spec.txt"
  done
done
: >"$work/first-spec.txt"
for n in "${streams[@]}"; do
  for tool in hfrun curl; do
    printf '%s\t%s\t%s\n' "$tool-$n" "${marker[$tool]}" "$(with_urls "$work/ports.json" "$tool-$n")" >>"$work/first-spec.txt"
  done
done
echo "   timing: $runs interleaved rounds after 3 warm-up rounds; each round runs every command bare (wall, CPU)" \
     "and under /usr/bin/time (peak RSS); then $runs rounds of the streams, stdout read as it comes"
python3 "$helper" measure --spec "$work/spec.txt" --runs "$runs" --warmup 3 --out "$work/measure.json"
python3 "$helper" first-output --spec "$work/first-spec.txt" --runs "$runs" --warmup 3 --out "$work/first_output.json"
emulator_stop

echo
pairs=(); for n in "${names[@]}"; do pairs+=("$n:${label[$n]}"); done
first_pairs=(); for n in "${streams[@]}"; do first_pairs+=("$n:${stream_label[$n]}"); done
python3 "$helper" report --baseline-label "curl making the same call" --out "$work" --target 1.5 \
  --pairs "${pairs[@]}" --first-pairs "${first_pairs[@]}" --first-target-ms 5
echo
echo "Commands timed ({endpoints} = the emulator's endpoints origin):"
for n in "${names[@]}" "${streams[@]}"; do
  for tool in hfrun curl; do
    c="$(with_urls "$work/ports.json" "$tool-$n")"
    printf '  %-23s %s\n' "$tool-$n:" "${c//$(emulator_value "$work/ports.json" endpoints)/\{endpoints\}}"
  done
done
