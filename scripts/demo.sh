#!/usr/bin/env bash
# hfrun's main job against the embedded default: builds hfrun and its emulator of the Hugging Face
# services (installing missing Debian packages first), starts the emulator on free loopback ports,
# and runs hfrun against it. Real services need a network and a token; this needs neither.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/build.sh" >&2
bin="$root/build/src/hfrun"
emulator="$root/build/tests/emulator/hfrun-emulator"

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
step "$bin" --version
step "$bin" whoami
step "$bin" --dry-run whoami
