//! The sale as fans see it: its snapshot (cached at the edge, the coordinator asked on a miss)
//! and what the sale's info says of it.

use crate::ctx::Ctx;
use crate::edge_cache::snapshots::{Snapshots, SNAPSHOT_TTL_MS};
use crate::edge_cache::{self, Kept};
use crate::error::ApiError;
use crate::objects::{CallError, Coordinator};
use crate::routes::answers::SaleInfo;
use std::rc::Rc;
use waitroom_core::codec::tag_first::Only;
use waitroom_core::machines::protocol::{Command, Reply};
use waitroom_core::queue::snapshot::Snapshot;
use waitroom_core::{QueueError, SaleId, UnixMillis};

/// The snapshot of a sale as fans see it; `None` if it does not exist (known at the edge for ids
/// nobody created: their objects are never reached), and for a reserved id (the monitor's
/// canary), which no fan route reaches.
///
/// From the edge's cache ([`Snapshots`]): at most [`SNAPSHOT_TTL_MS`] old, or up to
/// [`MAX_STALE_MS`](crate::edge_cache::snapshots::MAX_STALE_MS) old while this isolate refreshes
/// it or the coordinator fails. On a miss the coordinator is asked; a sale it does not know is
/// kept as `None` the same way.
pub(super) async fn snapshot_of(
    ctx: &Ctx,
    sale: &SaleId,
) -> Result<Option<Rc<Snapshot>>, ApiError> {
    if sale.is_reserved() {
        return Ok(None);
    }
    match ctx.require_sale(sale).await {
        Ok(()) => {
            edge_cache::get::<Snapshots, _, _>(&ctx.origin, sale, ctx.now, |now| async move {
                let asked: Result<Only<Reply, Snapshot>, _> = ctx
                    .objects
                    .ask(&Coordinator(sale), &Command::Snapshot)
                    .await;
                let (value, at) = match asked.map(Only::into_inner) {
                    Ok(s) => {
                        let at = s.taken_at;
                        (Some(Rc::new(s)), at)
                    }
                    Err(CallError::Refused(QueueError::SaleNotFound)) => (None, now),
                    // Refusals (a sale whose settings cannot be read) keep their own answer.
                    Err(e) => return Err(e.into()),
                };
                Ok(Kept {
                    value,
                    at,
                    fresh_until: at.plus_millis(SNAPSHOT_TTL_MS),
                })
            })
            .await
        }
        Err(ApiError::Queue(QueueError::SaleNotFound)) => Ok(None),
        Err(e) => Err(e),
    }
}

pub(crate) async fn snapshot(ctx: &Ctx, sale: &SaleId) -> Result<Rc<Snapshot>, ApiError> {
    snapshot_of(ctx, sale)
        .await?
        .ok_or(ApiError::Queue(QueueError::SaleNotFound))
}

/// What the sale's info (`GET /api/sales/{sale}`, and the page's JSON) tells of `snap` at `now`.
pub(super) fn sale_info_of(snap: &Snapshot, now: UnixMillis) -> SaleInfo<'_> {
    SaleInfo {
        id: &snap.sale.id,
        name: &snap.sale.name,
        phase: snap.phase_at(now),
        opens_at: snap.sale.opens_at,
        prequeue_opens_at: snap.sale.prequeue_opens_at,
        draw_commitment: snap.draw.as_ref().map(|d| d.commitment.as_str()),
        server_time: now,
        admission: snap.sale.admission,
    }
}
