//! A minimal reader for `KEY=VALUE` env files such as wrangler's `.dev.vars`.
//!
//! Blank lines and `#` comments are skipped, an `export ` prefix is allowed, and a value wrapped in
//! matching single or double quotes is unwrapped (no escape processing). Lines that are not
//! `KEY=VALUE` with a shell-style key are ignored.

/// The `(key, value)` pairs of the file, in order.
pub fn parse(text: &str) -> Vec<(String, String)> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let line = line.strip_prefix("export ").unwrap_or(line);
    let (key, value) = line.split_once('=')?;
    let key = key.trim();
    let valid_key = !key.is_empty()
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_key {
        return None;
    }
    Some((key.to_owned(), unquote(value.trim()).to_owned()))
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dev_vars_style() {
        let text =
            "# local secrets\n\nORIGIN_KEY=abc=def\nexport SALE = \"tour\"\nPASS_ISSUER='x y'\n\
                    not a pair\n1BAD=x\nEMPTY=\n";
        assert_eq!(
            parse(text),
            vec![
                ("ORIGIN_KEY".into(), "abc=def".into()),
                ("SALE".into(), "tour".into()),
                ("PASS_ISSUER".into(), "x y".into()),
                ("EMPTY".into(), String::new()),
            ]
        );
    }

    #[test]
    fn a_lone_quote_is_kept() {
        assert_eq!(parse("A=\"\n"), vec![("A".into(), "\"".into())]);
    }
}
