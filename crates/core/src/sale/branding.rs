//! How a sale's fan pages look: the promoter's colour, logo and message as sent
//! ([`BrandingInput`]) and as validated ([`Branding`]), and as anyone may see them, with the ink
//! the server picked ([`BrandingView`]).

use super::web_url::{web_url, WebUrl};
use crate::settings_error::{invalid, SettingsError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A promoter's branding, as sent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandingInput {
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub logo_url: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// The message in other languages, by language code (`{"de": "...", "ar": "..."}`): a page
    /// in one of them shows that one, any other page `message`.
    #[serde(default)]
    pub messages: Option<BTreeMap<String, String>>,
}

/// A brand colour, `#rrggbb`: parsed once, so every use of it is well formed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BrandColor([u8; 3]);

pub const DEFAULT_BRAND_COLOR: BrandColor = BrandColor([0x5b, 0x21, 0xb6]);

impl BrandColor {
    /// Parses `#rrggbb` (either case).
    pub fn parse(text: &str) -> Result<Self, SettingsError> {
        let bad = || invalid("branding.color", "must be a colour like #1a2b3c");
        let hex = text.strip_prefix('#').ok_or_else(bad)?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
        Ok(Self([channel(0)?, channel(2)?, channel(4)?]))
    }

    /// Black or white, whichever reads better on this colour (WCAG relative luminance).
    pub fn ink(self) -> Ink {
        let linear = |c: u8| {
            let v = f64::from(c) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        let luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
        // Contrast with white is (1.05)/(L+0.05); with black (L+0.05)/0.05. Pick the larger.
        if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 {
            Ink::Light
        } else {
            Ink::Dark
        }
    }
}

impl fmt::Display for BrandColor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

impl Serialize for BrandColor {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BrandColor {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The text colour on a brand colour: the server picks it, pages and the dashboard show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ink {
    #[serde(rename = "#ffffff")]
    Light,
    #[serde(rename = "#111111")]
    Dark,
}

impl Ink {
    pub fn as_str(self) -> &'static str {
        match self {
            Ink::Light => "#ffffff",
            Ink::Dark => "#111111",
        }
    }
}

impl fmt::Display for Ink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a sale's fan pages look: validated so that nothing a promoter enters can break a page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub color: Option<BrandColor>,
    pub logo_url: Option<WebUrl>,
    /// Plain text shown on the fan pages (escaped there; newlines kept).
    pub message: Option<String>,
    /// The message by language code, for pages in that language (each like `message`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub messages: BTreeMap<String, String>,
}

const MAX_MESSAGE_CHARS: usize = 1_000;
/// The most languages a promoter's message may come in.
pub const MAX_MESSAGE_LANGUAGES: usize = 40;

/// A message as entered: trimmed, Windows newlines made plain, empty as none, and not too long.
fn message_text(field: &'static str, text: String) -> Result<Option<String>, SettingsError> {
    let text = text.trim().replace("\r\n", "\n");
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(invalid(
            field,
            format!("must be at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    Ok(Some(text))
}

/// A language code as the pages name them: two or three lowercase letters (`de`, `ar`).
fn is_language_code(code: &str) -> bool {
    (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
}

impl Branding {
    pub fn parse(input: BrandingInput) -> Result<Self, SettingsError> {
        let color = input
            .color
            .filter(|c| !c.is_empty())
            .map(|c| BrandColor::parse(&c))
            .transpose()?;
        let logo_url = input
            .logo_url
            .filter(|u| !u.is_empty())
            .map(|u| web_url("branding.logo_url", &u))
            .transpose()?;
        let message = match input.message {
            Some(text) => message_text("branding.message", text)?,
            None => None,
        };
        let given = input.messages.unwrap_or_default();
        if given.len() > MAX_MESSAGE_LANGUAGES {
            return Err(invalid(
                "branding.messages",
                format!("must have at most {MAX_MESSAGE_LANGUAGES} languages"),
            ));
        }
        let mut messages = BTreeMap::new();
        for (code, text) in given {
            if !is_language_code(&code) {
                return Err(invalid(
                    "branding.messages",
                    format!("{code:?} is not a language code like \"de\" or \"ar\""),
                ));
            }
            if let Some(text) = message_text("branding.messages", text)? {
                messages.insert(code, text);
            }
        }
        Ok(Self {
            color,
            logo_url,
            message,
            messages,
        })
    }

    /// The message for a page in language `code`: its own, else `message`.
    pub fn message_in(&self, code: &str) -> Option<&str> {
        self.messages
            .get(code)
            .or(self.message.as_ref())
            .map(String::as_str)
    }

    /// The promoter's colour, or the default.
    pub fn color(&self) -> BrandColor {
        self.color.unwrap_or(DEFAULT_BRAND_COLOR)
    }

    pub fn ink(&self) -> Ink {
        self.color().ink()
    }
}

/// Branding as anyone may see it: the promoter's settings and the ink the server picked for them.
// Deserialize: `flat_read!` below (the flattened settings read in one pass, no `Content` buffering).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrandingView {
    #[serde(flatten)]
    pub settings: Branding,
    /// Black or white text on [`Branding::color`].
    pub ink: Ink,
}

crate::flat_read! { BrandingView {
    settings: Branding,
    ink: Ink;
} }

impl From<&Branding> for BrandingView {
    fn from(settings: &Branding) -> Self {
        Self {
            settings: settings.clone(),
            ink: settings.ink(),
        }
    }
}
