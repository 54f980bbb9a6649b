//! The origin's client (the ticket site's windows): `Authorization: Bearer $ORIGIN_KEY` on
//! `/api/origin/...`, and checking an admission pass as an origin would.

use crate::support::assertions::eventually;
use crate::support::http::{send, Caller, Reply};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::json;
use std::ops::Deref;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Assignment {
    pub fan_id: String,
    pub seq: u64,
    pub window: String,
    pub state: String,
    pub assigned_at: String,
    pub expires_at: String,
}

/// `POST /api/origin/sales/{sale}/pull`, 200.
#[derive(Debug, Clone, Deserialize)]
pub struct Pulled {
    pub assignments: Vec<Assignment>,
    pub phase: String,
    pub replayed: bool,
}

/// Requests as the origin, and the origin calls the tests make.
#[derive(Clone, Debug)]
pub struct Origin(pub Caller);

impl Deref for Origin {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl Origin {
    /// A pull (200).
    pub async fn pull(
        &self,
        sale: &str,
        window: &str,
        max: u32,
        request_id: Option<&str>,
    ) -> Pulled {
        let mut body = json!({ "window": window, "max": max });
        if let Some(id) = request_id {
            body["request_id"] = json!(id);
        }
        let body = send(
            self.post(&format!("/api/origin/sales/{sale}/pull"))
                .json(&body),
        )
        .await
        .expect(200, "pull");
        serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("pull body {body}: {e}"))
    }

    /// Pulls (window `w1`) until `n` fans come, within 10 s: a fan joined through an arrival
    /// shard (any fan of a sale with `shards` > 1, and every invited member) reaches the
    /// coordinator when the shard's block closes, about a second after the join. The fans pulled.
    pub async fn pull_eventually(&self, sale: &str, n: usize) -> Vec<Assignment> {
        // A pull hands out whoever is ready (fans up to a block still open): what each pull
        // hands out is kept, and the next asks for the rest.
        let got = std::cell::RefCell::new(Vec::new());
        eventually(
            "the shards' blocks close",
            Duration::from_secs(10),
            || async {
                let want = n - got.borrow().len();
                let pulled = self.pull(sale, "w1", want as u32, None).await;
                got.borrow_mut().extend(pulled.assignments);
                if got.borrow().len() == n {
                    Ok(())
                } else {
                    Err(format!("{:?}", got.borrow()))
                }
            },
        )
        .await;
        got.into_inner()
    }

    /// `POST .../assignments/{fan_id}/{complete|release}`.
    pub async fn finish(&self, sale: &str, fan_id: &str, action: &str) -> Reply {
        send(self.post(&format!(
            "/api/origin/sales/{sale}/assignments/{fan_id}/{action}"
        )))
        .await
    }

    /// `GET /api/origin/sales/{sale}/assignments?<query>` (200).
    pub async fn assignments(&self, sale: &str, query: &str) -> Vec<Assignment> {
        let body = send(self.get(&format!("/api/origin/sales/{sale}/assignments?{query}")))
            .await
            .expect(200, "assignments");
        serde_json::from_value(body["assignments"].clone())
            .unwrap_or_else(|e| panic!("assignments {body}: {e}"))
    }
}

/// The claims of an admission pass.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PassClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub win: String,
    pub seq: u64,
    pub iat: u64,
    pub exp: u64,
    pub jti: String,
    /// A fan of the sale's assisted lane (absent: not).
    #[serde(default)]
    pub assist: bool,
    /// A fan admitted with a party: the party's id (absent: alone).
    #[serde(default)]
    pub party: Option<String>,
}

/// Verifies an admission pass as an origin would: EdDSA with the key the JWKS names, `aud` the
/// sale, `iss` `waitroom`, not expired.
pub fn verify_pass(jwt: &str, sale: &str, jwks: &JwkSet) -> PassClaims {
    let header =
        jsonwebtoken::decode_header(jwt).unwrap_or_else(|e| panic!("pass header: {e}: {jwt}"));
    assert_eq!(header.alg, Algorithm::EdDSA, "pass alg");
    assert_eq!(header.typ.as_deref(), Some("JWT"), "pass typ");
    let kid = header
        .kid
        .unwrap_or_else(|| panic!("pass has no kid: {jwt}"));
    let jwk = jwks
        .find(&kid)
        .unwrap_or_else(|| panic!("pass kid {kid} is not in the JWKS"));
    let key = DecodingKey::from_jwk(jwk).expect("decoding key from JWK");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[sale]);
    validation.set_issuer(&["waitroom"]);
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    let claims = jsonwebtoken::decode::<PassClaims>(jwt, &key, &validation)
        .unwrap_or_else(|e| panic!("pass does not verify: {e}: {jwt}"))
        .claims;
    let jti = format!("{sale}.{}", claims.seq);
    assert!(
        claims.jti == jti || (claims.party.is_some() && claims.jti.starts_with(&format!("{jti}."))),
        "jti is <sale>.<seq> (a party member's <sale>.<seq>.<seat>): {claims:?}"
    );
    assert!(claims.iat < claims.exp, "iat before exp: {claims:?}");
    claims
}
