//! The synthetic fan's rules: what a run found, whether it is an incident, when to alert and
//! when to say it recovered, and how its pass is checked against the JWKS the way an origin does.

use crate::ids::SaleId;
use crate::time::{rfc3339, UnixMillis};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};

pub use crate::ids::CANARY_SALE;
/// The window the canary pulls with.
pub const CANARY_WINDOW: &str = "canary";
/// Runs are kept this long.
pub const KEEP_RUNS_MS: u64 = 24 * 60 * 60 * 1000;
/// A run slower than this (ms) is an incident, unless `MONITOR_SLOW_MS` says otherwise.
pub const DEFAULT_SLOW_MS: u64 = 5_000;

/// How long each step of a run took (ms); a step not reached is `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timings {
    pub join_ms: Option<u64>,
    pub pull_ms: Option<u64>,
    pub claim_ms: Option<u64>,
    pub complete_ms: Option<u64>,
    pub total_ms: u64,
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Through the whole funnel within the threshold.
    Ok,
    /// Through the whole funnel, but slower than the threshold.
    Slow,
    /// Stuck at a step (see `error`).
    Failed,
}

/// One run of the synthetic fan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    #[serde(with = "rfc3339")]
    pub at: UnixMillis,
    pub outcome: Outcome,
    #[serde(flatten)]
    pub timings: Timings,
    /// Which step failed and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Run {
    /// A run's outcome: failed with an error, else slow or ok against `slow_ms`.
    pub fn judged(at: UnixMillis, timings: Timings, error: Option<String>, slow_ms: u64) -> Self {
        let outcome = match &error {
            Some(_) => Outcome::Failed,
            None if timings.total_ms > slow_ms => Outcome::Slow,
            None => Outcome::Ok,
        };
        Self {
            at,
            outcome,
            timings,
            error,
        }
    }

    /// What to say about this run when it opens an incident.
    fn problem(&self, slow_ms: u64) -> String {
        match (&self.error, self.outcome) {
            (Some(error), _) => error.clone(),
            (None, _) => format!(
                "the fan took {} ms (threshold {slow_ms} ms)",
                self.timings.total_ms
            ),
        }
    }
}

/// A failed or slow stretch of runs, from its first bad run until a good one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    #[serde(with = "rfc3339")]
    pub since: UnixMillis,
    pub reason: String,
    /// Bad runs so far.
    pub runs: u64,
    /// Whether the alert was delivered (if not, the next bad run tries again).
    pub alerted: bool,
}

/// What to tell the people on call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    Alert { text: String },
    Recovered { text: String },
}

impl Notice {
    pub fn text(&self) -> &str {
        match self {
            Notice::Alert { text } | Notice::Recovered { text } => text,
        }
    }
}

/// The incident after `run`, and the notice to send, if any: an alert once per incident (again
/// only if the last one was not delivered), a recovery message when a good run ends an incident
/// that was alerted.
pub fn judge(
    environment: &str,
    incident: Option<Incident>,
    run: &Run,
    slow_ms: u64,
) -> (Option<Incident>, Option<Notice>) {
    let bad = run.outcome != Outcome::Ok;
    match (incident, bad) {
        (None, false) => (None, None),
        (Some(incident), false) => {
            let notice = incident.alerted.then(|| Notice::Recovered {
                text: format!(
                    "[waitroom {environment}] RECOVERED: the synthetic fan came through in {} ms, after {} bad run(s) since {}",
                    run.timings.total_ms,
                    incident.runs,
                    incident.since.to_rfc3339()
                ),
            });
            (None, notice)
        }
        (incident, true) => {
            let mut incident = incident.unwrap_or(Incident {
                since: run.at,
                reason: run.problem(slow_ms),
                runs: 0,
                alerted: false,
            });
            incident.runs += 1;
            let notice = (!incident.alerted).then(|| Notice::Alert {
                text: format!(
                    "[waitroom {environment}] ALERT: the synthetic fan {} since {}: {}",
                    if run.outcome == Outcome::Slow {
                        "is slow"
                    } else {
                        "fails"
                    },
                    incident.since.to_rfc3339(),
                    incident.reason
                ),
            });
            (Some(incident), notice)
        }
    }
}

/// Checks an admission pass the way an origin does, against the JWKS document (as JSON): the
/// key named by `kid`, the EdDSA signature, the audience (sale), the subject (fan) and expiry.
pub fn verify_pass(
    jwks: &serde_json::Value,
    pass: &str,
    sale: &SaleId,
    fan_id: &str,
    now: UnixMillis,
) -> Result<(), String> {
    let mut parts = pass.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the pass is not a compact JWS".into());
    };
    let decode = |part: &str, what: &str| {
        B64.decode(part)
            .map_err(|e| format!("the pass's {what} is not base64url: {e}"))
    };
    let header: serde_json::Value = serde_json::from_slice(&decode(header, "header")?)
        .map_err(|e| format!("the pass's header is not JSON: {e}"))?;
    if header["alg"] != "EdDSA" {
        return Err(format!("the pass's alg is {}, not EdDSA", header["alg"]));
    }
    let kid = header["kid"].as_str().ok_or("the pass names no kid")?;
    let key = jwks["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["kid"] == kid))
        .ok_or_else(|| format!("the JWKS has no key {kid}"))?;
    let x: [u8; 32] = decode(key["x"].as_str().unwrap_or_default(), "JWKS key")?
        .try_into()
        .map_err(|_| "the JWKS key is not 32 bytes".to_owned())?;
    let key = VerifyingKey::from_bytes(&x).map_err(|e| format!("the JWKS key is bad: {e}"))?;
    let signature = Signature::from_slice(&decode(signature, "signature")?)
        .map_err(|e| format!("the pass's signature is malformed: {e}"))?;
    let signed = &pass[..pass.rfind('.').unwrap_or(0)];
    key.verify_strict(signed.as_bytes(), &signature)
        .map_err(|_| "the pass's signature does not verify against the JWKS".to_owned())?;
    let claims: serde_json::Value = serde_json::from_slice(&decode(payload, "claims")?)
        .map_err(|e| format!("the pass's claims are not JSON: {e}"))?;
    if claims["aud"] != sale.as_str() {
        return Err(format!("the pass's aud is {}, not {sale}", claims["aud"]));
    }
    if claims["sub"] != fan_id {
        return Err(format!("the pass's sub is {}, not {fan_id}", claims["sub"]));
    }
    match claims["exp"].as_u64() {
        Some(exp) if exp > now.as_secs() => Ok(()),
        _ => Err(format!("the pass has expired (exp {})", claims["exp"])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::pass::{PassClaims, PassSigner};

    fn run(at: u64, error: Option<&str>, total_ms: u64) -> Run {
        let timings = Timings {
            total_ms,
            ..Timings::default()
        };
        Run::judged(UnixMillis(at), timings, error.map(str::to_owned), 5_000)
    }

    #[test]
    fn alerts_once_per_incident_and_says_when_it_recovered() {
        let (incident, notice) = judge("test", None, &run(1, None, 100), 5_000);
        assert_eq!((incident, notice), (None, None));
        let (incident, notice) = judge("test", None, &run(2, Some("pull: nobody"), 100), 5_000);
        let mut incident = incident.unwrap();
        assert!(
            matches!(notice, Some(Notice::Alert { ref text }) if text.contains("pull: nobody"))
        );
        incident.alerted = true;
        let (incident, notice) = judge("test", Some(incident), &run(3, Some("x"), 100), 5_000);
        assert_eq!(notice, None, "one alert per incident");
        assert_eq!(incident.as_ref().unwrap().runs, 2);
        let (incident, notice) = judge("test", incident, &run(4, None, 100), 5_000);
        assert_eq!(incident, None);
        assert!(matches!(notice, Some(Notice::Recovered { .. })));
    }

    #[test]
    fn a_slow_run_is_an_incident_and_an_undelivered_alert_is_sent_again() {
        let slow = run(1, None, 6_000);
        assert_eq!(slow.outcome, Outcome::Slow);
        let (incident, notice) = judge("test", None, &slow, 5_000);
        assert!(matches!(notice, Some(Notice::Alert { ref text }) if text.contains("6000 ms")));
        // Not marked alerted (the post failed): the next bad run alerts again.
        let (_, notice) = judge("test", incident, &slow, 5_000);
        assert!(notice.is_some());
    }

    #[test]
    fn verifies_a_pass_against_the_jwks() {
        let signer = PassSigner::from_seed([7; 32]);
        let jwks = serde_json::to_value(signer.jwks()).unwrap();
        let sale = SaleId::parse("canary").unwrap();
        let claims = PassClaims {
            iss: "waitroom".into(),
            aud: "canary".into(),
            sub: "fan_1".into(),
            win: "canary".into(),
            seq: 1,
            iat: 100,
            exp: 700,
            jti: "canary.1".into(),
            assist: false,
        };
        let pass = signer.sign(&claims);
        let now = UnixMillis::from_secs(200);
        assert_eq!(verify_pass(&jwks, &pass, &sale, "fan_1", now), Ok(()));
        assert!(verify_pass(&jwks, &pass, &sale, "fan_2", now).is_err());
        assert!(verify_pass(&jwks, &pass, &sale, "fan_1", UnixMillis::from_secs(701)).is_err());
        let other = SaleId::parse("other").unwrap();
        assert!(verify_pass(&jwks, &pass, &other, "fan_1", now).is_err());
        let other_key = serde_json::to_value(PassSigner::from_seed([8; 32]).jwks()).unwrap();
        assert!(verify_pass(&other_key, &pass, &sale, "fan_1", now).is_err());
        let mut forged = pass.clone();
        forged.replace_range(forged.len() - 3.., "AAA");
        assert!(verify_pass(&jwks, &forged, &sale, "fan_1", now).is_err());
    }
}
