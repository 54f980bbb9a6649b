//! How the wire types are read: in one pass, without serde's `Content` buffering, into the same
//! JSON forms serde's derives write. An internally tagged enum reads its tag first
//! ([`crate::tag_first!`], [`tag_first`]); a struct with a flattened part reads its own
//! fields and hands the rest to the part ([`crate::flat_read!`], [`flat_read`]). Both
//! keep the edge worker's module small (docs/capacity.md, "Cold start").

pub mod flat_read;
pub mod tag_first;
