#!/usr/bin/env bash
# Versioned, gradual deploys and rollback of one environment (docs/operations.md). An environment
# is three Workers over one library ("Two Workers", "The gate worker"): the full worker
# (wrangler.toml: the Durable Objects, cron, queue consumers), the gate worker (wrangler.gate.toml:
# protected sites' routes, path protection) and the edge worker in front (wrangler.edge.toml: the
# routes). deploy does the full worker first, then the gate, then the edge (objects answer the
# current and the previous protocol version, so new objects serve an old edge, never an old object
# a new edge; the edge's binding GATE names the gate); rollback goes back in the other order, the
# edge first. WORKERS=full, gate or edge (or a list) does some of them.
#
#   scripts/deploy.sh deploy   ENV=staging|production [PERCENT=10] [MIGRATE=1]
#   scripts/deploy.sh rollback ENV=staging|production [VERSION=<version id>]
#   (settings as environment variables; `make deploy` / `make rollback` pass them)
#
# deploy: uploads the build as a new Worker version tagged with the git commit (short sha, and the
# commit's subject as message), then sends PERCENT % of traffic to it and the rest to the version
# serving now. PERCENT=100 promotes: if the newest uploaded version is this commit's, it gets all
# traffic (nothing is uploaded again). A release that adds a Durable Object migration tag cannot be
# deployed gradually (the platform applies migrations only with a plain deploy): the script
# refuses, and MIGRATE=1 runs `wrangler deploy --env X` (all traffic at once).
#
# DRY_RUN=1 prints every command that talks to Cloudflare instead of running it, and runs
# `wrangler deploy --dry-run --env X --outdir ...` for real (offline: builds and checks the bundle).
# DEPLOYED_SHA=<commit> tells a dry run which commit the environment runs (a real run reads it
# from the deployed version's tag); without it a dry run assumes HEAD.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTION=${1:-}
ENV=${ENV:-}
PERCENT=${PERCENT:-10}
DRY_RUN=${DRY_RUN:-}
WRANGLER=node_modules/.bin/wrangler
export WRANGLER_SEND_METRICS=false

say() { printf '\033[1m[%s %s]\033[0m %s\n' "$ACTION" "$ENV" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# A command as a shell would read it back (arguments with spaces or quotes in single quotes).
quoted() {
  local out=() a
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./@%:=,+-]+$ ]]; then out+=("$a"); else out+=("'${a//\'/\'\\\'\'}'"); fi
  done
  echo "${out[*]}"
}

# Runs a command that talks to Cloudflare; in a dry run prints it instead.
remote() {
  if [ -n "$DRY_RUN" ]; then
    echo "+ $(quoted "$@")"
  else
    echo "+ $(quoted "$@")" >&2
    "$@"
  fi
}

case "$ACTION" in deploy | rollback) ;; *) die "usage: $0 deploy|rollback (ENV=staging|production)" ;; esac
case "$ENV" in staging | production) ;; *) die "ENV must be staging or production (got '${ENV}')" ;; esac
[ -x "$WRANGLER" ] || die "$WRANGLER is missing: run 'npm ci'"
WORKERS=${WORKERS:-full gate edge}
config_of() { case "$1" in full) echo wrangler.toml ;; gate) echo wrangler.gate.toml ;; edge) echo wrangler.edge.toml ;; *) die "WORKERS: full, gate and/or edge (got '$1')" ;; esac; }

# The Durable Object migration tags an environment declares in a wrangler.toml read on stdin:
# [[env.X.migrations]], or the top-level [[migrations]] for files from before environments.
migration_tags() {
  awk -v env="$1" '
    /^\[/ { section = $0; gsub(/[][ ]/, "", section) }
    /^tag *=/ && (section == "env." env ".migrations" || section == "migrations") {
      tag = $0; sub(/^tag *= */, "", tag); gsub(/"/, "", tag)
      if (section == "migrations") top[++nt] = tag; else own[++no] = tag
    }
    END { if (no) for (i = 1; i <= no; i++) print own[i]; else for (i = 1; i <= nt; i++) print top[i] }'
}

# The commit the environment runs now: the tag of the version with the most traffic.
deployed_sha() {
  if [ -n "$DRY_RUN" ]; then
    remote "$WRANGLER" deployments status --config "$CONFIG" --env "$ENV" --json >&2
    echo "${DEPLOYED_SHA:-$(git rev-parse --short HEAD)}"
    return
  fi
  local version
  version=$("$WRANGLER" deployments status --config "$CONFIG" --env "$ENV" --json |
    node -e 'const d=JSON.parse(require("fs").readFileSync(0));const v=(d.versions||[]).sort((a,b)=>b.percentage-a.percentage)[0];process.stdout.write(v?v.version_id:"")')
  [ -n "$version" ] || return 0
  "$WRANGLER" versions view "$version" --config "$CONFIG" --env "$ENV" --json |
    node -e 'const d=JSON.parse(require("fs").readFileSync(0));process.stdout.write((d.annotations||{})["workers/tag"]||"")'
}

if [ "$ACTION" = rollback ]; then
  # The edge first: an edge never talks to objects older than itself (nor a gate older than
  # itself: the gate, path protection, in between).
  order=""
  for w in edge gate full; do [[ " $WORKERS " == *" $w "* ]] && order+="$w "; done
  for w in $order; do
    CONFIG=$(config_of "$w")
    say "$w worker ($CONFIG): back to ${VERSION:-the previous version} (wrangler keeps the version history; 'wrangler versions list --config $CONFIG --env $ENV' shows each version's commit tag)"
    remote "$WRANGLER" rollback ${VERSION:+"$VERSION"} --config "$CONFIG" --env "$ENV" --message "rollback of $ENV by ${USER:-someone}" --yes
  done
  exit 0
fi

[[ "$PERCENT" =~ ^[0-9]+$ ]] && [ "$PERCENT" -ge 1 ] && [ "$PERCENT" -le 100 ] || die "PERCENT must be 1..100 (got '$PERCENT')"
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  [ -n "$DRY_RUN" ] || die "uncommitted changes: a version must map to a commit"
  say "note: uncommitted changes (allowed in a dry run only)"
fi
SHA=$(git rev-parse --short HEAD)
SUBJECT=$(git log -1 --format=%s | cut -c1-100)

# One worker of the environment: WORKER (full|gate|edge), CONFIG its wrangler config.
deploy_worker() {
  local RUNNING NEW_TAGS NEW PREVIOUS OUT OUTDIR MIGRATE=${MIGRATE:-}
  say "$WORKER worker: checking the configuration offline: wrangler deploy --dry-run --env $ENV"
  OUTDIR=target/deploy/$ENV-$WORKER
  "$WRANGLER" deploy --dry-run --config "$CONFIG" --env "$ENV" --outdir "$OUTDIR" >"target/deploy-$ENV-$WORKER-dry-run.log" 2>&1 ||
    { cat "target/deploy-$ENV-$WORKER-dry-run.log" >&2; die "wrangler deploy --dry-run --env $ENV failed"; }
  say "$WORKER worker: bundle in $OUTDIR ($(du -sh "$OUTDIR" | cut -f1)); log in target/deploy-$ENV-$WORKER-dry-run.log"

  # A new Durable Object migration since the deployed commit: a plain deploy, on its own.
  RUNNING=$(deployed_sha)
  NEW_TAGS=""
  if [ -n "$RUNNING" ]; then
    git cat-file -e "$RUNNING^{commit}" 2>/dev/null || die "the deployed commit $RUNNING is not in this clone: fetch it first"
    NEW_TAGS=$(comm -13 <({ git show "$RUNNING:$CONFIG" 2>/dev/null || true; } | migration_tags "$ENV" | sort) \
      <(migration_tags "$ENV" <"$CONFIG" | sort) | paste -sd' ')
    say "$WORKER worker: $ENV runs commit $RUNNING; this is $SHA"
  else
    say "$WORKER worker: $ENV has no deployed version yet: the first deploy is a plain one (it creates the Durable Object classes)"
    NEW_TAGS="(first deploy)"
    # The edge and the gate have no classes of their own: their first deploy needs no MIGRATE=1.
    [ "$WORKER" != full ] && MIGRATE=${MIGRATE:-1}
  fi
  if [ -n "$NEW_TAGS" ]; then
    if [ -z "${MIGRATE:-}" ]; then
      die "Durable Object migration(s) $NEW_TAGS since $RUNNING: the platform applies them only with a plain deploy, which sends all traffic to the new version at once. Deploy this release on its own: 'make deploy ENV=$ENV MIGRATE=1' (wrangler deploy --env $ENV), then continue with gradual deploys."
    fi
    say "$WORKER worker: migration(s) $NEW_TAGS: plain deploy, all traffic at once"
    remote "$WRANGLER" deploy --config "$CONFIG" --env "$ENV" --tag "$SHA" --message "$SUBJECT"
    return 0
  fi

  if [ "$PERCENT" = 100 ]; then
    say "$WORKER worker: promoting $SHA to 100%"
    if [ -n "$DRY_RUN" ]; then
      remote "$WRANGLER" versions list --config "$CONFIG" --env "$ENV" --json
      NEW="<version id tagged $SHA>"
    else
      NEW=$("$WRANGLER" versions list --config "$CONFIG" --env "$ENV" --json |
        node -e 'const d=JSON.parse(require("fs").readFileSync(0));const v=d.filter(v=>(v.annotations||{})["workers/tag"]===process.argv[1]).pop();process.stdout.write(v?v.id:"")' "$SHA")
    fi
    if [ -n "$NEW" ]; then
      remote "$WRANGLER" versions deploy "$NEW@100%" --config "$CONFIG" --env "$ENV" --message "$SHA at 100%" --yes
      return 0
    fi
    say "$WORKER worker: no version of $SHA uploaded yet: uploading it"
  fi

  say "$WORKER worker: uploading version $SHA ($SUBJECT)"
  if [ -n "$DRY_RUN" ]; then
    remote "$WRANGLER" versions upload --config "$CONFIG" --env "$ENV" --tag "$SHA" --message "$SUBJECT"
    NEW="<new version id>"
    PREVIOUS="<version id of $RUNNING>"
  else
    PREVIOUS=$("$WRANGLER" deployments status --config "$CONFIG" --env "$ENV" --json |
      node -e 'const d=JSON.parse(require("fs").readFileSync(0));const v=(d.versions||[]).sort((a,b)=>b.percentage-a.percentage)[0];process.stdout.write(v?v.version_id:"")')
    OUT=$(remote "$WRANGLER" versions upload --config "$CONFIG" --env "$ENV" --tag "$SHA" --message "$SUBJECT" 2>&1 | tee /dev/stderr)
    NEW=$(grep -oE 'Worker Version ID: [0-9a-f-]+' <<<"$OUT" | awk '{print $4}')
    [ -n "$NEW" ] || die "no version id in wrangler's output"
  fi
  if [ "$PERCENT" = 100 ] || [ -z "$PREVIOUS" ] || [ "$PREVIOUS" = "$NEW" ]; then
    remote "$WRANGLER" versions deploy "$NEW@100%" --config "$CONFIG" --env "$ENV" --message "$SHA at 100%" --yes
  else
    remote "$WRANGLER" versions deploy "$NEW@$PERCENT%" "$PREVIOUS@$((100 - PERCENT))%" --config "$CONFIG" --env "$ENV" \
      --message "$SHA at $PERCENT%" --yes
    say "$WORKER worker: $SHA serves $PERCENT% of $ENV. Watch it (docs/operations.md), then 'make deploy ENV=$ENV PERCENT=100', or 'make rollback ENV=$ENV'."
  fi
}

# The gate before the edge: the edge's service binding GATE names it.
for WORKER in full gate edge; do
  [[ " $WORKERS " == *" $WORKER "* ]] || continue
  CONFIG=$(config_of "$WORKER")
  deploy_worker
done
