//! Who is still there near the front: fans near it say so by polling or by holding a socket open,
//! and the zone they are counted in follows the admission rate. A fan silent too long is skipped
//! at the front (see [`crate::queue::parts::presence`]).

use crate::ids::{Position, Seq};
use crate::queue::parts::presence;
use crate::queue::socket::{self, Refusal, MAX_SOCKETS};
use crate::queue::state::QueueState;
use crate::sale::Phase;
use crate::time::UnixMillis;

/// Fan `seq` opens a socket: accepted (and counted as present from now on) if they are in line,
/// near the front ([`socket::admits`]) and the object holds fewer than [`MAX_SOCKETS`].
pub(crate) fn connect(q: &mut QueueState, now: UnixMillis, seq: Seq) -> Result<(), Refusal> {
    if q.phase_at(now) == Phase::Closed {
        return Err(Refusal::Closed);
    }
    // Presence, sockets included, is kept by line position (see `prequeue`); a pre-queue fan
    // has none until the draw.
    if !q.line.issued(seq) || q.phase_at(now) == Phase::Prequeue {
        return Err(Refusal::NotInLine);
    }
    let position = q.position_of(seq);
    if position < q.line.head() {
        return Err(Refusal::TurnReached);
    }
    let (_, ahead) = q.line.place(position);
    let zone = zone(q, now);
    if !socket::admits(ahead, zone) {
        return Err(Refusal::NotNearFront { ahead, zone });
    }
    if q.presence.sockets() >= MAX_SOCKETS {
        return Err(Refusal::Full);
    }
    q.presence.socket_opened(position, now);
    Ok(())
}

/// A socket fan `seq` opened before the object restarted (it woke from hibernation with the
/// socket still open): counted again, without the checks it passed then. Whether the fan is
/// still in line; if not, the object closes it.
pub(crate) fn reconnect(q: &mut QueueState, now: UnixMillis, seq: Seq) -> bool {
    let position = q.position_of(seq);
    if !q.line.contains(position) {
        return false;
    }
    q.presence.socket_opened(position, now);
    true
}

/// One of fan `seq`'s sockets closed (or failed): from now on the presence rules apply as to a
/// fan who was last seen now.
pub(crate) fn disconnect(q: &mut QueueState, now: UnixMillis, seq: Seq) {
    let position = q.position_of(seq);
    q.presence.socket_closed(position, now);
}

/// The fan at line position `position` says they are still there.
pub(crate) fn present_at(q: &mut QueueState, now: UnixMillis, position: Position) {
    if q.line.contains(position) {
        q.presence.seen(position, now);
    }
}

/// Tracks when the front zone reached each fan. (A step of the sweep.)
pub(crate) fn track_zone(q: &mut QueueState, now: UnixMillis) {
    // Nobody is near the front before the draw: pre-queue fans have no place to poll for yet,
    // and the zone must not start counting their silence before they do.
    if q.phase_at(now) == Phase::Prequeue {
        return;
    }
    // The zone is counted in fans, not numbers: with many unused numbers per fan (sub-blocks
    // an isolate returned half used) a zone of positions would hold fewer fans, who would then
    // spend less than `presence_ttl_s` in it before their turn.
    let zone_end = q.line.after_fans(zone(q, now));
    q.presence.track(q.line.head(), zone_end, now);
}

/// How many fans from the front count as "near the front": those expected to be admitted
/// within a minute, and at least [`crate::queue::MIN_PRESENCE_ZONE`]. Only they report that they
/// are present.
pub(crate) fn zone(q: &QueueState, now: UnixMillis) -> u64 {
    let target = q.sale.settings.admission.target_rate().unwrap_or(0.0);
    presence::zone_size(q.admission_rate(now).max(target))
}
