//! The Durable Objects: thin adapters from a fetch to the core and from the core's changes to
//! SQLite storage.

mod coordinator;
mod registry;
mod schema;
mod shard;
mod store;

pub use coordinator::SaleCoordinator;
pub use registry::SaleRegistry;
pub use shard::ArrivalShard;
