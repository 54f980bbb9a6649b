//! The Durable Objects: thin adapters from a fetch to the core and from the core's changes to
//! SQLite storage.
//!
//! Each object here is what its class does; the classes the runtime instantiates are the full
//! worker's (`workers/full`: `SaleCoordinator`, `ArrivalShard`, `SaleRegistry`, `Monitor`, the
//! names in wrangler.toml), each handing every event to its object here. The edge worker has no
//! class: it reaches the full worker's objects through bindings with `script_name`
//! (wrangler.edge.toml), as every caller does: through [`crate::objects`], which holds what
//! callers of an object share (the registry's and the monitor's commands and answers), so no
//! caller depends on this module.

mod callers;
mod coordinator;
mod monitor;
mod outbox;
mod registry;
mod schema;
mod shard;
mod shard_lent;
mod store;

pub use coordinator::SaleCoordinatorObject;
pub use monitor::{post_json, MonitorObject};
pub use registry::SaleRegistryObject;
pub use shard::ArrivalShardObject;
