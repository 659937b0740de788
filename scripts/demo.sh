#!/usr/bin/env bash
# hfrun's main job against the embedded default: builds hfrun and its emulator of the Hugging Face
# services (installing missing Debian packages first), starts the emulator on free loopback ports,
# and runs hfrun against it. Real services need a network and a token; this needs neither.
# The build is the `demo` preset (build-demo/: only hfrun and hfrun-emulator, -O0, one unity
# file per library, ccache when present), not the test suite's; a second run rebuilds nothing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# HFRUN_BUILD_DIR: use binaries already built there instead of building build-demo/.
if [[ -n "${HFRUN_BUILD_DIR:-}" ]]; then
  build="$HFRUN_BUILD_DIR"
else
  build="$root/build-demo"
  "$root/scripts/install-deps.sh" --demo >&2
  (
    cd "$root"
    [[ -f "$build/build.ninja" ]] || cmake --preset demo >/dev/null
    cmake --build --preset demo -j "$(nproc)" >&2
  )
fi
bin="$build/src/hfrun"
emulator="$build/tests/emulator/hfrun-emulator"

# shellcheck source=scripts/emulator.sh
source "$root/scripts/emulator.sh"
work="$(mktemp -d)"
cleanup() {
  emulator_stop
  rm -rf "$work"
}
trap cleanup EXIT

emulator_start "$emulator" "$work/ports.json"
emulator_export "$work/ports.json" # HF_ENDPOINT, HFRUN_ROUTER_URL, HF_TOKEN
export HF_HOME="$work/hf-home"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; "$@"; }
image="$work/cat.png"
cp "$root/tests/data/peer-captures/tiny.png" "$image"
cd "$work"
step "$bin" --version
step "$bin" whoami
step "$bin" probe meta-llama/Llama-3.1-8B-Instruct
step "$bin" serverless google/vit-base-patch16-224 --file cat.png
step "$bin" serverless meta-llama/Llama-3.1-8B-Instruct --text "Hello!" max_tokens:=32
step "$bin" serverless black-forest-labs/FLUX.1-dev --text "a cat" --provider fal-ai -o cat.jpg
step "$bin" serverless dslim/bert-base-NER --text "My name is Sarah and I live in London"
step "$bin" space hfrun-demo/calculator --list
step "$bin" space hfrun-demo/image-classifier image=@cat.png
step "$bin" space hfrun-demo/chatbot message="Hello there"
step "$bin" endpoint "$HFRUN_ROUTER_URL" --text "Hello!"
step "$bin" --dry-run serverless google/vit-base-patch16-224 --task image-classification --provider hf-inference --file cat.png top_k:=3
echo >&2
echo "hfrun: demo done (emulator at $HF_ENDPOINT, router $HFRUN_ROUTER_URL)" >&2
