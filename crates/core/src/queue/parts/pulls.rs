//! What each pull handed out, kept for [`PULL_REPLAY_TTL_MS`] so that a retry with the same
//! `request_id` gets the same fans and nobody new.

use crate::ids::{RequestId, Seq, WindowId};
use crate::queue::error::QueueError;
use crate::queue::limits::PULL_REPLAY_TTL_MS;
use crate::queue::records::PullRecord;
use crate::time::UnixMillis;
use std::collections::{HashMap, VecDeque};

#[derive(Clone, Debug, Default)]
pub(crate) struct PullLog {
    by_id: HashMap<RequestId, PullRecord>,
    /// Oldest first.
    order: VecDeque<(UnixMillis, RequestId)>,
}

impl PullLog {
    pub(crate) fn restore(mut records: Vec<PullRecord>) -> Self {
        records.sort_by_key(|p| p.at);
        let mut log = Self::default();
        for p in records {
            log.record(p);
        }
        log
    }

    /// The fans an earlier pull with this `request_id` handed out, if it is remembered; refused
    /// if that pull asked for something else.
    pub(crate) fn replay(
        &self,
        request_id: Option<&RequestId>,
        window: &WindowId,
        max: u32,
    ) -> Option<Result<&[Seq], QueueError>> {
        let earlier = self.by_id.get(request_id?)?;
        if earlier.window != *window || earlier.max != max {
            return Some(Err(QueueError::RequestIdReused));
        }
        Some(Ok(&earlier.seqs))
    }

    pub(crate) fn record(&mut self, record: PullRecord) {
        self.order.push_back((record.at, record.request_id.clone()));
        self.by_id.insert(record.request_id.clone(), record);
    }

    /// Forgets the pulls older than [`PULL_REPLAY_TTL_MS`]; the horizon, if it forgot any.
    pub(crate) fn forget_expired(&mut self, now: UnixMillis) -> Option<UnixMillis> {
        let horizon = UnixMillis(now.0.saturating_sub(PULL_REPLAY_TTL_MS));
        let mut forgot = false;
        while self.order.front().is_some_and(|(at, _)| *at < horizon) {
            if let Some((_, id)) = self.order.pop_front() {
                self.by_id.remove(&id);
                forgot = true;
            }
        }
        forgot.then_some(horizon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, window: &str, seqs: Vec<Seq>, at: u64) -> PullRecord {
        PullRecord {
            request_id: RequestId::parse(id).unwrap(),
            window: WindowId::parse(window).unwrap(),
            max: 5,
            seqs,
            at: UnixMillis(at),
        }
    }

    #[test]
    fn retries_replay_and_mismatches_are_refused() {
        let log = PullLog::restore(vec![record("r1", "a", vec![1, 2], 0)]);
        let (a, b) = (WindowId::parse("a").unwrap(), WindowId::parse("b").unwrap());
        let r1 = RequestId::parse("r1").unwrap();
        assert_eq!(log.replay(Some(&r1), &a, 5), Some(Ok(&[1, 2][..])));
        assert_eq!(
            log.replay(Some(&r1), &b, 5),
            Some(Err(QueueError::RequestIdReused))
        );
        assert_eq!(
            log.replay(Some(&r1), &a, 4),
            Some(Err(QueueError::RequestIdReused))
        );
        assert_eq!(log.replay(None, &a, 5), None);
        assert_eq!(
            log.replay(Some(&RequestId::parse("r2").unwrap()), &a, 5),
            None
        );
    }

    #[test]
    fn old_pulls_are_forgotten() {
        let mut log = PullLog::restore(vec![
            record("r2", "a", vec![3], 1_000),
            record("r1", "a", vec![1], 0),
        ]);
        assert_eq!(log.forget_expired(UnixMillis(PULL_REPLAY_TTL_MS)), None);
        assert_eq!(
            log.forget_expired(UnixMillis(PULL_REPLAY_TTL_MS + 1)),
            Some(UnixMillis(1))
        );
        let a = WindowId::parse("a").unwrap();
        assert_eq!(
            log.replay(Some(&RequestId::parse("r1").unwrap()), &a, 5),
            None
        );
        assert!(log
            .replay(Some(&RequestId::parse("r2").unwrap()), &a, 5)
            .is_some());
    }
}
