#!/usr/bin/env bash
# Installs the pinned runtimes of the `hfrun local` workers for tests/local (npm registry, exact versions
# from package-lock.json): @huggingface/transformers with onnxruntime-node's CPU binary, sharp's
# linux-x64 binaries, and node-llama-cpp with its linux-x64 prebuilt llama.cpp. The local_setup ctest
# step runs it; safe to re-run (nothing to do while node_modules matches the lock file).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  echo "local: npm not found; the local worker tests will be skipped" >&2
  exit 0
fi
if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "local: the pinned prebuilt binaries are linux-x64 only; the local worker tests will be skipped" >&2
  exit 0
fi
stamp=node_modules/.hfrun-package-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
# onnxruntime-node's postinstall would download CUDA libraries; its CPU binary is in the package.
# --omit=optional leaves out node-llama-cpp's CUDA, Vulkan and other-platform binaries (hundreds of MB);
# the linux-x64 ones the workers load are direct dependencies in package.json.
ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=optional --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
