#!/usr/bin/env bash
# Configure and build hfrun (and its emulator and tests) with a preset: default (build/), or
# HFRUN_PRESET (scripts/test.sh uses `asan`, build-asan/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
preset="${HFRUN_PRESET:-default}"
cmake --preset "$preset" -S "$root" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
