//! Places refused, by the defence that refused them, for the sale's report: counted where the
//! refusal happens (the edge's door counts its own in each isolate and tells the coordinator in
//! one batch at most every [`REFUSALS_FLUSH_EVERY_MS`]; the coordinator counts the sockets it
//! refuses), kept by the coordinator with its request counts (the `refused:` kinds).

use serde::{Deserialize, Serialize};

/// How often an isolate tells a sale's coordinator the refusals it counted (with the next
/// refusal after that long): at most one request per isolate and sale per this long.
pub const REFUSALS_FLUSH_EVERY_MS: u64 = 5_000;

/// The prefix of the request-count kinds refusals are kept under (not requests: left out of
/// the coordinator's request counts).
pub const REFUSED_PREFIX: &str = "refused:";

/// The defences that refuse a place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Defence {
    /// A missing, wrong, expired or already spent proof-of-work solution.
    ProofOfWork,
    /// The address's room for new places ran out (`rate_limit_per_min`).
    Rate,
    /// A missing or failed Turnstile token.
    Turnstile,
    /// An invitation-only sale without a valid invitation.
    Invitation,
    /// A fan's socket past the bound per address or per object (the adversary bounds).
    Socket,
}

impl Defence {
    pub const ALL: [Self; 5] = [
        Self::ProofOfWork,
        Self::Rate,
        Self::Turnstile,
        Self::Invitation,
        Self::Socket,
    ];

    /// The request-count kind the coordinator keeps it under.
    pub fn kind(self) -> &'static str {
        match self {
            Self::ProofOfWork => "refused:proof_of_work",
            Self::Rate => "refused:rate",
            Self::Turnstile => "refused:turnstile",
            Self::Invitation => "refused:invitation",
            Self::Socket => "refused:socket",
        }
    }
}

/// Refusals counted, by defence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedCounts {
    #[serde(default)]
    pub proof_of_work: u64,
    #[serde(default)]
    pub rate: u64,
    #[serde(default)]
    pub turnstile: u64,
    #[serde(default)]
    pub invitation: u64,
    #[serde(default)]
    pub socket: u64,
}

impl RefusedCounts {
    fn slot(&mut self, defence: Defence) -> &mut u64 {
        match defence {
            Defence::ProofOfWork => &mut self.proof_of_work,
            Defence::Rate => &mut self.rate,
            Defence::Turnstile => &mut self.turnstile,
            Defence::Invitation => &mut self.invitation,
            Defence::Socket => &mut self.socket,
        }
    }

    pub fn get(&self, defence: Defence) -> u64 {
        let mut copy = *self;
        *copy.slot(defence)
    }

    /// One more refusal by `defence`.
    pub fn add(&mut self, defence: Defence, n: u64) {
        let slot = self.slot(defence);
        *slot = slot.saturating_add(n);
    }

    pub fn is_empty(&self) -> bool {
        Defence::ALL.iter().all(|&d| self.get(d) == 0)
    }

    pub fn total(&self) -> u64 {
        Defence::ALL.iter().map(|&d| self.get(d)).sum()
    }

    /// The counts kept under the `refused:` request kinds.
    pub fn from_requests(requests: &std::collections::BTreeMap<String, u64>) -> Self {
        let mut counts = Self::default();
        for defence in Defence::ALL {
            counts.add(defence, requests.get(defence.kind()).copied().unwrap_or(0));
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_by_defence_and_read_back_from_request_kinds() {
        let mut c = RefusedCounts::default();
        assert!(c.is_empty());
        c.add(Defence::Rate, 3);
        c.add(Defence::ProofOfWork, 1);
        c.add(Defence::Rate, u64::MAX);
        assert_eq!(c.get(Defence::Rate), u64::MAX);
        let requests = Defence::ALL
            .iter()
            .enumerate()
            .map(|(i, d)| (d.kind().to_owned(), i as u64 + 1))
            .chain([("join".to_owned(), 99)])
            .collect();
        let back = RefusedCounts::from_requests(&requests);
        assert_eq!(back.proof_of_work, 1);
        assert_eq!(back.socket, 5);
        assert_eq!(back.total(), 15);
    }
}
