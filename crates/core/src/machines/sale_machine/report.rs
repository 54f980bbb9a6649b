//! The sale as promoters see it: its settings, phase and live numbers, the requests counted (the
//! coordinator's own and, apart, its arrival shards'), and the stored records found unreadable.

use super::counts::RequestCounts;
use crate::fairness::refusals::{RefusedCounts, REFUSED_PREFIX};
use crate::machines::protocol::{
    PushCounts, SaleReport, PUSH_KIND_PREFIX, SERVED_KIND_PREFIX as SHARD_PREFIX,
};
use crate::queue::Queue;
use crate::sale::SaleView;
use crate::time::UnixMillis;

/// The sale as promoters see it.
pub(super) fn report(
    queue: &Queue,
    counts: &RequestCounts,
    bad_records: u64,
    now: UnixMillis,
) -> SaleReport {
    let sale = queue.sale();
    let requests = counts.requests();
    let (minutes, hours) = queue.minutes_report(now);
    SaleReport {
        sale: SaleView::of(sale),
        phase: queue.phase_at(now),
        created_at: sale.created_at,
        updated_at: sale.updated_at,
        stats: queue.stats(now),
        bad_records,
        coordinator_requests: requests
            .iter()
            .filter(|(kind, _)| {
                !kind.starts_with(SHARD_PREFIX)
                    && !kind.starts_with(REFUSED_PREFIX)
                    && !kind.starts_with(PUSH_KIND_PREFIX)
            })
            .map(|(_, n)| n)
            .sum(),
        coordinator_requests_by_kind: requests
            .iter()
            .filter(|(kind, _)| {
                !kind.starts_with(SHARD_PREFIX)
                    && !kind.starts_with(REFUSED_PREFIX)
                    && !kind.starts_with(PUSH_KIND_PREFIX)
            })
            .map(|(kind, n)| (kind.clone(), *n))
            .collect(),
        shard_requests_by_kind: requests
            .iter()
            .filter_map(|(kind, n)| Some((kind.strip_prefix(SHARD_PREFIX)?.to_owned(), *n)))
            .collect(),
        minutes,
        hours,
        draw: queue.draw_info(),
        closed_at: sale.closed_at,
        report_visibility: sale.report,
        waits: queue.waits().clone(),
        refused: RefusedCounts::from_requests(requests),
        assisted: queue.assisted(),
        pushes: PushCounts {
            waiting: queue.callers() as u64,
            sent: requests.get("push:sent").copied().unwrap_or(0),
            gone: requests.get("push:gone").copied().unwrap_or(0),
            failed: requests.get("push:failed").copied().unwrap_or(0),
        },
        net: queue.net_report(now),
    }
}
