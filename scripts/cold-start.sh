#!/usr/bin/env bash
# Cold start: the time from a fresh `wrangler dev` (empty state directory, fresh secrets) to the
# first 200 from /healthz, and then to the first answered join (a sale created and opened first;
# the join is the first request that starts the sale's Durable Objects). RUNS runs; the worker's
# module size (raw and gzip -9) next to the numbers. Report: $OUT/cold-start.md.
#
# Usage: scripts/cold-start.sh            Env: RUNS (default 3), BENCH_OUT (default target/bench),
#        COLD_WORKER_DIR: where build/, build-edge/, static/, wrangler.toml and wrangler.edge.toml
#        come from (default: this repo; without wrangler.edge.toml, the full worker alone),
#        COLD_LABEL: the build's name in the report (default: git describe --dirty)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
OUT=${BENCH_OUT:-target/bench}
WORKER_DIR=${COLD_WORKER_DIR:-.}
WRANGLER=$PWD/node_modules/.bin/wrangler
label=${COLD_LABEL:-$(git -C "$WORKER_DIR" describe --always --dirty 2>/dev/null || echo unknown)}
export CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false CI=true

say() { printf '\033[1m[cold-start]\033[0m %s\n' "$*" >&2; }
now_ms() { date +%s%3N; }
rand() { head -c "$1" /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

[ -x "$WRANGLER" ] || { say "$WRANGLER is missing: run 'make bootstrap'"; exit 1; }
[ -f "$WORKER_DIR/build/index_bg.wasm" ] || { say "$WORKER_DIR/build is missing: run 'make build'"; exit 1; }
mkdir -p "$OUT"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/waitroom-cold-XXXXXX")
worker_pid=""
stop_worker() {
  [ -n "$worker_pid" ] || return 0
  kill -TERM -- "-$worker_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 -- "-$worker_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$worker_pid" 2>/dev/null || true
  wait "$worker_pid" 2>/dev/null || true
  worker_pid=""
}
cleanup() { local s=$?; trap - EXIT INT TERM; stop_worker; rm -rf "$tmp"; exit "$s"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# A copy of the built worker without wrangler.toml's [build] step: nothing rebuilds it mid-run.
app="$tmp/app"
mkdir -p "$app"
cp -R "$WORKER_DIR/build" "$app/build"
cp -R "$WORKER_DIR/static" "$app/static"
awk '/^\[/ { skip = ($0 == "[build]") } !skip' "$WORKER_DIR/wrangler.toml" > "$app/wrangler.toml"
raw=$(stat -c %s "$app/build/index_bg.wasm")
gz=$(gzip -9 -c "$app/build/index_bg.wasm" | wc -c)
modules="Module build/index_bg.wasm (the full worker): $raw bytes, $gz bytes gzip -9."
# The edge worker in front of the full one, as deployed (docs/operations.md, "Two Workers"): its
# module is the one every data centre starts for the fans. A release before the split has
# wrangler.toml only.
configs=(--config "$app/wrangler.toml")
if [ -f "$WORKER_DIR/wrangler.edge.toml" ]; then
  cp -R "$WORKER_DIR/build-edge" "$app/build-edge"
  awk '/^\[/ { skip = ($0 == "[build]") } !skip' "$WORKER_DIR/wrangler.edge.toml" > "$app/wrangler.edge.toml"
  configs=(--config "$app/wrangler.edge.toml" --config "$app/wrangler.toml")
  edge_raw=$(stat -c %s "$app/build-edge/index_bg.wasm")
  edge_gz=$(gzip -9 -c "$app/build-edge/index_bg.wasm" | wc -c)
  modules="Edge module build-edge/index_bg.wasm: $edge_raw bytes, $edge_gz bytes gzip -9; full worker build/index_bg.wasm: $raw bytes, $gz bytes gzip -9."
fi

rows=""
for run in $(seq 1 "$RUNS"); do
  dir="$tmp/run$run"
  mkdir -p "$dir/state"
  admin="admin-$(rand 33)"
  (umask 077; printf 'ADMIN_KEY=%s\nORIGIN_KEY=origin-%s\nTOKEN_KEYS=t1:%s\nPASS_SIGNING_KEY=%s\n' \
    "$admin" "$(rand 33)" "$(rand 33)" "$(rand 32)" > "$dir/worker.env")
  # wrangler gives --env-file to the first config only; the second reads the .dev.vars beside it.
  cp "$dir/worker.env" "$app/.dev.vars"
  port=$(free_port); inspector=$(free_port); base="http://127.0.0.1:$port"
  started=$(now_ms)
  WRANGLER_LOG_PATH="$dir" setsid "$WRANGLER" dev "${configs[@]}" --ip 127.0.0.1 \
    --port "$port" --inspector-port "$inspector" --persist-to "$dir/state" --env-file "$dir/worker.env" \
    --show-interactive-dev-session=false --log-level warn </dev/null >"$dir/wrangler.log" 2>&1 &
  worker_pid=$!
  healthz=""
  for _ in $(seq 1 2400); do
    kill -0 "$worker_pid" 2>/dev/null || break
    if curl --noproxy '*' -sf -m 2 -o /dev/null "$base/healthz"; then healthz=$(( $(now_ms) - started )); break; fi
    sleep 0.025
  done
  [ -n "$healthz" ] || { say "run $run: no /healthz within 60 s"; tail -n 40 "$dir/wrangler.log" >&2; exit 1; }
  sale="cold$run"
  curl --noproxy '*' -sf -m 30 -o /dev/null -X PUT "$base/api/admin/sales/$sale" -H "Authorization: Bearer $admin" \
    -H 'Content-Type: application/json' -d '{"name":"Cold start","purchase_url":"https://example.com/buy"}'
  curl --noproxy '*' -sf -m 30 -o /dev/null -X POST "$base/api/admin/sales/$sale/open" -H "Authorization: Bearer $admin"
  ready=$(( $(now_ms) - started ))
  status=$(curl --noproxy '*' -s -m 30 -o /dev/null -w '%{http_code}' -X POST "$base/api/sales/$sale/join")
  join=$(( $(now_ms) - started ))
  [ "$status" = 201 ] || { say "run $run: join answered $status"; exit 1; }
  say "run $run: /healthz after ${healthz} ms, sale open after ${ready} ms, first join (201) after ${join} ms"
  rows+="| $run | $healthz | $ready | $join | $((join - ready)) |"$'\n'
  stop_worker
done

{
  echo "# Cold start: $label"
  echo
  echo "$modules $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo "Times in ms from starting \`wrangler dev\` (fresh state, fresh secrets)."
  echo
  echo "| run | first /healthz 200 | sale created + opened | first join 201 | join alone |"
  echo "|---|---|---|---|---|"
  printf '%s' "$rows"
} | tee "$OUT/cold-start.md"
