//! The waiting room's rules, free of I/O.
//!
//! Everything here is a deterministic function of its inputs: the caller passes the current time
//! ([`UnixMillis`]) and any randomness in, and persists whatever the state machine reports as
//! changed. The Cloudflare Worker, its Durable Objects and the tests are adapters around this crate,
//! in the way `quinn-proto` sits under `quinn`.

pub mod admission;
pub mod coordinator;
pub mod draw;
pub mod edge_block;
pub mod events;
pub mod flat_read;
pub mod ids;
pub mod invitation;
pub mod monitor;
pub mod pass;
pub mod pass_delivery;
pub mod place_price;
pub mod pow;
pub mod protocol;
pub mod rate_limit;
pub mod sale;
pub mod sale_coordinator;
pub mod secret_strength;
pub mod secrets;
pub mod shard;
pub mod snapshot;
pub mod socket;
pub mod tag_first;
pub mod time;
pub mod token;
pub mod turnstile;

pub use coordinator::{Assignment, AssignmentState, Coordinator, QueueError, Stats, MAX_PULL};
pub use ids::{FanId, IdError, RequestId, SaleId, Seq, WindowId};
pub use sale::{FanSalt, Phase, Sale, SaleSettings, SettingsError};
pub use sale_coordinator::SaleCoordinator;
pub use time::UnixMillis;
