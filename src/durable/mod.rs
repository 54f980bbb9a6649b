//! The Durable Objects: thin adapters from a fetch to the core and from the core's changes to
//! SQLite storage.
//!
//! The edge worker (feature `edge`) leaves the classes out: it reaches the objects of the full
//! worker through bindings with `script_name` (wrangler.edge.toml), and keeps only what callers of
//! an object share with it (the monitor's commands and report).

#[cfg(not(feature = "edge"))]
mod coordinator;
mod monitor;
#[cfg(not(feature = "edge"))]
mod outbox;
#[cfg(not(feature = "edge"))]
mod registry;
#[cfg(not(feature = "edge"))]
mod schema;
#[cfg(not(feature = "edge"))]
mod shard;
#[cfg(not(feature = "edge"))]
mod store;

#[cfg(not(feature = "edge"))]
pub use coordinator::SaleCoordinator;
#[cfg(not(feature = "edge"))]
pub use monitor::{post_json, slow_ms, Monitor, Recorded};
pub use monitor::{DeliveryCounts, MonitorCommand, MonitorReport, MONITOR_BINDING, MONITOR_NAME};
#[cfg(not(feature = "edge"))]
pub use registry::SaleRegistry;
#[cfg(not(feature = "edge"))]
pub use shard::ArrivalShard;
