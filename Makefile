# The two commands: `make dev` and `make test`. Everything else is what they are made of.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8787
ORIGIN_PORT ?= 8788

export PATH := $(HOME)/.cargo/bin:$(PATH)
# Offline local runtime: no Cloudflare account, no telemetry.
export CLOUDFLARE_CF_FETCH_ENABLED := false
export WRANGLER_SEND_METRICS := false
# worker-build would download these from GitHub; use the local ones instead.
export WASM_BINDGEN_BIN := $(HOME)/.cargo/bin/wasm-bindgen
export ESBUILD_BIN := $(CURDIR)/node_modules/.bin/esbuild
export WASM_OPT_BIN := $(CURDIR)/node_modules/.bin/wasm-opt
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER := $(HOME)/.cargo/bin/wasm-bindgen-test-runner

WORKER_SOURCES := $(shell find src crates/core/src workers -name '*.rs' -o -name Cargo.toml 2>/dev/null) $(wildcard templates/*.html) $(wildcard locales/*.ftl) build.rs Cargo.toml Cargo.lock crates/core/Cargo.toml

.PHONY: help bootstrap build vendor dev test test-unit test-wasm test-integration test-adversary test-connectors test-browser lint bench bench-core clean check-config deploy rollback

help:
	@echo "make dev   - install what is missing, build, run the worker + demo sale + demo origin locally"
	@echo "make test  - install what is missing, then run every test"
	@echo "make bench - load benchmark (steady state, opening second, slow coordinator, edge cost, pushed turns, proof of work, shared address, the coordinator's ceiling, cold start) against a local worker it starts itself, then make bench-core; reports in target/bench/"
	@echo "make bench-core - the core alone: cost per operation (criterion), the million-fan simulation and the production-shaped one (PROD_ARGS), then split over line objects (PROD_SPLIT_ARGS); target/bench/core.md, simulation.md, production.md, production-split.md"
	@echo "make deploy ENV=staging|production [PERCENT=10] [DRY_RUN=1], make rollback ENV=... - see docs/operations.md"

bootstrap:
	@scripts/bootstrap.sh

# The three Worker bundles (wasm + JS shim), one from each Worker's crate over the one library
# (docs/architecture.md, docs/operations.md "Two Workers" and "The gate worker"): build/ is the
# full worker (workers/full, wrangler.toml: every Durable Object class, cron, queue consumer and
# every route), build-edge/ the edge worker (workers/edge, wrangler.edge.toml: the fan's routes,
# the rest handed to the full worker), build-gate/ the gate worker (workers/gate,
# wrangler.gate.toml: protected sites' requests, path protection). Rebuilt only when a source
# changed; one after the other (they share target/, so the others compile only their own crate
# and the link).
# Under a lock: running workers (wrangler's [build] command) and tests may ask for a build at once,
# and two worker-builds writing build/ together leave a corrupt module.
build:
	@mkdir -p target && flock target/.build.lock $(MAKE) --no-print-directory build/index.js build-edge/index.js build-gate/index.js vendor
build/index.js: $(WORKER_SOURCES)
	worker-build --release --out-dir ../../build workers/full
	@touch $@
build-edge/index.js: $(WORKER_SOURCES)
	worker-build --release --out-dir ../../build-edge workers/edge
	@touch $@
build-gate/index.js: $(WORKER_SOURCES)
	worker-build --release --out-dir ../../build-gate workers/gate
	@touch $@

# The dashboard's chart library (uPlot) and the QR code of the waiting page's "continue on another
# device" link (qrcode-generator), pinned in package.json, copied from node_modules into
# static/vendor/ (git-ignored) so the worker serves them itself: no CDN.
VENDOR_FILES := static/vendor/uPlot.iife.min.js static/vendor/uPlot.min.css static/vendor/qrcode.js
vendor: $(VENDOR_FILES)
static/vendor/qrcode.js: node_modules/qrcode-generator/dist/qrcode.js
	@mkdir -p $(@D)
	cp $< $@
static/vendor/%: node_modules/uplot/dist/%
	@mkdir -p $(@D)
	cp $< $@
node_modules/uplot/dist/% node_modules/qrcode-generator/dist/%:
	@echo "$@ is missing: run 'npm ci' (or 'make bootstrap')" >&2; exit 1

dev: bootstrap build
	@PORT=$(PORT) ORIGIN_PORT=$(ORIGIN_PORT) scripts/dev.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p waitroom -p waitroom-edge -p waitroom-full -p waitroom-gate --lib --target wasm32-unknown-unknown -- -D warnings

test-unit:
	cargo test --workspace --lib --bins

# Code that only runs in wasm (randomness, clock, crypto), under Node.
test-wasm:
	cargo test --target wasm32-unknown-unknown --test wasm

# Black-box: each test starts the real worker (wrangler dev) on a free port with its own state.
# Four at a time on two cores: most of a test's time is waiting on its worker and the clock.
test-integration: build
	cargo build -p verify-draw
	cargo test --test api -- --test-threads 4

# The adversary suite alone (tests/api/adversary/, docs/fairness.md): each promise attacked the
# way a script would, with the bound it must hold. test-integration runs it with the rest.
test-adversary: build
	cargo test --test api adversary:: -- --test-threads 4

# The connectors (connectors/node, connectors/python; docs/connectors.md) alone: one worker, real
# passes before and after a key rotation, then each connector's own suite (node --test, pytest in
# target/connectors-venv, both installed by scripts/bootstrap.sh) against it. test-integration
# runs it with the rest.
test-connectors: bootstrap build
	cargo test --test api connectors:: -- --test-threads 1

# Real headless Chromium (Debian's chromium + chromium-driver) against the worker and the demo origin.
# Two at a time: each test has its own worker, browser and profile.
test-browser: build
	cargo build -p demo-origin
	cargo test --test browser -- --test-threads 2

# Every environment of wrangler.toml, wrangler.edge.toml and wrangler.gate.toml, offline: dry-run deploys, bindings, and the secrets table in
# docs/operations.md (scripts/check-config.sh).
check-config: build
	@scripts/check-config.sh

# Versioned, gradual deploys and rollback (scripts/deploy.sh, docs/operations.md) of the three
# Workers: the full one first, then the gate, then the edge (rollback: the other way round;
# WORKERS=full|gate|edge for some).
# DRY_RUN=1 prints the commands that would reach Cloudflare.
ENV ?=
PERCENT ?= 10
deploy: build
	@ENV=$(ENV) PERCENT=$(PERCENT) DRY_RUN=$(DRY_RUN) MIGRATE=$(MIGRATE) DEPLOYED_SHA=$(DEPLOYED_SHA) WORKERS="$(WORKERS)" scripts/deploy.sh deploy
rollback:
	@ENV=$(ENV) DRY_RUN=$(DRY_RUN) VERSION=$(VERSION) WORKERS="$(WORKERS)" scripts/deploy.sh rollback

# The edge module's bound (issue 21): build-edge/index_bg.wasm at most 300,000 bytes gzip -9; fails
# saying the size and the bound (scripts/check-edge-size.sh, docs/capacity.md "The edge's bound").
.PHONY: check-edge-size
check-edge-size: build
	@scripts/check-edge-size.sh

test: bootstrap build check-edge-size lint check-config test-unit test-wasm test-integration test-browser

# Load benchmark: its own worker (wrangler dev, free 127.0.0.1 port, fresh state and secrets), the
# load generator in bench/loadgen, report in target/bench/. BENCH_ARGS go to `loadgen run`
# (e.g. BENCH_ARGS=--quick for a smoke run, BENCH_ARGS="--only opening,slow,edge" for the
# bad-second scenarios only). The worker runs with WAITROOM_TEST_FAULTS=1 for the
# slow-coordinator scenario. Then the cold start (scripts/cold-start.sh: fresh wrangler dev to the first
# /healthz and the first join, 3 runs, target/bench/cold-start.md) and the core's own costs (bench-core).
bench: bootstrap build
	@scripts/bench.sh $(BENCH_ARGS)
	@scripts/cold-start.sh
	@$(MAKE) --no-print-directory bench-core

# The pure core, no worker: criterion benchmarks of one operation each (crates/core/benches; raw
# numbers in target/criterion, medians in target/bench/core.md), then the million-fan simulation,
# its first 500,000 fans in a pre-queue drawn at opens_at (target/bench/simulation.md), and again admitted by rate with no window (SIM_RATE a minute;
# target/bench/simulation-rate.md). CORE_BENCH_ARGS go to criterion (e.g. CORE_BENCH_ARGS=join).
SIM_FANS ?= 1000000
SIM_RATE ?= 120000
# The production-shaped simulation (crates/core/examples/production/main.rs): name=value arguments
# in PROD_ARGS scale it down, e.g. PROD_ARGS="fans=400000 prequeue=40000 rate=3000". By default
# (empty) its full shape: 10M fans, a 2M pre-queue, 1,200 isolates (300 × 4), 2 virtual hours:
# ~6 min here (368 s measured, peak memory 1.5 GB).
PROD_ARGS ?=
# Then the same sale's line split over line objects (`lines=5`: 60,000 admitted a minute is 5 at
# 200 a second each, docs/capacity.md "Past it"), completions reported 50 to a request and
# presence batches through the arrival shards, at a fifth of the crowd so that it adds ~2¼ min
# (target/bench/production-split.md); PROD_SPLIT_ARGS overrides it (e.g. PROD_SPLIT_ARGS=lines=5
# for the full shape: 21 min on this loaded machine).
PROD_SPLIT_ARGS ?= lines=5 complete_batch=50 presence_shards=1 fans=2000000 prequeue=400000
bench-core:
	@mkdir -p target/bench
	@echo "[bench] the core's cost per operation (cargo bench -p waitroom-core; load average $$(cut -d' ' -f1-3 /proc/loadavg))"
	@cargo bench --quiet -p waitroom-core --bench core -- $(CORE_BENCH_ARGS)
	@echo "[bench] the pure core at scale: $(SIM_FANS) fans (cargo run --release -p waitroom-core --example simulate; load average $$(cut -d' ' -f1-3 /proc/loadavg))"
	@cargo run --release --quiet -p waitroom-core --example simulate -- $(SIM_FANS) 8 | tee target/bench/simulation.md
	@echo "[bench] the same crowd admitted by rate ($(SIM_RATE) a minute, no window; load average $$(cut -d' ' -f1-3 /proc/loadavg))"
	@cargo run --release --quiet -p waitroom-core --example simulate -- $(SIM_FANS) 8 rate=$(SIM_RATE) | tee target/bench/simulation-rate.md
	@echo "[bench] the line at production shape ($(or $(PROD_ARGS),full default); cargo run --release -p waitroom-core --example production; load average $$(cut -d' ' -f1-3 /proc/loadavg))"
	@cargo run --release --quiet -p waitroom-core --example production -- $(PROD_ARGS) | tee target/bench/production.md
	@echo "[bench] the counts docs/capacity.md's cost model is built from (target/bench/production.md, Totals):"
	@sed -n '/^## Totals/,$$p' target/bench/production.md
	@echo "[bench] the line split over line objects ($(PROD_SPLIT_ARGS); load average $$(cut -d' ' -f1-3 /proc/loadavg))"
	@cargo run --release --quiet -p waitroom-core --example production -- $(PROD_SPLIT_ARGS) | tee target/bench/production-split.md
	@echo "[bench] reports: target/bench/core.md, target/bench/simulation.md, target/bench/simulation-rate.md, target/bench/production.md, target/bench/production-split.md"

clean:
	rm -rf build build-edge build-gate target/wasm32-unknown-unknown .wrangler
