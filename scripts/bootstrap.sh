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

# Installed again only when the lockfile's content changed (not its date: a fresh checkout or a
# git worktree sharing node_modules would otherwise reinstall, and wipe the shared copy).
lock_changed() { ! cmp -s "$1/package-lock.json" "$1/node_modules/.installed-lock.json"; }
if [ ! -x node_modules/.bin/wrangler ] || [ ! -f node_modules/axe-core/axe.min.js ] || lock_changed .; then
  say "installing the pinned npm tools (wrangler, esbuild, binaryen, axe-core)"
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.installed-lock.json
fi

# The connectors' own pinned dependencies (connectors/, docs/connectors.md; their tests run in
# tests/api/connectors.rs): jose (and express for its tests) for the Node connector, and PyJWT,
# cryptography and pytest for the Python one, in a venv under target/ (git-ignored). Each exact
# version is pinned, the Python ones with their dependencies (installed --no-deps, wheels only).
if [ ! -f connectors/node/node_modules/jose/package.json ] || lock_changed connectors/node; then
  say "installing the Node connector's pinned packages (jose; express for its tests)"
  ( cd connectors/node && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-lock.json )
fi
CONNECTORS_VENV=target/connectors-venv
if [ ! -x "$CONNECTORS_VENV/bin/python" ] || [ connectors/python/requirements-test.txt -nt "$CONNECTORS_VENV/.installed" ]; then
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))' \
    || { say "the Python connector needs python3 >= 3.9 (found $(python3 --version 2>&1))"; exit 1; }
  say "installing the Python connector's pinned packages into $CONNECTORS_VENV (PyJWT, cryptography, pytest)"
  rm -rf "$CONNECTORS_VENV"
  # A venv without its own pip, filled by this python's pip (--python, pip >= 22.3): seconds faster.
  python3 -m venv --without-pip "$CONNECTORS_VENV"
  pip_=(python3 -m pip --python "$CONNECTORS_VENV/bin/python")
  if ! "${pip_[@]}" --version >/dev/null 2>&1; then
    "$CONNECTORS_VENV/bin/python" -m ensurepip --default-pip >/dev/null
    pip_=("$CONNECTORS_VENV/bin/python" -m pip)
  fi
  "${pip_[@]}" install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    -r connectors/python/requirements-test.txt
  touch "$CONNECTORS_VENV/.installed"
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
