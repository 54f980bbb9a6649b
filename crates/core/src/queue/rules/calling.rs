//! Called back by Web Push (docs/api.md, "Called back"): a waiting fan of a sale with `push`
//! asks to be notified; they are pushed when `push.near_front` or fewer fans are ahead, and when
//! their turn comes. A called fan's turn is held `push.return_window_s` (or the sale's claim
//! time, if longer) for them to come back, and presence never skips them at the front: they
//! asked not to keep the page open. Bounded: [`MAX_SUBSCRIPTIONS_PER_PLACE`] subscriptions a
//! place, [`MAX_CALLED_PLACES`] places a sale. The object sends what [`take_calls`] hands it.

use crate::ids::{Position, Seq};
use crate::keys::push_subscription::PushSubscription;
use crate::queue::error::QueueError;
use crate::queue::parts::callers::{Caller, MAX_CALLED_PLACES, MAX_SUBSCRIPTIONS_PER_PLACE};
use crate::queue::records::Change;
use crate::queue::rules::moving::check_hand;
use crate::queue::state::QueueState;
use crate::sale::Phase;
use crate::time::UnixMillis;
use serde::{Deserialize, Serialize};

/// What a fan's place stands at after subscribing or unsubscribing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscribed {
    pub seq: Seq,
    /// The place's subscriptions now (0: the fan will not be called).
    pub subscriptions: u8,
    /// The sale's distance for the "near the front" push, and its return window.
    pub near_front: u32,
    pub return_window_s: u32,
}

/// Why a place cannot be called back (besides the queue's own refusals: the sale closed, the
/// place moved or is unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallRefusal {
    /// The sale does not call fans back (its `push` setting is off).
    Off,
    /// The place has `max` subscriptions already.
    Full { max: u8 },
    /// The fan's turn came already (or their place ended): nothing left to call them for.
    TooLate,
}

impl CallRefusal {
    /// The error code the push route answers (409).
    pub fn code(self) -> &'static str {
        match self {
            CallRefusal::Off => "push_off",
            CallRefusal::Full { .. } => "push_full",
            CallRefusal::TooLate => "push_too_late",
        }
    }

    pub fn message(self) -> String {
        match self {
            CallRefusal::Off => "this sale does not call fans back".into(),
            CallRefusal::Full { max } => format!(
                "this place has {max} push subscriptions, the most it may: unsubscribe one first"
            ),
            CallRefusal::TooLate => "this place's turn came already: nothing to call it for".into(),
        }
    }
}

/// Why a subscription was refused: by the queue, or by the call-back's own rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    Queue(QueueError),
    Call(CallRefusal),
}

impl From<QueueError> for Refused {
    fn from(e: QueueError) -> Self {
        Refused::Queue(e)
    }
}

impl From<CallRefusal> for Refused {
    fn from(e: CallRefusal) -> Self {
        Refused::Call(e)
    }
}

/// A push for the object to send: to every subscription of fan `seq`'s place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub seq: Seq,
    pub kind: CallKind,
    pub subscriptions: Vec<PushSubscription>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// `ahead` fans or fewer are ahead of them.
    NearFront { ahead: u64 },
    /// Their turn came: held until `claim_by`.
    Turn { claim_by: UnixMillis },
}

/// Fan `seq`'s place, held by `hand`, keeps `subscription` (again: replaced, not counted twice).
pub(crate) fn subscribe(
    q: &mut QueueState,
    now: UnixMillis,
    seq: Seq,
    hand: u8,
    subscription: PushSubscription,
) -> Result<Subscribed, Refused> {
    let position = waiting_place(q, now, seq, hand)?;
    let mut caller = match q.callers.get(position) {
        Some(c) => c.clone(),
        // The sale's bound: a capacity limit, answered as one (503, try later).
        None if q.callers.len() >= MAX_CALLED_PLACES => return Err(QueueError::Busy.into()),
        None => Caller {
            seq,
            subscriptions: Vec::new(),
            near_sent: false,
        },
    };
    caller
        .subscriptions
        .retain(|s| s.endpoint != subscription.endpoint);
    if caller.subscriptions.len() >= MAX_SUBSCRIPTIONS_PER_PLACE {
        return Err(CallRefusal::Full {
            max: MAX_SUBSCRIPTIONS_PER_PLACE as u8,
        }
        .into());
    }
    caller.subscriptions.push(subscription);
    // Near the front already: the page that asked is open, so no "near" push (the turn's comes).
    let (_, ahead) = q.line.place(position);
    caller.near_sent |= ahead <= u64::from(near_front(q));
    let n = caller.subscriptions.len() as u8;
    put(q, position, caller);
    Ok(subscribed(q, seq, n))
}

/// Fan `seq`'s place, held by `hand`, forgets the subscription to `endpoint` (`None`: all).
pub(crate) fn unsubscribe(
    q: &mut QueueState,
    now: UnixMillis,
    seq: Seq,
    hand: u8,
    endpoint: Option<&str>,
) -> Result<Subscribed, Refused> {
    let position = waiting_place(q, now, seq, hand)?;
    let left = match (q.callers.get(position).cloned(), endpoint) {
        (Some(mut caller), Some(endpoint)) => {
            caller.subscriptions.retain(|s| s.endpoint != endpoint);
            let n = caller.subscriptions.len() as u8;
            if n == 0 {
                forget(q, position);
            } else {
                put(q, position, caller);
            }
            n
        }
        (Some(_), None) => {
            forget(q, position);
            0
        }
        (None, _) => 0,
    };
    Ok(subscribed(q, seq, left))
}

/// Fan `seq`'s place's subscriptions (held by `hand`), as [`subscribe`] would answer.
pub(crate) fn status(
    q: &QueueState,
    now: UnixMillis,
    seq: Seq,
    hand: u8,
) -> Result<Subscribed, Refused> {
    let position = waiting_place(q, now, seq, hand)?;
    let n = q
        .callers
        .get(position)
        .map_or(0, |c| c.subscriptions.len() as u8);
    Ok(subscribed(q, seq, n))
}

/// The place fan `seq`'s token of `hand` holds in line, if they may (un)subscribe: the sale
/// calls back, is not closed, the place is still waiting (not before the draw) and the token's.
fn waiting_place(q: &QueueState, now: UnixMillis, seq: Seq, hand: u8) -> Result<Position, Refused> {
    if q.sale.settings.push.is_none() {
        return Err(CallRefusal::Off.into());
    }
    match q.phase_at(now) {
        Phase::Closed => return Err(QueueError::Closed.into()),
        // Before the draw a place has no position to be called at yet.
        Phase::Prequeue => {
            return Err(QueueError::NotOpen {
                opens_at: q.sale.settings.opens_at,
            }
            .into())
        }
        _ => {}
    }
    if seq == 0 || !q.line.issued(seq) {
        return Err(QueueError::AssignmentNotFound.into());
    }
    check_hand(q, seq, hand)?;
    let position = q.position_of(seq);
    if position < q.line.head() {
        return Err(CallRefusal::TooLate.into());
    }
    Ok(position)
}

fn subscribed(q: &QueueState, seq: Seq, subscriptions: u8) -> Subscribed {
    let push = q.sale.settings.push;
    Subscribed {
        seq,
        subscriptions,
        near_front: push.map_or(0, |p| p.near_front),
        return_window_s: push.map_or(0, |p| p.return_window_s),
    }
}

fn near_front(q: &QueueState) -> u32 {
    q.sale.settings.push.map_or(0, |p| p.near_front)
}

fn put(q: &mut QueueState, position: Position, caller: Caller) {
    q.changes.push(Change::Caller {
        seq: caller.seq,
        caller: Some(caller.clone()),
    });
    q.callers.put(position, caller);
}

fn forget(q: &mut QueueState, position: Position) -> Option<Caller> {
    let caller = q.callers.remove(position)?;
    q.changes.push(Change::Caller {
        seq: caller.seq,
        caller: None,
    });
    Some(caller)
}

/// Pushes "near the front" to the callers the front came within `push.near_front` of. (After
/// every admission.)
pub(crate) fn tell_near_front(q: &mut QueueState) {
    let Some(push) = q.sale.settings.push else {
        return;
    };
    let head = q.line.head();
    // Positions count gaps too, so this range holds everyone within the distance (and maybe a
    // few beyond it, checked below).
    let end = (head + u64::from(push.near_front) + 1).min(q.line.end());
    for position in q.callers.not_told(head, end) {
        let (_, ahead) = q.line.place(position);
        if ahead > u64::from(push.near_front) {
            continue;
        }
        let Some(caller) = q.callers.get_mut(position) else {
            continue;
        };
        caller.near_sent = true;
        let caller = caller.clone();
        q.calls.push(Call {
            seq: caller.seq,
            kind: CallKind::NearFront { ahead },
            subscriptions: caller.subscriptions.clone(),
        });
        q.changes.push(Change::Caller {
            seq: caller.seq,
            caller: Some(caller),
        });
    }
}

/// Whether the fan at `position` (at the front now) asked to be called: presence does not skip
/// them, and their turn is held ([`held_claim_s`]).
pub(crate) fn is_called(q: &QueueState, position: Position) -> bool {
    q.callers.contains(position)
}

/// How long a called fan's turn is held: the return window, or `claim_s` if that is longer.
pub(crate) fn held_claim_s(q: &QueueState, claim_s: u64) -> u64 {
    let window = q
        .sale
        .settings
        .push
        .map_or(0, |p| u64::from(p.return_window_s));
    claim_s.max(window)
}

/// The turn of the called fan at `position` came (held until `claim_by`): pushed, and the place
/// leaves the callers.
pub(crate) fn turn_came(q: &mut QueueState, position: Position, claim_by: UnixMillis) {
    if let Some(caller) = forget(q, position) {
        q.calls.push(Call {
            seq: caller.seq,
            kind: CallKind::Turn { claim_by },
            subscriptions: caller.subscriptions,
        });
    }
}

/// Fan `seq`'s place moved to another device: the old device is not called any more.
pub(crate) fn place_moved(q: &mut QueueState, seq: Seq) {
    let position = q.position_of(seq);
    forget(q, position);
}

/// The push service said fan `seq`'s subscription to `endpoint` is gone (404, 410): forgotten.
pub(crate) fn endpoint_gone(q: &mut QueueState, seq: Seq, endpoint: &str) {
    let position = q.position_of(seq);
    let Some(mut caller) = q.callers.get(position).cloned() else {
        return;
    };
    caller.subscriptions.retain(|s| s.endpoint != endpoint);
    if caller.subscriptions.is_empty() {
        forget(q, position);
    } else {
        put(q, position, caller);
    }
}

/// The pushes to send since the last call.
pub(crate) fn take_calls(q: &mut QueueState) -> Vec<Call> {
    std::mem::take(&mut q.calls)
}
