//! The URLs a promoter gives: where fans go to buy, where a logo comes from, where webhooks go.

use crate::settings_error::{invalid, SettingsError};
use serde::{Deserialize, Serialize};
use std::fmt;
use url::Url;

pub(crate) const MAX_URL_BYTES: usize = 2_048;

/// An absolute http(s) URL with a host and no fragment, at most [`MAX_URL_BYTES`]: where fans go
/// to buy, or where a logo comes from. Serialized as the URL's text. Boxed: a `Url` is large, and
/// settings travel inside the protocol's enums.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WebUrl(Box<Url>);

impl<'de> Deserialize<'de> for WebUrl {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        web_url("url", &text).map_err(serde::de::Error::custom)
    }
}

impl WebUrl {
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses a [`WebUrl`] for settings field `field`.
pub(crate) fn web_url(field: &'static str, text: &str) -> Result<WebUrl, SettingsError> {
    if text.len() > MAX_URL_BYTES {
        return Err(invalid(
            field,
            format!("must be at most {MAX_URL_BYTES} bytes"),
        ));
    }
    let url =
        Url::parse(text).map_err(|e| invalid(field, format!("is not an absolute URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(field, "must be an http or https URL with a host"));
    }
    if url.fragment().is_some() {
        return Err(invalid(field, "must not have a #fragment"));
    }
    // What is stored (and read back through this same check) is the normalised text, which can
    // be longer than what was typed (a space becomes `%20`): the bound holds for it too.
    if url.as_str().len() > MAX_URL_BYTES {
        return Err(invalid(
            field,
            format!("must be at most {MAX_URL_BYTES} bytes once normalised (a space becomes %20)"),
        ));
    }
    Ok(WebUrl(Box::new(url)))
}
