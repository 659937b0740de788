#!/usr/bin/env bash
# Fails when a C++ file under src/, include/ or tests/ differs from what clang-format makes of it with
# the repository's .clang-format, and lists those files. Fix them with `clang-format -i FILE...`.
# Build folders (build, build-*) and node_modules are skipped. clang-format comes from
# scripts/install-deps.sh; CLANG_FORMAT names another binary. Versions of clang-format may format
# differently: the reference is the one Debian 12 ships (clang-format 14).
#
#   clang_format.sh [ROOT]     check ROOT (default: the repository holding this script)
#   clang_format.sh --self-test
set -euo pipefail

readonly clang_format=${CLANG_FORMAT:-clang-format}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly here

require_clang_format() {
  if ! command -v "$clang_format" >/dev/null 2>&1; then
    echo "clang_format: '$clang_format' not found (scripts/install-deps.sh installs clang-format)" >&2
    return 2
  fi
}

check() {
  local root=$1 dirs=() d file
  require_clang_format || return
  if [[ ! -f "$root/.clang-format" ]]; then
    echo "clang_format: no $root/.clang-format" >&2
    return 2
  fi
  for d in src include tests; do
    [[ -d "$root/$d" ]] && dirs+=("$d")
  done
  if ((${#dirs[@]} == 0)); then
    echo "clang_format: none of src, include, tests under $root" >&2
    return 2
  fi
  local -a files=() unformatted=()
  mapfile -t files < <(cd "$root" &&
    find "${dirs[@]}" \( -name node_modules -o -name build -o -name 'build-*' \) -prune -o \
      -type f \( -name '*.cpp' -o -name '*.hpp' \) -print | LC_ALL=C sort)
  for file in "${files[@]}"; do
    if ! (cd "$root" && "$clang_format" --style=file --dry-run -Werror "$file" >/dev/null 2>&1); then
      unformatted+=("$file")
    fi
  done
  if ((${#unformatted[@]})); then
    echo "clang_format: ${#unformatted[@]} of ${#files[@]} files are not clang-formatted" \
         "(clang-format -i FILE...):" >&2
    printf '  %s\n' "${unformatted[@]}" >&2
    return 1
  fi
}

self_test() {
  require_clang_format || return
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  cp "$here/.clang-format" "$tmp/.clang-format"
  mkdir -p "$tmp/src/util" "$tmp/include/hfrun" "$tmp/tests/conformance/node_modules/x" \
           "$tmp/tests/build-x"
  printf 'int f(int a) {\n  return a + 1;\n}\n' >"$tmp/src/util/good.cpp"
  printf '#pragma once\n\nint g();\n' >"$tmp/include/hfrun/good.hpp"
  # Files in skipped folders and files of other kinds are not checked.
  printf 'int   h( ){return 0 ;}\n' >"$tmp/tests/conformance/node_modules/x/bad.cpp"
  printf 'int   h( ){return 0 ;}\n' >"$tmp/tests/build-x/bad.cpp"
  printf 'int   h( ){return 0 ;}\n' >"$tmp/src/util/notes.txt"
  if ! check "$tmp"; then
    echo "self-test: formatted files, or files in skipped folders, were reported" >&2
    return 1
  fi
  printf 'int   h( ){return 0 ;}\n' >"$tmp/tests/bad_test.cpp"
  printf 'int  k();\n' >"$tmp/include/hfrun/bad.hpp"
  local out
  if out=$(check "$tmp" 2>&1); then
    echo "self-test: unformatted files were not reported" >&2
    return 1
  fi
  if ! grep -qx '  tests/bad_test.cpp' <<<"$out" || ! grep -qx '  include/hfrun/bad.hpp' <<<"$out" ||
     grep -q 'good\.' <<<"$out"; then
    echo "self-test: the list of unformatted files is wrong:" >&2
    echo "$out" >&2
    return 1
  fi
  echo "self-test passed"
}

if [[ "${1:-}" == "--self-test" ]]; then
  self_test
else
  check "${1:-$here}"
fi
