#!/usr/bin/env bash
# Installs the Debian 12 packages hfrun needs to build and test, only those missing.
# Safe to run again; uses sudo when not root.
set -euo pipefail

# --demo: only what building hfrun and its emulator needs (scripts/demo.sh, the README's first run).
profile="${1:-all}"
packages=(
  g++ cmake ninja-build pkg-config ccache git
  libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libmagic-dev libssl-dev zlib1g-dev libjpeg62-turbo-dev
  libgtest-dev libcpp-httplib-dev
  curl ca-certificates
)
[[ "$profile" == "--demo" ]] || packages+=(
  jq time
  openssl # the TLS verification test's self-signed certificates (tests/e2e/tls_test.cpp)
  clang-format
  groff man-db dpkg-dev # the man_page_renders and deb_package ctests (dpkg-shlibdeps: the .deb's Depends)
  zsh fish # the completion scripts' syntax checks (tests/unit/cli/completion_test.cpp)
  aria2 # the multi-connection baseline of tests/bench/download_bench.sh
  python3-onnx python3-numpy # the tiny models of tests/local/make_tiny_models.py (hfrun local tests)
  clang-14 libclang-rt-14-dev # the fuzz targets (tests/fuzz, the `fuzz` preset: libFuzzer, ASan, UBSan)
  clang-tidy-14 # tests/lint/clang_tidy.sh, run by scripts/test.sh on src/ with the fuzz preset's compile commands
)
# The conformance suite runs the official JS clients: Node.js and npm (any Node >= 18).
if [[ "$profile" != "--demo" ]] && { ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; }; then
  packages+=(nodejs npm)
fi
extra_file="$(dirname "$0")/extra-packages.txt"
if [[ -f "$extra_file" ]]; then
  while read -r pkg; do
    [[ -n "$pkg" && "$pkg" != \#* ]] && packages+=("$pkg")
  done <"$extra_file"
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi
echo "hfrun: installing missing Debian packages: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
