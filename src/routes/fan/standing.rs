//! Where a fan stands: from the token and the cached snapshot, unless the line reached the fan
//! (then from their claim); and as the status answer tells it.

use crate::ctx::Ctx;
use crate::door;
use crate::error::ApiError;
use crate::fan_state::FanState;
use crate::presence;
use crate::random;
use crate::routes::answers::{StateAdds, Status};
use waitroom_core::keys::token::QueueToken;
use waitroom_core::queue::snapshot::{wait_words, FanView, Snapshot};
use waitroom_core::queue::Claim;
use waitroom_core::{AssignmentState, QueueError, SaleId, UnixMillis, WindowId};
use worker::Url;

/// Where a fan stands, with the numbers and the turn: what the status endpoint and the waiting
/// page tell, each in its own way, of the fan's [`FanState`] ([`Standing::state`]).
pub(super) enum Standing {
    Waiting {
        position: u64,
        ahead: u64,
        eta_s: Option<u64>,
        poll_after_ms: u64,
        /// Near the front: the fan must keep polling (even from a hidden tab) to keep the place.
        near_front: bool,
        /// Possibly within the presence zone (by the fewest fans who may be ahead): may hold a
        /// socket.
        in_zone: bool,
    },
    YourTurn {
        pass: String,
        expires_at: UnixMillis,
        /// The sale's purchase URL with the pass.
        purchase_url: Url,
        window: WindowId,
        assignment: AssignmentState,
    },
    /// The fan's turn is over without a purchase: lapsed, released or left.
    Lapsed {
        reason: AssignmentState,
    },
    /// In the pre-queue: the order is drawn at `draw_at`.
    Prequeue {
        draw_at: Option<UnixMillis>,
        poll_after_ms: u64,
    },
    Closed,
    /// The place moved to another device: this token's hand no longer holds it.
    Moved,
}

impl Standing {
    /// The fan's state, as the status answer and the waiting page both say it.
    pub(super) fn state(&self) -> FanState {
        match self {
            Standing::Waiting { .. } => FanState::Waiting,
            Standing::YourTurn { .. } => FanState::YourTurn,
            Standing::Lapsed { .. } => FanState::Lapsed,
            Standing::Prequeue { .. } => FanState::Prequeue,
            Standing::Closed => FanState::Closed,
            Standing::Moved => FanState::Moved,
        }
    }
}

/// Answered from the token and the cached snapshot, unless the fan's number has been reached:
/// only then is the coordinator asked, for the fan's assignment (a place bound to a device: with
/// the device's `proof`, see [`door::claim`]). A token of a hand the place moved away from is
/// answered "moved": from the snapshot's moved places while in line (a snapshot at most a second
/// or so old), by the coordinator once reached (before any proof is looked at).
pub(super) async fn fan_state(
    ctx: &Ctx,
    snap: &Snapshot,
    token: &QueueToken,
    proof: Option<&str>,
) -> Result<Standing, ApiError> {
    let sale = &snap.sale.id;
    if snap.hand_of(token.seq) > token.hand {
        return Ok(Standing::Moved);
    }
    let view = snap.fan_view(token.seq, ctx.now);
    Ok(match view {
        FanView::Waiting {
            position,
            ahead,
            eta_s,
            poll_after_ms,
            ..
        } => {
            // By the fewest fans who may be ahead: a fan the snapshot cannot place exactly (far
            // back, see `waitroom_core::queue::gap_index`) errs into the zone, never out of it.
            let in_zone = view.in_zone(snap.presence_zone);
            let near_front = snap.sale.presence_ttl_s > 0 && in_zone;
            // A poll near the front says the fan is still there; fans further back cost the
            // coordinator nothing.
            if near_front {
                let position = snap
                    .position_of(token.seq, snap.phase_at(ctx.now))
                    .unwrap_or(waitroom_core::Position(token.seq));
                presence::seen(&ctx.objects, sale, token.seq, position, ctx.now).await;
            }
            Standing::Waiting {
                position,
                ahead,
                eta_s,
                poll_after_ms: jittered(poll_after_ms),
                near_front,
                in_zone,
            }
        }
        FanView::Closed => Standing::Closed,
        FanView::Prequeue {
            draw_at,
            poll_after_ms,
        } => Standing::Prequeue {
            draw_at,
            poll_after_ms: jittered(poll_after_ms),
        },
        FanView::Reached => match door::claim(ctx, sale, token, proof).await {
            Err(ApiError::Queue(QueueError::PlaceMoved)) => Standing::Moved,
            Err(e) => return Err(e),
            Ok(claim) => match claim {
                Claim::Waiting { position, ahead } => Standing::Waiting {
                    position,
                    ahead,
                    eta_s: None,
                    poll_after_ms: jittered(waitroom_core::queue::snapshot::POLL_MIN_MS),
                    near_front: true,
                    in_zone: waitroom_core::queue::socket::admits(ahead, snap.presence_zone),
                },
                Claim::Turn {
                    assignment,
                    pass_ttl_s,
                    pass,
                } => {
                    // The coordinator signs the pass (the edge holds no signing key); an object of
                    // a release before that answers without one: busy, never a turn without a pass.
                    let pass = pass.ok_or_else(|| {
                        ApiError::Busy("the coordinator answered a turn without its pass".into())
                    })?;
                    let turn = crate::turn::with_pass(
                        pass,
                        &snap.sale.purchase_url,
                        snap.sale.pass_delivery,
                        &assignment,
                        pass_ttl_s,
                    );
                    Standing::YourTurn {
                        pass: turn.pass,
                        expires_at: turn.expires_at,
                        purchase_url: turn.purchase_url,
                        window: assignment.window,
                        assignment: assignment.state,
                    }
                }
                Claim::Lapsed { assignment } => Standing::Lapsed {
                    reason: assignment.state,
                },
            },
        },
    })
}

pub(super) fn status_answer<'a>(
    snap: &'a Snapshot,
    token: &'a QueueToken,
    standing: &'a Standing,
    now: UnixMillis,
) -> Status<'a> {
    let sale = &snap.sale.id;
    // Position, ahead, estimate and next poll: the fan's numbers while in line, zero on their
    // turn, null once they have no place.
    let (place, adds) = match standing {
        Standing::Waiting {
            position,
            ahead,
            eta_s,
            poll_after_ms,
            near_front,
            in_zone,
        } => (
            [Some(*position), Some(*ahead), *eta_s, Some(*poll_after_ms)],
            StateAdds::Waiting {
                keep_alive: *near_front,
                eta_text: wait_words(*eta_s),
                // A place bound to a device gets its turn by the poll with a proof.
                socket_url: (*in_zone && token.device.is_none())
                    .then(|| format!("/api/sales/{sale}/socket")),
            },
        ),
        Standing::YourTurn {
            pass,
            expires_at,
            purchase_url,
            window,
            assignment,
        } => (
            [Some(0), Some(0), Some(0), None],
            StateAdds::YourTurn {
                pass,
                pass_expires_at: *expires_at,
                purchase_url,
                pass_delivery: snap.sale.pass_delivery,
                window,
                assignment_state: *assignment,
            },
        ),
        Standing::Lapsed { reason } => (
            [None; 4],
            StateAdds::Lapsed {
                reason: *reason,
                join_url: format!("/api/sales/{sale}/join"),
            },
        ),
        Standing::Prequeue {
            draw_at,
            poll_after_ms,
        } => (
            [None, None, None, Some(*poll_after_ms)],
            StateAdds::Prequeue {
                draw_at: *draw_at,
                draw_url: format!("/api/sales/{sale}/draw"),
            },
        ),
        Standing::Closed | Standing::Moved => ([None; 4], StateAdds::Nothing {}),
    };
    let [position, ahead, eta_s, poll_after_ms] = place;
    Status {
        sale,
        fan_id: &token.fan_id,
        seq: token.seq,
        phase: snap.phase_at(now),
        position,
        ahead,
        eta_s,
        poll_after_ms,
        state: standing.state(),
        adds,
    }
}

/// Adds up to 20% random jitter, so a crowd that polled together drifts apart.
pub(super) fn jittered(ms: u64) -> u64 {
    ms + (ms as f64 * 0.2 * random::fraction()) as u64
}

/// Where the fan polls its status.
pub(super) fn status_url(sale: &SaleId) -> String {
    format!("/api/sales/{sale}/status")
}

/// A protected path's door (path protection): what the fan's page cookie (their token) says of
/// their turn, taken as a fan page takes it (a claim, if the line reached them).
pub(crate) enum PageTurn {
    /// No valid cookie, or not their turn: the sale page.
    None,
    /// Their turn, with its pass: a session starts.
    Start(QueueToken, String),
    /// Their turn is over (completed) though its pass lasts: no new session.
    Over,
    /// Their turn, for a place bound to a device, asked for without a proof (a page load carries
    /// none): the page that makes one with the device's key (`seq`: the place's number, which
    /// the proof names).
    ConfirmDevice { seq: waitroom_core::Seq },
}

pub(crate) async fn turn_of_page(
    req: &worker::Request,
    ctx: &Ctx,
    snap: &Snapshot,
) -> Result<PageTurn, ApiError> {
    let Some(held) = super::token::held_by_page(req, ctx, &snap.sale.id) else {
        return Ok(PageTurn::None);
    };
    let standing = match fan_state(ctx, snap, &held.token, held.proof.as_deref()).await {
        Err(ApiError::Device(waitroom_core::keys::device::DeviceError::ProofRequired)) => {
            return Ok(PageTurn::ConfirmDevice {
                seq: held.token.seq,
            })
        }
        standing => standing?,
    };
    match standing {
        Standing::YourTurn {
            pass, assignment, ..
        } if waitroom_core::protect::decide::turn_starts_session(assignment) => {
            Ok(PageTurn::Start(held.token, pass))
        }
        Standing::YourTurn { .. } => Ok(PageTurn::Over),
        _ => Ok(PageTurn::None),
    }
}
