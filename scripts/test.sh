#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: install, build, run every ctest label
# (unit, emulator, e2e, conformance). `scripts/test.sh -L unit` passes arguments to ctest.
#
# The suite runs on the `asan` preset (build-asan/: AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer, -O1), so every test is also a memory-safety, leak and UB check of the
# code it drives: hfrun, its libraries and the emulator (docs/reliability.md, "Sanitizers").
# HFRUN_PRESET=default runs it on the plain build/ instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
preset="${HFRUN_PRESET:-asan}"
HFRUN_PRESET="$preset" "$root/scripts/build.sh"
if [[ -x "$root/tests/conformance/setup.sh" ]]; then
  "$root/tests/conformance/setup.sh"
fi
cd "$root"
ctest --preset "$preset" -j "$(nproc)" "$@"
# The README's demo from its own `demo` preset (a plain unity build: it catches two files of a
# library that define the same private helper), a short smoke of every fuzz target, and clang-tidy
# on src/ with the fuzz build's compile commands (docs/reliability.md), unless only some tests were
# asked for.
if [[ $# -eq 0 ]]; then
  "$root/scripts/demo.sh" >/dev/null
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$(nproc)"
  "$root/tests/fuzz/run.sh" "${HFRUN_FUZZ_SECONDS:-5}"
  "$root/tests/lint/clang_tidy.sh" "$root/build-fuzz"
fi
