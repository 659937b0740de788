#!/usr/bin/env bash
# Downloads REPO's blob.bin (default hfrun-emulator/large-file, 3 GiB; hfrun-emulator/one-gib is
# 1 GiB) the way a parallel client does: one HEAD on the Hub (302 to the CDN, X-Linked-Etag =
# SHA-256), then 4 concurrent Range GETs on the CDN URL without Authorization. Passes when the
# bytes hash to X-Linked-Etag (so it checks the sha256 world/hub.json precomputes) and the CDN saw
# no token. Usage: large_download.sh EMULATOR_BIN [REPO]
set -euo pipefail
emulator="$1"
repo="${2:-hfrun-emulator/large-file}"
# shellcheck source=scripts/emulator.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/emulator.sh"
work="$(mktemp -d)"
cleanup() {
  emulator_stop
  rm -rf "$work"
}
trap cleanup EXIT

emulator_start "$emulator" "$work/ports.json" --log "$work/log.jsonl"
hub="$(emulator_value "$work/ports.json" hub)"
token="$(emulator_value "$work/ports.json" token)"

headers="$(curl -sSI -H "Authorization: Bearer $token" "$hub/$repo/resolve/main/blob.bin" | tr -d '\r')"
location="$(grep -i '^location:' <<<"$headers" | cut -d' ' -f2-)"
etag="$(grep -i '^x-linked-etag:' <<<"$headers" | cut -d' ' -f2- | tr -d '"')"
size="$(grep -i '^x-linked-size:' <<<"$headers" | cut -d' ' -f2-)"
[[ -n "$location" && -n "$etag" && "$size" -gt 0 ]] || { echo "bad HEAD answer: $headers"; exit 1; }

parts=4
chunk=$(( (size + parts - 1) / parts ))
pids=()
for i in $(seq 0 $((parts - 1))); do
  start=$((i * chunk))
  end=$((start + chunk - 1))
  curl -sSf -r "$start-$end" -o "$work/part$i" "$location" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
got="$(cat $(for i in $(seq 0 $((parts - 1))); do echo "$work/part$i"; done) | sha256sum | cut -d' ' -f1)"
bytes="$(cat "$work"/part* | wc -c)"
echo "size=$bytes expected=$size sha256=$got expected=$etag"
[[ "$bytes" == "$size" && "$got" == "$etag" ]] || { echo "MISMATCH"; exit 1; }
if grep '"role":"cdn"' "$work/log.jsonl" | grep -qi '"authorization"'; then
  echo "the CDN received an Authorization header"
  exit 1
fi
echo OK
