//! Random identifiers: request ids for pulls and the per-check-in secret of a purchase page.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// `bytes` random bytes from the operating system, as lowercase hex.
pub fn random_hex(bytes: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A fresh pull `request_id` (`^[A-Za-z0-9._:-]{1,128}$`). It need not be secret, only unique, so
/// if the system RNG fails it falls back to the clock and a counter.
pub fn request_id(window: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let unique = random_hex(12).unwrap_or_else(|_| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("{nanos:x}.{:x}", COUNTER.fetch_add(1, Ordering::Relaxed))
    });
    format!("{window}.{unique}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_fresh_and_well_formed() {
        let a = request_id("window-1");
        let b = request_id("window-1");
        assert_ne!(a, b);
        assert!(a.len() <= 128);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._:-".contains(&c)));
    }
}
