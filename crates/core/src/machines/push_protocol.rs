//! What the push route (docs/api.md, "Called back") asks a sale's coordinator, and what it
//! answers: JSON posted to the object's own path (`/push`), apart from [`super::protocol`]'s
//! `Command` and `Reply`, which the edge's module encodes and decodes. Only the full worker sends
//! these, so the edge links none of it. Like `Command::Move`, only this release's route sends
//! them: an object of an older release answers the path with an error (the route answers busy).

use crate::ids::Seq;
use crate::keys::push_subscription::PushSubscription;
use crate::queue::{CallRefusal, Subscribed};
use serde::{Deserialize, Serialize};

/// A place's Web Push subscriptions: keep one, forget one (or all), or say how many.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PushCommand {
    Subscribe {
        seq: Seq,
        #[serde(default)]
        hand: u8,
        subscription: PushSubscription,
    },
    Unsubscribe {
        seq: Seq,
        #[serde(default)]
        hand: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        endpoint: Option<String>,
    },
    Status {
        seq: Seq,
        #[serde(default)]
        hand: u8,
    },
}

impl PushCommand {
    /// Its kind among the coordinator's request counts.
    pub fn kind(&self) -> &'static str {
        match self {
            PushCommand::Subscribe { .. } => "push_subscribe",
            PushCommand::Unsubscribe { .. } => "push_unsubscribe",
            PushCommand::Status { .. } => "push_status",
        }
    }
}

/// The answer (inside the protocol's `Result`, whose `Err` is the queue's own refusals).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum PushAnswer {
    Subscribed(Subscribed),
    Refused { refusal: CallRefusal },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::QueueError;

    #[test]
    fn commands_and_answers_read_back_what_serde_writes() {
        let command = PushCommand::Unsubscribe {
            seq: 7,
            hand: 1,
            endpoint: None,
        };
        let json = serde_json::to_string(&command).unwrap();
        assert_eq!(json, r#"{"op":"unsubscribe","seq":7,"hand":1}"#);
        assert_eq!(serde_json::from_str::<PushCommand>(&json).unwrap(), command);
        let answers: Vec<Result<PushAnswer, QueueError>> = vec![
            Ok(PushAnswer::Subscribed(Subscribed {
                seq: 7,
                subscriptions: 2,
                near_front: 50,
                return_window_s: 300,
            })),
            Ok(PushAnswer::Refused {
                refusal: CallRefusal::Full { max: 3 },
            }),
            Err(QueueError::PlaceMoved),
        ];
        for answer in answers {
            let json = serde_json::to_string(&answer).unwrap();
            assert_eq!(
                serde_json::from_str::<Result<PushAnswer, QueueError>>(&json).unwrap(),
                answer,
                "{json}"
            );
        }
    }
}
