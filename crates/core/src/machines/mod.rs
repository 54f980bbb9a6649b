//! The state machines the runtime drives, one per kind of Durable Object or isolate, and the
//! protocol they speak: the coordinator object's [`sale_machine`] (one sale's queue, request
//! counts and the records it asks storage for), an arrival [`shard`] (numbers fans from blocks the
//! coordinator leases), an edge isolate's numbering from sub-blocks a shard lends
//! ([`edge_block`]), and the commands and replies between them ([`protocol`]).

pub mod edge_block;
pub mod finish_many;
pub mod protocol;
pub mod public_report;
pub mod push_protocol;
pub mod sale_machine;
pub mod shard;
