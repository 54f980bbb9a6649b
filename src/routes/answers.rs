//! The body of every JSON answer of the HTTP contract (docs/api.md), one type each. Errors have
//! theirs in [`crate::error::ErrorBody`], the JWKS in [`waitroom_core::keys::pass::Jwks`] and a sale's
//! report in [`waitroom_core::machines::protocol::SaleReport`].

use crate::fan_state::FanState;
use serde::Serialize;
use waitroom_core::keys::pass_delivery::PassDelivery;
use waitroom_core::machines::protocol::SaleReport;
use waitroom_core::queue::Rejoined;
use waitroom_core::sale::admission::Admission;
use waitroom_core::time::rfc3339;
use waitroom_core::{Assignment, AssignmentState, FanId, Phase, SaleId, Seq, UnixMillis, WindowId};
use worker::Url;

/// `GET /healthz`.
#[derive(Debug, Serialize)]
pub struct Health {
    pub ok: bool,
}

/// `GET /api/sales/{sale}`, and the sale page as JSON when it has no line to show.
#[derive(Debug, Serialize)]
pub struct SaleInfo<'a> {
    pub id: &'a SaleId,
    pub name: &'a str,
    pub phase: Phase,
    #[serde(with = "rfc3339::option")]
    pub opens_at: Option<UnixMillis>,
    /// When the pre-queue opens (absent: no pre-queue).
    #[serde(with = "rfc3339::option", skip_serializing_if = "Option::is_none")]
    pub prequeue_opens_at: Option<UnixMillis>,
    /// SHA-256 of the pre-queue's draw key, published from the moment the key was chosen
    /// (absent: no pre-queue). See `GET /api/sales/{sale}/draw`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draw_commitment: Option<&'a str>,
    /// So a page can count down with the server's clock, not the device's.
    #[serde(with = "rfc3339")]
    pub server_time: UnixMillis,
    /// How fans are let in: `{"mode": "pull" | "rate" | "capacity", ...}`.
    pub admission: Admission,
}

/// `POST /api/sales/{sale}/join`.
#[derive(Debug, Serialize)]
pub struct Joined<'a> {
    pub sale: &'a SaleId,
    pub token: &'a str,
    pub fan_id: &'a FanId,
    pub seq: Seq,
    pub position: u64,
    pub ahead: u64,
    pub poll_after_ms: u64,
    pub status_url: String,
}

/// `GET /api/sales/{sale}/status`: where a fan stands.
#[derive(Debug, Serialize)]
pub struct Status<'a> {
    pub sale: &'a SaleId,
    pub fan_id: &'a FanId,
    pub seq: Seq,
    pub phase: Phase,
    /// 1 at the front; 0 on the fan's turn; `null` once the fan has no place.
    pub position: Option<u64>,
    pub ahead: Option<u64>,
    pub eta_s: Option<u64>,
    /// `null` when there is nothing more to wait for.
    pub poll_after_ms: Option<u64>,
    /// `waiting`, `your_turn`, `prequeue`, `lapsed` or `closed`: the state the waiting page shows.
    pub state: FanState,
    /// What the state adds.
    #[serde(flatten)]
    pub adds: StateAdds<'a>,
}

/// What each [`FanState`] adds to a [`Status`].
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum StateAdds<'a> {
    Waiting {
        /// Near the front: the fan must keep polling (even from a hidden tab) to keep the place.
        keep_alive: bool,
        /// `eta_s` in the words the waiting page shows.
        eta_text: String,
        /// Near the front: where the fan may open a WebSocket for their turn to be pushed
        /// (`GET /api/sales/{sale}/socket`). Absent further back.
        #[serde(skip_serializing_if = "Option::is_none")]
        socket_url: Option<String>,
    },
    YourTurn {
        pass: &'a str,
        #[serde(with = "rfc3339")]
        pass_expires_at: UnixMillis,
        /// Where the fan goes with the pass: the sale's purchase URL with `?pass=<jwt>`
        /// (`query`), with `#pass=<jwt>` (`fragment`), or as it is, to POST `pass` to
        /// (`form_post`).
        purchase_url: &'a Url,
        pass_delivery: PassDelivery,
        window: &'a WindowId,
        assignment_state: AssignmentState,
    },
    /// In the pre-queue: the order is drawn at `draw_at` (also after it, until this edge has
    /// a snapshot taken after the draw).
    Prequeue {
        #[serde(with = "rfc3339::option")]
        draw_at: Option<UnixMillis>,
        draw_url: String,
    },
    Lapsed {
        /// `lapsed`, `released` or `left`.
        reason: AssignmentState,
        join_url: String,
    },
    /// Closed: nothing.
    Nothing {},
}

/// `GET /s/{sale}` as JSON while the sale is open: the fan's status, and the token when the
/// page just issued one.
#[derive(Debug, Serialize)]
pub struct SalePageStatus<'a> {
    #[serde(flatten)]
    pub status: Status<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<&'a str>,
    pub status_url: String,
}

/// An assignment as windows see it (`complete`, `release`, and in lists).
#[derive(Debug, Serialize)]
pub struct AssignmentAnswer<'a> {
    pub fan_id: &'a FanId,
    pub seq: Seq,
    pub window: &'a WindowId,
    pub state: AssignmentState,
    #[serde(with = "rfc3339")]
    pub assigned_at: UnixMillis,
    /// The fan must claim the turn by then, or lapse.
    #[serde(with = "rfc3339")]
    pub expires_at: UnixMillis,
    #[serde(with = "rfc3339::option")]
    pub claimed_at: Option<UnixMillis>,
    #[serde(with = "rfc3339::option")]
    pub finished_at: Option<UnixMillis>,
    /// The one new place the fan took after this one ended, if they joined again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejoined_as: Option<&'a Rejoined>,
}

impl<'a> From<&'a Assignment> for AssignmentAnswer<'a> {
    fn from(a: &'a Assignment) -> Self {
        Self {
            fan_id: &a.fan_id,
            seq: a.seq,
            window: &a.window,
            state: a.state,
            assigned_at: a.assigned_at,
            expires_at: a.claim_by,
            claimed_at: a.claimed_at,
            finished_at: a.finished_at,
            rejoined_as: a.rejoined_as.as_ref(),
        }
    }
}

fn answers(assignments: &[Assignment]) -> Vec<AssignmentAnswer<'_>> {
    assignments.iter().map(AssignmentAnswer::from).collect()
}

/// `POST /api/origin/sales/{sale}/pull`.
#[derive(Debug, Serialize)]
pub struct Pulled<'a> {
    pub assignments: Vec<AssignmentAnswer<'a>>,
    pub phase: Phase,
    /// True when this answered a retry with the same `request_id`.
    pub replayed: bool,
}

impl<'a> From<&'a waitroom_core::queue::Pulled> for Pulled<'a> {
    fn from(p: &'a waitroom_core::queue::Pulled) -> Self {
        Self {
            assignments: answers(&p.assignments),
            phase: p.phase,
            replayed: p.replayed,
        }
    }
}

/// `GET /api/origin/sales/{sale}/assignments`.
#[derive(Debug, Serialize)]
pub struct AssignmentList<'a> {
    pub assignments: Vec<AssignmentAnswer<'a>>,
}

impl<'a> AssignmentList<'a> {
    pub fn of(assignments: &'a [Assignment]) -> Self {
        Self {
            assignments: answers(assignments),
        }
    }
}

/// `GET /api/admin/sales`.
#[derive(Debug, Serialize)]
pub struct SaleList {
    pub sales: Vec<SaleListEntry>,
}

/// One sale of the list: its report, or why it could not be had (so one broken sale never
/// fails the whole list).
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum SaleListEntry {
    Report(Box<SaleReport>),
    Unavailable {
        id: SaleId,
        unavailable: bool,
        error: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, to_value};

    fn sale() -> SaleId {
        SaleId::parse("tour").unwrap()
    }

    fn fan() -> FanId {
        FanId::from_bytes([7; 10])
    }

    fn status(
        (state, adds): (FanState, StateAdds<'_>),
        place: [Option<u64>; 4],
    ) -> serde_json::Value {
        let (sale, fan) = (sale(), fan());
        let [position, ahead, eta_s, poll_after_ms] = place;
        to_value(Status {
            sale: &sale,
            fan_id: &fan,
            seq: 4,
            phase: Phase::Open,
            position,
            ahead,
            eta_s,
            poll_after_ms,
            state,
            adds,
        })
        .unwrap()
    }

    #[test]
    fn status_has_the_fields_of_its_state() {
        let fan_id = fan().to_string();
        let base = json!({"sale": "tour", "fan_id": fan_id, "seq": 4, "phase": "open"});
        let with = |extra: serde_json::Value| {
            let mut all = base.clone();
            all.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            all
        };
        assert_eq!(
            status(
                (
                    FanState::Waiting,
                    StateAdds::Waiting {
                        keep_alive: true,
                        eta_text: "–".into(),
                        socket_url: None,
                    }
                ),
                [Some(3), Some(2), None, Some(1000)]
            ),
            with(
                json!({"state": "waiting", "position": 3, "ahead": 2, "eta_s": null,
                "eta_text": "–", "poll_after_ms": 1000, "keep_alive": true})
            )
        );
        assert_eq!(
            status(
                (
                    FanState::Waiting,
                    StateAdds::Waiting {
                        keep_alive: false,
                        eta_text: "–".into(),
                        socket_url: Some("/api/sales/tour/socket".into()),
                    }
                ),
                [Some(3), Some(2), None, Some(1000)]
            ),
            with(
                json!({"state": "waiting", "position": 3, "ahead": 2, "eta_s": null,
                "eta_text": "–", "poll_after_ms": 1000, "keep_alive": false,
                "socket_url": "/api/sales/tour/socket"})
            )
        );
        let window = WindowId::parse("w1").unwrap();
        let url = Url::parse("https://shop.example/buy?pass=x").unwrap();
        assert_eq!(
            status(
                (
                    FanState::YourTurn,
                    StateAdds::YourTurn {
                        pass: "x",
                        pass_expires_at: UnixMillis::from_secs(60),
                        purchase_url: &url,
                        pass_delivery: PassDelivery::Query,
                        window: &window,
                        assignment_state: AssignmentState::Assigned,
                    }
                ),
                [Some(0), Some(0), Some(0), None]
            ),
            with(
                json!({"state": "your_turn", "position": 0, "ahead": 0, "eta_s": 0,
                "poll_after_ms": null, "pass": "x", "pass_expires_at": "1970-01-01T00:01:00Z",
                "purchase_url": "https://shop.example/buy?pass=x", "pass_delivery": "query", "window": "w1",
                "assignment_state": "assigned"})
            )
        );
        assert_eq!(
            status(
                (
                    FanState::Lapsed,
                    StateAdds::Lapsed {
                        reason: AssignmentState::Left,
                        join_url: "/api/sales/tour/join".into()
                    }
                ),
                [None; 4]
            ),
            with(
                json!({"state": "lapsed", "position": null, "ahead": null, "eta_s": null,
                "poll_after_ms": null, "reason": "left", "join_url": "/api/sales/tour/join"})
            )
        );
        assert_eq!(
            status(
                (
                    FanState::Prequeue,
                    StateAdds::Prequeue {
                        draw_at: Some(UnixMillis::from_secs(60)),
                        draw_url: "/api/sales/tour/draw".into()
                    }
                ),
                [None, None, None, Some(5000)]
            ),
            with(
                json!({"state": "prequeue", "position": null, "ahead": null, "eta_s": null,
                "poll_after_ms": 5000, "draw_at": "1970-01-01T00:01:00Z",
                "draw_url": "/api/sales/tour/draw"})
            )
        );
        assert_eq!(
            status((FanState::Closed, StateAdds::Nothing {}), [None; 4]),
            with(
                json!({"state": "closed", "position": null, "ahead": null, "eta_s": null,
                "poll_after_ms": null})
            )
        );
    }

    #[test]
    fn sale_page_status_adds_the_token_only_when_issued() {
        let (sale, fan) = (sale(), fan());
        let page = |token| SalePageStatus {
            status: Status {
                sale: &sale,
                fan_id: &fan,
                seq: 1,
                phase: Phase::Paused,
                position: None,
                ahead: None,
                eta_s: None,
                poll_after_ms: None,
                state: FanState::Closed,
                adds: StateAdds::Nothing {},
            },
            token,
            status_url: "/api/sales/tour/status".into(),
        };
        let without = to_value(page(None)).unwrap();
        assert!(without.get("token").is_none(), "{without}");
        assert_eq!(without["status_url"], "/api/sales/tour/status");
        assert_eq!(without["state"], "closed");
        assert_eq!(to_value(page(Some("t"))).unwrap()["token"], "t");
    }

    #[test]
    fn sale_info_and_assignments() {
        let sale = sale();
        assert_eq!(
            to_value(SaleInfo {
                id: &sale,
                name: "Tour",
                phase: Phase::Scheduled,
                opens_at: None,
                prequeue_opens_at: None,
                draw_commitment: None,
                server_time: UnixMillis::from_secs(1),
                admission: Admission::Rate { per_minute: 60 },
            })
            .unwrap(),
            json!({"id": "tour", "name": "Tour", "phase": "scheduled", "opens_at": null,
                "server_time": "1970-01-01T00:00:01Z", "admission": {"mode": "rate", "per_minute": 60}})
        );
        let assignment = Assignment {
            fan_id: fan(),
            seq: 9,
            window: WindowId::parse("w1").unwrap(),
            state: AssignmentState::Completed,
            assigned_at: UnixMillis::from_secs(1),
            claim_by: UnixMillis::from_secs(2),
            claimed_at: None,
            finished_at: Some(UnixMillis::from_secs(3)),
            rejoined_as: None,
            assisted: false,
        };
        // An assignment answers as the core's record serializes: the same contract.
        assert_eq!(
            to_value(AssignmentAnswer::from(&assignment)).unwrap(),
            to_value(&assignment).unwrap()
        );
        let list = to_value(AssignmentList::of(std::slice::from_ref(&assignment))).unwrap();
        assert_eq!(list["assignments"][0]["expires_at"], "1970-01-01T00:00:02Z");
        assert_eq!(list["assignments"][0]["claimed_at"], json!(null));
        assert_eq!(to_value(Health { ok: true }).unwrap(), json!({"ok": true}));
    }
}

/// `GET /api/sales/{sale}/draw`: the pre-queue's draw, for anyone to check.
#[derive(Debug, Serialize)]
pub struct Draw<'a> {
    pub sale: &'a SaleId,
    pub phase: Phase,
    #[serde(with = "rfc3339::option")]
    pub prequeue_opens_at: Option<UnixMillis>,
    /// The draw happens here.
    #[serde(with = "rfc3339::option")]
    pub opens_at: Option<UnixMillis>,
    /// Whether the order is drawn and the key published.
    pub drawn: bool,
    /// `algorithm`, `commitment`, `key` (null until drawn) and `end` (the pre-queue's arrival
    /// numbers are `1..=end`).
    #[serde(flatten)]
    pub info: &'a waitroom_core::queue::draw::DrawInfo,
}
