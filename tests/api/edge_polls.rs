//! Waiting fans are answered at the edge: a crowd polling costs the coordinator almost nothing.

use crate::support::{Joined, TestWorker};
use std::sync::Arc;
use std::time::Instant;

const SALE: &str = "polls-stay-at-the-edge";
const FANS: usize = 200;
const POLL_TASKS: usize = 20;
const POLLS_PER_TASK: usize = 50;
/// What 1,000 polls may cost the coordinator, the report that measures it included.
const MAX_COORDINATOR_REQUESTS: u64 = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn polls_stay_at_the_edge() {
    let w = TestWorker::start().await;
    w.admin().create_sale(SALE, None).await;
    w.admin().open_sale(SALE).await;

    let started = Instant::now();
    let fans: Vec<Joined> = w.fan().join_many(SALE, 10, FANS / 10).await;
    let join_time = started.elapsed();
    assert_eq!(fans.len(), FANS);
    let fans = Arc::new(fans);

    let before = w.admin().report(SALE).await;
    let requests_before = before["coordinator_requests"]
        .as_u64()
        .expect("coordinator_requests");

    let started = Instant::now();
    let tasks: Vec<_> = (0..POLL_TASKS)
        .map(|t| {
            let (api, fans) = (w.handle(), Arc::clone(&fans));
            tokio::spawn(async move {
                for i in 0..POLLS_PER_TASK {
                    let fan = &fans[(t * POLLS_PER_TASK + i) % FANS];
                    let s = api.fan().status(SALE, &fan.token).await;
                    assert_eq!(s["state"], "waiting", "{s}");
                    assert_eq!(s["seq"], fan.seq, "{s}");
                    // Nobody pulls, so the place is the arrival number.
                    assert_eq!(s["position"], fan.seq, "{s}");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("poll task");
    }
    let poll_time = started.elapsed();

    let after = w.admin().report(SALE).await;
    let requests_after = after["coordinator_requests"]
        .as_u64()
        .expect("coordinator_requests");
    let delta = requests_after - requests_before;
    let polls = POLL_TASKS * POLLS_PER_TASK;
    println!(
        "polls_stay_at_the_edge: {FANS} joins in {join_time:.2?} ({:.0}/s); {polls} polls in {poll_time:.2?} \
         ({:.0}/s); coordinator requests {requests_before} -> {requests_after} (delta {delta}, \
         by kind before {} after {})",
        FANS as f64 / join_time.as_secs_f64(),
        polls as f64 / poll_time.as_secs_f64(),
        before["coordinator_requests_by_kind"],
        after["coordinator_requests_by_kind"],
    );
    assert!(
        delta <= MAX_COORDINATOR_REQUESTS,
        "{polls} polls of waiting fans cost the coordinator {delta} requests (at most {MAX_COORDINATOR_REQUESTS})"
    );
    assert_eq!(after["stats"]["waiting"].as_u64(), Some(FANS as u64));
}
