#!/usr/bin/env bash
# Installs what the build and the tests need, skipping whatever is already there at the right
# version. Safe to run again; `make dev` and `make test` run it first.
set -euo pipefail
cd "$(dirname "$0")/.."

WORKER_BUILD_VERSION=0.8.7
# wasm-bindgen-cli must be exactly the wasm-bindgen that Cargo.lock resolved.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)

say() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

has_version() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qE "(^| )$2( |$)"; }

# The two cargo installs are the slow part of a cold machine (minutes of compiling each): run them
# side by side, in the background while npm and apt do their part, and fail if either fails.
pids=()
logs=$(mktemp -d)
if ! has_version wasm-bindgen "$WASM_BINDGEN_VERSION" || ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  ( cargo install --locked wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" \
      || cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" ) >"$logs/wasm-bindgen.log" 2>&1 &
  pids+=("$!:wasm-bindgen")
fi

if ! has_version worker-build "$WORKER_BUILD_VERSION"; then
  say "installing worker-build $WORKER_BUILD_VERSION (a few minutes, once)"
  ( cargo install --locked worker-build --version "$WORKER_BUILD_VERSION" \
      || cargo install worker-build --version "$WORKER_BUILD_VERSION" ) >"$logs/worker-build.log" 2>&1 &
  pids+=("$!:worker-build")
fi
# If anything below fails, do not leave an install running on its own.
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

if [ ! -x node_modules/.bin/wrangler ] || [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing the pinned npm tools (wrangler, esbuild, binaryen, axe-core)"
  npm ci --no-audit --no-fund
fi

# Headless Chromium and its driver for the browser tests, from Debian (no browser downloads here).
if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
  say "installing chromium and chromium-driver (Debian packages)"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# The npm tools and the browser were installed meanwhile; now wait for the cargo installs.
for entry in "${pids[@]}"; do
  if ! wait "${entry%%:*}"; then
    tail -n 40 "$logs/${entry#*:}.log" >&2
    say "installing ${entry#*:} failed (log above)"
    exit 1
  fi
done
rm -rf "$logs"

say "ready: wasm-bindgen $WASM_BINDGEN_VERSION, worker-build $WORKER_BUILD_VERSION, wrangler $(node_modules/.bin/wrangler --version 2>/dev/null | tail -n1)"
