//! The events queue's consumer: each event delivered as a signed webhook to its sale's
//! `webhook_url`, and the dead-letter queue's consumer.
//!
//! One bad message never blocks the rest: every message is decoded, delivered, acknowledged or
//! retried on its own (never the whole batch), all of a batch's deliveries run at once, each with
//! a timeout; a message that cannot be decoded is logged with its id, counted and acknowledged;
//! one that keeps failing is retried with a growing delay until the queue's `max_retries`, then
//! the queue moves it to the dead-letter queue, where it is logged, counted and acknowledged.

use crate::clock;
use crate::config;
use crate::objects::monitor::{DeliveryCounts, Monitor, MonitorCommand};
use crate::objects::Objects;
use futures::future::{join_all, select, Either};
use std::time::Duration;
use waitroom_core::events::{retry_delay_s, EventMessage, WebhookKey};
use worker::{
    AbortController, Delay, Env, Fetch, Headers, MessageBatch, MessageExt, Method,
    QueueRetryOptionsBuilder, RawMessage,
};

/// A webhook receiver has this long to answer, unless `WEBHOOK_TIMEOUT_MS` says otherwise.
const DEFAULT_TIMEOUT_MS: u64 = 10_000;
/// Dead-letter queues are named like their queue with this suffix.
const DEAD_LETTER_SUFFIX: &str = "-dlq";

/// What happened to one message.
enum Fate {
    Delivered,
    Retried,
    DeadLettered,
    Poison,
    NoTarget,
}

/// Handles one batch from the events queue or its dead-letter queue. Never fails: a failure
/// would retry the whole batch.
pub async fn consume(batch: MessageBatch<serde_json::Value>, env: Env) {
    let dead_letters = batch.queue().ends_with(DEAD_LETTER_SUFFIX);
    let messages: Vec<RawMessage> = batch.raw_iter().collect();
    let fates = if dead_letters {
        messages.iter().map(dead_letter).collect()
    } else {
        let delivery = Delivery::from_env(&env);
        join_all(messages.iter().map(|m| delivery.handle(m))).await
    };
    let mut counts = DeliveryCounts::default();
    for fate in fates {
        match fate {
            Fate::Delivered => counts.delivered += 1,
            Fate::Retried => counts.retried += 1,
            Fate::DeadLettered => counts.dead_lettered += 1,
            Fate::Poison => counts.poison += 1,
            Fate::NoTarget => counts.no_target += 1,
        }
    }
    if counts.is_empty() {
        return;
    }
    let command = MonitorCommand::Deliveries { counts };
    if let Err(e) = Objects::new(env).tell(&Monitor, &command).await {
        worker::console_error!("events: could not count deliveries: {e}");
    }
}

/// A message that used up its retries: logged, counted, acknowledged.
fn dead_letter(message: &RawMessage) -> Fate {
    let event = decode(message).map_or_else(|_| "(undecodable)".to_owned(), |m| m.event.id);
    worker::console_error!(
        "events: message {} (event {event}) was not delivered after its last retry: dead-lettered",
        message.id()
    );
    message.ack();
    Fate::DeadLettered
}

/// A message's body is the event message's JSON text (see [`crate::events::encode`]).
fn decode(message: &RawMessage) -> Result<EventMessage, String> {
    let text = message
        .body()
        .as_string()
        .ok_or("the body is not a JSON text")?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// What delivering needs from the environment.
struct Delivery {
    key: Result<WebhookKey, String>,
    timeout: Duration,
}

impl Delivery {
    fn from_env(env: &Env) -> Self {
        let read = |name: &str| {
            env.secret(name)
                .map(|s| s.to_string())
                .or_else(|_| env.var(name).map(|v| v.to_string()))
                .ok()
        };
        Self {
            key: config::webhook_key(env).map_err(|e| e.to_string()),
            timeout: Duration::from_millis(
                read("WEBHOOK_TIMEOUT_MS")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(DEFAULT_TIMEOUT_MS),
            ),
        }
    }

    async fn handle(&self, message: &RawMessage) -> Fate {
        let decoded = match decode(message) {
            Ok(decoded) => decoded,
            Err(e) => {
                worker::console_error!(
                    "events: message {} cannot be decoded ({e}): acknowledged and counted as poison",
                    message.id()
                );
                message.ack();
                return Fate::Poison;
            }
        };
        let Some(url) = &decoded.webhook_url else {
            message.ack();
            return Fate::NoTarget;
        };
        let result = match &self.key {
            Ok(key) => self.post(url.as_str(), key, &decoded).await,
            Err(e) => Err(e.clone()),
        };
        match result {
            Ok(()) => {
                message.ack();
                Fate::Delivered
            }
            Err(e) => {
                let age_ms = clock::now()
                    .0
                    .saturating_sub(message.timestamp().as_millis());
                let delay = retry_delay_s(age_ms);
                // The receiver by its origin only: a webhook URL may carry credentials (in its
                // user info, path or query), and no secret reaches a log.
                worker::console_warn!(
                    "events: message {} (event {}) to {}: {e}; retried in {delay} s",
                    message.id(),
                    decoded.event.id,
                    url.as_url().origin().ascii_serialization()
                );
                message.retry_with_options(
                    &QueueRetryOptionsBuilder::new()
                        .with_delay_seconds(delay)
                        .build(),
                );
                Fate::Retried
            }
        }
    }

    /// POSTs the event, signed; `Ok` on a 2xx answer within the timeout.
    async fn post(
        &self,
        url: &str,
        key: &WebhookKey,
        message: &EventMessage,
    ) -> Result<(), String> {
        let body = serde_json::to_string(&message.event).map_err(|e| e.to_string())?;
        let timestamp = clock::now().as_secs();
        let headers = Headers::new();
        let set = |name: &str, value: &str| headers.set(name, value).map_err(|e| e.to_string());
        set("Content-Type", "application/json")?;
        set("User-Agent", "waitroom-webhooks")?;
        set("X-Waitroom-Event-Id", &message.event.id)?;
        set("X-Waitroom-Timestamp", &timestamp.to_string())?;
        set("X-Waitroom-Signature", &key.sign(timestamp, &body))?;
        let request = crate::outgoing::request(Method::Post, url, &headers, Some(&body))
            .map_err(|e| e.to_string())?;
        let controller = AbortController::default();
        let signal = controller.signal();
        let fetch = Fetch::Request(request);
        let sending = Box::pin(fetch.send_with_signal(&signal));
        let timeout = Box::pin(Delay::from(self.timeout));
        let answered = match select(sending, timeout).await {
            Either::Left((answer, _)) => Some(answer),
            Either::Right(_) => None,
        };
        match answered {
            Some(Ok(response)) if (200..300).contains(&response.status_code()) => Ok(()),
            Some(Ok(response)) => Err(format!("the receiver answered {}", response.status_code())),
            // A fetch error may quote the URL it could not load: only its origin is said.
            Some(Err(e)) => Err(format!(
                "could not deliver: {}",
                crate::outgoing::redacted(&e.to_string(), url)
            )),
            None => {
                controller.abort();
                Err(format!("no answer within {} ms", self.timeout.as_millis()))
            }
        }
    }
}
