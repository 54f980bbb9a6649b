//! A synthetic fan: the monitoring probe the team behind the original system ran in production.
//!
//! It does what a fan's browser does: joins a sale, polls its status at the pace the edge asks
//! for, and when it is its turn checks the admission pass against the edge's JWKS (signature,
//! audience, subject, expiry) and optionally opens the purchase page. It prints one JSON line per
//! fan and exits non-zero when any fan's journey failed, so a scheduler can alert on it.
//!
//! ```text
//! synthetic-fan --edge-url https://tickets.example --sale summer-tour
//! synthetic-fan --sale demo --fans 24 --buy-at-demo-origin     # a demo crowd for `make dev`
//! ```

use clap::Parser;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "Join a sale, wait like a fan, check the admission pass")]
struct Args {
    /// The edge (the Worker).
    #[arg(long, env = "EDGE_URL", default_value = "http://127.0.0.1:8787")]
    edge_url: String,
    /// The sale to join.
    #[arg(long, env = "SALE", default_value = "demo")]
    sale: String,
    /// How many fans, each on its own (0: none, nothing to do).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=1000))]
    fans: u32,
    /// Give up on a fan after this long in line.
    #[arg(long, default_value_t = 600)]
    timeout_s: u64,
    /// The `iss` passes must carry.
    #[arg(long, env = "PASS_ISSUER", default_value = "waitroom")]
    pass_issuer: String,
    /// Wait for the sale to open (polling its phase) instead of failing when it is not open.
    #[arg(long)]
    wait_for_open: bool,
    /// At the demo origin's purchase page, press "Buy tickets" (completes the assignment).
    #[arg(long)]
    buy_at_demo_origin: bool,
    /// Think this long on the purchase page before buying (0.5 to 1.5 times, by fan).
    #[arg(long, default_value_t = 0)]
    buy_after_ms: u64,
}

#[derive(Deserialize)]
struct Joined {
    token: String,
    fan_id: String,
    seq: u64,
    position: u64,
}

#[derive(Debug, Deserialize)]
struct PassClaims {
    sub: String,
    seq: u64,
    win: String,
}

/// How one fan's journey went.
struct Outcome {
    report: Value,
    ok: bool,
}

fn failed(stage: &str, detail: impl std::fmt::Display) -> Outcome {
    Outcome {
        report: json!({ "ok": false, "stage": stage, "error": detail.to_string() }),
        ok: false,
    }
}

async fn get_json(request: reqwest::RequestBuilder) -> Result<(u16, Value), String> {
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .json::<Value>()
        .await
        .map_err(|e| format!("{status}: not JSON: {e}"))?;
    Ok((status, body))
}

async fn wait_until_open(
    client: &reqwest::Client,
    args: &Args,
    deadline: Instant,
) -> Result<(), String> {
    let url = format!("{}/api/sales/{}", args.edge_url, args.sale);
    loop {
        let (status, body) = get_json(client.get(&url)).await?;
        match (status, body["phase"].as_str()) {
            (200, Some("prequeue" | "open" | "paused")) => return Ok(()),
            (200, Some("scheduled")) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_secs(1)).await
            }
            _ => return Err(format!("{status}: {body}")),
        }
    }
}

/// One fan, from joining to the purchase page.
async fn journey(client: reqwest::Client, args: &Args, jwks: &JwkSet) -> Outcome {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.timeout_s);
    if args.wait_for_open {
        if let Err(e) = wait_until_open(&client, args, deadline).await {
            return failed("open", e);
        }
    }
    let join = client.post(format!("{}/api/sales/{}/join", args.edge_url, args.sale));
    let joined: Joined = match get_json(join).await {
        Ok((201, body)) => match serde_json::from_value(body) {
            Ok(joined) => joined,
            Err(e) => return failed("join", e),
        },
        Ok((status, body)) => return failed("join", format!("{status}: {body}")),
        Err(e) => return failed("join", e),
    };
    let join_ms = started.elapsed().as_millis();
    let status_url = format!("{}/api/sales/{}/status", args.edge_url, args.sale);
    let mut polls = 0u32;
    let turn = loop {
        if Instant::now() > deadline {
            return failed(
                "wait",
                format!("no turn after {} s and {polls} polls", args.timeout_s),
            );
        }
        polls += 1;
        match get_json(client.get(&status_url).bearer_auth(&joined.token)).await {
            Ok((200, s)) if s["state"] == "your_turn" => break s,
            // In the pre-queue: waiting for the draw, at the pace the edge asks for.
            Ok((200, s)) if s["state"] == "waiting" || s["state"] == "prequeue" => {
                let wait = s["poll_after_ms"]
                    .as_u64()
                    .unwrap_or(1_000)
                    .clamp(250, 15_000);
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
            Ok((status, s)) => return failed("wait", format!("{status}: {s}")),
            Err(e) => return failed("wait", e),
        }
    };
    let pass = turn["pass"].as_str().unwrap_or_default();
    let claims = match verify(pass, &args.sale, &args.pass_issuer, jwks) {
        Ok(claims) if claims.sub == joined.fan_id && claims.seq == joined.seq => claims,
        Ok(claims) => {
            return failed(
                "pass",
                format!("pass names {}/{}, not this fan", claims.sub, claims.seq),
            )
        }
        Err(e) => return failed("pass", e),
    };
    let mut report = json!({
        "ok": true, "fan_id": joined.fan_id, "seq": joined.seq, "joined_at_position": joined.position,
        "window": claims.win, "join_ms": join_ms, "polls": polls,
        "wait_s": started.elapsed().as_secs_f64(),
    });
    if args.buy_at_demo_origin {
        let think = args.buy_after_ms * (5 + joined.seq % 11) / 10;
        tokio::time::sleep(Duration::from_millis(think)).await;
        let purchase_url = turn["purchase_url"].as_str().unwrap_or_default();
        let delivery = turn["pass_delivery"].as_str().unwrap_or("query");
        match buy(&client, purchase_url, pass, delivery).await {
            Ok(()) => report["bought"] = json!(true),
            Err(e) => return failed("purchase", e),
        }
    }
    Outcome { report, ok: true }
}

fn verify(pass: &str, sale: &str, issuer: &str, jwks: &JwkSet) -> Result<PassClaims, String> {
    let header = jsonwebtoken::decode_header(pass).map_err(|e| format!("not a JWT: {e}"))?;
    let kid = header.kid.ok_or("the pass has no kid")?;
    let jwk = jwks
        .find(&kid)
        .ok_or_else(|| format!("no key {kid} in the JWKS"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[sale]);
    validation.set_issuer(&[issuer]);
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    jsonwebtoken::decode::<PassClaims>(pass, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| format!("the pass does not verify: {e}"))
}

/// The value of the hidden form field `name` (the demo origin escapes nothing into these).
fn form_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_owned())
}

/// Opens the demo origin's purchase page and presses "Buy tickets". The pass goes as the sale's
/// `pass_delivery` says: in the URL's query (`query`), or POSTed (`form_post`, and `fragment`,
/// whose page would do the same with JavaScript). The origin checks it in and redirects to the
/// purchase page, the check-in's session in a cookie.
async fn buy(
    client: &reqwest::Client,
    purchase_url: &str,
    pass: &str,
    delivery: &str,
) -> Result<(), String> {
    let mut url = reqwest::Url::parse(purchase_url).map_err(|e| e.to_string())?;
    let sent = match delivery {
        "query" => client.get(url.clone()),
        _ => {
            url.set_fragment(None);
            client.post(url.clone()).form(&[("pass", pass)])
        }
    };
    let mut page = sent.send().await.map_err(|e| e.to_string())?;
    if page.status().is_redirection() {
        let header = |name| {
            page.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header(reqwest::header::LOCATION).ok_or("a redirect without Location")?;
        let cookie = header(reqwest::header::SET_COOKIE).unwrap_or_default();
        let next = url.join(&location).map_err(|e| e.to_string())?;
        page = client
            .get(next)
            .header(
                reqwest::header::COOKIE,
                cookie.split(';').next().unwrap_or_default(),
            )
            .send()
            .await
            .map_err(|e| e.to_string())?;
    }
    let status = page.status();
    let html = page.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() || !html.contains("Pass accepted") {
        return Err(format!("purchase page answered {status}"));
    }
    let (Some(jti), Some(session)) = (form_field(&html, "jti"), form_field(&html, "session"))
    else {
        return Err("the purchase page has no purchase form".into());
    };
    let origin = reqwest::Url::parse(purchase_url).map_err(|e| e.to_string())?;
    let complete = origin
        .join("/purchase/complete")
        .map_err(|e| e.to_string())?;
    let done = client
        .post(complete)
        .form(&[("jti", jti.as_str()), ("session", session.as_str())])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let text = done.text().await.unwrap_or_default();
    if text.contains("Order confirmed") {
        Ok(())
    } else {
        Err("the purchase was not confirmed".into())
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        // The purchase page's redirect carries a cookie: followed by hand (see `buy`).
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            eprintln!("synthetic-fan: {e}");
            return ExitCode::from(2);
        }
    };
    let jwks: JwkSet = match client
        .get(format!("{}/.well-known/jwks.json", args.edge_url))
        .send()
        .await
    {
        Ok(r) => match r.json().await {
            Ok(jwks) => jwks,
            Err(e) => {
                eprintln!("synthetic-fan: the JWKS is not a key set: {e}");
                return ExitCode::FAILURE;
            }
        },
        Err(e) => {
            eprintln!("synthetic-fan: cannot reach {}: {e}", args.edge_url);
            return ExitCode::FAILURE;
        }
    };
    let fans: Vec<_> = (0..args.fans)
        .map(|_| {
            let (client, args, jwks) = (client.clone(), &args, &jwks);
            async move { journey(client, args, jwks).await }
        })
        .collect();
    let outcomes = futures::future::join_all(fans).await;
    let mut all_ok = true;
    for outcome in outcomes {
        all_ok &= outcome.ok;
        println!("{}", outcome.report);
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_purchase_form() {
        let html = r#"<form><input type="hidden" name="jti" value="tour.7"><input type="hidden" name="session" value="abc123"></form>"#;
        assert_eq!(form_field(html, "jti").as_deref(), Some("tour.7"));
        assert_eq!(form_field(html, "session").as_deref(), Some("abc123"));
        assert_eq!(form_field(html, "missing"), None);
    }

    #[test]
    fn refuses_what_is_not_a_pass() {
        let jwks: JwkSet = serde_json::from_str(r#"{"keys":[]}"#).unwrap();
        assert!(verify("not-a-jwt", "tour", "waitroom", &jwks).is_err());
        // A well-formed token signed with a key the edge does not publish.
        let foreign = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCIsImtpZCI6Im5vcGUifQ.e30.c2ln";
        assert!(verify(foreign, "tour", "waitroom", &jwks)
            .unwrap_err()
            .contains("no key"));
    }
}
