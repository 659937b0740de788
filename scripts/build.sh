#!/usr/bin/env bash
# Configure and build hfrun (and its emulator and tests) into build/ with the default preset.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
preset="${HFRUN_PRESET:-default}"
cmake --preset "$preset" -S "$root" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
