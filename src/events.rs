//! Events onto the queue (`EVENTS`): the producer side. What an event is, and which changes make
//! one, is the core's ([`waitroom_core::events`]); the consumer is [`crate::queue`].

use waitroom_core::events::{events_of_changes, EventMessage};
use waitroom_core::machines::sale_machine::SaleMachine as Machine;
use waitroom_core::queue::Change;
use waitroom_core::sale::Control;
use worker::Env;

pub const EVENTS_BINDING: &str = "EVENTS";
/// Most messages one `sendBatch` takes.
pub const MAX_SEND_BATCH: usize = 100;

/// The sale's control as the coordinator holds it now (`None`: no sale).
pub fn control(machine: &Machine) -> Option<Control> {
    machine.queue().map(|line| line.sale().control)
}

/// The events `changes` make, taken from the coordinator before they are written: the sale
/// was at `control_before` and `machine` holds it after them.
pub fn of_changes(
    control_before: Option<Control>,
    machine: &Machine,
    changes: &[Change],
) -> Vec<EventMessage> {
    match machine.queue() {
        Some(line) if !changes.is_empty() => {
            events_of_changes(control_before, line.sale(), changes)
        }
        _ => Vec::new(),
    }
}

/// Puts `messages` on the events queue, in batches, best effort: a failure is logged (with the
/// event ids). For events nothing else keeps (the monitor's); a sale's events go through its
/// coordinator's outbox ([`crate::durable::outbox`]), which keeps them until the queue took them.
pub async fn emit(env: &Env, messages: Vec<EventMessage>) {
    for chunk in messages.chunks(MAX_SEND_BATCH) {
        if let Err(e) = send(env, chunk.iter().map(encode).collect()).await {
            let ids: Vec<&str> = chunk.iter().map(|m| m.event.id.as_str()).collect();
            worker::console_error!("events: could not queue {ids:?}: {e}");
        }
    }
}

/// Puts one batch of encoded messages (at most [`MAX_SEND_BATCH`]) on the events queue.
pub async fn send(env: &Env, texts: Vec<String>) -> Result<(), String> {
    if texts.is_empty() {
        return Ok(());
    }
    let queue = env
        .queue(EVENTS_BINDING)
        .map_err(|e| format!("no {EVENTS_BINDING} queue binding: {e}"))?;
    // Each message travels as its JSON text: serde_json's maps would otherwise cross into
    // JavaScript as `Map`s, which structured clone keeps but JSON does not.
    queue.send_batch(texts).await.map_err(|e| e.to_string())
}

/// A queue message's body: the event message as JSON text.
pub fn encode(message: &EventMessage) -> String {
    serde_json::to_string(message).expect("an event message serializes")
}
