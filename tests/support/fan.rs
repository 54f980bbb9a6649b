//! The fan's client: anonymous, or with a queue token as a Bearer, on `/api/sales/...` and the
//! public routes.

use crate::support::assertions::eventually;
use crate::support::http::{send, Caller};
use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;
use serde_json::Value;
use std::ops::Deref;
use std::time::Duration;

/// `POST /api/sales/{sale}/join`, 201.
#[derive(Debug, Clone, Deserialize)]
pub struct Joined {
    pub token: String,
    pub fan_id: String,
    pub seq: u64,
    pub position: u64,
    pub ahead: u64,
    pub poll_after_ms: u64,
    pub status_url: String,
}

/// Requests as a fan, and the fan calls the tests make.
#[derive(Clone, Debug)]
pub struct Fan(pub Caller);

impl Deref for Fan {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl Fan {
    /// A new fan joins (201).
    pub async fn join(&self, sale: &str) -> Joined {
        let reply = send(self.post(&format!("/api/sales/{sale}/join"))).await;
        let body = reply.expect(201, "join");
        serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("join body {body}: {e}"))
    }

    /// `tasks` concurrent streams of `each` joins (201 each); the fans in no particular order.
    pub async fn join_many(&self, sale: &str, tasks: usize, each: usize) -> Vec<Joined> {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let (fan, sale) = (self.clone(), sale.to_owned());
                tokio::spawn(async move {
                    let mut joined = Vec::with_capacity(each);
                    for _ in 0..each {
                        joined.push(fan.join(&sale).await);
                    }
                    joined
                })
            })
            .collect();
        let mut fans = Vec::with_capacity(tasks * each);
        for handle in handles {
            fans.extend(handle.await.expect("join task"));
        }
        fans
    }

    /// `GET /api/sales/{sale}/status` with the token as a Bearer (200 expected).
    pub async fn status(&self, sale: &str, token: &str) -> Value {
        send(
            self.with_bearer(token)
                .get(&format!("/api/sales/{sale}/status")),
        )
        .await
        .expect(200, "status")
    }

    /// Polls the fan's status until `state` (the edge's snapshot may be a second old).
    pub async fn wait_for_state(&self, sale: &str, token: &str, state: &str) -> Value {
        eventually(
            &format!("fan status becomes {state}"),
            Duration::from_secs(10),
            || async move {
                let status = self.status(sale, token).await;
                if status["state"] == state {
                    Ok(status)
                } else {
                    Err(status.to_string())
                }
            },
        )
        .await
    }

    /// The keys that sign admission passes (200).
    pub async fn jwks(&self) -> JwkSet {
        let body = send(self.get("/.well-known/jwks.json"))
            .await
            .expect(200, "jwks");
        serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("jwks {body}: {e}"))
    }
}

/// Fans joined through the API poll their status every second, as a fan's page would: the worker
/// may skip fans near the front who stopped polling. Dropping this stops the polling.
pub struct Polling(Vec<tokio::task::JoinHandle<()>>);

impl Polling {
    pub fn start(fan: Fan, sale: &str, tokens: &[&str]) -> Self {
        let path = format!("/api/sales/{sale}/status");
        let handles = tokens
            .iter()
            .map(|token| {
                let (caller, path) = (fan.with_bearer(token), path.clone());
                tokio::spawn(async move {
                    loop {
                        let _ = caller.get(&path).send().await;
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                })
            })
            .collect();
        Self(handles)
    }
}

impl Drop for Polling {
    fn drop(&mut self) {
        for handle in &self.0 {
            handle.abort();
        }
    }
}
