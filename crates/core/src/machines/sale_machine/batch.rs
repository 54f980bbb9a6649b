//! A batch of finishes ([`FinishMany`]) through the machine: counted once, its numbers named by
//! fan id, the finished assignments no longer in memory asked of storage in one step
//! ([`Need::AssignmentsOfFans`]), then each item run as the single command would be.

use super::need::{answers, Need, Record};
use super::{Input, SaleMachine, Step, Underway};
use crate::machines::finish_many::FinishMany;
use crate::machines::protocol::{Answer, Reply};
use crate::queue::QueueError;
use crate::time::UnixMillis;

impl From<FinishMany> for Input {
    fn from(batch: FinishMany) -> Self {
        Input::FinishMany(batch)
    }
}

impl SaleMachine {
    /// A batch's first step: its answer, or the records it needs first.
    pub(super) fn step_batch(&mut self, batch: FinishMany, now: UnixMillis) -> Step {
        self.counts.count(batch.kind(), now);
        let Some(queue) = self.queue.as_mut() else {
            return Step::Reply(Err(QueueError::SaleNotFound));
        };
        // Each item on its own: a number never handed out fails that item alone.
        let batch = batch.by_fan_id(queue);
        // As for a single command: finished records due to leave memory leave first, so one
        // the batch needs is read from storage, never dropped under it.
        queue.evict_finished(now);
        let unknown = batch.unknown_fans(queue);
        if unknown.is_empty() {
            return Step::Reply(self.run_batch(batch, now));
        }
        let need = Need::AssignmentsOfFans(unknown);
        self.underway = Some(Underway::Batch {
            batch,
            need: need.clone(),
        });
        Step::Need(need)
    }

    /// What storage found for a batch: back into memory (finishing one again answers as the
    /// single request would), then the batch runs. A record that does not answer is asked again.
    pub(super) fn supply_batch(
        &mut self,
        batch: FinishMany,
        need: Need,
        record: Record,
        now: UnixMillis,
    ) -> Step {
        if !answers(&need, &record) {
            self.underway = Some(Underway::Batch {
                batch,
                need: need.clone(),
            });
            return Step::Need(need);
        }
        // `answers` takes no other record for this need.
        let Record::Assignments(found) = record else {
            return Step::Reply(Err(QueueError::Busy));
        };
        let Some(queue) = self.queue.as_mut() else {
            return Step::Reply(Err(QueueError::SaleNotFound));
        };
        for a in found {
            queue.remember(now, a);
        }
        Step::Reply(self.run_batch(batch, now))
    }

    /// Each item as its single command; what the finishes changed may admit more (`capacity`).
    fn run_batch(&mut self, batch: FinishMany, now: UnixMillis) -> Answer {
        let queue = self.queue.as_mut().ok_or(QueueError::SaleNotFound)?;
        queue.sweep(now);
        let finished = batch.run(queue, now);
        queue.admit_by_mode(now);
        Ok(Reply::FinishedMany(finished))
    }
}
