//! The queue's bounds, in time and in size: how long things are kept and how much one step takes.

/// Most fans one pull may take.
pub const MAX_PULL: u32 = 100;
/// How long a pull's `request_id` is remembered for retries.
pub const PULL_REPLAY_TTL_MS: u64 = 5 * 60 * 1000;
/// Finished assignments stay in memory this long (longer than a pull's replay window), then only
/// in storage: memory follows the fans being served, not every fan ever served.
pub const RETAIN_FINISHED_MS: u64 = PULL_REPLAY_TTL_MS + 60_000;
/// An arrival shard numbers fans from a block for at most this long, then leases a new one. This is
/// the ordering bound: a fan can be passed only by fans who arrived within this long of them.
pub const BLOCK_TTL_MS: u64 = 1_000;
/// Largest block a shard may lease.
pub const MAX_BLOCK: u64 = 4_096;
/// A block its shard never reported is closed as if fully used after this long, so no number
/// stalls the line forever (an unused number then reads as a fan who left).
pub const BLOCK_ABANDON_MS: u64 = 60_000;
/// The window of a stand-in record for a place whose stored assignment was unreadable and that
/// its fan took again (see [`crate::queue::Queue::join`]).
pub const LOST_RECORD_WINDOW: &str = "lost-record";
/// The fewest fans counted as "near the front" for presence.
pub const MIN_PRESENCE_ZONE: u64 = 20;
