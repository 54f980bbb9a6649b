//! What proof of work costs an attacker, natively: places per CPU-second and solve times per
//! difficulty, one thread solving with the core's own `pow::solve` (what a Rust client would run;
//! a tuned SHA-256 or a GPU does better: see docs/fairness.md). Also the edge's cost to verify.
//!
//! `cargo run --release -p waitroom-core --example pow_cost -- [samples]`; writes
//! target/bench/pow-native.md.

use std::fmt::Write;
use std::time::Instant;
use waitroom_core::{
    fairness::pow::{self, PowBits, Solution},
    keys::pow_key::PowKey,
};
use waitroom_core::{SaleId, UnixMillis};

/// This thread's CPU time in nanoseconds (Linux), or `None` elsewhere.
fn cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn main() {
    let samples: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let key = PowKey::new([42; 32]);
    let sale = SaleId::parse("bench").expect("sale id");
    let now = UnixMillis(1_800_000_000_000);
    // Tries per solve, per difficulty; then one hash rate from all of them (CPU time), so each
    // solve's CPU time is its tries over the rate (the machine may be shared: wall time is not
    // the attacker's cost).
    let mut rows = Vec::new();
    let (cpu0, wall0) = (cpu_ns(), Instant::now());
    for bits in [8u8, 12, 14, 16, 18, 20, 22] {
        let difficulty = PowBits::new(bits.into()).expect("bits in range");
        let n = if bits >= 22 {
            samples.div_ceil(4)
        } else {
            samples
        };
        let tries: Vec<u64> = (0..n)
            .map(|i| {
                let at = UnixMillis(now.0 + i * 60_000);
                let salt = [(i % 251) as u8; 9];
                let challenge = pow::issue(&key, &sale, difficulty, at, salt);
                let nonce = pow::solve(&challenge.challenge, bits, 0, u64::MAX).expect("a nonce");
                nonce.parse::<u64>().expect("decimal nonce") + 1
            })
            .collect();
        rows.push((bits, tries));
    }
    let wall_s = wall0.elapsed().as_secs_f64();
    let cpu_s = match (cpu0, cpu_ns()) {
        (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e9,
        _ => wall_s,
    };
    let total: u64 = rows.iter().flat_map(|(_, t)| t).sum();
    let rate = total as f64 / cpu_s;
    let mut report = format!(
        "# Proof of work: the attacker's cost, natively\n\n\
         One thread, `waitroom_core::fairness::pow::solve` (the sha2 crate), fresh challenges: \
         {rate:.0} hashes per CPU-second ({total} hashes in {cpu_s:.1} CPU-s, {wall_s:.1} s wall). \
         Solve times are CPU time (tries / rate).\n\n\
         | bits | samples | mean hashes | p50 ms | p90 ms | places per CPU-s |\n\
         |---:|---:|---:|---:|---:|---:|\n",
    );
    for (bits, mut tries) in rows {
        tries.sort_unstable();
        let n = tries.len();
        let at =
            |q: f64| tries[((n as f64 * q).ceil() as usize).clamp(1, n) - 1] as f64 / rate * 1e3;
        let sum: u64 = tries.iter().sum();
        let _ = writeln!(
            report,
            "| {bits} | {n} | {:.0} | {:.2} | {:.2} | {:.1} |",
            sum as f64 / n as f64,
            at(0.5),
            at(0.9),
            n as f64 / (sum as f64 / rate)
        );
    }
    // The edge's side: one HMAC and one hash per join.
    let difficulty = PowBits::new(16).expect("bits");
    let challenge = pow::issue(&key, &sale, difficulty, now, [0; 9]);
    let nonce = pow::solve(&challenge.challenge, 16, 0, u64::MAX).expect("nonce");
    let solution = Solution {
        challenge: challenge.challenge,
        nonce,
    };
    let rounds = 200_000u32;
    let t = Instant::now();
    for _ in 0..rounds {
        assert!(pow::verify(&key, &sale, difficulty, &solution, now).is_ok());
    }
    let per = t.elapsed().as_secs_f64() * 1e9 / f64::from(rounds);
    let _ = writeln!(
        report,
        "\nVerifying one solution at the edge (HMAC + SHA-256, native): {per:.0} ns."
    );
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench/pow-native.md");
    let _ = std::fs::create_dir_all(path.parent().expect("dir"));
    let _ = std::fs::write(&path, &report);
    println!("{report}");
}
