//! Unit-test helpers: path parameters, and checking that each mutation of a
//! valid body yields the expected code naming the field.

use serde_json::Value;

use crate::common::Params;
use crate::{VtsError, VtsErrorCode};

/// The path parameters of the token operations.
pub fn params(token_requestor_id: &str, token_reference_id: &str) -> Params {
    let mut params = Params::default();
    params
        .path
        .insert("tokenRequestorID".into(), token_requestor_id.into());
    params
        .path
        .insert("tokenReferenceID".into(), token_reference_id.into());
    params
}

/// One violation: JSON pointer, new value (`None` removes the field), the
/// expected code, and the field path the description must name.
pub type Violation<'a> = (&'a str, Option<Value>, VtsErrorCode, &'a str);

/// GIVEN `valid()` with one change WHEN parsed THEN the expected code naming
/// the field, and nothing of the value sent.
pub fn assert_violations<T>(
    valid: fn() -> Value,
    parse: fn(Value) -> Result<T, VtsError>,
    cases: &[Violation<'_>],
) {
    assert!(parse(valid()).is_ok(), "the unchanged body must be valid");
    for (pointer, value, code, field) in cases {
        let mut body = valid();
        let (parent, last) = pointer.rsplit_once('/').expect("a JSON pointer");
        let target = body.pointer_mut(parent).expect("parent exists");
        match (value, target) {
            (None, Value::Object(map)) => {
                map.remove(last).expect("field exists");
            }
            (Some(v), Value::Object(map)) => {
                map.insert(last.to_owned(), v.clone());
            }
            (Some(v), Value::Array(items)) => {
                items[last.parse::<usize>().expect("an index")] = v.clone();
            }
            _ => panic!("{pointer}: unsupported mutation"),
        }
        let err = match parse(body) {
            Ok(_) => panic!("{pointer}: accepted"),
            Err(err) => err,
        };
        assert_eq!(err.code, *code, "{pointer}: {err}");
        assert!(
            err.description.contains(field),
            "{pointer}: {} does not name {field}",
            err.description
        );
        if let Some(Value::String(sent)) = value {
            assert!(
                sent.len() < 4 || !err.description.contains(sent.as_str()),
                "{pointer}: the description echoes the value"
            );
        }
    }
}
