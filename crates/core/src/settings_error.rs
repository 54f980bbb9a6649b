//! Why a promoter's settings were refused: the field, and what is wrong with it. Every part that
//! reads a setting (the sale's own, its admission mode, its invitation keys) answers with one, so
//! the edge answers them all the same way (400 `invalid_field`, naming the field).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for SettingsError {}

/// Setting `field` is refused, for `message`.
pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> SettingsError {
    SettingsError {
        field,
        message: message.into(),
    }
}
