//! How a sale's fan pages look: the promoter's colour, logo and message as sent
//! ([`BrandingInput`]) and as validated ([`Branding`]), and as anyone may see them, with the ink
//! the server picked ([`BrandingView`]).

use super::web_url::{web_url, WebUrl};
use crate::settings_error::{invalid, SettingsError};
use serde::{Deserialize, Serialize};
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
}

const MAX_MESSAGE_CHARS: usize = 1_000;

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
        let message = input
            .message
            .map(|m| m.trim().replace("\r\n", "\n"))
            .filter(|m| !m.is_empty());
        if message
            .as_ref()
            .is_some_and(|m| m.chars().count() > MAX_MESSAGE_CHARS)
        {
            return Err(invalid(
                "branding.message",
                format!("must be at most {MAX_MESSAGE_CHARS} characters"),
            ));
        }
        Ok(Self {
            color,
            logo_url,
            message,
        })
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
