//! Path protection: a sale that guards an origin's own paths, with no change to the origin. The
//! edge takes the protected host's routes; a fan who holds a session passes through to the origin,
//! one who does not waits in the sale's line and gets a session when their turn comes.
//!
//! The rules live here, with `now` passed in: the settings ([`settings`]: the origin, the host and
//! path patterns, the bypass rules, the session length, what to do when we are down), how a path is
//! matched whatever its spelling ([`path`]), who skips the line ([`bypass`]), the signed session
//! cookie ([`session`]), the one decision a protected request gets ([`decide`]), and the safety
//! net that lets fans pass straight through while traffic is low ([`queue_when`]: its thresholds;
//! [`tally`]: counting the sessions; [`net`]: up or down).

pub mod bypass;
pub mod decide;
pub mod forward;
pub mod net;
pub mod path;
pub mod queue_when;
pub mod session;
pub mod settings;
pub mod tally;

pub use decide::{decide, Decision, Request};
pub use net::{NetPeriod, NetReport, SafetyNet};
pub use queue_when::{QueueWhen, QueueWhenInput};
pub use settings::{FailMode, Protect, ProtectInput};
pub use tally::SessionTally;
