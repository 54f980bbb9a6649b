//! A sale's `protect` setting (path protection, [`crate::protect`]) as the sale keeps it: the
//! validated setting as JSON text. Only the gate worker guards requests, and it reads the setting
//! typed from the registry's list of protected sales; the coordinator only keeps it, and the edge
//! worker, which writes sale settings (the object protocol's commands), never looks inside. Held
//! as text, the edge's module (bounded in size) links no reader, writer or `Debug` of the
//! protection's fields (address ranges, the origin, the bypass rules), nor of a JSON value. The
//! promoter's report shows it as the JSON object it is (the full worker's `routes::admin`).

use crate::protect::Protect;
use serde::{Deserialize, Serialize};

/// A validated `protect` setting, as JSON text (its keys sorted: equal settings, equal texts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProtectSpec(String);

impl ProtectSpec {
    /// The setting's JSON.
    pub fn of(protect: &Protect) -> Self {
        let value = serde_json::to_value(protect).expect("a protect setting serializes");
        Self(value.to_string())
    }

    /// The setting, typed (`None` if what is kept is no valid setting).
    pub fn protect(&self) -> Option<Protect> {
        serde_json::from_str(&self.0).ok()
    }

    /// The setting as JSON text (what the registry stores).
    pub fn text(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protect::ProtectInput;

    #[test]
    fn a_setting_round_trips_through_its_text() {
        let protect = Protect::parse(ProtectInput {
            origin: "https://origin.example".into(),
            hosts: vec!["Shop.Example".into()],
            paths: vec!["/store/*".into()],
            ..Default::default()
        })
        .unwrap();
        let spec = ProtectSpec::of(&protect);
        assert_eq!(spec.protect(), Some(protect.clone()));
        let back: Protect = serde_json::from_str(spec.text()).unwrap();
        assert_eq!(back, protect);
        assert_eq!(ProtectSpec::of(&back), spec, "equal settings, equal texts");
        let kept: ProtectSpec =
            serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
        assert_eq!(kept, spec);
    }
}
