//! The Durable Objects: thin adapters from a fetch to the core and from the core's changes to
//! SQLite storage.

mod coordinator;
mod monitor;
mod registry;
mod schema;
mod shard;
mod store;

pub use coordinator::SaleCoordinator;
pub use monitor::{
    post_json, slow_ms, DeliveryCounts, Monitor, MonitorCommand, MonitorReport, Recorded,
    MONITOR_BINDING, MONITOR_NAME,
};
pub use registry::SaleRegistry;
pub use shard::ArrivalShard;
