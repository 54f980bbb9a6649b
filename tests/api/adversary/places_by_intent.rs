//! Places by intent (issue 9): only a navigation takes a place, another site can neither take nor
//! replace one, the cookie is `__Host-` prefixed, every answer carries the security headers, and
//! passes signed before a signing-key rotation still verify.

use crate::support::random::random_bytes;
use crate::support::{send, verify_pass, Reply, TestWorker};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::header::{COOKIE, ORIGIN};
use reqwest::RequestBuilder;
use std::fs;

const SALE: &str = "fair";
const COOKIE_NAME: &str = "__Host-wr_fair";

async fn joined_count(w: &TestWorker) -> u64 {
    w.admin().report(SALE).await["stats"]["joined"]
        .as_u64()
        .expect("stats.joined")
}

fn from_site(request: RequestBuilder, dest: &str, site: &str) -> RequestBuilder {
    request
        .header("Sec-Fetch-Dest", dest)
        .header("Sec-Fetch-Site", site)
}

/// The security headers every answer of ours carries.
fn assert_security_headers(reply: &Reply, what: &str) {
    let csp = reply
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"));
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{what}: CSP {csp} lacks {part}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    let expected = [
        (
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        ),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
    ];
    for (name, value) in expected {
        assert_eq!(reply.header(name), Some(value), "{what}: {name}");
    }
    let permissions = reply.header("permissions-policy").unwrap_or_default();
    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"] {
        assert!(
            permissions.contains(feature),
            "{what}: Permissions-Policy {permissions:?} lacks {feature}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn places_by_intent() {
    let w = TestWorker::start().await;
    w.admin().create_sale(SALE, None).await;
    w.admin().open_sale(SALE).await;
    let page = format!("/s/{SALE}");
    let join = format!("/api/sales/{SALE}/join");

    // Another site embedding the page (an image, a script, a frame, a fetch) takes no place.
    for dest in ["image", "script", "iframe", "empty"] {
        let reply = send(from_site(w.fan().get(&page), dest, "cross-site")).await;
        assert_eq!(reply.status, 200, "{dest}: {}", reply.describe());
        assert!(
            reply.set_cookies().is_empty(),
            "{dest}: no cookie: {:?}",
            reply.set_cookies()
        );
        assert_security_headers(&reply, dest);
    }
    assert_eq!(joined_count(&w).await, 0, "no place for embedded requests");

    // A navigation takes one, and so does a request that says nothing (an app, curl).
    let navigated = send(from_site(w.fan().get(&page), "document", "none")).await;
    assert_eq!(navigated.status, 200, "{}", navigated.describe());
    let cookie = navigated
        .cookie(COOKIE_NAME)
        .unwrap_or_else(|| panic!("{COOKIE_NAME} set: {:?}", navigated.set_cookies()));
    assert!(cookie.has("secure"), "{}", cookie.raw);
    assert!(cookie.has("httponly"), "{}", cookie.raw);
    assert_eq!(cookie.attribute("path"), Some("/"), "{}", cookie.raw);
    assert!(!cookie.has("domain"), "{}", cookie.raw);
    assert!(!navigated.text.contains("style="), "no inline style");
    assert!(
        navigated.text.match_indices("<script").all(|(i, _)| {
            let tag = &navigated.text[i..];
            // A script by its address, or the page's words as data (never run: CSP's
            // script-src does not apply to a JSON data block).
            tag.starts_with("<script src=")
                || tag.starts_with(r#"<script type="application/json" id="i18n-messages">"#)
        }),
        "no inline script: {}",
        navigated.text
    );
    assert_security_headers(&navigated, "waiting page");
    let plain = send(w.fan().get(&page)).await;
    assert!(plain.cookie(COOKIE_NAME).is_some(), "{}", plain.describe());
    assert_eq!(joined_count(&w).await, 2);

    // The fan's place, held in the cookie.
    let token = cookie.value.clone();
    let before = w.fan().status(SALE, &token).await;
    let with_cookie = |r: RequestBuilder| r.header(COOKIE, format!("{COOKIE_NAME}={token}"));

    // Another site's join or rejoin is refused, and nothing changes.
    let refused = [
        (
            "cross-site join",
            from_site(w.fan().post(&join), "empty", "cross-site"),
        ),
        (
            "join from a foreign origin",
            w.fan().post(&join).header(ORIGIN, "https://evil.example"),
        ),
        (
            "join with the cookie, cross-site",
            with_cookie(from_site(w.fan().post(&join), "empty", "cross-site")),
        ),
        (
            "rejoin with the cookie, cross-site",
            with_cookie(from_site(w.fan().post(&page), "document", "cross-site")),
        ),
        (
            "rejoin with the cookie, foreign origin",
            with_cookie(w.fan().post(&page).header(ORIGIN, "https://evil.example")),
        ),
        (
            "rejoin from an opaque origin",
            w.fan().post(&page).header(ORIGIN, "null"),
        ),
        (
            "rejoin from an opaque origin, same-site",
            from_site(w.fan().post(&page), "document", "same-site").header(ORIGIN, "null"),
        ),
    ];
    for (what, request) in refused {
        let reply = send(request).await;
        reply.expect_error(403, "cross_site", what);
        assert!(reply.set_cookies().is_empty(), "{what}: no cookie");
        assert_security_headers(&reply, what);
    }
    assert_eq!(joined_count(&w).await, 2, "no place taken cross-site");
    let after = w.fan().status(SALE, &token).await;
    assert_eq!(
        (&after["seq"], &after["position"]),
        (&before["seq"], &before["position"]),
        "the fan's place is untouched: {before} then {after}"
    );

    // From our own pages, joining and rejoining work.
    let own = w.base.clone();
    let joined =
        send(from_site(w.fan().post(&join), "empty", "same-origin").header(ORIGIN, own.as_str()))
            .await;
    let body = joined.json.clone();
    assert_eq!(joined.status, 201, "{}", joined.describe());
    assert!(joined.cookie(COOKIE_NAME).is_some(), "{body}");
    assert_security_headers(&joined, "join");
    let kept = send(with_cookie(
        from_site(w.fan().post(&page), "document", "same-origin").header(ORIGIN, own.as_str()),
    ))
    .await;
    assert_eq!(kept.status, 303, "{}", kept.describe());
    assert!(
        kept.set_cookies().is_empty(),
        "a waiting fan keeps the place"
    );
    assert_security_headers(&kept, "rejoin redirect");
    // Our page's form as a browser posts it: under our `Referrer-Policy: no-referrer` a form POST
    // carries `Origin: null`, and `Sec-Fetch-Site: same-origin` vouches for it.
    let form = send(with_cookie(
        from_site(w.fan().post(&page), "document", "same-origin").header(ORIGIN, "null"),
    ))
    .await;
    assert_eq!(form.status, 303, "{}", form.describe());
    assert_eq!(joined_count(&w).await, 3);

    // Every answer carries the headers: pages, errors, JSON, static files, stylesheets.
    for path in [
        "/healthz".to_owned(),
        "/.well-known/jwks.json".to_owned(),
        format!("/api/sales/{SALE}"),
        format!("/api/sales/{SALE}/status"),
        "/s/no-such-sale".to_owned(),
        "/api/nope".to_owned(),
        "/admin/".to_owned(),
        "/assets/app.css".to_owned(),
        "/brand/5b21b6.css".to_owned(),
    ] {
        let reply = send(w.fan().get(&path)).await;
        assert_security_headers(&reply, &path);
    }
    let css = send(w.fan().get("/brand/fde68a.css")).await;
    assert_eq!(css.status, 200, "{}", css.describe());
    assert!(
        css.content_type().starts_with("text/css"),
        "{}",
        css.content_type()
    );
    assert!(
        css.text.contains("--brand: #fde68a") && css.text.contains("--brand-ink: #111111"),
        "{}",
        css.text
    );
    for bad in ["/brand/FDE68A.css", "/brand/fde68a", "/brand/x;}.css"] {
        assert_eq!(send(w.fan().get(bad)).await.status, 404, "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn old_passes_verify_after_a_signing_key_rotation() {
    let w = TestWorker::start().await;
    w.admin().create_sale(SALE, None).await;
    w.admin().open_sale(SALE).await;
    let fan = w.fan().join(SALE).await;
    w.origin().pull(SALE, "w1", 1, None).await;
    let turn = w.fan().wait_for_state(SALE, &fan.token, "your_turn").await;
    let old_pass = turn["pass"].as_str().expect("pass").to_owned();
    let old_jwks = w.fan().jwks().await;
    verify_pass(&old_pass, SALE, &old_jwks);

    // Rotate: a new key signs, the old one stays published.
    let files = w.stop();
    let env = fs::read_to_string(&files.env_file).expect("read env file");
    let new_key = URL_SAFE_NO_PAD.encode(random_bytes(32));
    let rotated: String = env
        .lines()
        .map(|line| match line.strip_prefix("PASS_SIGNING_KEY=") {
            Some(old) => format!("PASS_SIGNING_KEYS={new_key},{old}\n"),
            None => format!("{line}\n"),
        })
        .collect();
    assert!(rotated.contains("PASS_SIGNING_KEYS="), "{rotated}");
    fs::write(&files.env_file, rotated).expect("write env file");
    let w = TestWorker::start_with(files).await;

    let jwks = w.fan().jwks().await;
    assert_eq!(jwks.keys.len(), 2, "both keys published");
    let claims = verify_pass(&old_pass, SALE, &jwks);
    assert_eq!(claims.seq, fan.seq);
    // The fan asks again: the same assignment, now signed by the new key, verifies too.
    let again = w.fan().wait_for_state(SALE, &fan.token, "your_turn").await;
    let new_pass = again["pass"].as_str().expect("pass");
    assert_ne!(new_pass, old_pass, "signed by the new key");
    let header = jsonwebtoken::decode_header(new_pass).expect("pass header");
    assert_eq!(
        header.kid.as_deref(),
        jwks.keys[0].common.key_id.as_deref(),
        "the first key signs"
    );
    assert_eq!(verify_pass(new_pass, SALE, &jwks).seq, fan.seq);
}
