//! A sale that asks for proof of work: the fan's page solves the challenge in a Web Worker and the
//! fan gets a place; without JavaScript the page says JavaScript is needed, and takes no place.
//! `WAITROOM_MEASURE_POW=1` also measures solve times in Chromium (target/bench/pow-chromium.md).

use crate::chrome::{Chromedriver, SessionOptions};
use crate::support::random::unique_sale;
use crate::support::{TestWorker, PURCHASE_URL};
use serde_json::{json, Value};
use std::fmt::Write;
use std::time::Duration;

async fn joined(worker: &TestWorker, sale: &str) -> u64 {
    worker.admin().report(sale).await["stats"]["joined"]
        .as_u64()
        .expect("stats.joined")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_solves_the_challenge_and_gets_a_place() {
    let worker = TestWorker::start().await;
    let sale = unique_sale("pow");
    worker
        .admin()
        .create_sale_with(
            &sale,
            json!({ "name": "Bots Pay Night", "purchase_url": PURCHASE_URL, "pow_bits": 14 }),
        )
        .await;
    worker.admin().open_sale(&sale).await;
    let driver = Chromedriver::start("the_page_solves_the_challenge_and_gets_a_place").await;

    // Without JavaScript: told so, no place.
    let nojs = driver
        .session(
            "nojs",
            SessionOptions {
                javascript: false,
                ..SessionOptions::default()
            },
        )
        .await;
    nojs.goto(&format!("{}/s/{sale}", worker.base)).await;
    nojs.wait_for("body[data-page='getting_place']", Duration::from_secs(30))
        .await;
    let text = nojs.text("body").await;
    assert!(text.contains("JavaScript is needed"), "{text:?}");
    nojs.shot("needs-js").await;
    nojs.close().await;
    assert_eq!(joined(&worker, &sale).await, 0);

    // With it: "getting your place", then the waiting page with place 1.
    let fan = driver.session("fan", SessionOptions::default()).await;
    fan.join_line(&worker.base, &sale, Duration::from_secs(60))
        .await;
    fan.wait_for_text("#position", "1", Duration::from_secs(30))
        .await;
    fan.shot("in-line").await;
    assert_eq!(joined(&worker, &sale).await, 1);
    // A reload keeps the place: no second solve, no second place.
    fan.goto(&format!("{}/s/{sale}", worker.base)).await;
    fan.wait_for_text("#position", "1", Duration::from_secs(30))
        .await;
    assert_eq!(joined(&worker, &sale).await, 1);
    fan.close().await;
}

/// Solve times of the fan page's own worker script (/assets/pow-worker.js) in headless Chromium,
/// per difficulty: a measurement, not a test of speed. Runs only with `WAITROOM_MEASURE_POW=1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn measure_solve_times_in_chromium() {
    if std::env::var("WAITROOM_MEASURE_POW").is_err() {
        return;
    }
    let samples: usize = std::env::var("WAITROOM_MEASURE_POW_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let worker = TestWorker::start().await;
    let driver = Chromedriver::start("measure_solve_times_in_chromium").await;
    let fan = driver.session("fan", SessionOptions::default()).await;
    fan.goto(&format!("{}/healthz", worker.base)).await;
    fan.client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(300)),
            Some(Duration::from_secs(60)),
            Some(Duration::from_secs(0)),
        ))
        .await
        .expect("script timeout");
    let script = r#"
        const [challenge, bits, done] = arguments;
        const w = new Worker("/assets/pow-worker.js");
        const t0 = performance.now();
        w.onmessage = (e) => {
          if (e.data.nonce === undefined) return;
          w.terminate();
          done({ ms: performance.now() - t0, tried: e.data.tried });
        };
        w.postMessage({ challenge, bits, start: 0 });
    "#;
    let mut report = String::from(
        "# Proof of work: solve times in headless Chromium\n\n\
         The fan page's Web Worker (static/assets/pow-worker.js), one solve at a time, random \
         challenges.\n\n| bits | samples | p50 ms | p90 ms | hashes/s |\n|---:|---:|---:|---:|---:|\n",
    );
    for bits in [8u32, 12, 14, 16, 18, 20] {
        let mut times = Vec::new();
        let (mut hashes, mut total_ms) = (0f64, 0f64);
        for i in 0..samples {
            let challenge = format!("bench.{bits}.{i}.{}", rand_suffix());
            let value: Value = fan
                .client
                .execute_async(script, vec![json!(challenge), json!(bits)])
                .await
                .expect("solve");
            let ms = value["ms"].as_f64().expect("ms");
            hashes += value["tried"].as_f64().expect("tried");
            total_ms += ms;
            times.push(ms);
        }
        times.sort_by(f64::total_cmp);
        let at =
            |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
        let _ = writeln!(
            report,
            "| {bits} | {samples} | {:.0} | {:.0} | {:.0} |",
            at(0.5),
            at(0.9),
            hashes / (total_ms / 1000.0)
        );
    }
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench/pow-chromium.md");
    let _ = std::fs::create_dir_all(path.parent().expect("dir"));
    std::fs::write(&path, &report).expect("write report");
    println!("{report}");
    fan.close().await;
}

fn rand_suffix() -> String {
    crate::support::random::random_alnum(8)
}
