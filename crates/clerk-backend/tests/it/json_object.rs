//! `JsonObject` against the decode it replaces, `serde_json::Map<String, Value>`: the same
//! inputs accepted, the same map read back, the same JSON written, on generated and on
//! arbitrary text.

use clerk_backend::JsonObject;
use clerk_backend::models::User;
use proptest::prelude::*;
use serde_json::{Map, Value};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any JSON value: numbers of every kind (large, negative, fractional, exponent), strings with
/// escapes and non-ASCII, nested arrays and objects.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        "[\"\\\\\u{0}-\u{1f}\u{e9}\u{1f600}a]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(("\\PC{0,6}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn object() -> impl Strategy<Value = Map<String, Value>> {
    proptest::collection::vec(("\\PC{0,8}", value()), 0..8).prop_map(|kv| kv.into_iter().collect())
}

/// JSON-like text starting with `{`: mostly invalid, sometimes valid, with escapes, surrogates,
/// huge exponents and stray punctuation.
fn jsonish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just(":".to_owned()),
            Just(",".to_owned()),
            Just("\"k\"".to_owned()),
            Just("\"\\ud800\"".to_owned()),
            Just("\"\\ud83d\\ude00\"".to_owned()),
            Just("\"\\u00\"".to_owned()),
            Just("1e400".to_owned()),
            Just("-0".to_owned()),
            Just("1.5e-3".to_owned()),
            Just("18446744073709551616".to_owned()),
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just(" ".to_owned()),
        ],
        0..24,
    )
    .prop_map(|parts| format!("{{{}", parts.concat()))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn decodes_to_the_map_serde_json_decodes(map in object()) {
        let text = serde_json::to_string(&map).unwrap();
        let ours: JsonObject = serde_json::from_str(&text).unwrap();
        let theirs: Map<String, Value> = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(ours.as_map(), &theirs);
        prop_assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&theirs).unwrap());
        // Through a `Value` deserializer too (`from_value`, serde's buffered enums).
        let via_value: JsonObject = serde_json::from_value(Value::Object(map.clone())).unwrap();
        prop_assert_eq!(via_value.into_map(), map);
    }

    #[test]
    fn accepts_exactly_what_the_map_accepts(text in jsonish()) {
        let ours = serde_json::from_str::<JsonObject>(&text);
        let theirs = serde_json::from_str::<Map<String, Value>>(&text);
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{}: {:?} / {:?}", text, ours.as_ref().err(), theirs.as_ref().err());
        if let (Ok(o), Ok(t)) = (ours, theirs) {
            prop_assert_eq!(o.into_map(), t);
        }
    }
}

/// In a model: metadata reads as before, decodes into the caller's type, and a body whose
/// metadata a `Map` would refuse is refused.
#[test]
fn user_metadata_reads_as_a_map_and_parses_into_a_type() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Prefs {
        theme: String,
    }
    let mut body: Value = serde_json::from_str(include_str!("../fixtures/user_full.json")).unwrap();
    body["unsafe_metadata"] = serde_json::json!({ "theme": "dark", "n": [1, 2.5, null] });
    let user: User = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(user.public_metadata["plan"], "pro");
    let unsafe_metadata = user.unsafe_metadata.as_ref().unwrap();
    assert_eq!(
        unsafe_metadata.parse::<Prefs>().unwrap(),
        Prefs {
            theme: "dark".into()
        }
    );
    assert_eq!(*unsafe_metadata, body["unsafe_metadata"]);
    let text = serde_json::to_string(&body).unwrap();
    let from_text: User = serde_json::from_str(&text).unwrap();
    assert_eq!(from_text, user);

    let bad = text.replacen(r#""theme":"dark""#, r#""theme":"\ud800""#, 1);
    assert_ne!(bad, text);
    assert!(serde_json::from_str::<User>(&bad).is_err());
}
