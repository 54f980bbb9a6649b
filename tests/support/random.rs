//! What the tests make up: random secrets (from the OS, through `getrandom`) and unique names.

use std::sync::atomic::{AtomicU64, Ordering};

/// `n` random bytes from the operating system.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    getrandom::getrandom(&mut bytes).expect("random bytes from the OS");
    bytes
}

/// `n` random ASCII letters and digits, with enough distinct characters to pass the worker's
/// check on secrets (it refuses secrets made of few distinct characters).
pub fn random_alnum(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let s: String = random_bytes(n)
            .into_iter()
            .map(|b| ALPHABET[usize::from(b) % ALPHABET.len()] as char)
            .collect();
        let mut distinct: Vec<char> = s.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() >= n.min(32) / 2 {
            return s;
        }
    }
}

/// A sale id unique to this test process: `<prefix>-<pid>-<n>`.
pub fn unique_sale(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
