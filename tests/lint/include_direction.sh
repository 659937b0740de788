#!/usr/bin/env bash
# Fails when a header include goes against the layer order. src/CMakeLists.txt gives each layer one
# static library that links only the layers below it, but the linker cannot see a header-only use
# (an inline function, a type) of a layer above or beside: this script does. A file under src/<L>/ or
# include/hfrun/<L>/ may include <hfrun/X/...> (or a private "X/..." header) only when X is L or a
# layer of a lower level in the table below; two layers of one level are siblings and must not
# include each other. include/hfrun/error.hpp belongs to util; src/main.cpp (the executable) may
# include any layer. Also: <curl/...> appears only in src/http/ and <CLI/...> only in src/cli/
# (docs/architecture.md).
#
# The table is the one copy of the order in this script; it must say what the hfrun_layer() lines of
# src/CMakeLists.txt say (every layer there is in the table, every table layer that has a folder is
# there, and each layer links only layers of a lower level), or the check fails, so the two cannot
# drift apart.
#
#   include_direction.sh [ROOT]     check ROOT (default: the repository holding this script)
#   include_direction.sh --self-test
set -euo pipefail

readonly self=tests/lint/include_direction.sh

# layer:level -- keep in step with the hfrun_layer() lines of src/CMakeLists.txt. `cache` sits above
# hub (a download lists the repo and resolves files through the Hub API) and below the backends (the
# local backend reads the cache); a table layer with neither src/<layer> nor include/hfrun/<layer>
# is skipped.
readonly table=(
  util:0
  http:1
  config:2
  client:3
  hub:4 tasks:4 batch:4
  cache:5
  backends:6 probe:6 space:6
  cli:7
)

declare -A level=()
for entry in "${table[@]}"; do
  level[${entry%%:*}]=${entry##*:}
done

# Prints "NAME DEP DEP..." for each hfrun_layer(...) call of a CMakeLists.txt (calls may span lines;
# `#` comments are dropped). Deps are the hfrun_<layer> targets it links, without the prefix.
cmake_layers() {
  awk '
    { sub(/#.*/, "") }
    !open && /^[ \t]*hfrun_layer[ \t]*\(/ { open = 1; call = "" }
    open {
      call = call " " $0
      if (index($0, ")")) {
        open = 0
        sub(/^[ \t]*hfrun_layer[ \t]*\([ \t]*/, "", call)
        sub(/\).*/, "", call)
        n = split(call, words, /[ \t]+/)
        out = ""
        for (i = 1; i <= n; i++) {
          w = words[i]
          if (w == "") continue
          if (out == "") { out = w; continue }
          if (w ~ /^hfrun_[a-z_]+$/) { sub(/^hfrun_/, "", w); out = out " " w }
        }
        print out
      }
    }' "$1"
}

check_table() {
  local root=$1 cmake=$1/src/CMakeLists.txt failed=0 line name rest dep
  if [[ ! -f "$cmake" ]]; then
    echo "include_direction: no $cmake" >&2
    return 2
  fi
  declare -A in_cmake=()
  while read -r line; do
    [[ -z "$line" ]] && continue
    read -r name rest <<<"$line"
    in_cmake[$name]=1
    if [[ -z "${level[$name]:-}" ]]; then
      echo "src/CMakeLists.txt: layer '$name' is not in the table of $self" >&2
      failed=1
      continue
    fi
    for dep in $rest; do
      if [[ -z "${level[$dep]:-}" ]]; then
        echo "src/CMakeLists.txt: $name links hfrun_$dep, which is not in the table of $self" >&2
        failed=1
      elif ((level[$dep] >= level[$name])); then
        echo "src/CMakeLists.txt: $name (level ${level[$name]}) links hfrun_$dep (level" \
             "${level[$dep]}): the table of $self puts it at the same level or above" >&2
        failed=1
      fi
    done
  done < <(cmake_layers "$cmake")
  for name in "${!level[@]}"; do
    if [[ -z "${in_cmake[$name]:-}" ]] &&
       [[ -d "$root/src/$name" || -d "$root/include/hfrun/$name" ]]; then
      echo "src/CMakeLists.txt: no hfrun_layer($name ...), yet the table of $self lists it and" \
           "src/$name or include/hfrun/$name exists" >&2
      failed=1
    fi
  done
  return $failed
}

# The layer a file belongs to ("main" for src/main.cpp; empty when it is in no layer).
file_layer() {
  case $1 in
    src/main.cpp) echo main ;;
    include/hfrun/error.hpp) echo util ;;
    src/*/*) local p=${1#src/}; echo "${p%%/*}" ;;
    include/hfrun/*/*) local p=${1#include/hfrun/}; echo "${p%%/*}" ;;
    *) echo "" ;;
  esac
}

check_includes() {
  local root=$1 failed=0 hit file text target from to
  local hits
  hits=$(cd "$root" || exit 2
         dirs=(); for d in src include; do [[ -d $d ]] && dirs+=("$d"); done
         ((${#dirs[@]})) || exit 0
         grep -rnE --include='*.cpp' --include='*.hpp' --include='*.h' \
           '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "${dirs[@]}") || true
  while IFS= read -r hit; do
    [[ -z "$hit" ]] && continue
    file=${hit%%:*}
    text=${hit#*:*:}
    target=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]*)[>"].*/\1/' <<<"$text")
    from=$(file_layer "$file")

    case $target in
      curl/*)
        if [[ $file != src/http/* ]]; then
          echo "$hit: <curl/...> belongs in src/http/ only" >&2
          failed=1
        fi
        continue ;;
      CLI/*)
        if [[ $file != src/cli/* ]]; then
          echo "$hit: <CLI/...> belongs in src/cli/ only" >&2
          failed=1
        fi
        continue ;;
      hfrun/error.hpp) to=util ;;
      hfrun/*/*) to=${target#hfrun/}; to=${to%%/*} ;;
      hfrun/*)
        echo "$hit: <$target> is in no layer (add it to a layer folder, or to the table of $self)" >&2
        failed=1
        continue ;;
      */*)
        to=${target%%/*}
        [[ -z "${level[$to]:-}" ]] && continue # a library's header, not a layer's private one
        ;;
      *) continue ;; # a header beside the file, or a system header
    esac

    [[ $from == main ]] && continue
    if [[ -z "$from" || -z "${level[$from]:-}" ]]; then
      echo "$hit: $file is in no layer of the table of $self" >&2
      failed=1
      continue
    fi
    if [[ -z "${level[$to]:-}" ]]; then
      echo "$hit: '$to' is not a layer in the table of $self" >&2
      failed=1
    elif [[ $to != "$from" ]] && ((level[$to] >= level[$from])); then
      if ((level[$to] == level[$from])); then
        echo "$hit: $from includes its sibling $to (same level: neither may include the other)" >&2
      else
        echo "$hit: $from includes $to, a layer above it" >&2
      fi
      failed=1
    fi
  done <<<"$hits"
  return $failed
}

check() {
  local root=$1 failed=0
  check_table "$root" || failed=$?
  check_includes "$root" || failed=$?
  if ((failed)); then
    echo "include_direction: the order is util <- http <- config <- client <- {hub, tasks} <- cache" \
         "<- {backends, probe, space} <- cli (src/CMakeLists.txt)" >&2
  fi
  return $failed
}

self_test() {
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/src"/{util,http,config,client,hub,tasks,backends,probe,cli} \
           "$tmp/include/hfrun"/{util,http,hub,tasks,probe,backends}
  cat >"$tmp/src/CMakeLists.txt" <<'EOF'
function(hfrun_layer name)
endfunction()
hfrun_layer(util PUBLIC_DEPS nlohmann_json::nlohmann_json)
hfrun_layer(http PUBLIC_DEPS hfrun_util PRIVATE_DEPS CURL::libcurl)
hfrun_layer(config PUBLIC_DEPS hfrun_util)
hfrun_layer(client PUBLIC_DEPS hfrun_http hfrun_config)
hfrun_layer(hub PUBLIC_DEPS hfrun_client)
hfrun_layer(tasks PUBLIC_DEPS hfrun_http)
hfrun_layer(backends PUBLIC_DEPS hfrun_tasks hfrun_hub)
hfrun_layer(probe PUBLIC_DEPS hfrun_hub)
hfrun_layer(cli PUBLIC_DEPS hfrun_backends hfrun_probe # a comment (with a paren)
                PRIVATE_DEPS CLI11::CLI11)
EOF
  printf '#include <hfrun/util/json.hpp>\n' >"$tmp/include/hfrun/error.hpp"
  printf '#include <hfrun/error.hpp>\n#include <vector>\n' >"$tmp/src/util/a.cpp"
  printf '#include <curl/curl.h>\n#include "handles.hpp"\n' >"$tmp/src/http/t.cpp"
  printf '#include <hfrun/http/request.hpp>\n#include <hfrun/util/json.hpp>\n' \
    >"$tmp/include/hfrun/tasks/task.hpp"
  printf '#include <hfrun/tasks/task.hpp>\n#include <hfrun/hub/model.hpp>\n' \
    >"$tmp/src/backends/b.cpp"
  printf '#include <CLI/CLI.hpp>\n#include <hfrun/probe/probe.hpp>\n#include "hub/x.hpp"\n' \
    >"$tmp/src/cli/app.cpp"
  printf '#include <nlohmann/json.hpp>\n#include <fmt/format.h>\n' >"$tmp/src/hub/h.cpp"
  printf '#include <hfrun/cli/app.hpp>\n' >"$tmp/src/main.cpp"
  if ! check "$tmp"; then
    echo "self-test: a tree that keeps the order was reported" >&2
    return 1
  fi

  local -a bad=(
    "src/util/up.cpp|#include <hfrun/http/request.hpp>|a lower layer including a higher one"
    "include/hfrun/util/up.hpp|#include <hfrun/cli/app.hpp>|a public header including upward"
    "src/tasks/s.cpp|#include <hfrun/hub/model.hpp>|tasks including its sibling hub"
    "include/hfrun/hub/s.hpp|#include <hfrun/tasks/task.hpp>|hub including its sibling tasks"
    "src/probe/s.cpp|#include <hfrun/backends/backend.hpp>|probe including its sibling backends"
    "src/hub/p.cpp|  #  include \"cli/output.hpp\"|a private header of a higher layer"
    "src/client/c.cpp|#include <curl/curl.h>|<curl/curl.h> outside src/http"
    "include/hfrun/http/c.hpp|#include <curl/easy.h>|<curl/...> in include/hfrun/http"
    "src/backends/c.cpp|#include <CLI/CLI.hpp>|<CLI/CLI.hpp> outside src/cli"
    "src/newlayer/n.cpp|#include <hfrun/util/json.hpp>|a folder that is no layer in the table"
    "src/cli/x.cpp|#include <hfrun/nolayer/x.hpp>|an include of no layer"
  )
  local case path line what
  for case in "${bad[@]}"; do
    IFS='|' read -r path line what <<<"$case"
    mkdir -p "$(dirname "$tmp/$path")"
    printf '%s\n' "$line" >"$tmp/$path"
    if check "$tmp" 2>/dev/null; then
      echo "self-test: $what ($path: $line) was not reported" >&2
      return 1
    fi
    rm "$tmp/$path"
  done
  rmdir "$tmp/src/newlayer"

  local cmake=$tmp/src/CMakeLists.txt good
  good=$(cat "$cmake")
  local -a drift=(
    "s/hfrun_layer(tasks PUBLIC_DEPS hfrun_http)/hfrun_layer(tasks PUBLIC_DEPS hfrun_hub)/|a layer linking its sibling"
    "s/hfrun_layer(config PUBLIC_DEPS hfrun_util)/hfrun_layer(config PUBLIC_DEPS hfrun_client)/|a layer linking upward"
    "/hfrun_layer(probe /d|a table layer with a folder but no hfrun_layer()"
    "\$a hfrun_layer(extra PUBLIC_DEPS hfrun_util)|an hfrun_layer() missing from the table"
  )
  local edit
  for case in "${drift[@]}"; do
    IFS='|' read -r edit what <<<"$case"
    printf '%s\n' "$good" | sed "$edit" >"$cmake"
    if check "$tmp" 2>/dev/null; then
      echo "self-test: src/CMakeLists.txt drift ($what) was not reported" >&2
      return 1
    fi
  done
  printf '%s\n' "$good" >"$cmake"

  mkdir -p "$tmp/src/cache"
  printf '#include <hfrun/client/client.hpp>\n' >"$tmp/src/cache/c.cpp"
  if check "$tmp" 2>/dev/null; then
    echo "self-test: src/cache without an hfrun_layer(cache ...) was not reported" >&2
    return 1
  fi
  printf 'hfrun_layer(cache PUBLIC_DEPS hfrun_client)\n' >>"$cmake"
  if ! check "$tmp"; then
    echo "self-test: a cache layer above client was reported" >&2
    return 1
  fi
  printf '#include <hfrun/backends/backend.hpp>\n' >"$tmp/src/cache/s.cpp"
  if check "$tmp" 2>/dev/null; then
    echo "self-test: cache including the backends above it was not reported" >&2
    return 1
  fi
  echo "self-test passed"
}

if [[ "${1:-}" == "--self-test" ]]; then
  self_test
else
  check "${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
fi
