#!/usr/bin/env bash
# hfrun's main job against the embedded default: builds hfrun and its emulator of the Hugging Face
# services (installing missing Debian packages first), starts the emulator on free loopback ports,
# and runs hfrun against it. Real services need a network and a token; this needs neither.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# HFRUN_BUILD_DIR: use binaries already built there instead of building build/.
if [[ -n "${HFRUN_BUILD_DIR:-}" ]]; then
  build="$HFRUN_BUILD_DIR"
else
  "$root/scripts/build.sh" >&2
  build="$root/build"
fi
bin="$build/src/hfrun"
emulator="$build/tests/emulator/hfrun-emulator"

work="$(mktemp -d)"
cleanup() {
  [[ -n "${emu_pid:-}" ]] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$emulator" --port 0 --port-file "$work/ports.json" >"$work/emulator.log" 2>&1 &
emu_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/ports.json" ]] && break; sleep 0.1; done
export HF_ENDPOINT="$(jq -r .hub "$work/ports.json")"
export HFRUN_ROUTER_URL="$(jq -r .router "$work/ports.json")"
export HF_TOKEN="$(jq -r '.token // "hf_emulator_user_token"' "$work/ports.json")"
export HF_HOME="$work/hf-home"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; "$@"; }
shared="$root/../shared/peer-captures"
image="$work/cat.png"
if [[ -f "$shared/tiny.png" ]]; then cp "$shared/tiny.png" "$image"; else
  # A 1x1 PNG, so the demo also runs without ../shared.
  printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde\0\0\0\x0cIDATx\x9cc\xf8\xcf\xc0\0\0\x03\x01\x01\0\xc9\xfe\x92\xef\0\0\0\0IEND\xaeB`\x82' >"$image"
fi
cd "$work"
step "$bin" --version
step "$bin" whoami
step "$bin" probe meta-llama/Llama-3.1-8B-Instruct
step "$bin" serverless google/vit-base-patch16-224 --file cat.png
step "$bin" serverless meta-llama/Llama-3.1-8B-Instruct --text "Hello!" max_tokens:=32
step "$bin" serverless black-forest-labs/FLUX.1-dev --text "a cat" --provider fal-ai -o cat.jpg
step "$bin" serverless dslim/bert-base-NER --text "My name is Sarah and I live in London"
step "$bin" --dry-run serverless google/vit-base-patch16-224 --task image-classification --provider hf-inference --file cat.png top_k:=3
echo >&2
echo "hfrun: demo done (emulator at $HF_ENDPOINT, router $HFRUN_ROUTER_URL)" >&2
