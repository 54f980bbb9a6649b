#!/usr/bin/env bash
# Checks every environment of the three Workers offline (run by `make check-config`, part of
# `make test`): the full worker (wrangler.toml), the edge worker (wrangler.edge.toml) and the gate
# worker (wrangler.gate.toml; docs/operations.md, "Two Workers" and "The gate worker"):
# - `wrangler deploy --dry-run --env X` succeeds (top level, staging, production) for each;
# - each environment of each declares every binding the code uses (the `*_BINDING` constants in src/);
# - the edge's and the gate's Durable Object bindings all name (script_name) the full worker of the
#   same environment and a class that worker binds, their service binding FULL names that worker,
#   the edge's GATE names the gate worker of the same environment, and neither declares class
#   migrations;
# - no deployed environment sets WAITROOM_TEST_FAULTS (test-only fault injection), nor a
#   TURNSTILE_VERIFY_URL or TURNSTILE_SCRIPT_URL other than https (the tests' Turnstile stand-in);
# - every `both` variable (docs/operations.md's table: read by both Workers) is set alike in both;
# - docs/operations.md's table names every secret the code reads (`Secrets::from_lookup`,
#   `api_keys` and `pass_signer` in crates/core/src/keys/secrets.rs) and every variable (`lookup(env, "...")`, `env.var("...")`):
#   a secret cannot be checked in an offline configuration, so the doc is the checklist.
# Fails loudly, naming what is missing. CONFIG=<file> and DOCS=<file> check other files (to test
# the check on a broken copy; EDGE_CONFIG=<file> the edge's, GATE_CONFIG=<file> the gate's).
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIG=${CONFIG:-wrangler.toml}
EDGE_CONFIG=${EDGE_CONFIG:-wrangler.edge.toml}
GATE_CONFIG=${GATE_CONFIG:-wrangler.gate.toml}
DOCS=${DOCS:-docs/operations.md}
WRANGLER=node_modules/.bin/wrangler
export CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false
ENVS=("" staging production)
failures=()
fail() { failures+=("$*"); printf '\033[1;31m[check-config] FAIL\033[0m %s\n' "$*" >&2; }
ok() { printf '[check-config] ok   %s\n' "$*"; }

# What the code uses.
bindings=$(grep -rhoE 'const [A-Z_]+_BINDING: &str = "[A-Z_]+"' src | sed -E 's/.*"([A-Z_]+)"/\1/' | sort -u)
secrets=$(sed -n '/fn from_lookup/,/^    }/p; /^pub fn api_keys/,/^}/p; /^pub fn pass_signer/,/^}/p' crates/core/src/keys/secrets.rs |
  grep -oE '(key|read|set)\("[A-Z_]+"\)' | sed -E 's/.*"([A-Z_]+)".*/\1/' | sort -u)
# (and the secrets src/config.rs reads by a `const NAME`: WEBHOOK_SIGNING_KEY)
vars=$(grep -rhoE '((lookup\(env, |env\.var\(|env\.secret\()|const NAME: &str = )"[A-Z_]+"' src | sed -E 's/.*"([A-Z_]+)"/\1/' | sort -u)
[ -n "$bindings" ] && [ -n "$secrets" ] || { echo "[check-config] found no bindings or secrets in the code: the greps are stale" >&2; exit 1; }
ok "the code uses bindings: $(echo $bindings); secrets: $(echo $secrets); variables: $(echo $vars)"
# Bindings one Worker's code uses and another's does not: the edge reaches the full and gate
# workers (FULL, GATE), the gate the full worker (FULL); only the full worker's objects and
# forwarded routes put events on the queue (EVENTS).
not_in_full="FULL GATE"
not_in_edge="EVENTS"
not_in_gate="EVENTS GATE"

outdir=$(mktemp -d)
trap 'rm -rf "$outdir"' EXIT
# A Worker's name in an environment of a config ("" = top level).
worker_name() {
  awk -v env="$2" '
    /^\[/ { section = $0; gsub(/[][ ]/, "", section) }
    /^name *=/ { v = $0; sub(/^name *= */, "", v); gsub(/"/, "", v)
      if (section == "" && env == "") print v; else if (env != "" && section == "env." env) print v }' "$1"
}
for config in "$CONFIG" "$EDGE_CONFIG" "$GATE_CONFIG"; do
for env in "${ENVS[@]}"; do
  label="$config ${env:-top level}"
  log="$outdir/$(basename "$config")-${env:-top}.log"
  if ! "$WRANGLER" deploy --dry-run --config "$config" --env="$env" --outdir "$outdir/$(basename "$config")-${env:-top}" >"$log" 2>&1; then
    fail "$label: wrangler deploy --dry-run --env=\"$env\" failed:"
    sed 's/^/    /' "$log" >&2
    continue
  fi
  # The bindings wrangler resolved for this environment ("env.NAME ..." lines).
  declared=$(grep -oE '^env\.[A-Z_]+' "$log" | sed 's/^env\.//' | sort -u)
  case "$config" in
    "$EDGE_CONFIG") not_here=$not_in_edge ;;
    "$GATE_CONFIG") not_here=$not_in_gate ;;
    *) not_here=$not_in_full ;;
  esac
  needed=$(comm -23 <(echo "$bindings") <(tr ' ' '\n' <<<"$not_here" | sort -u))
  missing=$(comm -23 <(echo "$needed") <(echo "$declared"))
  if [ -n "$missing" ]; then
    fail "$label: binding(s) the code uses but $config does not declare: $(echo $missing)"
  else
    ok "$label: dry run passes; declares $(echo $needed)"
  fi
  if [ -n "$env" ] && grep -q '^env\.WAITROOM_TEST_FAULTS' "$log"; then
    fail "$label: sets WAITROOM_TEST_FAULTS (test-only fault injection must never be deployed)"
  fi
  # TURNSTILE_VERIFY_URL and TURNSTILE_SCRIPT_URL are for tests' local stand-in; a deployed worker
  # refuses anything but https (docs/operations.md), so a deployed environment must not set another.
  for name in TURNSTILE_VERIFY_URL TURNSTILE_SCRIPT_URL; do
    if [ -n "$env" ] && grep -E "^env\.$name" "$log" | grep -qv '"https://'; then
      fail "$label: sets $name to something other than an https URL (test-only stand-ins must never be deployed)"
    fi
  done
  if [ "$config" != "$CONFIG" ]; then
    # The edge and the gate define no class: every object binding is the full worker's of this
    # environment.
    full=$(worker_name "$CONFIG" "$env")
    full_log="$outdir/$(basename "$CONFIG")-${env:-top}.log"
    while read -r line; do
      [ -n "$line" ] || continue
      class=$(sed -E 's/^env\.[A-Z_]+ \(([A-Za-z]+).*/\1/' <<<"$line")
      if ! grep -qE "defined in $full\)" <<<"$line"; then
        fail "$label: $line: not bound to the full worker $full (script_name)"
      elif ! grep -qE "^env\.[A-Z_]+ \($class\) " "$full_log"; then
        fail "$label: $line: $full binds no class $class"
      fi
    done < <(grep -E '^env\.[A-Z_]+ .*Durable Object' "$log")
    if ! grep -qE "^env\.FULL \($full\) +Worker" "$log"; then
      fail "$label: the service binding FULL does not name the full worker $full"
    fi
    gate=$(worker_name "$GATE_CONFIG" "$env")
    if [ "$config" = "$EDGE_CONFIG" ] && ! grep -qE "^env\.GATE \($gate\) +Worker" "$log"; then
      fail "$label: the service binding GATE does not name the gate worker $gate"
    fi
    if [ -z "$env" ] && grep -qE '^\[\[(env\.[a-z]+\.)?migrations\]\]' "$config"; then
      fail "$config: declares class migrations (the classes and their migrations are the full worker's)"
    fi
  fi
done
done

# The full worker answers no address of its own (issue 17): workers_dev = false at the top level
# and in every environment of its config (the edge worker reaches it by its service binding).
for env in "${ENVS[@]}"; do
  section=$([ -n "$env" ] && echo "env.$env" || echo "")
  setting=$(awk -v want="$section" '
    /^\[/ { header = $0; gsub(/^\[+|\]+$/, "", header); current = header; next }
    /^workers_dev *=/ && current == want { gsub(/^workers_dev *= */, ""); print; exit }
  ' "$CONFIG")
  if [ "$setting" != "false" ]; then
    fail "$CONFIG${env:+ [env.$env]}: the full worker needs workers_dev = false (got '${setting:-unset}')"
  fi
done

for name in $secrets $vars; do
  if ! grep -qE "^\| *\`$name\`" "$DOCS"; then
    fail "$DOCS: no table row for \`$name\` (every secret and variable the code reads, per environment)"
  fi
done
# Which Worker reads each value (the table's third column): `both` values set in one file's
# environment are set to the same value in the other's.
for name in $secrets $vars; do
  read_by=$(grep -E "^\| *\`$name\`" "$DOCS" | head -n1 | awk -F'|' '{ gsub(/ /, "", $4); print $4 }')
  case "$read_by" in
    both)
      for env in "${ENVS[@]}"; do
        full_line=$(grep -E "^env\.$name " "$outdir/$(basename "$CONFIG")-${env:-top}.log" 2>/dev/null | sed -E 's/ +[A-Z][a-z]+ [A-Z][a-z]+ *$//; s/ +$//' || true)
        edge_line=$(grep -E "^env\.$name " "$outdir/$(basename "$EDGE_CONFIG")-${env:-top}.log" 2>/dev/null | sed -E 's/ +[A-Z][a-z]+ [A-Z][a-z]+ *$//; s/ +$//' || true)
        if [ "$full_line" != "$edge_line" ]; then
          fail "${env:-top level}: $name is read by both Workers but set differently: $CONFIG '${full_line:-unset}', $EDGE_CONFIG '${edge_line:-unset}'"
        fi
      done ;;
    full | edge) ;;
    *) fail "$DOCS: \`$name\`'s row says no Worker (third column: both, full or edge; got '$read_by')" ;;
  esac
done
[ ${#failures[@]} -eq 0 ] && ok "$DOCS lists $(echo $secrets $vars)"

if [ ${#failures[@]} -gt 0 ]; then
  printf '\033[1;31m[check-config] %d problem(s): the configuration is not deployable as is.\033[0m\n' "${#failures[@]}" >&2
  exit 1
fi
echo "[check-config] every environment is consistent"
