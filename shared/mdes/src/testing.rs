//! Unit-test helpers for the wire types: parse like the handler does, and
//! check that each mutation of a valid body yields the expected code.

use serde_json::Value;

use crate::operation::MdesRequest;
use crate::{MdesError, MdesErrorCode};

/// Deserialise and validate, exactly as `operation::respond` does.
pub fn parse<T: MdesRequest>(body: Value) -> Result<T, MdesError> {
    let request: T = crate::validate::from_value(body)?;
    request.validate()?;
    Ok(request)
}

/// One violation: JSON pointer, new value (`None` removes the field), the
/// expected code, and the field path the description must name.
pub type Violation<'a> = (&'a str, Option<Value>, MdesErrorCode, &'a str);

/// GIVEN `valid()` with one change WHEN parsed THEN the expected code naming the field.
pub fn assert_violations<T: MdesRequest>(valid: fn() -> Value, cases: &[Violation<'_>]) {
    assert!(
        parse::<T>(valid()).is_ok(),
        "the unchanged body must be valid"
    );
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
        let err = match parse::<T>(body) {
            Ok(_) => panic!("{pointer}: accepted"),
            Err(err) => err,
        };
        assert_eq!(err.code, *code, "{pointer}: {err}");
        assert!(
            err.description.contains(field),
            "{pointer}: {} does not name {field}",
            err.description
        );
    }
}
