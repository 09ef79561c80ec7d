//! `CompactDeserialize` reads what serde's `Deserialize` reads: the same value from the same
//! JSON, and an error where serde's derive gives one (with serde's message for the errors a
//! stored or sent value can meet: a missing field, an unknown variant, a duplicate field).

use serde::Serialize;

/// The sample types, declared once for both derives.
macro_rules! sample_types {
    ($derive:ident) => {
        #[derive(Debug, Serialize, $derive)]
        pub enum Shape {
            Unit,
            Newtype(Inner),
            Boxed(Box<Inner>),
            Struct {
                a: u32,
                b: String,
                c: Option<u8>,
                #[serde(default, skip_serializing_if = "Vec::is_empty")]
                d: Vec<u8>,
            },
            Other {
                a: u32,
            },
        }

        #[derive(Debug, Serialize, $derive)]
        pub struct Inner {
            pub x: u64,
            pub y: Option<String>,
            #[serde(default)]
            pub z: bool,
        }
    };
}

/// The types read with `CompactDeserialize`.
mod compact {
    use jumun_derive::CompactDeserialize;
    use serde::Serialize;

    sample_types!(CompactDeserialize);
}

/// The same types read with serde's derive.
mod derived {
    use serde::{Deserialize, Serialize};

    sample_types!(Deserialize);
}

/// Reads `json` both ways: both read it, to the same value, or both refuse it.
fn same<C, D>(json: &str) -> Result<serde_json::Value, (String, String)>
where
    C: serde::de::DeserializeOwned + Serialize + std::fmt::Debug,
    D: serde::de::DeserializeOwned + Serialize + std::fmt::Debug,
{
    let compact = serde_json::from_str::<C>(json);
    let derived = serde_json::from_str::<D>(json);
    match (compact, derived) {
        (Ok(compact), Ok(derived)) => {
            let compact = serde_json::to_value(compact).unwrap();
            assert_eq!(compact, serde_json::to_value(derived).unwrap(), "{json}");
            Ok(compact)
        }
        (Err(compact), Err(derived)) => Err((compact.to_string(), derived.to_string())),
        (compact, derived) => panic!("{json}: compact {compact:?}, serde's derive {derived:?}"),
    }
}

#[test]
fn every_form_of_every_variant_reads_the_same() {
    let read = [
        r#""Unit""#,
        r#"{"Unit": null}"#,
        r#"{"Newtype": {"x": 1}}"#,
        r#"{"Newtype": {"x": 1, "y": "s", "z": true}}"#,
        r#"{"Newtype": [1, "s", true]}"#,
        r#"{"Boxed": {"z": false, "x": 2, "y": null}}"#,
        r#"{"Struct": {"a": 1, "b": "x"}}"#,
        r#"{"Struct": {"b": "x", "extra": [1, {"a": 2}], "a": 1, "c": 7, "d": [1, 2]}}"#,
        r#"{"Struct": [1, "x", null, []]}"#,
        r#"{"Other": {"a": 4294967295}}"#,
    ];
    for json in read {
        assert!(
            same::<compact::Shape, derived::Shape>(json).is_ok(),
            "{json}"
        );
    }
    let refused = [
        r#""Struct""#,
        r#"{"Unit": 1}"#,
        r#"{"Newtype": [1]}"#,
        r#"{"Newtype": {"y": "s"}}"#,
        r#"{"Struct": {"a": "one", "b": "x"}}"#,
        r#"{"Struct": [1, "x"]}"#,
        r#"{"Struct": [1, "x", null, [], 5]}"#,
        r#"{"Other": {"a": 4294967296}}"#,
        r#"{"Struct": {"a": 1, "b": "x"}, "Other": {"a": 1}}"#,
        r#"{}"#,
        r#"[]"#,
        r#"7"#,
    ];
    for json in refused {
        assert!(
            same::<compact::Shape, derived::Shape>(json).is_err(),
            "{json}"
        );
    }
}

#[test]
fn the_errors_a_stored_value_can_meet_are_serde_s() {
    for json in [
        r#"{"Struct": {"a": 1}}"#,
        r#"{"Struct": {"a": 1, "a": 2, "b": ""}}"#,
        r#"{"Nope": {}}"#,
        r#"{"Newtype": {"y": "s"}}"#,
    ] {
        let (compact, derived) = same::<compact::Shape, derived::Shape>(json).unwrap_err();
        assert_eq!(compact, derived, "{json}");
    }
}

#[test]
fn a_struct_reads_as_a_map_or_a_sequence() {
    for json in [r#"{"x": 3}"#, r#"[3, "y", true]"#, r#"{"x": 3, "q": 1}"#] {
        assert!(
            same::<compact::Inner, derived::Inner>(json).is_ok(),
            "{json}"
        );
    }
    for json in [r#"{}"#, r#"[3]"#, r#"{"x": -1}"#, r#""x""#] {
        assert!(
            same::<compact::Inner, derived::Inner>(json).is_err(),
            "{json}"
        );
    }
}
