//! The turn, pushed: fans near the front hold a WebSocket to their sale's coordinator, which sends
//! them `your_turn` (with the pass) the moment a window admits them.
//!
//! Who may hold one ([`admits`]) and how many one object holds ([`MAX_SOCKETS`]) are decided
//! here; an open socket counts as presence (`coordinator/presence.rs`). The object holding the
//! sockets is a thin adapter: it asks the core before accepting, tells it of each close, and
//! sends what [`crate::queue::Queue::take_pushed_turns`] hands it.
//!
//! Everything a socket carries is a [`Message`] (JSON text, tagged by `type`), and every refusal a
//! close code ([`Refusal::close_code`]): a page whose socket is refused or fails keeps polling, and
//! loses nothing, since the status endpoint answers the same turn with the same pass.

use crate::ids::{Seq, WindowId};
use crate::keys::pass_delivery::PassDelivery;
use crate::time::{rfc3339, UnixMillis};
use serde::{Deserialize, Serialize};

/// Most sockets one coordinator object holds (all tabs of all fans near the front). A fan refused
/// for this keeps polling. Sized from what one object holds here (docs/capacity.md, "The turn,
/// pushed"): far below the runtime's limit, and above the presence zone of a sale admitting
/// 30 fans a second.
pub const MAX_SOCKETS: u64 = 2_000;

/// Most sockets one client address holds at one coordinator (each a fan's, [`Refusal::Replaced`]
/// keeping it to one a fan): a crowd behind one carrier address near the front keeps its pushes,
/// while no one address can take the object's [`MAX_SOCKETS`] from everyone else.
pub const MAX_SOCKETS_PER_ADDRESS: u64 = 100;

/// Whether one more socket may come from an address that holds `open` at the object already.
pub fn address_admits(open: u64) -> Result<(), Refusal> {
    if open >= MAX_SOCKETS_PER_ADDRESS {
        return Err(Refusal::AddressFull);
    }
    Ok(())
}

/// The tag an address's sockets are filed under, to count them.
pub fn address_tag(address: &str) -> String {
    format!("from:{address}")
}

/// The close code of a socket closed after its `your_turn` was sent (normal closure).
pub const CLOSE_TURN_SENT: u16 = 1000;

/// Whether a fan with `ahead` fans in front of them may hold a socket, with the presence zone
/// `zone` (fans expected to be admitted within a minute): only near the front. The edge asks this
/// of its snapshot before reaching the object, and the object of its line before accepting.
pub fn admits(ahead: u64, zone: u64) -> bool {
    ahead < zone
}

/// Why a socket is refused (closed at once with [`Refusal::close_code`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The number was never issued, or the sale has no line.
    NotInLine,
    /// The line reached the fan already: their turn (or its outcome) is in the status answer.
    TurnReached,
    /// Too far back: keep polling; the status answer says when a socket is welcome.
    NotNearFront { ahead: u64, zone: u64 },
    /// The object holds [`MAX_SOCKETS`] already.
    Full,
    /// The fan's address holds [`MAX_SOCKETS_PER_ADDRESS`] at the object already.
    AddressFull,
    /// The sale is closed.
    Closed,
    /// The fan opened a newer socket, which took this one's place: one socket per fan, so one
    /// token cannot hold many of the object's [`MAX_SOCKETS`] (a page keeps polling).
    Replaced,
    /// The place moved to another device: this token's hand no longer holds it (also the code
    /// a socket of the old hand is closed with when the place moves).
    Moved,
    /// Test builds only: the fault switch refuses every socket.
    TestFault,
}

impl Refusal {
    /// The WebSocket close code (4000–4999: the application's own).
    pub fn close_code(self) -> u16 {
        match self {
            Refusal::NotNearFront { .. } => 4001,
            Refusal::TurnReached => 4002,
            Refusal::NotInLine => 4003,
            Refusal::Closed => 4004,
            Refusal::Replaced => 4009,
            Refusal::Moved => 4010,
            Refusal::Full => 4029,
            Refusal::AddressFull => 4030,
            Refusal::TestFault => 4099,
        }
    }

    /// The close reason: a short code, as the JSON errors have.
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::NotNearFront { .. } => "not_near_front",
            Refusal::TurnReached => "turn_reached",
            Refusal::NotInLine => "not_in_line",
            Refusal::Closed => "closed",
            Refusal::Replaced => "replaced",
            Refusal::Moved => "place_moved",
            Refusal::Full => "sockets_full",
            Refusal::AddressFull => "address_sockets_full",
            Refusal::TestFault => "test_fault",
        }
    }
}

/// What the object sends on a fan's socket (JSON text, `type` tags it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// Sent once the socket is accepted: it is the fan's presence from now on.
    Watching { seq: Seq },
    /// The fan's turn: the same pass and purchase URL as the status answer's `your_turn`. The
    /// socket is closed after it ([`CLOSE_TURN_SENT`]).
    YourTurn {
        pass: String,
        #[serde(with = "rfc3339")]
        pass_expires_at: UnixMillis,
        /// How the sale hands the pass to its origin: for `form_post` the purchase URL carries no
        /// pass and the fan's page loads the sale's page, which posts it.
        pass_delivery: PassDelivery,
        purchase_url: String,
        window: WindowId,
    },
}

/// What the object keeps with each socket, through hibernation: whose it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub seq: Seq,
}

/// The tag a fan's sockets are filed under, to find them when their turn comes.
pub fn tag(seq: Seq) -> String {
    format!("seq:{seq}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_address_holds_at_most_its_share_of_sockets() {
        assert_eq!(address_admits(0), Ok(()));
        assert_eq!(address_admits(MAX_SOCKETS_PER_ADDRESS - 1), Ok(()));
        assert_eq!(
            address_admits(MAX_SOCKETS_PER_ADDRESS),
            Err(Refusal::AddressFull)
        );
        const { assert!(MAX_SOCKETS_PER_ADDRESS * 10 <= MAX_SOCKETS) };
        assert_eq!(address_tag("203.0.113.7"), "from:203.0.113.7");
    }

    #[test]
    fn only_fans_within_the_zone_are_admitted() {
        assert!(admits(0, 20));
        assert!(admits(19, 20));
        assert!(!admits(20, 20));
        assert!(!admits(5_000, 120));
    }

    #[test]
    fn refusals_have_distinct_application_close_codes() {
        let all = [
            Refusal::NotInLine,
            Refusal::TurnReached,
            Refusal::NotNearFront { ahead: 1, zone: 1 },
            Refusal::Full,
            Refusal::Closed,
            Refusal::Moved,
            Refusal::TestFault,
        ];
        let mut codes: Vec<u16> = all.iter().map(|r| r.close_code()).collect();
        assert!(codes.iter().all(|c| (4000..5000).contains(c)));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        // A close reason must fit in 123 bytes.
        assert!(all.iter().all(|r| r.reason().len() <= 123));
    }

    #[test]
    fn messages_are_tagged_by_type() {
        let turn = Message::YourTurn {
            pass: "jwt".into(),
            pass_expires_at: UnixMillis::from_secs(60),
            pass_delivery: PassDelivery::Query,
            purchase_url: "https://shop.example/buy?pass=jwt".into(),
            window: WindowId::parse("w1").unwrap(),
        };
        assert_eq!(
            serde_json::to_value(&turn).unwrap(),
            json!({"type": "your_turn", "pass": "jwt", "pass_expires_at": "1970-01-01T00:01:00Z",
                "pass_delivery": "query", "purchase_url": "https://shop.example/buy?pass=jwt", "window": "w1"})
        );
        assert_eq!(
            serde_json::to_value(Message::Watching { seq: 7 }).unwrap(),
            json!({"type": "watching", "seq": 7})
        );
        assert_eq!(tag(7), "seq:7");
    }
}
