//! The rules of the queue, one module per concern, each a set of functions over the whole
//! [`QueueState`](super::state::QueueState): who takes a place ([`joining`]), how fans leave the
//! front ([`admission`], and windows' [`pulls`]), claims and their deadlines ([`lapses`]), the
//! origin's end of an admission ([`finishing`]), the pre-queue and its draw ([`prequeue`]), who is
//! still there ([`presence`]), places moved to another device ([`moving`]), fans called back by Web Push ([`calling`]), friends who come as a party ([`parties`]), blocks leased to arrival shards ([`blocks`]), the promoter's hand on
//! the sale ([`control`]), the safety net of a protected sale ([`net`]), finished records kept in storage only ([`stored`]), and what the queue
//! shows ([`stats`]). The steps the sweep runs are named in each (see `Queue::sweep`).

pub(crate) mod admission;
pub(crate) mod assist;
pub(crate) mod blocks;
pub(crate) mod calling;
pub(crate) mod control;
pub(crate) mod finishing;
pub(crate) mod joining;
pub(crate) mod lapses;
pub(crate) mod moving;
pub(crate) mod net;
pub(crate) mod parties;
pub(crate) mod prequeue;
pub(crate) mod presence;
pub(crate) mod pulls;
pub(crate) mod stats;
pub(crate) mod stored;
