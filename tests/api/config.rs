//! A weak secret is a clear error naming the variable, never a silent default, and the secret's
//! value never appears in an answer. (Each secret's rules, missing ones included, are unit tests
//! of the core's `secrets` module.)

use crate::support::{send, Reply, TestWorker};
use std::fs;

#[tokio::test]
async fn a_weak_secret_is_refused_by_name() {
    let w = TestWorker::start().await;
    let files = w.stop();
    let original = fs::read_to_string(&files.env_file).expect("env file");
    let weak: String = original
        .lines()
        .map(|line| match line.split_once('=') {
            Some(("ADMIN_KEY", _)) => "ADMIN_KEY=changeme-changeme".to_owned(),
            _ => line.to_owned(),
        })
        .map(|line| line + "\n")
        .collect();
    fs::write(&files.env_file, weak).expect("rewrite env file");

    let w = TestWorker::start_with(files).await;
    send(w.fan().get("/healthz"))
        .await
        .expect(200, "health needs no secret");
    // The bearer keys are read together, by the full worker only: its promoter's and origin's
    // routes (the edge hands them over) refuse to run on a weak one.
    for (what, request) in [
        ("admin list", w.admin().get("/api/admin/sales")),
        ("origin pull", w.origin().post("/api/origin/sales/any/pull")),
    ] {
        // Not `send`: it fails any 5xx, and this one is the point.
        let reply = Reply::read(request.send().await.expect("the worker answers")).await;
        reply.expect_error(500, "server_misconfigured", what);
        let message = reply.json["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("ADMIN_KEY"),
            "{what}: names the variable: {message}"
        );
        assert!(
            !reply.text.contains("changeme"),
            "{what}: never shows the value: {}",
            reply.text
        );
    }
    // Nothing else reads them: the edge worker (fans' routes) does not hold them at all, and
    // the JWKS needs only the pass-signing key.
    send(w.fan().get("/.well-known/jwks.json"))
        .await
        .expect(200, "jwks needs no bearer key");
    Reply::read(
        w.fan()
            .post("/api/sales/any/join")
            .send()
            .await
            .expect("the worker answers"),
    )
    .await
    .expect_error(404, "sale_not_found", "a join needs no bearer key");
}
