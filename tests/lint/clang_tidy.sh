#!/usr/bin/env bash
# Runs clang-tidy with the repository's .clang-tidy on every translation unit under src/ and fails on
# any finding (WarningsAsErrors: '*'), listing them. The compile commands come from a clang build
# folder (the `fuzz` preset's build-fuzz/: `cmake --preset fuzz` is enough, nothing needs building),
# since clang-tidy parses the code as clang 14 does. scripts/test.sh runs it after the test suite;
# docs/reliability.md, "Static analysis", says what is checked and why.
#
#   clang_tidy.sh [BUILD_DIR] [JOBS]   default: build-fuzz of this repository, nproc
#   clang_tidy.sh --self-test          a planted finding fails the check, a clean file passes
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly here
readonly tidy=${CLANG_TIDY:-clang-tidy-14}

# check ROOT BUILD JOBS: the files of ROOT/src/ in BUILD's compile commands, with ROOT's .clang-tidy.
check() {
  local root=$1 build=$2 jobs=$3
  command -v "$tidy" >/dev/null || { echo "clang_tidy: $tidy not found (scripts/install-deps.sh)" >&2; return 2; }
  [[ -f $build/compile_commands.json ]] ||
    { echo "clang_tidy: no $build/compile_commands.json (cmake --preset fuzz)" >&2; return 2; }
  local -a files=()
  mapfile -t files < <(jq -r '.[].file' "$build/compile_commands.json" | grep "^$root/src/" | LC_ALL=C sort -u)
  ((${#files[@]} > 0)) || { echo "clang_tidy: no file of $root/src/ in $build/compile_commands.json" >&2; return 2; }
  local out status=0 findings
  out=$(printf '%s\n' "${files[@]}" | xargs -P "$jobs" -n 4 "$tidy" -p "$build" --quiet 2>/dev/null) || status=$?
  findings=$(grep -cE '^/.*: (warning|error): ' <<<"$out" || true)
  if ((status != 0 || findings > 0)); then
    printf '%s\n' "$out" >&2
    echo "clang_tidy: $findings findings in ${#files[@]} files of src/" >&2
    return 1
  fi
  echo "clang_tidy: ${#files[@]} files of src/, no finding"
}

self_test() {
  local tmp out
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  cp "$here/.clang-tidy" "$tmp/.clang-tidy"
  mkdir -p "$tmp/src" "$tmp/build"
  # compile_commands NAME...: a compile database of src/NAME.cpp for each NAME.
  compile_commands() {
    local name sep=''
    printf '['
    for name in "$@"; do
      printf '%s{"directory": "%s", "command": "clang++-14 -std=c++20 -c src/%s.cpp", "file": "%s/src/%s.cpp"}' \
        "$sep" "$tmp" "$name" "$tmp" "$name"
      sep=,
    done
    printf ']\n'
  }
  printf 'int good(int x) {\n  return x + 1;\n}\n' >"$tmp/src/good.cpp"
  compile_commands good >"$tmp/build/compile_commands.json"
  check "$tmp" "$tmp/build" 1 >/dev/null || { echo "self-test: a clean file was reported" >&2; return 1; }
  # bugprone-suspicious-semicolon: the `if` guards nothing.
  printf 'int bad(int x) {\n  if (x > 0);\n  return x;\n}\n' >"$tmp/src/bad.cpp"
  compile_commands good bad >"$tmp/build/compile_commands.json"
  if out=$(check "$tmp" "$tmp/build" 1 2>&1); then
    echo "self-test: a planted finding passed" >&2
    return 1
  fi
  grep -q 'src/bad.cpp:2:.*bugprone-suspicious-semicolon' <<<"$out" ||
    { echo "self-test: the finding was not listed: $out" >&2; return 1; }
  echo "clang_tidy self-test: ok"
}

if [[ ${1:-} == --self-test ]]; then
  self_test
else
  check "$here" "${1:-$here/build-fuzz}" "${2:-$(nproc)}"
fi
