#!/usr/bin/env bash
# Whole-process cost of `hfrun serverless` against hfrun-emulator: hfrun vs curl sending the same
# request(s) (wall time and peak RSS), and hfrun's peak RSS while uploading large files.
# Builds nothing; see docs/benchmarks.md.
#
#   tests/bench/serverless_bench.sh [--hfrun PATH] [--emulator PATH] [--runs N] [--big-runs N]
#                                   [--raw-size BYTES] [--b64-size BYTES] [--no-big] [--hyperfine]
#                                   [--keep DIR]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
hfrun="$repo/build-release/src/hfrun"
emulator="$repo/build-release/tests/emulator/hfrun-emulator"
runs=30
big_runs=3
raw_size=$((1 << 30))
b64_size=$((256 << 20))
do_big=1
do_hyperfine=0
keep=""
png="${BENCH_PNG:-$repo/tests/data/peer-captures/tiny.png}"

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while (($#)); do
  case "$1" in
    --hfrun) hfrun="$2"; shift 2 ;;
    --emulator) emulator="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --big-runs) big_runs="$2"; shift 2 ;;
    --raw-size) raw_size="$2"; shift 2 ;;
    --b64-size) b64_size="$2"; shift 2 ;;
    --no-big) do_big=0; shift ;;
    --hyperfine) do_hyperfine=1; shift ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "serverless_bench: unknown argument $1" >&2; usage 2 ;;
  esac
done

for tool in curl python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "serverless_bench: $tool is required" >&2; exit 2; }
done
for bin in "$hfrun" "$emulator" "$png"; do
  [[ -e "$bin" ]] || { echo "serverless_bench: $bin not found (build a Release tree, or pass --hfrun/--emulator)" >&2; exit 2; }
done
hfrun="$(realpath "$hfrun")"
emulator="$(realpath "$emulator")"
png="$(realpath "$png")"
helper="$here/bench_helper.py"

work="$(mktemp -d "${TMPDIR:-/tmp}/hfrun-bench.XXXXXX")"
# shellcheck source=scripts/emulator.sh
source "$repo/scripts/emulator.sh"
cleanup() {
  emulator_stop
  if [[ -n "$keep" ]]; then
    mkdir -p "$keep" && cp "$work"/*.txt "$work"/*.json "$work"/*.jsonl "$keep"/ 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_emulator PORTFILE [ARGS...]: one emulator in the background (scripts/emulator.sh), no body limit.
export EMULATOR_OUTPUT="$work/emulator.err"
start_emulator() {
  local port_file="$1"; shift
  emulator_start "$emulator" "$port_file" --max-body 0 "$@" || exit 1
}
port_value() { emulator_value "$1" "$2"; }
use_emulator() { emulator_export "$1"; }
log_lines() { if [[ -f "$1" ]]; then wc -l <"$1"; else echo 0; fi; }

# Keep hfrun away from the user's token file, config and caches.
export HF_HOME="$work/hf-home" XDG_CONFIG_HOME="$work/xdg-config" XDG_CACHE_HOME="$work/xdg-cache"
unset HUGGING_FACE_HUB_TOKEN HF_TOKEN_PATH HF_HUB_OFFLINE
mkdir -p "$HF_HOME"

# The small calls: name, then hfrun's arguments after `hfrun`.
names=(ic-direct ic-lookup chat-direct chat)
declare -A label=(
  [ic-direct]="image-classification, --provider hf-inference --task (1 request)"
  [ic-lookup]="image-classification, default path (Hub lookup + POST, 2 requests)"
  [chat-direct]="chat completion --no-stream, --task chat-completion (1 request)"
  [chat]="chat completion --no-stream, default path (Hub lookup + POST, 2 requests)"
)
declare -A hf_args=(
  [ic-direct]="serverless google/vit-base-patch16-224 --file $(printf %q "$png") --provider hf-inference --task image-classification --json"
  [ic-lookup]="serverless google/vit-base-patch16-224 --file $(printf %q "$png") --json"
  [chat-direct]="serverless meta-llama/Llama-3.1-8B-Instruct --text Hello --no-stream --task chat-completion --json"
  [chat]="serverless meta-llama/Llama-3.1-8B-Instruct --text Hello --no-stream --json"
)

echo "== hfrun serverless benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "   hfrun:    $hfrun"
echo "   emulator: $emulator"
echo "   curl:     $(curl --version | head -1)"

# 1. Record what hfrun sends (emulator with a request log), build curl commands that send the same,
#    and check on the same log that curl's requests are identical.
log="$work/requests.jsonl"
start_emulator "$work/ports-log.json" --log "$log"
use_emulator "$work/ports-log.json"
declare -A hf_cmd curl_cmd
for n in "${names[@]}"; do
  hf_cmd[$n]="$(printf %q "$hfrun") ${hf_args[$n]}"
  eval "${hf_cmd[$n]} --dry-run" >"$work/dry-$n.txt" 2>&1 || true
done
for n in "${names[@]}"; do
  a=$(log_lines "$log")
  if ! eval "${hf_cmd[$n]}" >"$work/out-$n.json" 2>"$work/err-$n.txt"; then
    echo "serverless_bench: hfrun failed on $n:" >&2
    cat "$work/err-$n.txt" >&2
    exit 1
  fi
  b=$(log_lines "$log")
  dry=(); for d in "$work"/dry-*.txt; do dry+=(--dry-run "$d"); done
  curl_cmd[$n]="$(python3 "$helper" curl-cmd --log "$log" --start "$a" --end "$b" --ports "$work/ports-log.json" \
                  "${dry[@]}" --file "$png")"
  eval "${curl_cmd[$n]}"
  c=$(log_lines "$log")
  printf '   %-10s curl vs hfrun requests: %s\n' "$n" \
    "$(python3 "$helper" compare --log "$log" --a-start "$a" --a-end "$b" --b-start "$b" --b-end "$c")"
done
emulator_stop

# 2. Time the pairs on an emulator without the log (no per-request hashing or disk writes).
start_emulator "$work/ports.json"
use_emulator "$work/ports.json"
old_ports=("$(port_value "$work/ports-log.json" hub)" "$(port_value "$work/ports-log.json" router)")
new_ports=("$HF_ENDPOINT" "$HFRUN_ROUTER_URL")
: >"$work/spec.txt"
hyper=()
for n in "${names[@]}"; do
  c="${curl_cmd[$n]}"
  for i in 0 1; do c="${c//${old_ports[$i]}/${new_ports[$i]}}"; done
  curl_cmd[$n]="$c"
  printf 'hfrun-%s\t%s\ncurl-%s\t%s\n' "$n" "${hf_cmd[$n]}" "$n" "${curl_cmd[$n]}" >>"$work/spec.txt"
  hyper+=(-n "hfrun-$n" "${hf_cmd[$n]}" -n "curl-$n" "${curl_cmd[$n]}")
done
echo "   timing: $runs interleaved rounds after 3 warm-up rounds; each round runs every command bare (wall, CPU) and under /usr/bin/time (peak RSS)"
python3 "$helper" measure --spec "$work/spec.txt" --runs "$runs" --warmup 3 --out "$work/measure.json"
if ((do_hyperfine)); then
  # A cross-check with the usual tool; it runs each command's runs back to back.
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/hyperfine.json" "${hyper[@]}" >"$work/hyperfine.txt" 2>&1 || {
    cat "$work/hyperfine.txt" >&2; exit 1; }
fi

# 3. Large uploads: peak RSS and wall time of one whole hfrun process each.
if ((do_big)); then
  echo "   generating $raw_size + $b64_size random bytes in $work"
  head -c "$raw_size" /dev/urandom >"$work/raw.png"
  head -c "$b64_size" /dev/urandom >"$work/b64.png"
  ic="serverless google/vit-base-patch16-224 --provider hf-inference --task image-classification --json --no-progress"
  raw_mib=$((raw_size >> 20)); b64_mib=$((b64_size >> 20))
  url="$HFRUN_ROUTER_URL/hf-inference/models/google/vit-base-patch16-224"
  declare -A big_cmd=(
    [raw]="$(printf %q "$hfrun") $ic --file $(printf %q "$work/raw.png")"
    [b64]="$(printf %q "$hfrun") $ic --file $(printf %q "$work/b64.png") top_k:=1"
    [raw-curl]="curl -s -o /dev/null -X POST -H 'Content-Type: image/png' -H 'Authorization: Bearer $HF_TOKEN' -T $(printf %q "$work/raw.png") $(printf %q "$url")"
  )
  declare -A big_name=([raw]="upload-raw-${raw_mib}MiB" [b64]="upload-base64-json-${b64_mib}MiB" [raw-curl]="upload-raw-${raw_mib}MiB")
  declare -A big_label=([raw]="${raw_mib} MiB raw body" [b64]="${b64_mib} MiB as base64 JSON + top_k:=1" [raw-curl]="${raw_mib} MiB raw body (curl -T, reference)")
  : >"$work/big.txt"
  for _ in $(seq "$big_runs"); do
    for k in raw b64 raw-curl; do
      tool=hfrun; [[ $k == raw-curl ]] && tool=curl
      set +e
      eval "/usr/bin/time -f '%M %e' -o $(printf %q "$work/t") ${big_cmd[$k]}" >"$work/big-$k.out" 2>"$work/big-$k.err"
      code=$?
      set -e
      read -r rss wall < <(tail -1 "$work/t")
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "${big_name[$k]}" "$tool" "${big_label[$k]}" "$rss" "$wall" "$code" >>"$work/big.txt"
      if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
        echo "serverless_bench: the emulator died during the $k upload" >&2; cat "$work/emulator.err" >&2; exit 1
      fi
    done
  done
  for k in raw b64; do
    echo "   hfrun $k upload, last run: exit $(awk -F'\t' -v n="${big_name[$k]}" '$1==n && $2=="hfrun"{c=$6} END{print c}' "$work/big.txt");" \
         "stderr: $(head -c 300 "$work/big-$k.err" | tr '\n' ' ')stdout: $(head -c 300 "$work/big-$k.out" | tr '\n' ' ')"
  done
  echo "   emulator peak RSS (VmHWM): $(awk '/VmHWM/{print $2, $3}' "/proc/$EMULATOR_PID/status"); still answering:" \
       "$(curl -s -o /dev/null -w '%{http_code}' "$HF_ENDPOINT/api/whoami-v2" -H "Authorization: Bearer $HF_TOKEN")"
  rm -f "$work/raw.png" "$work/b64.png"
fi
emulator_stop

echo
pairs=(); for n in "${names[@]}"; do pairs+=("$n:${label[$n]}"); done
# Target: one call within 1.15x curl's wall time and peak RSS (docs/benchmarks.md, "Start-up").
python3 "$helper" report --baseline-label "curl sending the same request(s)" --target 1.15 --out "$work" --pairs "${pairs[@]}"
if ((do_hyperfine)); then
  echo
  echo "Cross-check, hyperfine -N (each command's runs back to back), median ms:"
  python3 "$helper" hyperfine-summary "$work/hyperfine.json"
fi
echo
echo "Commands timed (token shown as \$HF_TOKEN):"
for n in "${names[@]}"; do
  echo "  hfrun-$n: ${hf_cmd[$n]}"
  echo "  curl-$n:  ${curl_cmd[$n]//$HF_TOKEN/\$HF_TOKEN}"
done
