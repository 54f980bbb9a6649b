#![cfg(not(target_arch = "wasm32"))]
//! Black-box tests of the HTTP contract (docs/api.md) against the built worker running in
//! `wrangler dev` (workerd). `make build` must be able to produce build/index.js.

mod helpers;

mod health;
