//! The monitor object as its callers reach it (the cron's synthetic fan, the queue consumer, the
//! promoter's `GET /api/admin/monitor`): its address and what it is told and answers. The object
//! itself is [`crate::durable::MonitorObject`].

use super::{json_request, Bare, Call, CallError, Object, OBJECT_PATH};
use serde::{Deserialize, Serialize};
use waitroom_core::monitor::{Incident, Notice, Run};
use worker::{Headers, Method, Request};

pub const MONITOR_BINDING: &str = "MONITOR";
/// The one monitor object of an environment.
pub const MONITOR_NAME: &str = "monitor";

/// The environment's monitor: the synthetic fan's runs and the webhook deliveries.
pub struct Monitor;

impl Object for Monitor {
    const BINDING: &'static str = MONITOR_BINDING;
    fn name(&self) -> String {
        MONITOR_NAME.into()
    }
}

impl Call<Monitor> for MonitorCommand {
    type Wire = Bare;
    fn request(&self, _: &Monitor, headers: &Headers) -> Result<Request, CallError> {
        json_request(Method::Post, OBJECT_PATH, self, headers)
    }
}

/// How webhook deliveries went, counted by the queue consumer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryCounts {
    /// Delivered (the receiver answered 2xx).
    pub delivered: u64,
    /// Failed an attempt (error status, timeout, unreachable): retried later.
    pub retried: u64,
    /// Given up after the last retry: arrived in the dead-letter queue.
    pub dead_lettered: u64,
    /// Could not be decoded: logged with their id and acknowledged.
    pub poison: u64,
    /// Had nowhere to go (no webhook_url): acknowledged.
    pub no_target: u64,
}

impl DeliveryCounts {
    /// Adds `other` to these counts.
    pub fn add(&mut self, other: &DeliveryCounts) {
        self.delivered += other.delivered;
        self.retried += other.retried;
        self.dead_lettered += other.dead_lettered;
        self.poison += other.poison;
        self.no_target += other.no_target;
    }

    pub fn is_empty(&self) -> bool {
        *self == DeliveryCounts::default()
    }
}

/// What the monitor object is asked.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum MonitorCommand {
    /// Keep a run, judge it, alert if that is due: answers [`Recorded`].
    Record { run: Run },
    /// Add to the delivery counts.
    Deliveries { counts: DeliveryCounts },
    /// Answers a [`MonitorReport`].
    Report,
}

/// `GET /api/admin/monitor`.
#[derive(Debug, Serialize, Deserialize)]
pub struct MonitorReport {
    pub canary_sale: String,
    /// A run slower than this (ms) is an incident.
    pub threshold_ms: u64,
    /// The last 24 h of runs, newest first.
    pub runs: Vec<Run>,
    pub incident: Option<Incident>,
    pub deliveries: DeliveryCounts,
}

/// What recording a run decided.
#[derive(Debug, Serialize, Deserialize)]
pub struct Recorded {
    pub incident: Option<Incident>,
    pub notice: Option<Notice>,
}
