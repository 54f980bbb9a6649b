//! The one rule for whether a shared secret is strong enough: used by the bearer keys and the
//! queue-token keys alike, so neither module needs the other.

/// The shortest secret accepted.
pub const MIN_SECRET_LEN: usize = 32;

/// Refuses secrets an attacker could guess: short, or made of a few repeated characters.
pub fn check_strength(secret: &str) -> Result<(), String> {
    if secret.len() < MIN_SECRET_LEN {
        return Err(format!("must be at least {MIN_SECRET_LEN} characters"));
    }
    let mut distinct: Vec<char> = secret.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 8 {
        return Err("is too repetitive to be a random secret".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_or_repetitive_secrets() {
        assert!(check_strength("changeme").is_err());
        assert!(check_strength(&"ab".repeat(20)).is_err());
        assert!(check_strength("0123456789abcdefghijklmnopqrstuv").is_ok());
    }
}
