#!/usr/bin/env bash
# Installs the pinned official JS clients for the conformance suite (npm registry, exact versions
# from package-lock.json). Called by .ci/run before the tests; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  echo "conformance: npm not found; the conformance tests will be skipped" >&2
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
