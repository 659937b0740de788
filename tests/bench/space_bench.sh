#!/usr/bin/env bash
# Whole-process cost of `hfrun space` against hfrun-emulator's Gradio apps: hfrun vs a Node script
# making the same call with the real @gradio/client (wall time and peak RSS, a text call and an
# image-upload call), and hfrun's peak RSS while uploading a 1 GiB file. Builds nothing; see
# docs/benchmarks.md.
#
#   tests/bench/space_bench.sh [--hfrun PATH] [--emulator PATH] [--runs N] [--big-runs N] [--no-big]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
hfrun="$repo/build-release/src/hfrun"
emulator="$repo/build-release/tests/emulator/hfrun-emulator"
runs=10
big_runs=3
do_big=1
png="$repo/tests/data/peer-captures/tiny.png"
node_call="$repo/tests/conformance/gradio_call.mjs"

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while (($#)); do
  case "$1" in
    --hfrun) hfrun="$2"; shift 2 ;;
    --emulator) emulator="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --big-runs) big_runs="$2"; shift 2 ;;
    --no-big) do_big=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "space_bench: unknown argument $1" >&2; usage 2 ;;
  esac
done
for tool in node python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "space_bench: $tool is required" >&2; exit 2; }
done
for f in "$hfrun" "$emulator" "$png" "$repo/tests/conformance/node_modules/@gradio/client"; do
  [[ -e "$f" ]] || { echo "space_bench: $f not found (build a Release tree or pass --hfrun/--emulator; tests/conformance/setup.sh installs @gradio/client)" >&2; exit 2; }
done
hfrun="$(realpath "$hfrun")"
emulator="$(realpath "$emulator")"
helper="$here/bench_helper.py"

work="$(mktemp -d "${TMPDIR:-/tmp}/hfrun-space-bench.XXXXXX")"
# shellcheck source=scripts/emulator.sh
source "$repo/scripts/emulator.sh"
cleanup() { emulator_stop; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
export EMULATOR_OUTPUT="$work/emulator.err"
export HF_HOME="$work/hf-home" XDG_CONFIG_HOME="$work/xdg-config" XDG_CACHE_HOME="$work/xdg-cache"
unset HUGGING_FACE_HUB_TOKEN HF_TOKEN_PATH HF_HUB_OFFLINE HF_TOKEN
mkdir -p "$HF_HOME"
emulator_start "$emulator" "$work/ports.json" || exit 1
emulator_export "$work/ports.json"
gradio="$(emulator_value "$work/ports.json" gradio)"
echo_app="$gradio/spaces/hfrun-demo/echo"
classifier="$gradio/spaces/hfrun-demo/image-classifier"

echo "== hfrun space benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "   hfrun:    $hfrun"
echo "   node:     $(node --version), @gradio/client $(node -p "require('$repo/tests/conformance/node_modules/@gradio/client/package.json').version")"

# Both sides call the app by its URL (the JS client cannot resolve OWNER/NAME through a local Hub):
# /config, /info, the upload, queue/join and the event stream.
q() { printf %q "$1"; }
{
  printf 'hfrun-text\t%s space %s name=cat --json\n' "$(q "$hfrun")" "$(q "$echo_app")"
  printf 'node-text\tnode %s %s /predict %s\n' "$(q "$node_call")" "$(q "$echo_app")" "$(q '{"name":"cat"}')"
  printf 'hfrun-upload\t%s space %s image=@%s --json\n' "$(q "$hfrun")" "$(q "$classifier")" "$(q "$png")"
  printf 'node-upload\tnode %s %s /predict {} image %s\n' "$(q "$node_call")" "$(q "$classifier")" "$(q "$png")"
} >"$work/spec.txt"
# Same answers from both, before anything is timed.
for pair in text upload; do
  h="$(grep "^hfrun-$pair" "$work/spec.txt" | cut -f2-)"
  n="$(grep "^node-$pair" "$work/spec.txt" | cut -f2-)"
  hd="$(eval "$h" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["data"]))')"
  nd="$(eval "$n")"
  [[ "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]) == json.loads(sys.argv[2]))' "$hd" "$nd")" == True ]] ||
    { echo "space_bench: hfrun and @gradio/client disagree on $pair: $hd vs $nd" >&2; exit 1; }
  echo "   $pair: hfrun and @gradio/client return the same data"
done
python3 "$helper" measure --spec "$work/spec.txt" --runs "$runs" --warmup 2 --out "$work/measure.json"

if ((do_big)); then
  big="$work/big.bin"
  head -c $((1 << 30)) /dev/urandom >"$big"
  : >"$work/big.txt"
  for ((i = 0; i < big_runs; i++)); do
    start=$(date +%s.%N)
    code=0
    /usr/bin/time -f %M -o "$work/rss.txt" "$hfrun" space "$gradio/spaces/hfrun-demo/file-info" \
      "file=@$big" --json >/dev/null 2>"$work/big-err.txt" || code=$?
    end=$(date +%s.%N)
    printf 'upload-1gib\thfrun\t1 GiB file to a Gradio app (multipart /upload, then the call)\t%s\t%s\t%s\n' \
      "$(tail -1 "$work/rss.txt")" "$(python3 -c "print($end - $start)")" "$code" >>"$work/big.txt"
  done
  rm -f "$big"
fi
python3 "$helper" report --out "$work" --baseline node --baseline-label "a Node script calling the same app with @gradio/client" \
  --target 0.1 --rss-target 0.25 --rss-limit-mib 32 --pairs "text:text call (echo, /predict)" "upload:image upload + call (image-classifier)"
