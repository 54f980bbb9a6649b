//! State shared by the window tasks and the web server.

use crate::checkins::Ledger;
use crate::config::Config;
use crate::edge::EdgeClient;
use crate::jwks::JwksCache;
use crate::pass::PassPolicy;
use crate::windows::Windows;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;

/// The JWKS is refetched for an unknown key at most this often.
const JWKS_MIN_REFETCH: Duration = Duration::from_secs(5);

pub struct App {
    pub config: Config,
    pub edge: EdgeClient,
    pub jwks: JwksCache,
    pub policy: PassPolicy,
    windows: Mutex<Windows>,
    ledger: Mutex<Ledger>,
}

impl App {
    pub fn new(config: Config, edge: EdgeClient) -> Self {
        Self {
            jwks: JwksCache::new(edge.clone(), JWKS_MIN_REFETCH),
            policy: PassPolicy {
                issuer: config.pass_issuer.clone(),
                sale: config.sale.clone(),
            },
            windows: Mutex::new(Windows::new(config.windows, config.capacity)),
            ledger: Mutex::new(Ledger::default()),
            config,
            edge,
        }
    }

    /// Runs `f` with the windows locked. Keep `f` short; never await inside.
    pub fn windows<R>(&self, f: impl FnOnce(&mut Windows) -> R) -> R {
        let mut guard = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Runs `f` with the check-in ledger locked. Keep `f` short; never await inside.
    pub fn ledger<R>(&self, f: impl FnOnce(&mut Ledger) -> R) -> R {
        let mut guard = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

/// Now, in Unix seconds.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A timestamp in Unix seconds (times before 1970 become 0).
pub fn unix_secs(at: OffsetDateTime) -> u64 {
    u64::try_from(at.unix_timestamp()).unwrap_or(0)
}
