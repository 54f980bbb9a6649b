#!/usr/bin/env bash
# The edge module's size bound (run by `make check-edge-size`, part of `make test`; docs/capacity.md,
# "The edge's bound"): the edge worker's module is on the fan's path at every cold start in every
# data centre, and issue 21 bounds it at 300 KB gzipped, read as 300,000 bytes of `gzip -9`.
# Fails, saying the size, the bound and by how much, if build-edge/index_bg.wasm is over it.
# MODULE=<file> and MAX_BYTES=<n> check another file or bound (to test the check itself).
set -euo pipefail
cd "$(dirname "$0")/.."

MODULE=${MODULE:-build-edge/index_bg.wasm}
MAX_BYTES=${MAX_BYTES:-300000}

if [ ! -f "$MODULE" ]; then
  printf '\033[1;31m[edge-size] FAIL\033[0m %s is missing: run make build\n' "$MODULE" >&2
  exit 1
fi
raw=$(wc -c <"$MODULE")
gzipped=$(gzip -9 -c "$MODULE" | wc -c)
if [ "$gzipped" -gt "$MAX_BYTES" ]; then
  printf '\033[1;31m[edge-size] FAIL\033[0m %s is %d bytes gzip -9 (%d raw), over the bound of %d by %d: move what is not on the crowd'"'"'s path to the full worker or to static files (docs/capacity.md)\n' \
    "$MODULE" "$gzipped" "$raw" "$MAX_BYTES" "$((gzipped - MAX_BYTES))" >&2
  exit 1
fi
printf '[edge-size] ok   %s is %d bytes gzip -9 (%d raw), bound %d: %d bytes of room\n' \
  "$MODULE" "$gzipped" "$raw" "$MAX_BYTES" "$((MAX_BYTES - gzipped))"
