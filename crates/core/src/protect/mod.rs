//! Path protection: a sale that guards an origin's own paths, with no change to the origin. The
//! edge takes the protected host's routes; a fan who holds a session passes through to the origin,
//! one who does not waits in the sale's line and gets a session when their turn comes.
//!
//! The rules live here, with `now` passed in: the settings ([`settings`]: the origin, the host and
//! path patterns, the bypass rules, the session length, what to do when we are down), how a path is
//! matched whatever its spelling ([`path`]), who skips the line ([`bypass`]), the signed session
//! cookie ([`session`]) and the one decision a protected request gets ([`decide`]).

pub mod bypass;
pub mod decide;
pub mod forward;
pub mod path;
pub mod session;
pub mod settings;

pub use decide::{decide, Decision, Request};
pub use settings::{FailMode, Protect, ProtectInput};
