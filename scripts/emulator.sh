#!/usr/bin/env bash
# The one shell launcher of hfrun-emulator (the C++ suites use tests/support/emulator_process.hpp).
#
# Run a command against a fresh emulator, then stop it (exit status: the command's):
#   scripts/emulator.sh run EMULATOR [EMULATOR_ARGS...] -- COMMAND [ARGS...]
# The command gets HF_ENDPOINT (hub), HFRUN_ROUTER_URL (router), HFRUN_EMULATOR_CDN (cdn),
# HFRUN_EMULATOR_ENDPOINTS (the inference servers' and endpoints' origin), HFRUN_ENDPOINTS_API_URL
# (the management API, endpoints_api + /v2), HF_TOKEN (the world's first user),
# HFRUN_EMULATOR_PORT_FILE and HFRUN_EMULATOR_PID.
#
# Or source it and use the functions (one emulator at a time per shell):
#   source scripts/emulator.sh
#   emulator_start EMULATOR PORT_FILE [EMULATOR_ARGS...]  # --port 0; waits for PORT_FILE; sets EMULATOR_PID
#   emulator_value PORT_FILE hub|router|cdn|gradio|endpoints|endpoints_api|token|pid
#   emulator_export PORT_FILE                            # the variables `run` sets, exported
#   emulator_stop                                        # SIGTERM, wait; safe to call twice
# The emulator's stdout and stderr go to EMULATOR_OUTPUT (default: emulator.log beside PORT_FILE).

# emulator_value PORT_FILE KEY: the port file is one line of JSON with string values and a numeric
# pid, so sed reads it (no jq or python needed).
emulator_value() {
  sed -nE "s/.*\"$2\":(\"([^\"]*)\"|([0-9]+)).*/\\2\\3/p" "$1"
}

emulator_start() {
  local binary="$1" port_file="$2"
  shift 2
  local output="${EMULATOR_OUTPUT:-$(dirname "$port_file")/emulator.log}"
  rm -f "$port_file"
  "$binary" --port 0 --port-file "$port_file" "$@" >"$output" 2>&1 &
  EMULATOR_PID=$!
  local _
  for _ in $(seq 300); do
    # The emulator writes the file atomically (rename) once every role listens.
    [[ -s "$port_file" ]] && return 0
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
      wait "$EMULATOR_PID" 2>/dev/null || true
      echo "emulator.sh: $binary exited before writing $port_file:" >&2
      tail -n 20 "$output" >&2
      EMULATOR_PID=""
      return 1
    fi
    sleep 0.05
  done
  echo "emulator.sh: $binary wrote no port file within 15 s:" >&2
  tail -n 20 "$output" >&2
  emulator_stop
  return 1
}

emulator_export() {
  export HF_ENDPOINT HFRUN_ROUTER_URL HFRUN_EMULATOR_CDN HFRUN_EMULATOR_ENDPOINTS \
    HFRUN_ENDPOINTS_API_URL HF_TOKEN HFRUN_EMULATOR_PORT_FILE HFRUN_EMULATOR_PID
  HF_ENDPOINT="$(emulator_value "$1" hub)"
  HFRUN_ROUTER_URL="$(emulator_value "$1" router)"
  HFRUN_EMULATOR_CDN="$(emulator_value "$1" cdn)"
  HFRUN_EMULATOR_ENDPOINTS="$(emulator_value "$1" endpoints)"
  HFRUN_ENDPOINTS_API_URL="$(emulator_value "$1" endpoints_api)/v2"
  HF_TOKEN="$(emulator_value "$1" token)"
  HFRUN_EMULATOR_PORT_FILE="$1"
  HFRUN_EMULATOR_PID="$(emulator_value "$1" pid)"
}

emulator_stop() {
  if [[ -n "${EMULATOR_PID:-}" ]]; then
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
  fi
}

emulator_run() {
  local binary="$1"
  shift
  local args=()
  while (($#)) && [[ "$1" != "--" ]]; do
    args+=("$1")
    shift
  done
  if [[ "${1:-}" != "--" || $# -lt 2 ]]; then
    echo "usage: emulator.sh run EMULATOR [EMULATOR_ARGS...] -- COMMAND [ARGS...]" >&2
    return 2
  fi
  shift
  local work
  work="$(mktemp -d "${TMPDIR:-/tmp}/hfrun-emulator.XXXXXX")"
  if ! emulator_start "$binary" "$work/ports.json" "${args[@]}"; then
    rm -rf "$work"
    return 1
  fi
  local code=0
  (emulator_export "$work/ports.json" && "$@") || code=$?
  emulator_stop
  rm -rf "$work"
  return "$code"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -uo pipefail
  case "${1:-}" in
    run)
      shift
      [[ $# -ge 1 ]] || { echo "usage: emulator.sh run EMULATOR [EMULATOR_ARGS...] -- COMMAND [ARGS...]" >&2; exit 2; }
      trap 'emulator_stop' EXIT
      trap 'exit 130' INT TERM
      emulator_run "$@"
      exit $?
      ;;
    *)
      sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
fi
