#!/usr/bin/env bash
# `make bench`: a load benchmark against a worker of its own on this machine.
#
# Starts `wrangler dev` (workerd) on a free 127.0.0.1 port with an empty state directory and fresh
# random secrets, waits for /healthz, runs the load generator (bench/loadgen: burst join, steady
# poll, full sale, /healthz ceiling, opening second, slow coordinator, edge cost, pushed turns,
# proof of work, a shared address, the coordinator's ceiling: admissions/s with a signed pass each), writes
# target/bench/report.md (+ report.json, latency.svg, throughput.svg), stops the worker's whole
# process group (also on Ctrl-C or failure) and prints the report. Slow numbers never fail it; a
# worker that does not start does.
#
# Usage: scripts/bench.sh [loadgen run options]   e.g. scripts/bench.sh --quick
#        (make bench BENCH_ARGS="--quick --concurrency 48")
# Env:   BENCH_OUT (default target/bench), BENCH_START_TIMEOUT_S (default 120),
#        BENCH_WORKER_DIR: where build/, build-edge/, static/ and the wrangler configs come from (default: this repo),
#        BENCH_WORKER_LABEL: the worker build's name in the report (default: git describe --dirty)
set -euo pipefail
cd "$(dirname "$0")/.."

run_started_ms=$(date +%s%3N)
OUT=${BENCH_OUT:-target/bench}
START_TIMEOUT_S=${BENCH_START_TIMEOUT_S:-120}
WORKER_DIR=${BENCH_WORKER_DIR:-.}
WRANGLER=node_modules/.bin/wrangler
LOADGEN=target/release/loadgen

say() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }

# Offline local runtime: no Cloudflare account, no telemetry.
export CLOUDFLARE_CF_FETCH_ENABLED=false
export WRANGLER_SEND_METRICS=false

[ -x "$WRANGLER" ] || { say "$WRANGLER is missing: run 'make bootstrap' (npm ci)"; exit 1; }
[ -f "$WORKER_DIR/build/index.js" ] || { say "$WORKER_DIR/build/index.js is missing: run 'make build' (or 'make bench')"; exit 1; }
worker_label=${BENCH_WORKER_LABEL:-$(git -C "$WORKER_DIR" describe --always --dirty 2>/dev/null || echo unknown)}

say "building the load generator (release)"
cargo build --release --quiet -p loadgen

tmp=$(mktemp -d "${TMPDIR:-/tmp}/waitroom-bench-XXXXXX")
mkdir -p "$OUT" "$tmp/state"
log="$tmp/wrangler.log"
worker_pid=""

stop_worker() {
  [ -n "$worker_pid" ] || return 0
  say "stopping the worker (process group $worker_pid)"
  kill -TERM -- "-$worker_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 -- "-$worker_pid" 2>/dev/null || break
    sleep 0.1
  done
  # workerd can outlive wrangler's node process: nothing of the group stays.
  kill -KILL -- "-$worker_pid" 2>/dev/null || true
  wait "$worker_pid" 2>/dev/null || true
  worker_pid=""
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_worker
  [ -f "$log" ] && cp "$log" "$OUT/wrangler.log" 2>/dev/null
  # wrangler's own debug log, for a post-mortem.
  for f in "$tmp"/wrangler-*.log; do [ -f "$f" ] && gzip -c "$f" > "$OUT/wrangler-debug.log.gz"; done
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

# Fresh secrets for this run only: >= 32 random characters each, admin and origin keys different,
# PASS_SIGNING_KEY the base64url of 32 random bytes.
rand() { head -c "$1" /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }
(
  umask 077
  cat > "$tmp/worker.env" <<VARS
ADMIN_KEY=admin-$(rand 33)
ORIGIN_KEY=origin-$(rand 33)
TOKEN_KEYS=t1:$(rand 33)
PASS_SIGNING_KEY=$(rand 32)
VARS
)

# Run a copy of the built worker (build/, static/, wrangler.toml without its [build] step): a
# rebuild in the work tree (wrangler's watcher on src/, another `make build`) can then neither
# swap the code nor reload the worker in the middle of a measurement.
app="$tmp/app"
mkdir -p "$app"
cp -R "$WORKER_DIR/build" "$app/build"
cp -R "$WORKER_DIR/static" "$app/static"
awk '/^\[/ { skip = ($0 == "[build]") } !skip' "$WORKER_DIR/wrangler.toml" > "$app/wrangler.toml"
[ -f "$app/build/index.js" ] || { say "build/index.js vanished while copying (a rebuild?): try again"; exit 1; }
# The edge worker in front of the full one, as deployed (docs/operations.md, "Two Workers"); a
# release before the split has wrangler.toml only.
configs=(--config "$app/wrangler.toml")
if [ -f "$WORKER_DIR/wrangler.edge.toml" ]; then
  cp -R "$WORKER_DIR/build-edge" "$app/build-edge"
  awk '/^\[/ { skip = ($0 == "[build]") } !skip' "$WORKER_DIR/wrangler.edge.toml" > "$app/wrangler.edge.toml"
  [ -f "$app/build-edge/index.js" ] || { say "build-edge/index.js is missing: run 'make build'"; exit 1; }
  configs=(--config "$app/wrangler.edge.toml" --config "$app/wrangler.toml")
  # wrangler gives --env-file and --var to the first config only; the second reads the .dev.vars
  # beside it.
  { cat "$tmp/worker.env"; printf 'WAITROOM_TEST_FAULTS=1\nRATE_LIMIT_PER_MIN=0\n'; } > "$app/.dev.vars"
fi

port=$("$LOADGEN" free-port)
inspector_port=$("$LOADGEN" free-port)
wrangler_version=$("$WRANGLER" --version 2>/dev/null | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+' | tail -n1 || true)
base="http://127.0.0.1:$port"

# WAITROOM_TEST_FAULTS=1 turns on the test-only fault switch (`PUT /api/admin/sales/{id}/fault`,
# loopback only) that the slow-coordinator scenario uses; a worker without it answers 404 and the
# scenario is reported as skipped.
say "starting the worker $worker_label on $base (wrangler ${wrangler_version:-?}, state in $tmp)"
# setsid: the worker gets a process group of its own, so it can be stopped whole.
WRANGLER_LOG_PATH="$tmp" setsid "$WRANGLER" dev "${configs[@]}" --ip 127.0.0.1 --port "$port" \
  --inspector-port "$inspector_port" --persist-to "$tmp/state" --env-file "$tmp/worker.env" \
  --var WAITROOM_TEST_FAULTS:1 --var RATE_LIMIT_PER_MIN:0 --show-interactive-dev-session=false --log-level warn </dev/null >"$log" 2>&1 &
worker_pid=$!

healthy=""
for _ in $(seq 1 "$((START_TIMEOUT_S * 4))"); do
  if ! kill -0 "$worker_pid" 2>/dev/null; then
    break
  fi
  if curl --noproxy '*' -sf -m 2 -o /dev/null "$base/healthz"; then
    healthy=1
    break
  fi
  sleep 0.25
done
if [ -z "$healthy" ]; then
  say "the worker did not answer $base/healthz within ${START_TIMEOUT_S}s; its log:"
  tail -n 60 "$log" >&2 || true
  exit 1
fi
say "worker ready after $(( ($(date +%s%3N) - run_started_ms) / 1000 )) s"

"$LOADGEN" run --base-url "$base" --env-file "$tmp/worker.env" --out "$OUT" --state-dir "$tmp/state" \
  --wrangler-version "${wrangler_version:-unknown}" --worker-label "$worker_label" --nproc "$(nproc)" --arch "$(uname -m)" \
  --run-started-ms "$run_started_ms" --worker-pgid "$worker_pid" "$@"

stop_worker
echo
cat "$OUT/report.md"
echo
say "report: $OUT/report.md (raw numbers: $OUT/report.json; plots: $OUT/latency.svg, $OUT/throughput.svg)"
say "the core's own cost (no worker): make bench-core, run next by make bench: $OUT/core.md (per operation), $OUT/simulation.md (a million fans)"
say "total run time: $(( ($(date +%s%3N) - run_started_ms) / 1000 )) s"
