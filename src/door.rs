//! The one door to a place in line: every request that may take or keep a place (the join API,
//! the sale page, its "join again" form, an invitation link) reads what it presents into one
//! [`Presented`], and [`take`] runs the sale's gates on it in one order:
//!
//! 1. the phase: joins only while the sale admits them;
//! 2. the place the presented token names: kept where it still is (waiting, in the pre-queue,
//!    holding a turn or done), answered at the edge from the snapshot and the outcome cache; a
//!    place that ended and was taken again already finds that one new place, at the edge too;
//! 3. for a new place (a fan without a token, or whose place ended): proof of work, then the
//!    address's room ([`crate::place_cost`]), then Turnstile, then the invitation;
//! 4. the place: an invitation-only sale's member's one place, or a new one at the back
//!    (numbered in this isolate, at an arrival shard or by the coordinator, which records a place
//!    that ended against the new one: [`waitroom_core::Queue::join`]).
//!
//! So a route cannot forget a gate, a waiting fan's token costs the coordinator nothing on any
//! route, and one token is never more than one live place. Refusals are [`ApiError`]s; the two
//! presenters (JSON in `routes::fan::join`, pages in `routes::fan`) are the only code that
//! tells a JSON client from a browser.

use crate::ctx::Ctx;
use crate::edge_cache::outcomes;
use crate::edge_numbering;
use crate::error::ApiError;
use crate::invitations::{self, Member};
use crate::objects::{Coordinator, Shard};
use crate::place_cost;
use crate::random;
use waitroom_core::codec::tag_first::Only;
use waitroom_core::fairness::pow::{Solution, Verified};
use waitroom_core::keys::token::QueueToken;
use waitroom_core::machines::protocol::{Command, Reply, ShardCommand, ShardJoined};
use waitroom_core::queue::snapshot::{home_shard, FanView, Snapshot};
use waitroom_core::queue::{Claim, Joined, Rejoined};
use waitroom_core::{Assignment, AssignmentState, Phase, QueueError, SaleId, UnixMillis};
use worker::Request;

/// A fan's valid queue token, as presented.
pub struct Held {
    pub token: QueueToken,
    pub text: String,
}

/// What a request presents to take or keep a place, read once by its route.
#[derive(Default)]
pub struct Presented {
    pub held: Option<Held>,
    /// A solved proof-of-work challenge (`{"challenge", "nonce"}`).
    pub pow: Option<Solution>,
    /// The Turnstile widget's token.
    pub turnstile: Option<String>,
    /// An invitation (from the body, the page's cookie or a link).
    pub invitation: Option<String>,
}

/// Where a request came out of the door.
pub struct Place {
    pub joined: Joined,
    /// The token for `joined`: the one presented when the place was kept, else a new one.
    pub token: String,
    /// What `token` says (its claims), as signed or as verified when presented.
    pub claims: QueueToken,
    /// A token the fan did not present (a new place, or the one a finished place was taken as):
    /// the answer sets it as the cookie.
    pub new_token: bool,
}

impl Place {
    /// A place this request created (201 rather than 200).
    pub fn created(&self) -> bool {
        self.joined.created
    }
}

/// Runs the door's gates for `presented` on the sale of `snap` (module docs). A place a
/// defence refused is counted for the sale's report ([`crate::refusals`]).
pub async fn take(
    req: &Request,
    ctx: &Ctx,
    snap: &Snapshot,
    presented: Presented,
) -> Result<Place, ApiError> {
    let taken = gates(req, ctx, snap, presented).await;
    if let Err(e) = &taken {
        crate::refusals::refused(&ctx.objects, &snap.sale.id, e, ctx.now).await;
    }
    taken
}

async fn gates(
    req: &Request,
    ctx: &Ctx,
    snap: &Snapshot,
    presented: Presented,
) -> Result<Place, ApiError> {
    let phase = snap.phase_at(ctx.now);
    if !phase.admits_joins() {
        return Err(match phase {
            Phase::Closed => QueueError::Closed,
            _ => QueueError::NotOpen {
                opens_at: snap.sale.opens_at,
            },
        }
        .into());
    }
    let mut ended = None;
    if let Some(held) = &presented.held {
        match holds(ctx, snap, &held.token).await? {
            Holds::Place(joined) => {
                return Ok(Place {
                    joined,
                    token: held.text.clone(),
                    claims: held.token.clone(),
                    new_token: false,
                })
            }
            Holds::TakenAgain(next) => return place_of(ctx, snap, rejoined_place(snap, ctx, next)),
            Holds::Ended(assignment) => ended = Some((held.token.seq, assignment)),
        }
    }
    let paid = place_cost::pay(req, ctx, snap, presented.pow.as_ref())?;
    let mut assist_asked = false;
    let placed = async {
        crate::turnstile::require_for_join(req, ctx, &snap.sale, presented.turnstile.as_deref())
            .await?;
        let member = invitations::member(ctx, snap, presented.invitation.as_deref()).await?;
        assist_asked = member.as_ref().is_some_and(|m| m.assist);
        let solution = paid.solution;
        match member {
            Some(member) => member_place(ctx, snap, &member, solution).await,
            None => new_place(ctx, snap, ended.as_ref().map(|(seq, _)| *seq), solution).await,
        }
        .map_err(|e| place_cost::explain(req, ctx, snap, e))
    };
    // What bought no new place (a refusal after paying, or the fan's own place back) gives the
    // address its budget back.
    let joined = placed.await.inspect_err(|_| paid.refund(ctx))?;
    if !joined.created {
        paid.refund(ctx);
    }
    let taken_again = ended.and_then(|(_, a)| a).filter(|a| a.seq != joined.seq);
    if let (Some(mut assignment), Some(token)) = (taken_again, &presented.held) {
        // This isolate answers the next time the old token comes, without a word to anyone.
        assignment.rejoined_as = Some(Rejoined::of(&joined));
        let claim = Claim::Lapsed { assignment };
        let token_expires = UnixMillis::from_secs(token.token.exp);
        let of = outcomes::Of {
            seq: token.token.seq,
            hand: token.token.hand,
        };
        outcomes::put(
            &ctx.origin,
            &snap.sale.id,
            of,
            claim,
            ctx.now,
            token_expires,
        )
        .await;
    }
    let place = place_of(ctx, snap, joined)?;
    if assist_asked {
        return Ok(with_assist(ctx, snap, place).await);
    }
    Ok(place)
}

/// A member whose invitation carries the `assist` claim asks for the sale's assisted lane with
/// their place: granted (while it has room), their token says so. Refused (no lane, full, their
/// turn came, or the coordinator busy) the place stands as it is, with the usual time; logged.
async fn with_assist(ctx: &Ctx, snap: &Snapshot, mut place: Place) -> Place {
    if snap.sale.assist.is_none() || place.claims.assist {
        return place;
    }
    let command = Command::Assist {
        seq: place.joined.seq,
    };
    // Read as that one reply: the edge's module compiles no reader for the others.
    let granted: Result<Only<Reply, waitroom_core::queue::Assisted>, _> =
        ctx.objects.ask(&Coordinator(&snap.sale.id), &command).await;
    match granted {
        Ok(_) => {
            let claims = place.claims.assisted(ctx.now);
            match ctx.config() {
                Ok(config) => {
                    place.token = config.secrets.token_keys.sign(&claims);
                    place.claims = claims;
                    place.new_token = true;
                }
                Err(e) => worker::console_warn!("assisted lane: no keys to sign with: {e:?}"),
            }
        }
        Err(e) => worker::console_warn!("assisted lane not granted to a member: {e:?}"),
    }
    place
}

/// A place with a newly signed token for it.
fn place_of(ctx: &Ctx, snap: &Snapshot, joined: Joined) -> Result<Place, ApiError> {
    let claims = QueueToken::new(
        snap.sale.id.clone(),
        joined.fan_id.clone(),
        joined.seq,
        ctx.now,
    );
    let token = ctx.config()?.secrets.token_keys.sign(&claims);
    Ok(Place {
        joined,
        token,
        claims,
        new_token: true,
    })
}

/// Whether the snapshot alone says `token`'s place still holds (waiting, or in the pre-queue):
/// the door keeps it without asking anyone (see [`holds`]).
pub fn held_at_edge(snap: &Snapshot, token: &QueueToken, now: UnixMillis) -> bool {
    matches!(
        snap.fan_view(token.seq, now),
        FanView::Waiting { .. } | FanView::Prequeue { .. }
    )
}

/// What the place a valid token names is now.
enum Holds {
    /// Still the fan's: waiting, in the pre-queue, their turn, or done.
    Place(Joined),
    /// Ended, and taken again already as this place.
    TakenAgain(Rejoined),
    /// Ended (lapsed, released, left, expired): the fan may take one new place for it. `None`:
    /// its stored record could not be read (counted in the report's `bad_records`); the fan
    /// takes a new place the same way, paying for it.
    Ended(Option<Assignment>),
}

/// What the place of `token` is, from the snapshot and (once the line reached it) the outcome
/// the fan found, at the edge when it can be; only a first look at a reached place asks the
/// coordinator ([`claim`]).
async fn holds(ctx: &Ctx, snap: &Snapshot, token: &QueueToken) -> Result<Holds, ApiError> {
    // A token of a hand the place moved away from holds nothing, and takes nothing new: the
    // place is someone's (docs/api.md, "Move my place").
    if snap.hand_of(token.seq) > token.hand {
        return Err(QueueError::PlaceMoved.into());
    }
    let kept = |position, ahead| {
        Holds::Place(Joined {
            fan_id: token.fan_id.clone(),
            seq: token.seq,
            created: false,
            position,
            ahead,
        })
    };
    Ok(match snap.fan_view(token.seq, ctx.now) {
        FanView::Waiting {
            position, ahead, ..
        } => kept(position, ahead),
        // Not drawn yet: the place in the pre-queue's arrival order.
        FanView::Prequeue { .. } => kept(token.seq, token.seq.saturating_sub(1)),
        FanView::Closed => return Err(QueueError::Closed.into()),
        FanView::Reached => match claim(ctx, &snap.sale.id, token).await {
            Ok(Claim::Waiting { position, ahead }) => kept(position, ahead),
            Ok(Claim::Turn { .. }) => kept(1, 0),
            Ok(Claim::Lapsed { assignment }) => match assignment.rejoined_as {
                Some(next) => Holds::TakenAgain(next),
                None if assignment.state == AssignmentState::Completed => kept(1, 0),
                None => Holds::Ended(Some(assignment)),
            },
            Err(ApiError::Queue(QueueError::AssignmentNotFound)) => Holds::Ended(None),
            Err(e) => return Err(e),
        },
    })
}

/// The place a finished place was taken again as, where the snapshot says it stands.
fn rejoined_place(snap: &Snapshot, ctx: &Ctx, next: Rejoined) -> Joined {
    shard_joined(
        snap,
        ctx.now,
        ShardJoined {
            fan_id: next.fan_id,
            seq: next.seq,
            again: true,
        },
    )
}

/// What fan `token` finds now that their number was reached: from the edge's outcome cache if
/// they asked before, else from the coordinator (and then cached).
pub async fn claim(ctx: &Ctx, sale: &SaleId, token: &QueueToken) -> Result<Claim, ApiError> {
    let command = Command::Claim {
        seq: token.seq,
        hand: token.hand,
    };
    let ask = async {
        let claim: Only<Reply, Claim> = ctx.objects.ask(&Coordinator(sale), &command).await?;
        Ok(claim.into_inner())
    };
    let token_expires = UnixMillis::from_secs(token.exp);
    let key = outcomes::Of {
        seq: token.seq,
        hand: token.hand,
    };
    outcomes::get(&ctx.origin, sale, key, ctx.now, token_expires, ask).await
}

/// A new place at the back of an open sale (`ended`: the finished place it is taken for).
/// `paid`: the proof of work it was paid with (see [`place_cost`]); the object that numbers the
/// fan refuses it if it was spent before.
async fn new_place(
    ctx: &Ctx,
    snap: &Snapshot,
    ended: Option<waitroom_core::Seq>,
    paid: Option<Verified>,
) -> Result<Joined, ApiError> {
    let sale = &snap.sale.id;
    // Places in an invitation-only sale are members' places, never these.
    if !snap.sale.access.is_open() {
        return Err(ApiError::InvitationRequired);
    }
    // A place taken for one that ended is the coordinator's to record, once.
    if ended.is_none() {
        // New fans of an open sharded sale are numbered in this isolate (see edge_numbering),
        // unless they paid with proof of work (or the shard is of a release that does not lend).
        if edge_numbering::numbers(snap, ctx.now, paid.is_some()) {
            if let Some(joined) = edge_numbering::join(ctx, snap).await? {
                return Ok(shard_joined(snap, ctx.now, joined));
            }
        }
        // Other new fans of a sharded sale go to a random arrival shard; a fan paid with proof
        // of work to the solution's home (the shard its hash picks, or the coordinator), the
        // same at every edge, through a live change of `shards` too, so every copy of it is
        // spent at one place; the coordinator decides the rest.
        let sale_view = &snap.sale;
        let shard = match &paid {
            Some(pow) => home_shard(pow, sale_view.shards, sale_view.shards_changed),
            None if sale_view.shards > 1 => {
                let shard = (random::fraction() * f64::from(sale_view.shards)) as u32;
                Some(shard.min(sale_view.shards - 1))
            }
            None => None,
        };
        if let Some(shard) = shard {
            let command = ShardCommand::Join {
                sale: sale.clone(),
                shard,
                pow: paid,
                member: None,
            };
            let joined = ctx.objects.ask(&Shard { sale, shard }, &command).await?;
            return Ok(shard_joined(snap, ctx.now, joined));
        }
    }
    // A finished place taken again is numbered by the coordinator, but its solution is spent at
    // its home like any other's: a copy of it can then buy no place elsewhere.
    let mut paid = paid;
    if let Some(pow) = paid.filter(|_| ended.is_some()) {
        let home = home_shard(&pow, snap.sale.shards, snap.sale.shards_changed);
        if let Some(shard) = home {
            let command = ShardCommand::Spend {
                sale: sale.clone(),
                shard,
                pow,
            };
            ctx.objects.tell(&Shard { sale, shard }, &command).await?;
            paid = None;
        }
    }
    let command = Command::Join {
        existing: ended,
        pow: paid,
    };
    let joined: Only<Reply, Joined> = ctx.objects.ask(&Coordinator(sale), &command).await?;
    Ok(joined.into_inner())
}

/// An invitation-only sale's member takes their one place, or finds the one they have.
async fn member_place(
    ctx: &Ctx,
    snap: &Snapshot,
    member: &Member,
    paid: Option<Verified>,
) -> Result<Joined, ApiError> {
    let joined = invitations::place_of(ctx, snap, member, paid).await?;
    Ok(shard_joined(snap, ctx.now, joined))
}

/// A fan an arrival shard numbered, with their place in line as the snapshot tells it.
fn shard_joined(snap: &Snapshot, now: UnixMillis, joined: ShardJoined) -> Joined {
    let (position, ahead) = match snap.fan_view(joined.seq, now) {
        FanView::Waiting {
            position, ahead, ..
        } => (position, ahead),
        FanView::Reached | FanView::Closed => (1, 0),
        // Not drawn yet: the place in the pre-queue's arrival order, as the coordinator says.
        FanView::Prequeue { .. } => (joined.seq, joined.seq.saturating_sub(1)),
    };
    Joined {
        fan_id: joined.fan_id,
        seq: joined.seq,
        created: !joined.again,
        position,
        ahead,
    }
}
