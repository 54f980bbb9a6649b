//! The test-only doors of the objects (only ever called when test faults are on, see
//! [`crate::test_faults`]): a coordinator's fault switch ([`Fault`]) and the test clock's poke
//! ([`ClockPoke`], to a coordinator or an arrival shard, see [`crate::clock`]).

use super::coordinator::CoordinatorCall;
use super::{json_request, Bare, Call, CallError, Shard};
use serde::Serialize;
use worker::{Headers, Method, Request};

/// What a test's fault switch makes a coordinator do to every later command (docs/api.md,
/// "Testing"): wait `delay_ms` first, and then, if `fail`, answer 500 instead. It answers a
/// [`FaultReport`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    #[serde(default)]
    pub delay_ms: u64,
    #[serde(default)]
    pub fail: bool,
    /// Refuse every fan socket (close code 4099), so pages fall back to polling.
    #[serde(default)]
    pub refuse_sockets: bool,
    /// The events queue refuses the coordinator's events (as a failing `sendBatch`): they stay
    /// in its outbox until the switch is cleared.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refuse_events: bool,
    /// The edge isolate that answers the switch forgets its numbering of the sale without
    /// reporting it, as an isolate that dies does (the coordinator ignores it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forget_edge_numbering: bool,
}

impl CoordinatorCall for Fault {
    const PATH: &'static str = "/fault";
    const METHOD: Method = Method::Put;
    type Wire = Bare;
}

/// What a coordinator answers when its fault is switched: the commands the previous fault
/// failed, by kind (they never reached the sale's request counts).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FaultReport {
    pub failed_by_kind: std::collections::BTreeMap<String, u64>,
}

/// The longest delay a fault may ask for.
pub const MAX_FAULT_DELAY_MS: u64 = 60_000;

/// What a coordinator or an arrival shard is told when the test clock moved; it answers
/// [`ClockPoked`].
#[derive(Clone, Copy, Debug, Serialize, serde::Deserialize)]
pub struct ClockPoke {
    pub offset_ms: u64,
}

/// Where an object takes a [`ClockPoke`], whole (as the arrival shard compares it).
pub const CLOCK_URL: &str = "https://do.internal/clock";

impl CoordinatorCall for ClockPoke {
    const PATH: &'static str = "/clock";
    type Wire = Bare;
    /// Every sale the registry lists is poked.
    fn needs_sale(&self) -> bool {
        false
    }
}

impl Call<Shard<'_>> for ClockPoke {
    type Wire = Bare;
    fn request(&self, _: &Shard<'_>, headers: &Headers) -> Result<Request, CallError> {
        json_request(Method::Post, ClockPoke::PATH, self, headers)
    }
}

/// What it answers: whether it had an alarm pending (then it ran the alarm's handler at the moved
/// time, which set the next alarm from it) and, for a coordinator, how many arrival shards its
/// sale may have numbered fans in (the current count, or the one before a live change if more).
#[derive(Clone, Copy, Debug, Default, Serialize, serde::Deserialize)]
pub struct ClockPoked {
    pub alarm_ran: bool,
    #[serde(default)]
    pub shards: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::{object_url, Coordinator};
    use waitroom_core::SaleId;

    #[test]
    fn a_fault_needs_the_sale_and_a_clock_poke_reaches_every_object_at_one_url() {
        let sale = SaleId::parse("tour").unwrap();
        let coordinator = Coordinator(&sale);
        assert_eq!(Fault::default().registered_sale(&coordinator), Some(&sale));
        let poke = ClockPoke { offset_ms: 0 };
        assert_eq!(poke.registered_sale(&coordinator), None);
        let shard = Shard {
            sale: &sale,
            shard: 0,
        };
        assert_eq!(poke.registered_sale(&shard), None);
        assert_eq!(object_url(ClockPoke::PATH), CLOCK_URL);
    }
}
