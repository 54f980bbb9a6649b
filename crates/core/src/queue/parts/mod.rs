//! What the queue holds, one part per concern, each with its own small rules and none knowing
//! another: the [`line`] of numbers and its gaps (indexed: [`line_gaps`]; the snapshot's
//! counts of them kept between snapshots: [`range_counts`]), the [`blocks`] leased to arrival shards and not
//! reported yet, the [`assignments`] in memory, the [`pulls`] remembered for retries, [`presence`]
//! near the front, the arrivals and admissions by [`minutes`], the [`prequeue`]'s draw, the places [`moves`]d to
//! another device, the [`parties`] that queue on one place, the key fan ids are derived with ([`fan_key`]), and how long fans waited ([`waits`]). The rules that move several at once are in
//! [`super::rules`].

pub(crate) mod assignments;
pub(crate) mod blocks;
pub(crate) mod callers;
pub(crate) mod fan_key;
pub(crate) mod line;
pub(crate) mod line_gaps;
pub(crate) mod minutes;
pub(crate) mod moves;
pub(crate) mod parties;
pub(crate) mod prequeue;
pub(crate) mod presence;
pub(crate) mod pulls;
pub(crate) mod range_counts;
pub(crate) mod waits;
