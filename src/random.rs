//! Randomness from the runtime (`crypto.getRandomValues` through getrandom's `js` backend).

/// `N` random bytes. The runtime's CSPRNG does not fail; if it ever did, serving on without
/// randomness would be worse than failing the request.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::getrandom(&mut buf).expect("the runtime provides crypto.getRandomValues");
    buf
}

/// A random lowercase hex string of `2 * N` digits.
pub fn hex<const N: usize>() -> String {
    bytes::<N>().iter().map(|b| format!("{b:02x}")).collect()
}

/// A random fraction in `[0, 1)`, for jitter.
pub fn fraction() -> f64 {
    f64::from(u32::from_le_bytes(bytes::<4>())) / (f64::from(u32::MAX) + 1.0)
}
