#![cfg(not(target_arch = "wasm32"))]
//! Browser tests: real headless Chromium (Debian's `chromium`, driven through `chromedriver` with
//! WebDriver) against the built worker in `wrangler dev`, and the demo origin. Each test starts its
//! own worker, driver and origin, and every page it visits is saved as
//! `target/screenshots/<test>-<role>-<step>.png`.
//!
//! Run after `make build`: `cargo test --test browser -- --test-threads 1` (or `make test-browser`).

// The worker, its clients and the process helpers, shared with the API tests; not every helper is
// used here.
#[path = "../support/mod.rs"]
#[allow(dead_code)]
mod support;

mod chrome;
mod demo_origin;

mod accessibility;
mod branding;
mod called_back;
mod dashboard;
mod device_binding;
mod invitation;
mod journey;
mod keyboard;
mod languages;
mod moved_place;
mod no_js;
mod party;
mod pass_delivery;
mod prequeue;
mod proof_of_work;
mod pushed_turn;
mod turnstile;
