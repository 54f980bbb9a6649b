//! Reading the object protocol's internally tagged enums (`{"reply":"joined", ...}`) with the tag
//! read first, instead of serde's derived `Deserialize`.
//!
//! Why: serde derives an internally tagged enum's `Deserialize` by buffering the whole value into
//! its private `Content` tree first (the tag may come anywhere), then deserialising the variant
//! from that tree: every variant's type is compiled a second time against the buffer, and the
//! buffering code with it. That was the largest single part of the edge worker's module
//! (docs/capacity.md, "Cold start"). Our own `Serialize` (derived, unchanged) always writes the
//! tag first, so the wire format stays exactly what every release since the tags began sends:
//! no protocol version changes, and old and new workers read each other. A value whose tag is not
//! its first field is refused: only hand-made JSON does that, and a `serde_json::Value` (its maps
//! sort their keys), so these enums are decoded from the text an object sent, never from a
//! `Value`.
//!
//! [`crate::tag_first!`] writes the `Deserialize` of one enum: for each variant its tag and form (unit,
//! newtype over a struct, or struct variant with its fields and their serde attributes). It also
//! writes an exhaustive `match` over the enum, so a new variant fails to compile until it is
//! listed here, and marks each newtype variant's type as [`VariantOf`] the enum, so that a caller
//! that expects one variant reads just that one ([`Only`]).

use serde::de::{self, IgnoredAny, MapAccess};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::marker::PhantomData;

/// `Self` is the payload of the newtype variant tagged [`VariantOf::TAG`] of the tagged enum `E`
/// (written by [`crate::tag_first!`] for each newtype variant).
pub trait VariantOf<E> {
    /// The enum's tag field (`"reply"`).
    const ENUM_TAG: &'static str;
    /// This variant's tag (`"claim"`).
    const TAG: &'static str;
}

/// A value of the enum `E`'s wire form that must be its variant holding a `T`, read as that `T`
/// alone. A caller that expects one kind of reply (a fan's join expects `joined`) reads it with
/// `Only<Reply, Joined>` instead of `Reply`: the same wire form, and only that variant's reader is
/// compiled in, not every variant's (the edge's module gets no reader for the promoter's reports;
/// docs/capacity.md, "Cold start"). Any other variant is an error naming it.
pub struct Only<E, T>(pub T, PhantomData<E>);

impl<E, T> Only<E, T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<'de, E, T: VariantOf<E> + Deserialize<'de>> Deserialize<'de> for Only<E, T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor<E, T>(PhantomData<(E, T)>);
        impl<'de, E, T: VariantOf<E> + Deserialize<'de>> de::Visitor<'de> for Visitor<E, T> {
            type Value = Only<E, T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a map with `{}` first, `{}`", T::ENUM_TAG, T::TAG)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let name = read_tag(&mut map, T::ENUM_TAG)?;
                if name != T::TAG {
                    return Err(de::Error::custom(format_args!(
                        "expected the {} `{}`, got `{name}`",
                        T::ENUM_TAG,
                        T::TAG
                    )));
                }
                T::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|value| Only(value, PhantomData))
            }
        }
        d.deserialize_map(Visitor(PhantomData))
    }
}

/// Reads the first key of a map, which must be `tag`, and its value: the variant's name.
pub fn read_tag<'de, A: MapAccess<'de>>(
    map: &mut A,
    tag: &'static str,
) -> Result<String, A::Error> {
    match map.next_key::<String>()? {
        Some(key) if key == tag => map.next_value::<String>(),
        Some(_) => Err(de::Error::custom(format_args!(
            "expected the tag `{tag}` as the first field"
        ))),
        None => Err(de::Error::missing_field(tag)),
    }
}

/// Reads the rest of a unit variant's map (nothing is expected; anything is ignored, as a derived
/// struct ignores unknown fields).
pub fn finish_unit<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    while map.next_key::<IgnoredAny>()?.is_some() {
        map.next_value::<IgnoredAny>()?;
    }
    Ok(())
}

/// `Deserialize` for an internally tagged enum, reading the tag first (see the module doc).
///
/// ```ignore
/// tag_first! { Reply, "reply", {
///     "done" => [Done],
///     "joined" => [Joined(Joined)],
///     "assignments" => [Assignments { assignments: Vec<Assignment> }],
/// } }
/// ```
#[macro_export]
macro_rules! tag_first {
    ($enum:ident, $tag:literal, { $($name:literal => [$($variant:tt)+]),+ $(,)? }) => {
        impl<'de> serde::Deserialize<'de> for $enum {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = $enum;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($enum), " (a map, `", $tag, "` first)"))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$enum, A::Error> {
                        let name = $crate::codec::tag_first::read_tag(&mut map, $tag)?;
                        match name.as_str() {
                            $($name => $crate::tag_first!(@read map, $enum, $($variant)+),)+
                            other => Err(serde::de::Error::unknown_variant(other, &[$($name),+])),
                        }
                    }
                }
                d.deserialize_map(Visitor)
            }
        }

        $($crate::tag_first!(@variant_of $enum, $tag, $name, $($variant)+);)+

        const _: () = {
            // Every variant listed: a new one fails to compile here until it is.
            #[allow(dead_code)]
            fn exhaustive(value: &$enum) {
                match value {
                    $($crate::tag_first!(@pattern $enum, $($variant)+) => {})+
                }
            }
        };
    };

    (@read $map:ident, $enum:ident, $variant:ident) => {{
        $crate::codec::tag_first::finish_unit(&mut $map)?;
        Ok($enum::$variant)
    }};
    (@read $map:ident, $enum:ident, $variant:ident ($ty:ty)) => {
        <$ty as serde::Deserialize>::deserialize(serde::de::value::MapAccessDeserializer::new($map))
            .map($enum::$variant)
    };
    (@read $map:ident, $enum:ident, $variant:ident { $($(#[$attr:meta])* $field:ident : $fty:ty),* $(,)? }) => {{
        #[derive(serde::Deserialize)]
        struct Fields { $($(#[$attr])* $field: $fty,)* }
        let Fields { $($field),* } = <Fields as serde::Deserialize>::deserialize(
            serde::de::value::MapAccessDeserializer::new($map),
        )?;
        Ok($enum::$variant { $($field),* })
    }};

    (@variant_of $enum:ident, $tag:literal, $name:literal, $variant:ident ($ty:ty)) => {
        impl $crate::codec::tag_first::VariantOf<$enum> for $ty {
            const ENUM_TAG: &'static str = $tag;
            const TAG: &'static str = $name;
        }
    };
    (@variant_of $enum:ident, $tag:literal, $name:literal, $($rest:tt)+) => {};

    (@pattern $enum:ident, $variant:ident) => { $enum::$variant };
    (@pattern $enum:ident, $variant:ident ($ty:ty)) => { $enum::$variant(..) };
    (@pattern $enum:ident, $variant:ident { $($rest:tt)* }) => { $enum::$variant { .. } };
}

#[cfg(test)]
mod tests {
    use crate::machines::protocol::{Answer, Reply};
    use crate::queue::{AssignmentState, Claim, QueueError};
    use crate::sale::admission::Admission;
    use proptest::prelude::*;

    fn round_trip<T>(value: &T) -> T
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        let text = serde_json::to_string(value).expect("encodes");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text} decodes: {e}"))
    }

    fn every_queue_error() -> Vec<QueueError> {
        vec![
            QueueError::SaleNotFound,
            QueueError::NotOpen {
                opens_at: Some(crate::time::UnixMillis(1_700_000_000_000)),
            },
            QueueError::NotOpen { opens_at: None },
            QueueError::Closed,
            QueueError::AlreadyClosed,
            QueueError::AssignmentNotFound,
            QueueError::AssignmentFinished {
                state: AssignmentState::Completed,
            },
            QueueError::RequestIdReused,
            QueueError::BadPullSize { max: 500 },
            QueueError::NotPullMode {
                admission: Admission::Rate { per_minute: 60 },
            },
            QueueError::SaleUnavailable,
            QueueError::PrequeueFixed,
            QueueError::Busy,
            QueueError::ShardsFixed,
            QueueError::PowSpent,
            QueueError::ShardsChanging {
                until: crate::time::UnixMillis(1_800_000_000_000),
            },
            QueueError::PlaceMoved,
            QueueError::MovesUsedUp { max: 3 },
            QueueError::TurnTaken,
        ]
    }

    #[test]
    fn every_variant_reads_back_what_serde_writes() {
        for error in every_queue_error() {
            assert_eq!(round_trip(&error), error);
            let answer: Answer = Err(error.clone());
            assert_eq!(round_trip(&answer), answer);
        }
        let assignment: crate::queue::Assignment = serde_json::from_str(
            r#"{"fan_id":"fan_0123456789abcdef0123","seq":7,"window":"w1","state":"assigned",
                "assigned_at":"2023-11-14T22:13:20Z","expires_at":"2023-11-14T22:15:20Z",
                "claimed_at":"2023-11-14T22:13:21Z"}"#,
        )
        .expect("an assignment");
        for claim in [
            Claim::Waiting {
                position: 3,
                ahead: 2,
            },
            Claim::Turn {
                assignment: assignment.clone(),
                pass_ttl_s: 600,
                pass: None,
            },
            Claim::Turn {
                assignment: assignment.clone(),
                pass_ttl_s: 600,
                pass: Some("header.claims.signature".into()),
            },
            Claim::Lapsed {
                assignment: assignment.clone(),
            },
        ] {
            assert_eq!(round_trip(&claim), claim);
            let reply = Reply::Claim(claim);
            assert_eq!(round_trip(&reply), reply);
        }
        for reply in [
            Reply::Done,
            Reply::Assignments {
                assignments: vec![],
            },
        ] {
            assert_eq!(round_trip(&reply), reply);
        }
    }

    #[test]
    fn one_expected_variant_reads_alone_and_any_other_is_refused_by_name() {
        use super::Only;
        use crate::queue::Joined;
        let claim = Claim::Waiting {
            position: 3,
            ahead: 2,
        };
        let answer: Answer = Ok(Reply::Claim(claim.clone()));
        let text = serde_json::to_string(&answer).expect("encodes");
        let read: Result<Only<Reply, Claim>, QueueError> =
            serde_json::from_str(&text).expect("the claim alone");
        assert_eq!(read.ok().map(Only::into_inner), Some(claim));

        let wrong = serde_json::from_str::<Result<Only<Reply, Joined>, QueueError>>(&text)
            .err()
            .expect("a claim is no join");
        assert!(
            wrong
                .to_string()
                .contains("expected the reply `joined`, got `claim`"),
            "{wrong}"
        );

        // A refusal reads as the refusal, whatever variant was expected.
        let refused: Answer = Err(QueueError::Closed);
        let text = serde_json::to_string(&refused).expect("encodes");
        let read: Result<Only<Reply, Claim>, QueueError> =
            serde_json::from_str(&text).expect("a refusal");
        assert_eq!(read.err(), Some(QueueError::Closed));
    }

    proptest! {
        #[test]
        fn a_join_reads_alone_as_it_reads_in_a_reply(
            id: [u8; 10], seq in 1u64.., position in 1u64.., created: bool,
        ) {
            use super::Only;
            use crate::queue::Joined;
            let joined = Joined {
                fan_id: crate::ids::FanId::from_bytes(id),
                seq,
                created,
                position,
                ahead: position - 1,
            };
            let text = serde_json::to_string(&Reply::Joined(joined.clone())).expect("encodes");
            let alone: Only<Reply, Joined> = serde_json::from_str(&text).expect("reads");
            prop_assert_eq!(alone.into_inner(), joined);
        }
    }

    #[test]
    fn the_wire_form_is_the_derived_one() {
        // What releases before this one send (and still send: `Serialize` is derived).
        // As text: a `serde_json::Value` map sorts its keys, so it is no wire form (module doc).
        let cases = [
            (r#"{"kind":"busy"}"#, QueueError::Busy),
            (
                r#"{"kind":"not_open","opens_at":"2023-11-14T22:13:20Z"}"#,
                QueueError::NotOpen {
                    opens_at: Some(crate::time::UnixMillis(1_700_000_000_000)),
                },
            ),
            (
                r#"{"kind":"not_pull_mode","admission":{"mode":"rate","per_minute":60}}"#,
                QueueError::NotPullMode {
                    admission: Admission::Rate { per_minute: 60 },
                },
            ),
        ];
        for (wire, error) in cases {
            assert_eq!(serde_json::to_string(&error).unwrap(), wire);
            assert_eq!(serde_json::from_str::<QueueError>(wire).unwrap(), error);
        }
    }

    #[test]
    fn a_turn_without_a_pass_is_the_wire_form_before_passes_came_with_it() {
        // What objects of releases before the signed pass send, and what this one sends when it
        // has no pass: the same text; a pass is one more field, last.
        let assignment = r#"{"fan_id":"fan_0123456789abcdef0123","seq":7,"window":"w1","state":"assigned","assigned_at":"2023-11-14T22:13:20Z","expires_at":"2023-11-14T22:15:20Z","claimed_at":"2023-11-14T22:13:21Z","finished_at":null}"#;
        let old = format!(r#"{{"outcome":"turn","assignment":{assignment},"pass_ttl_s":600}}"#);
        let Claim::Turn {
            assignment: read,
            pass_ttl_s: 600,
            pass: None,
        } = serde_json::from_str::<Claim>(&old).unwrap()
        else {
            panic!("{old} is a turn without a pass");
        };
        let without = Claim::Turn {
            assignment: read.clone(),
            pass_ttl_s: 600,
            pass: None,
        };
        assert_eq!(serde_json::to_string(&without).unwrap(), old);
        let with = Claim::Turn {
            assignment: read,
            pass_ttl_s: 600,
            pass: Some("h.c.s".into()),
        };
        let wire = serde_json::to_string(&with).unwrap();
        assert_eq!(
            wire,
            format!(r#"{},"pass":"h.c.s"}}"#, &old[..old.len() - 1])
        );
        assert_eq!(serde_json::from_str::<Claim>(&wire).unwrap(), with);
    }

    #[test]
    fn unknown_fields_are_ignored_as_derived_structs_do() {
        let error: QueueError =
            serde_json::from_str(r#"{"kind":"bad_pull_size","max":7,"later":true}"#).unwrap();
        assert_eq!(error, QueueError::BadPullSize { max: 7 });
        let reply: Reply = serde_json::from_str(r#"{"reply":"done","note":[1,2]}"#).unwrap();
        assert_eq!(reply, Reply::Done);
    }

    #[test]
    fn a_missing_late_or_unknown_tag_is_refused_by_name() {
        let late = serde_json::from_str::<QueueError>(r#"{"max":7,"kind":"bad_pull_size"}"#)
            .unwrap_err()
            .to_string();
        assert!(late.contains("`kind` as the first field"), "{late}");
        let missing = serde_json::from_str::<Reply>("{}").unwrap_err().to_string();
        assert!(missing.contains("missing field `reply`"), "{missing}");
        let unknown = serde_json::from_str::<Reply>(r#"{"reply":"nope"}"#)
            .unwrap_err()
            .to_string();
        assert!(unknown.contains("unknown variant `nope`"), "{unknown}");
        let not_a_map = serde_json::from_str::<Claim>("[1]")
            .unwrap_err()
            .to_string();
        assert!(not_a_map.contains("invalid type"), "{not_a_map}");
        // A variant's own fields are still checked.
        let bad = serde_json::from_str::<Claim>(r#"{"outcome":"waiting","position":1}"#)
            .unwrap_err()
            .to_string();
        assert!(bad.contains("missing field `ahead`"), "{bad}");
    }

    proptest! {
        #[test]
        fn any_values_read_back(position in any::<u64>(), ahead in any::<u64>(), max in any::<u32>(), per_minute in 1u32..) {
            let claim = Claim::Waiting { position, ahead };
            prop_assert_eq!(round_trip(&Reply::Claim(claim.clone())), Reply::Claim(claim));
            let error = QueueError::BadPullSize { max };
            prop_assert_eq!(round_trip(&error), error);
            let error = QueueError::NotPullMode { admission: Admission::Rate { per_minute } };
            prop_assert_eq!(round_trip(&error), error);
        }
    }
}
