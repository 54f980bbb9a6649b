//! Reading a struct that flattens another into its JSON (`#[serde(flatten)]` on serialisation)
//! in one pass, without serde's buffering.
//!
//! Why: serde derives a `#[serde(flatten)]` field's `Deserialize` by buffering every unknown field
//! into its private `Content` tree and deserialising the flattened type again from that tree (a
//! second copy of it and of every type in it, and the buffering code): a large part of the edge
//! worker's module (docs/capacity.md, "Cold start"). Here the outer struct's own fields are few
//! and known: [`Interceptor`] hands the flattened type's derived `Deserialize` the map, taking out
//! each of the outer struct's own fields (into [`OwnFields`]) as it passes. Any key order works,
//! unknown fields are ignored as derived structs do, and `Serialize` stays derived (flatten), so
//! the JSON is exactly the same.

use serde::de::value::StringDeserializer;
use serde::de::{DeserializeSeed, IntoDeserializer, MapAccess};

/// The outer struct's own fields, collected while the flattened part is read.
pub trait OwnFields<'de> {
    /// If `key` is one of ours, reads its value from `map` and answers true.
    fn take<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error>;
}

/// A map without the fields [`OwnFields::take`] claims: give it to the flattened type's
/// `Deserialize` through `serde::de::value::MapAccessDeserializer`.
pub struct Interceptor<'o, A, O> {
    pub map: A,
    pub own: &'o mut O,
}

impl<'de, A: MapAccess<'de>, O: OwnFields<'de>> MapAccess<'de> for Interceptor<'_, A, O> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        while let Some(key) = self.map.next_key::<String>()? {
            if !self.own.take(&key, &mut self.map)? {
                let key: StringDeserializer<A::Error> = key.into_deserializer();
                return seed.deserialize(key).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// `field` or, if it never came, serde's "missing field" error.
pub fn required<T, E: serde::de::Error>(field: Option<T>, name: &'static str) -> Result<T, E> {
    field.ok_or_else(|| E::missing_field(name))
}

/// `Deserialize` for `$outer { #[flatten] $flat: $flat_ty, own fields... }` through
/// [`Interceptor`]. Each own field: `name: Type` (read as `Type`), or `name: Type = with path`
/// (read with a serde `with` module's `deserialize`), optionally `default` (absent: `Default`).
#[macro_export]
macro_rules! flat_read {
    ($outer:ident { $flat:ident : $flat_ty:ty, $($field:ident : $fty:ty $(= with $with:path)? $(, default $($default:literal)?)? ;)+ }) => {
        impl<'de> serde::Deserialize<'de> for $outer {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #[derive(Default)]
                struct Own { $($field: Option<$fty>,)+ }
                impl<'de> $crate::codec::flat_read::OwnFields<'de> for Own {
                    fn take<A: serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
                        match key {
                            $(stringify!($field) => {
                                self.$field = Some($crate::flat_read!(@value map, $fty $(, $with)?));
                            })+
                            _ => return Ok(false),
                        }
                        Ok(true)
                    }
                }
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = $outer;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($outer)))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<$outer, A::Error> {
                        let mut own = Own::default();
                        let $flat = <$flat_ty as serde::Deserialize>::deserialize(
                            serde::de::value::MapAccessDeserializer::new(
                                $crate::codec::flat_read::Interceptor { map, own: &mut own },
                            ),
                        )?;
                        Ok($outer {
                            $flat,
                            $($field: $crate::flat_read!(@finish own.$field, $field $(, default $($default)?)?),)+
                        })
                    }
                }
                d.deserialize_map(Visitor)
            }
        }
    };

    (@value $map:ident, $fty:ty) => { $map.next_value::<$fty>()? };
    (@value $map:ident, $fty:ty, $with:path) => {{
        struct With($fty);
        impl<'de> serde::Deserialize<'de> for With {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $with(d).map(With)
            }
        }
        $map.next_value::<With>()?.0
    }};
    (@finish $value:expr, $field:ident) => { $crate::codec::flat_read::required($value, stringify!($field))? };
    (@finish $value:expr, $field:ident, default) => { $value.unwrap_or_default() };
}

#[cfg(test)]
mod tests {
    use crate::ids::SaleId;
    use crate::machines::protocol::{Command, Reply, SaleReport};
    use crate::machines::sale_machine::memory_store::MemoryStore;
    use crate::machines::sale_machine::SaleMachine;
    use crate::sale::{
        BrandingInput, BrandingView, CallBack, CallBackInput, SaleSettings, SaleSettingsInput,
    };
    use crate::time::UnixMillis;
    use proptest::prelude::*;

    /// A report as the coordinator answers it, for a sale with branding, a pre-queue (draw) and
    /// Web Push call-back.
    fn report() -> SaleReport {
        let settings = SaleSettings::parse(SaleSettingsInput {
            branding: Some(BrandingInput {
                color: Some("#112233".into()),
                logo_url: Some("https://cdn.example/logo.png".into()),
                message: Some("hello".into()),
                messages: None,
            }),
            push: Some(CallBackInput {
                near_front: Some(7),
                return_window_s: None,
            }),
            ..SaleSettingsInput::tour()
        })
        .unwrap();
        let mut core = SaleMachine::default();
        let mut store = MemoryStore::default();
        let upsert = Command::Upsert {
            id: SaleId::parse("tour").unwrap(),
            settings,
            fan_salt: "salt-0123456789".into(),
            draw_key: None,
        };
        let Ok(Reply::Upserted { report, .. }) =
            store.run(&mut core, upsert, UnixMillis(1_800_000_000_000))
        else {
            panic!("upsert")
        };
        *report
    }

    #[test]
    fn a_report_reads_back_what_serde_writes_in_any_key_order() {
        let report = report();
        let text = serde_json::to_string(&report).unwrap();
        assert_eq!(serde_json::from_str::<SaleReport>(&text).unwrap(), report);
        // `push` is the sale view's (the edge's snapshot carries it), said once in the report.
        let push = CallBack {
            near_front: 7,
            return_window_s: 300,
        };
        assert_eq!(report.sale.push, Some(push));
        assert_eq!(text.matches("\"push\":").count(), 1, "{text}");
        // A `serde_json::Value` sorts its keys: own and flattened fields interleave.
        let value = serde_json::to_value(&report).unwrap();
        assert_eq!(serde_json::from_value::<SaleReport>(value).unwrap(), report);
        // Inside the protocol's reply, as the edge reads it.
        let reply = Reply::Report(Box::new(report));
        let text = serde_json::to_string(&reply).unwrap();
        assert_eq!(serde_json::from_str::<Reply>(&text).unwrap(), reply);
    }

    #[test]
    fn own_fields_are_required_unknown_ones_ignored() {
        let mut value = serde_json::to_value(report()).unwrap();
        value["later"] = serde_json::json!({"a": [1]});
        assert_eq!(
            serde_json::from_value::<SaleReport>(value.clone()).unwrap(),
            report()
        );
        value.as_object_mut().unwrap().remove("stats");
        let error = serde_json::from_value::<SaleReport>(value.clone()).unwrap_err();
        assert!(
            error.to_string().contains("missing field `stats`"),
            "{error}"
        );
        // The flattened part's fields too.
        let mut value = serde_json::to_value(report()).unwrap();
        value.as_object_mut().unwrap().remove("name");
        let error = serde_json::from_value::<SaleReport>(value).unwrap_err();
        assert!(
            error.to_string().contains("missing field `name`"),
            "{error}"
        );
        // A wrong type in an own field is named as serde names it.
        let mut value = serde_json::to_value(report()).unwrap();
        value["bad_records"] = serde_json::json!("many");
        assert!(serde_json::from_value::<SaleReport>(value).is_err());
    }

    proptest! {
        #[test]
        fn any_branding_reads_back(color in proptest::option::of("#[0-9a-f]{6}"), message in proptest::option::of("[a-z ]{0,20}")) {
            let settings = crate::sale::Branding::parse(BrandingInput { color, logo_url: None, message, messages: None }).unwrap();
            let view = BrandingView::from(&settings);
            let text = serde_json::to_string(&view).unwrap();
            prop_assert_eq!(serde_json::from_str::<BrandingView>(&text).unwrap(), view.clone());
            let value = serde_json::to_value(&view).unwrap();
            prop_assert_eq!(serde_json::from_value::<BrandingView>(value).unwrap(), view);
        }
    }
}
