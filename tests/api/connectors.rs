//! The connectors (`connectors/node`, `connectors/python`; docs/connectors.md) against the real
//! worker: one worker, a sale whose fans hold real passes, some signed before a rotation of the
//! pass-signing key and some after, then each connector's own test suite (`node --test`,
//! `pytest`) run with the worker's URL, the passes and the origin key in its environment. Each
//! suite attacks the verification (a forged pass, another sale's, an expired one, `none` and
//! HS256 keyed with the public key, a tampered payload, a reused pass, an origin that cached the
//! JWKS from before the rotation), ends two assignments, and completes two more in one batch
//! (`completeMany`, `complete_many`), which this test then finds in the worker's list.

use crate::support::random::random_bytes;
use crate::support::{send, TestWorker};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const SALE: &str = "conn";
const OTHER_SALE: &str = "conn-other";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_connectors_verify_real_passes_across_a_key_rotation_and_end_assignments() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (node, python) = (repo.join("connectors/node"), repo.join("connectors/python"));
    let venv_python = repo.join("target/connectors-venv/bin/python");
    assert!(
        node.join("node_modules/jose").exists() && venv_python.exists(),
        "the connectors' dependencies are missing: run scripts/bootstrap.sh"
    );

    let w = TestWorker::start().await;
    for sale in [SALE, OTHER_SALE] {
        w.admin().create_sale(sale, None).await;
        w.admin().open_sale(sale).await;
    }
    let mut fans = Vec::new();
    for _ in 0..9 {
        fans.push(w.fan().join(SALE).await);
    }
    let other_fan = w.fan().join(OTHER_SALE).await;
    w.origin().pull_eventually(SALE, 9).await;
    w.origin().pull_eventually(OTHER_SALE, 1).await;
    // The first fan's pass is signed by the key the worker started with.
    let old_key_pass = pass_of(&w, SALE, &fans[0].token).await;
    let jwks_before = send(w.fan().get("/.well-known/jwks.json"))
        .await
        .expect(200, "jwks")
        .to_string();

    // Rotate: a new key signs, the old one stays published (docs/operations.md, "Rotating a key").
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
    fs::write(&files.env_file, rotated).expect("write env file");
    let w = TestWorker::start_with(files).await;

    // The other fans claim their turn now: their passes are signed by the new key.
    let mut new_passes = Vec::new();
    for fan in &fans[1..5] {
        new_passes.push(pass_of(&w, SALE, &fan.token).await);
    }
    // And two each for the suites' batches.
    let mut batch_passes = Vec::new();
    for fan in &fans[5..] {
        batch_passes.push(pass_of(&w, SALE, &fan.token).await);
    }
    let other_sale_pass = pass_of(&w, OTHER_SALE, &other_fan.token).await;
    let kid = |pass: &str| {
        jsonwebtoken::decode_header(pass)
            .expect("pass header")
            .kid
            .expect("kid")
    };
    assert_ne!(kid(&old_key_pass), kid(&new_passes[0]), "the key rotated");

    let shared = HashMap::from([
        ("WAITROOM_REQUIRE_WORKER", "1".to_owned()),
        ("WAITROOM_URL", w.base.clone()),
        ("WAITROOM_ORIGIN_KEY", w.origin_key.clone()),
        ("WAITROOM_SALE", SALE.to_owned()),
        ("WAITROOM_OTHER_SALE_PASS", other_sale_pass),
        ("WAITROOM_OLD_KEY_PASS", old_key_pass),
        ("WAITROOM_JWKS_BEFORE_ROTATION", jwks_before),
    ]);
    // Each suite completes one assignment and releases another of its own.
    let suites = [
        ("node", "node", vec!["--test", "test/"], &node, 0),
        (
            "python",
            venv_python.to_str().expect("utf-8 path"),
            vec!["-m", "pytest", "-q", "-rs"],
            &python,
            2,
        ),
    ];
    for (name, program, args, dir, at) in suites {
        let mut command = Command::new(program);
        command
            .args(&args)
            .current_dir(dir)
            .envs(&shared)
            .env("WAITROOM_PASS_TO_COMPLETE", &new_passes[at])
            .env("WAITROOM_PASS_TO_RELEASE", &new_passes[at + 1])
            .env(
                "WAITROOM_PASSES_TO_COMPLETE_MANY",
                batch_passes[at..at + 2].join(","),
            )
            .env("NODE_NO_WARNINGS", "1");
        let started = Instant::now();
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("join")
            .unwrap_or_else(|e| panic!("run the {name} connector's tests: {e}"));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        println!(
            "the {name} connector's tests took {:.1?}:\n{text}",
            started.elapsed()
        );
        assert!(
            output.status.success(),
            "the {name} connector's tests failed:\n{text}"
        );
        assert!(
            !text.contains("SKIPPED") && !text.contains("# SKIP"),
            "the {name} connector skipped tests against the worker:\n{text}"
        );
    }

    // What the suites did shows in the worker's list: fans 1 and 3 completed, 2 and 4 released,
    // 5 to 8 completed in batches.
    let states: HashMap<u64, String> = w
        .origin()
        .assignments(SALE, "limit=1000")
        .await
        .into_iter()
        .map(|a| (a.seq, a.state))
        .collect();
    for (fan, state) in fans[1..].iter().zip([
        "completed",
        "released",
        "completed",
        "released",
        "completed",
        "completed",
        "completed",
        "completed",
    ]) {
        assert_eq!(states[&fan.seq], state, "fan {}: {states:?}", fan.seq);
    }
    assert_eq!(
        states[&fans[0].seq], "assigned",
        "verifying a pass ends nothing"
    );
}

/// The fan's pass once it is their turn (their status poll claims it).
async fn pass_of(w: &TestWorker, sale: &str, token: &str) -> String {
    let turn = w.fan().wait_for_state(sale, token, "your_turn").await;
    turn["pass"].as_str().expect("pass").to_owned()
}
