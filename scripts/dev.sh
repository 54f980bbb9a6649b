#!/usr/bin/env bash
# `make dev`: the whole thing on this machine. The worker on workerd (wrangler dev) with persisted
# SQLite Durable Objects, a demo sale that opens shortly after start, a crowd of synthetic fans
# ahead of you, and the demo origin's windows pulling fans. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8787}
ORIGIN_PORT=${ORIGIN_PORT:-8788}
SALE=${SALE:-demo}
OPENS_IN_S=${OPENS_IN_S:-45}
# The demo sale's pre-queue opens this long after start (its order is drawn at opens_at);
# PREQUEUE_IN_S= (empty) for a sale without one.
PREQUEUE_IN_S=${PREQUEUE_IN_S-15}
DEMO_CROWD=${DEMO_CROWD:-24}
STATE_DIR=${STATE_DIR:-.state}
EDGE="http://127.0.0.1:$PORT"
ORIGIN="http://127.0.0.1:$ORIGIN_PORT"

say() { printf '\033[1m[dev]\033[0m %s\n' "$*"; }

scripts/dev-vars.sh .dev.vars
# Shell variables only (not exported): each process gets just the keys it needs.
source .dev.vars

say "building the demo origin and the synthetic fan"
cargo build --release -p demo-origin -p synthetic-fan --quiet

pids=()
cleanup() {
  say "stopping"
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# The three Workers of the deployment (docs/operations.md, "Two Workers" and "The gate worker"):
# the edge worker on the port, the full worker (the Durable Objects) behind it, and the gate worker
# (path protection), to which the edge hands the protected store's requests.
say "starting the edge worker on $EDGE, the full and gate workers behind it (state in $STATE_DIR)"
setsid node_modules/.bin/wrangler dev -c wrangler.edge.toml -c wrangler.toml -c wrangler.gate.toml --ip 127.0.0.1 --port "$PORT" --persist-to "$STATE_DIR" \
  --show-interactive-dev-session=false &
pids+=($!)
for _ in $(seq 1 120); do curl -sf "$EDGE/healthz" >/dev/null && break; sleep 1; done
curl -sf "$EDGE/healthz" >/dev/null || { say "the worker did not start"; exit 1; }

admin() { curl -sS -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' "$@"; }
if [ "$(admin -o /dev/null -w '%{http_code}' "$EDGE/api/admin/sales/$SALE")" = 404 ]; then
  opens_at=$(date -u -d "+$OPENS_IN_S seconds" +%Y-%m-%dT%H:%M:%SZ)
  prequeue=""
  if [ -n "$PREQUEUE_IN_S" ]; then
    prequeue_opens_at=$(date -u -d "+$PREQUEUE_IN_S seconds" +%Y-%m-%dT%H:%M:%SZ)
    prequeue="\"prequeue_opens_at\":\"$prequeue_opens_at\","
    say "the demo sale's pre-queue opens at $prequeue_opens_at; its order is drawn at $opens_at"
  fi
  say "creating the demo sale '$SALE', opening at $opens_at"
  admin -X PUT "$EDGE/api/admin/sales/$SALE" -o /dev/null \
    -d "{\"name\":\"Demo Tour 2027 presale\",\"purchase_url\":\"$ORIGIN/purchase\",$prequeue\"opens_at\":\"$opens_at\",\"claim_ttl_s\":15,\"pass_ttl_s\":300}"
  # A crowd of synthetic fans that joins the second the sale opens, waits like real fans and buys,
  # so there is a line to watch move (none with DEMO_CROWD=0).
  if [ "$DEMO_CROWD" -gt 0 ]; then
    setsid target/release/synthetic-fan --edge-url "$EDGE" --sale "$SALE" --fans "$DEMO_CROWD" \
      --wait-for-open --buy-at-demo-origin --buy-after-ms 6000 --timeout-s 900 >/dev/null &
    pids+=($!)
  fi
else
  say "the demo sale '$SALE' already exists (state kept in $STATE_DIR)"
fi

# The second demo sale: path protection of the demo origin's store, with no code in the origin.
# The gate worker guards $EDGE/store (the edge hands it the request) and passes admitted fans
# through to $ORIGIN/store (docs/api.md, "Path protection"), in safety-net mode: dormant (fans pass
# straight through with a session) while under 50 active sessions and 20 new ones a minute; above
# either, new fans queue and at most 5 more shop at once, until it is calm for 30 s with nobody
# waiting. Each session is renewed while active.
STORE_SALE=${STORE_SALE:-store}
if [ "$(admin -o /dev/null -w '%{http_code}' "$EDGE/api/admin/sales/$STORE_SALE")" = 404 ]; then
  say "creating the protected-store sale '$STORE_SALE' (guards $EDGE/store)"
  admin -X PUT "$EDGE/api/admin/sales/$STORE_SALE" -o /dev/null \
    -d "{\"name\":\"Demo store (path protection)\",\"purchase_url\":\"$EDGE/store\",\"pass_delivery\":\"fragment\",\"admission\":{\"mode\":\"capacity\",\"active\":5,\"session_s\":600},\"protect\":{\"origin\":\"$ORIGIN\",\"hosts\":[\"127.0.0.1:$PORT\"],\"paths\":[\"/store*\"],\"session_s\":120,\"fail_mode\":\"open\",\"queue_when\":{\"active_sessions\":50,\"new_sessions_per_min\":20,\"quiet_s\":30}}}"
  admin -X POST "$EDGE/api/admin/sales/$STORE_SALE/open" -o /dev/null
fi

say "starting the demo origin on $ORIGIN"
setsid target/release/demo-origin --env-file .dev.vars --edge-url "$EDGE" --sale "$SALE" --listen "127.0.0.1:$ORIGIN_PORT" \
  --windows 3 --capacity 2 --pace-ms 1000 &
pids+=($!)

cat <<MSG

  Fan page:        $EDGE/s/$SALE        (countdown, then your place in line)
  Sale info:       $EDGE/api/sales/$SALE
  The draw:        $EDGE/api/sales/$SALE/draw   (check it: cargo run -p verify-draw -- --edge-url $EDGE --sale $SALE)
  Promoter API:    $EDGE/api/admin/sales/$SALE   (Authorization: Bearer \$ADMIN_KEY)
  Demo origin:     $ORIGIN/                 (windows, check-ins, purchases)
  Protected store: $EDGE/store              (path protection, safety net: sale '$STORE_SALE' guards the origin's /store)
  JWKS:            $EDGE/.well-known/jwks.json
  Keys:            .dev.vars  (ADMIN_KEY, ORIGIN_KEY, TOKEN_KEYS, PASS_SIGNING_KEY; git-ignored)

  Ctrl-C stops everything. State persists in $STATE_DIR; delete it for a fresh start.

MSG
wait
