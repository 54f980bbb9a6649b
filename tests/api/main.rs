#![cfg(not(target_arch = "wasm32"))]
//! Black-box tests of the HTTP contract (docs/api.md) against the built worker running in
//! `wrangler dev` (workerd). `make build` must be able to produce build/index.js.

// Shared with the browser tests; not every helper is used here.
#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod admission_modes;
mod adversary;
mod config;
mod connectors;
mod crash;
mod draw;
mod edge_numbering;
mod edge_polls;
mod fan_journey;
mod faults;
mod health;
mod invitations;
mod lapse;
mod migrations;
mod monitor;
mod pass_delivery;
mod protect;
mod pump;
mod push;
mod report;
mod request_log;
mod resilience;
mod restart;
mod safety_net;
mod scheduled_open;
mod shards;
mod sockets;
mod test_clock;
mod turnstile;
mod webhooks;
