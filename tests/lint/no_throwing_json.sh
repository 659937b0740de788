#!/usr/bin/env bash
# Fails when a throwing nlohmann accessor -- `.value("`, `.get<`, `.at("` -- appears in the code that
# reads server JSON (replies, Hub metadata): on a value of another type or a missing key they throw
# nlohmann::type_error/out_of_range, which escapes as "please report this bug" instead of a
# bad_response. Read such JSON with include/hfrun/util/json.hpp. A line reading JSON hfrun built
# itself may opt out with the marker `// json: trusted`.
#
#   no_throwing_json.sh [ROOT]     check ROOT (default: the repository holding this script)
#   no_throwing_json.sh --self-test
set -euo pipefail

readonly marker='// json: trusted'
readonly pattern='\.value\("|\.get<|\.at\("'
readonly scanned=(src/tasks src/hub src/probe src/http src/backends src/cli/whoami.cpp
                  src/cli/probe.cpp)

check() {
  local root=$1 existing=() path
  for path in "${scanned[@]}"; do
    [[ -e "$root/$path" ]] && existing+=("$path")
  done
  if ((${#existing[@]} == 0)); then
    echo "no_throwing_json: none of ${scanned[*]} under $root" >&2
    return 2
  fi
  local hits
  hits=$(cd "$root" || exit 2
         grep -rnE --include='*.cpp' --include='*.hpp' "$pattern" "${existing[@]}" |
           grep -vF "$marker") || true
  if [[ -n "$hits" ]]; then
    echo "throwing nlohmann accessors on JSON of unknown shape (use hfrun/util/json.hpp, or mark" \
         "JSON hfrun built itself with '$marker'):" >&2
    echo "$hits" >&2
    return 1
  fi
}

self_test() {
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/src/tasks" "$tmp/src/cli"
  printf 'auto w = item.value("word", "");\n' >"$tmp/src/tasks/a.cpp"
  printf 'auto n = who["name"].get<std::string>(); %s\n' "$marker" >"$tmp/src/cli/whoami.cpp"
  printf 'auto x = body.get<int>();\n' >"$tmp/src/cli/app.cpp" # not a file that reads server JSON
  if check "$tmp" 2>/dev/null; then
    echo "self-test: .value(\" in src/tasks was not reported" >&2
    return 1
  fi
  rm "$tmp/src/tasks/a.cpp"
  printf 'auto s = util::string_or(item, "word", "");\nauto v = it.value();\n' >"$tmp/src/tasks/a.cpp"
  if ! check "$tmp"; then
    echo "self-test: safe readers, marked lines or files outside the list were reported" >&2
    return 1
  fi
  printf 'auto e = error.at("message");\n' >"$tmp/src/tasks/b.hpp"
  if check "$tmp" 2>/dev/null; then
    echo "self-test: .at(\" in a header was not reported" >&2
    return 1
  fi
  echo "self-test passed"
}

if [[ "${1:-}" == "--self-test" ]]; then
  self_test
else
  check "${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
fi
