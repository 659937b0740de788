#!/usr/bin/env bash
# hfrun.1 renders with groff's man macros and every warning on (-ww), and with man-db's checks;
# any output is a warning.
set -euo pipefail
page=$1
[[ -s $page ]] || { echo "no man page at $page (build the hfrun_shell_files target)" >&2; exit 1; }
command -v groff >/dev/null || { echo "groff is not installed (scripts/install-deps.sh)" >&2; exit 1; }
warnings=$(groff -man -ww -z "$page" 2>&1)
if [[ -n $warnings ]]; then
  echo "groff -man -ww -z $page:" >&2
  echo "$warnings" >&2
  exit 1
fi
if command -v man >/dev/null; then
  warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  if [[ -n $warnings ]]; then
    echo "man --warnings -l $page:" >&2
    echo "$warnings" >&2
    exit 1
  fi
fi
# The page has a section per command: at least `hfrun doctor` and a nested `hfrun cache ls`.
for section in 'hfrun doctor' 'hfrun cache ls'; do
  grep -qx ".SS \"$section\"" "$page" || { echo "no section '$section' in $page" >&2; exit 1; }
done
echo "hfrun.1 renders without warnings"
