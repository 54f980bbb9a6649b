//! The safety net of a protected sale with `queue_when` ([`crate::protect::net`]): the tallies of
//! sessions the gate tells, the net brought up to date at each sweep (its rises and falls written
//! as [`Change::NetPeriod`]), and what the snapshot and the report show of it. Step of the sweep:
//! `update`, last (after admissions, so "nobody waiting" is as of now).

use crate::protect::{NetReport, QueueWhen, SessionTally};
use crate::queue::records::Change;
use crate::queue::state::QueueState;
use crate::sale::{Phase, Sale};
use crate::time::UnixMillis;

/// The parts of a sale's `protect` the net reads. The sale keeps the setting as JSON text
/// ([`crate::sale::ProtectSpec`]: the edge worker links no reader of it); the coordinator reads
/// these two fields of it, not the whole setting (no origin, patterns or address ranges), once
/// each time the settings change ([`settings_of`], kept in [`QueueState::net_settings`]), never
/// at a sweep or a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
pub(crate) struct NetSettings {
    session_s: u64,
    #[serde(default)]
    queue_when: Option<QueueWhen>,
}

/// What the net reads of `sale`'s settings: `None` for a sale that protects nothing.
pub(crate) fn settings_of(sale: &Sale) -> Option<NetSettings> {
    serde_json::from_str(sale.settings.protect.as_ref()?.text()).ok()
}

fn queue_when(q: &QueueState) -> Option<QueueWhen> {
    q.net_settings?.queue_when
}

fn session_s(q: &QueueState) -> Option<u64> {
    q.net_settings.map(|p| p.session_s)
}

/// Fans in line (numbered, not yet handed out).
fn waiting(q: &QueueState) -> u64 {
    (q.line.end() - q.line.head()) - q.line.gaps_ahead() - q.blocks.pending()
}

pub(crate) fn update(q: &mut QueueState, now: UnixMillis) {
    let waiting = waiting(q);
    let when = queue_when(q);
    if let Some(period) = q.net.update(when.as_ref(), waiting, now) {
        q.changes.push(Change::NetPeriod(period));
    }
}

/// Adds a tally (ignored for a sale that protects nothing) and brings the net up to date.
pub(crate) fn count(q: &mut QueueState, tally: &SessionTally, now: UnixMillis) {
    if let Some(session_s) = session_s(q) {
        q.net.count(tally, session_s, now);
    }
    update(q, now);
}

/// Whether the snapshot says the net is down: the sale has one, it is not up, the sale is open.
pub(crate) fn down(q: &QueueState, now: UnixMillis) -> bool {
    queue_when(q).is_some() && !q.net.is_up() && q.phase_at(now) == Phase::Open
}

pub(crate) fn report(q: &QueueState, now: UnixMillis) -> Option<NetReport> {
    let report = q.net.report(now);
    (queue_when(q).is_some() || !report.periods.is_empty()).then_some(report)
}

#[cfg(test)]
mod tests {
    use crate::protect::{ProtectInput, QueueWhenInput, SessionTally};
    use crate::queue::{Change, Queue};
    use crate::sale::SaleSettingsInput;
    use crate::time::UnixMillis;

    const T0: UnixMillis = UnixMillis(1_000_000_000);

    fn protected(per_min: u64) -> SaleSettingsInput {
        let mut input = SaleSettingsInput::tour();
        input.protect = Some(ProtectInput {
            origin: "https://origin.example".into(),
            hosts: vec!["shop.example".into()],
            paths: vec!["/store/*".into()],
            queue_when: Some(QueueWhenInput {
                new_sessions_per_min: Some(per_min),
                quiet_s: Some(10),
                ..Default::default()
            }),
            ..Default::default()
        });
        input
    }

    fn guarded(per_min: u64) -> Queue {
        Queue::opened(protected(per_min), T0)
    }

    fn started(n: u64, now: UnixMillis) -> SessionTally {
        let mut t = SessionTally::default();
        for _ in 0..n {
            t.started(now.as_secs() + 600, 600);
        }
        t
    }

    #[test]
    fn the_snapshot_says_down_until_the_tallies_cross_and_the_rise_is_stored() {
        let mut q = guarded(3);
        assert!(q.snapshot(T0).net_down);
        q.take_changes();
        q.count_sessions(T0, &started(3, T0));
        assert!(q.snapshot(T0).net_down);
        q.count_sessions(T0, &started(1, T0));
        assert!(!q.snapshot(T0).net_down);
        let changes = q.take_changes();
        assert!(matches!(changes.as_slice(), [Change::NetPeriod(p)] if p.until.is_none()));
        let report = q.net_report(T0).unwrap();
        assert!(report.up && report.new_sessions_per_min == 4);
        // A fan in line holds it up past the minute and the quiet period.
        q.join(T0, None).unwrap();
        q.join(T0, None).unwrap();
        let later = T0.plus_secs(120);
        q.sweep(later);
        assert!(!q.snapshot(later).net_down, "a fan still waits");
    }

    #[test]
    fn the_net_stays_up_through_a_restart_and_its_period_is_kept() {
        use crate::machines::sale_machine::memory_store::MemoryStore;
        let mut q = guarded(3);
        q.count_sessions(T0, &started(4, T0));
        let mut store = MemoryStore::default();
        store.apply(q.take_changes());
        let mut back = store.restore();
        assert!(!back.snapshot(T0).net_down, "restored up");
        let report = back.net_report(T0).unwrap();
        assert!(report.up && report.periods.len() == 1);
        // Its counts start empty: it falls a quiet period after the restart, not at once.
        let restart = T0.plus_secs(300);
        back.sweep(restart);
        assert!(!back.snapshot(restart).net_down);
        back.sweep(restart.plus_secs(9));
        assert!(!back.snapshot(restart.plus_secs(9)).net_down);
        back.sweep(restart.plus_secs(10));
        assert!(back.snapshot(restart.plus_secs(10)).net_down);
        store.apply(back.take_changes());
        let stored = store.net_periods.values().next().unwrap();
        assert_eq!(stored.until, Some(restart.plus_secs(10)));
    }

    /// The net reads the settings it was given last: a net added to a sale, its threshold
    /// raised, and the protection taken away, each live from the next sweep.
    #[test]
    fn the_net_follows_a_change_of_the_settings() {
        use crate::sale::SaleSettings;
        let settings = |input| SaleSettings::parse(input).unwrap();
        let mut q = Queue::opened(SaleSettingsInput::tour(), T0);
        assert!(!q.snapshot(T0).net_down, "no net: fans queue");
        q.count_sessions(T0, &started(5, T0));
        assert_eq!(q.net_report(T0), None, "a tally for no net is ignored");
        // A net is added: down, then up past its threshold.
        q.update_settings(settings(protected(3)), None, T0).unwrap();
        assert!(q.snapshot(T0).net_down);
        q.count_sessions(T0, &started(4, T0));
        assert!(!q.snapshot(T0).net_down, "up past 3 a minute");
        // Raised to 100 a minute: calm now, so down after its quiet period (10 s).
        q.update_settings(settings(protected(100)), None, T0)
            .unwrap();
        let calm = T0.plus_secs(10);
        q.sweep(calm);
        assert!(q.snapshot(calm).net_down, "down under the new threshold");
        q.count_sessions(calm, &started(50, calm));
        assert!(q.snapshot(calm).net_down, "50 is under 100");
        // Taken away: fans queue, and tallies are ignored.
        let without = settings(SaleSettingsInput::tour());
        q.update_settings(without, None, calm).unwrap();
        assert!(!q.snapshot(calm).net_down);
        q.count_sessions(calm, &started(500, calm));
        assert!(!q.snapshot(calm).net_down);
        assert!(
            !q.net_report(calm).unwrap().up,
            "its periods are kept, closed"
        );
    }

    #[test]
    fn a_paused_sale_or_one_without_a_net_queues() {
        let mut q = guarded(3);
        q.pause(T0).unwrap();
        assert!(!q.snapshot(T0).net_down);
        let plain = Queue::opened(SaleSettingsInput::tour(), T0);
        assert!(!plain.snapshot(T0).net_down);
        assert_eq!(plain.net_report(T0), None);
    }
}
