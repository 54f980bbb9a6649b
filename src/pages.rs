//! The fan pages: HTML templates from `static/pages/`, filled with escaped values.

use crate::error::ApiError;
use worker::{Env, Headers, Response};

pub const ASSETS_BINDING: &str = "ASSETS";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    NotOnSale,
    Waiting,
    Closed,
    NotFound,
}

impl Page {
    fn template(self) -> &'static str {
        match self {
            Page::NotOnSale => "/pages/not-on-sale.html",
            Page::Waiting => "/pages/waiting.html",
            Page::Closed => "/pages/closed.html",
            Page::NotFound => "/pages/not-found.html",
        }
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Replaces each `{{name}}` in `template` with the escaped value; unknown names are left empty.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                if let Some((_, value)) = vars.iter().find(|(k, _)| *k == name) {
                    out.push_str(&escape_html(value));
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Renders `page` with `vars` into an HTML response.
pub async fn render(
    env: &Env,
    page: Page,
    status: u16,
    vars: &[(&str, &str)],
    cache_control: &str,
) -> Result<Response, ApiError> {
    let url = format!("https://assets.internal{}", page.template());
    let mut asset = env.assets(ASSETS_BINDING)?.fetch(url, None).await?;
    if asset.status_code() != 200 {
        return Err(ApiError::Internal(format!(
            "page template {} is missing",
            page.template()
        )));
    }
    let html = fill(&asset.text().await?, vars);
    let headers = Headers::new();
    headers.set("Content-Type", "text/html; charset=utf-8")?;
    headers.set("Cache-Control", cache_control)?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    headers.set("Referrer-Policy", "no-referrer")?;
    headers.set("X-Frame-Options", "DENY")?;
    Ok(Response::ok(html)?
        .with_status(status)
        .with_headers(headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_and_escapes() {
        let out = fill(
            "<h1>{{ name }}</h1><p>{{missing}}</p>{{",
            &[("name", "<script>\"x\"&'y'</script>")],
        );
        assert_eq!(
            out,
            "<h1>&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;</h1><p></p>{{"
        );
    }
}
