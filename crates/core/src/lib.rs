//! The waiting room's rules, free of I/O.
//!
//! Everything here is a deterministic function of its inputs: the caller passes the current time
//! ([`UnixMillis`]) and any randomness in, and persists whatever the state machine reports as
//! changed. The Cloudflare Worker, its Durable Objects and the tests are adapters around this crate,
//! in the way `quinn-proto` sits under `quinn`.

pub mod codec;
pub mod events;
pub mod fairness;
pub mod ids;
pub mod keys;
pub mod machines;
pub mod monitor;
pub mod protect;
pub mod queue;
pub mod sale;
pub mod settings_error;
pub mod time;

pub use ids::{
    FanId, IdError, Position, PositionRange, RequestId, SaleId, Seq, SeqRange, WindowId,
};
pub use machines::sale_machine::SaleMachine;
pub use queue::{Assignment, AssignmentState, Queue, QueueError, Stats, MAX_PULL};
pub use sale::{FanSalt, Phase, Sale, SaleSettings};
pub use settings_error::SettingsError;
pub use time::UnixMillis;
