//! Events out: what happened to a sale, as the coordinator's changes say it, and how a webhook
//! carrying one is signed.
//!
//! One rule in one place: [`events_of_changes`] is the only place that decides which written
//! change is which event; the coordinator object calls it after writing, and the queue consumer
//! delivers what it returns. Event ids are derived from what happened (not random), so a
//! receiver can drop an event it has already seen, however often it is delivered.

use crate::ids::SaleId;
use crate::keys::secret_strength::check_strength;
use crate::queue::{AssignmentState, Change};
use crate::sale::{Control, Sale, WebUrl};
use crate::time::{rfc3339, UnixMillis};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fmt;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventType {
    /// A promoter opened, paused or closed the sale.
    #[serde(rename = "sale.phase_changed")]
    PhaseChanged,
    /// A window pulled the fan: their turn has come.
    #[serde(rename = "fan.admitted")]
    FanAdmitted,
    #[serde(rename = "assignment.completed")]
    Completed,
    #[serde(rename = "assignment.released")]
    Released,
    #[serde(rename = "assignment.lapsed")]
    Lapsed,
    #[serde(rename = "assignment.expired")]
    Expired,
    /// Skipped at the front: the fan had stopped polling.
    #[serde(rename = "fan.left")]
    FanLeft,
    /// The synthetic fan failed or was slow (an incident began).
    #[serde(rename = "monitor.alert")]
    MonitorAlert,
    /// The synthetic fan came through in time again (the incident ended).
    #[serde(rename = "monitor.recovered")]
    MonitorRecovered,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::PhaseChanged => "sale.phase_changed",
            EventType::FanAdmitted => "fan.admitted",
            EventType::Completed => "assignment.completed",
            EventType::Released => "assignment.released",
            EventType::Lapsed => "assignment.lapsed",
            EventType::Expired => "assignment.expired",
            EventType::FanLeft => "fan.left",
            EventType::MonitorAlert => "monitor.alert",
            EventType::MonitorRecovered => "monitor.recovered",
        }
    }
}

/// One event, as the webhook's JSON body carries it: `{id, type, sale, at, data}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Derived from what happened: the same event always has the same id.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub sale: SaleId,
    #[serde(with = "rfc3339")]
    pub at: UnixMillis,
    pub data: serde_json::Value,
}

impl Event {
    /// An event whose id is derived from its type, sale and `key` (what makes it unique).
    pub fn new(
        kind: EventType,
        sale: &SaleId,
        key: &str,
        at: UnixMillis,
        data: serde_json::Value,
    ) -> Self {
        let digest = Sha256::digest(format!("{}\n{sale}\n{key}", kind.as_str()));
        Self {
            id: format!("evt_{}", hex(&digest[..16])),
            kind,
            sale: sale.clone(),
            at,
            data,
        }
    }
}

/// A queue message: the event and where it goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventMessage {
    pub event: Event,
    /// The sale's `webhook_url` when the event happened; `None`: kept in the queue only.
    pub webhook_url: Option<WebUrl>,
}

/// The events that `changes` (written together, in order) make, for a sale whose control was
/// `control_before` (`None`: it did not exist) and is now `sale`. A sale without a `webhook_url`
/// has no one to tell: no events.
pub fn events_of_changes(
    control_before: Option<Control>,
    sale: &Sale,
    changes: &[Change],
) -> Vec<EventMessage> {
    let Some(webhook_url) = &sale.settings.webhook_url else {
        return Vec::new();
    };
    let mut control = control_before;
    let mut events = Vec::new();
    for change in changes {
        match change {
            Change::Sale(s) => {
                if let Some(from) = control.filter(|from| *from != s.control) {
                    let to = s.control;
                    let key = format!("{}\n{}", control_name(to), s.updated_at.0);
                    events.push(Event::new(
                        EventType::PhaseChanged,
                        &s.id,
                        &key,
                        s.updated_at,
                        json!({ "from": control_name(from), "to": control_name(to) }),
                    ));
                }
                control = Some(s.control);
            }
            Change::Assignment(a) => {
                let (kind, at) = match a.state {
                    // A claim rewrites an assigned fan: not an event of its own.
                    AssignmentState::Assigned if a.claimed_at.is_some() => continue,
                    // A finished place taken again (or a lost one's stand-in, see
                    // `Queue::join`) records the new place: its end was said already.
                    _ if a.rejoined_as.is_some() => continue,
                    AssignmentState::Assigned => (EventType::FanAdmitted, a.assigned_at),
                    AssignmentState::Completed => (EventType::Completed, finished(a)),
                    AssignmentState::Released => (EventType::Released, finished(a)),
                    AssignmentState::Lapsed => (EventType::Lapsed, finished(a)),
                    AssignmentState::Expired => (EventType::Expired, finished(a)),
                    AssignmentState::Left => (EventType::FanLeft, finished(a)),
                };
                let key = format!("{}\n{}\n{}", a.fan_id, a.seq, a.assigned_at.0);
                events.push(Event::new(
                    kind,
                    &sale.id,
                    &key,
                    at,
                    json!({
                        "fan_id": a.fan_id,
                        "seq": a.seq,
                        "window": a.window,
                        "state": a.state,
                    }),
                ));
            }
            _ => {}
        }
    }
    events
        .into_iter()
        .map(|event| EventMessage {
            event,
            webhook_url: Some(webhook_url.clone()),
        })
        .collect()
}

fn finished(a: &crate::queue::Assignment) -> UnixMillis {
    a.finished_at.unwrap_or(a.assigned_at)
}

fn control_name(control: Control) -> &'static str {
    match control {
        Control::Scheduled => "scheduled",
        Control::Open => "open",
        Control::Paused => "paused",
        Control::Closed => "closed",
    }
}

/// The key webhooks are signed with (`WEBHOOK_SIGNING_KEY`), checked for strength like the other
/// secrets. Its `Debug` never shows it.
#[derive(Clone)]
pub struct WebhookKey(Vec<u8>);

impl fmt::Debug for WebhookKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookKey(..)")
    }
}

impl WebhookKey {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        check_strength(text)?;
        Ok(Self(text.as_bytes().to_vec()))
    }

    /// `v1=<hex HMAC-SHA256 over "<timestamp>.<body>">`: the `X-Waitroom-Signature` header.
    pub fn sign(&self, timestamp: u64, body: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body.as_bytes());
        format!("v1={}", hex(&mac.finalize().into_bytes()))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seconds to wait before delivering a message again: as long as it has already waited (so
/// waits double), at least 1 s and at most 5 minutes. Queues do not tell a consumer how often a
/// message was tried; its age says as much.
pub fn retry_delay_s(age_ms: u64) -> u32 {
    (age_ms / 1000).clamp(1, 300) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{FanId, WindowId};
    use crate::queue::Assignment;
    use crate::sale::{SaleSettings, SaleSettingsInput};

    fn sale(control: Control, webhook: Option<&str>) -> Sale {
        let settings = SaleSettings::parse(SaleSettingsInput {
            name: "S".into(),
            purchase_url: "https://shop.example/buy".into(),
            claim_ttl_s: None,
            pass_ttl_s: None,
            presence_ttl_s: None,
            webhook_url: webhook.map(str::to_owned),
            ..SaleSettingsInput::tour()
        })
        .unwrap();
        Sale {
            id: SaleId::parse("tour").unwrap(),
            settings,
            control,
            fan_salt: "salt".into(),
            created_at: UnixMillis(1_000),
            updated_at: UnixMillis(2_000),
            shards_changed: None,
            closed_at: None,
            report: Default::default(),
        }
    }

    fn assignment(state: AssignmentState, claimed: bool) -> Assignment {
        Assignment {
            fan_id: FanId::parse("fan_0000000000000000000a").unwrap(),
            seq: 7,
            window: WindowId::parse("w1").unwrap(),
            state,
            assigned_at: UnixMillis(3_000),
            claim_by: UnixMillis(63_000),
            claimed_at: claimed.then_some(UnixMillis(4_000)),
            finished_at: (state != AssignmentState::Assigned).then_some(UnixMillis(5_000)),
            rejoined_as: None,
            assisted: false,
        }
    }

    fn kinds(events: &[EventMessage]) -> Vec<EventType> {
        events.iter().map(|m| m.event.kind).collect()
    }

    #[test]
    fn changes_make_events_only_for_a_sale_with_a_webhook() {
        let changes = [Change::Assignment(assignment(
            AssignmentState::Assigned,
            false,
        ))];
        let quiet = sale(Control::Open, None);
        assert!(events_of_changes(Some(Control::Open), &quiet, &changes).is_empty());
        let loud = sale(Control::Open, Some("https://hooks.example/in"));
        let events = events_of_changes(Some(Control::Open), &loud, &changes);
        assert_eq!(kinds(&events), [EventType::FanAdmitted]);
        assert_eq!(
            events[0].webhook_url.as_ref().unwrap().as_str(),
            "https://hooks.example/in"
        );
        assert_eq!(events[0].event.data["fan_id"], "fan_0000000000000000000a");
    }

    #[test]
    fn each_assignment_state_is_its_event_and_a_claim_is_none() {
        let s = sale(Control::Open, Some("https://hooks.example/in"));
        let changes: Vec<Change> = [
            (AssignmentState::Assigned, true),
            (AssignmentState::Completed, true),
            (AssignmentState::Released, true),
            (AssignmentState::Lapsed, false),
            (AssignmentState::Expired, true),
            (AssignmentState::Left, false),
        ]
        .into_iter()
        .map(|(state, claimed)| Change::Assignment(assignment(state, claimed)))
        .collect();
        assert_eq!(
            kinds(&events_of_changes(Some(Control::Open), &s, &changes)),
            [
                EventType::Completed,
                EventType::Released,
                EventType::Lapsed,
                EventType::Expired,
                EventType::FanLeft
            ]
        );
    }

    #[test]
    fn a_phase_change_is_an_event_and_a_settings_update_is_not() {
        let paused = sale(Control::Paused, Some("https://hooks.example/in"));
        let changes = [Change::Sale(paused.clone())];
        let events = events_of_changes(Some(Control::Open), &paused, &changes);
        assert_eq!(kinds(&events), [EventType::PhaseChanged]);
        assert_eq!(
            events[0].event.data,
            json!({"from": "open", "to": "paused"})
        );
        assert!(events_of_changes(Some(Control::Paused), &paused, &changes).is_empty());
        // Creating a sale is no phase change.
        assert!(events_of_changes(None, &paused, &changes).is_empty());
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let s = sale(Control::Open, Some("https://hooks.example/in"));
        let a = [Change::Assignment(assignment(
            AssignmentState::Completed,
            true,
        ))];
        let b = [Change::Assignment(assignment(
            AssignmentState::Released,
            true,
        ))];
        let first = events_of_changes(Some(Control::Open), &s, &a);
        assert_eq!(first, events_of_changes(Some(Control::Open), &s, &a));
        assert_ne!(
            first[0].event.id,
            events_of_changes(Some(Control::Open), &s, &b)[0].event.id
        );
        assert!(first[0].event.id.starts_with("evt_"));
    }

    #[test]
    fn signs_timestamp_dot_body() {
        // RFC 4231-style check against an independent computation of the same construction.
        let key = WebhookKey::parse("0123456789abcdefghijklmnopqrstuv").unwrap();
        let signature = key.sign(1_700_000_000, r#"{"a":1}"#);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"0123456789abcdefghijklmnopqrstuv").unwrap();
        mac.update(br#"1700000000.{"a":1}"#);
        assert_eq!(
            signature,
            format!("v1={}", hex(&mac.finalize().into_bytes()))
        );
        assert!(WebhookKey::parse("short").is_err());
    }

    #[test]
    fn retries_wait_as_long_as_the_message_has_waited() {
        assert_eq!(retry_delay_s(0), 1);
        assert_eq!(retry_delay_s(8_500), 8);
        assert_eq!(retry_delay_s(10_000_000), 300);
    }
}
