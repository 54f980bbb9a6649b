//! What the queue shows: its counts, to promoters ([`stats`]), and the snapshot the edge caches
//! and answers polls from ([`snapshot`]).

use super::{admission, net, prequeue, presence};
use crate::queue::records::Stats;
use crate::queue::snapshot::Snapshot;
use crate::queue::state::QueueState;
use crate::sale::SaleView;
use crate::time::UnixMillis;

pub(crate) fn stats(q: &QueueState, now: UnixMillis) -> Stats {
    let f = q.assignments.counts();
    let pending = q.blocks.pending();
    let finished = f.finished();
    Stats {
        joined: q.line.taken() - q.line.gap_total() - pending,
        waiting: (q.line.end() - q.line.head()) - q.line.gaps_ahead() - pending,
        assigned: q.assignments.handled() - finished,
        claimed: f.claimed_open,
        completed: f.completed,
        released: f.released,
        lapsed: f.lapsed,
        left: f.left,
        expired: f.expired,
        pending,
        admission_rate: q.admission_rate(now),
        admission_target_rate: q.sale.settings.admission.target_rate(),
    }
}

/// What the edge caches and answers polls from.
pub(crate) fn snapshot(q: &QueueState, now: UnixMillis) -> Snapshot {
    let (gaps, unused) = q.line.compressed_gaps();
    Snapshot {
        sale: SaleView::of(&q.sale),
        head: q.line.head(),
        next_seq: q.line.next_seq(),
        gaps,
        unused,
        admission_rate: q.admission_rate(now),
        presence_zone: presence::zone(q, now),
        draw: prequeue::draw_info(q).map(Box::new),
        taken_at: now,
        admission_next_at: admission::rate_next_at(q, now),
        assisted: q.assisted.len() as u64,
        moved: super::moving::moved_in_line(q).collect(),
        net_down: net::down(q, now),
    }
}
