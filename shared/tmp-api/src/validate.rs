//! Reading bodies and checking fields, naming the field by its JSON path and
//! never echoing its value:
//!
//! | problem | status |
//! |---|---|
//! | not JSON, a body that is not the expected object, a wrong JSON type | 400 |
//! | a missing or malformed required header (`Idempotency-Key`) | 400 |
//! | a required field absent, a length, range, enum, pattern or rule broken | 422 |
//! | a member the contract does not define | 422 |

use serde::de::DeserializeOwned;

use crate::Problem;

/// Deserialises a request body straight from its bytes into a wire type
/// (no intermediate `Value`, so a PAN is only ever held as a `Pan`), then
/// runs its `validate`. serde's messages are never echoed (they quote
/// values): only the field path, and for a missing field its name.
pub fn parse<T: DeserializeOwned + Validate>(body: &[u8]) -> Result<T, Problem> {
    // Well-formed JSON and an object first (`IgnoredAny` keeps nothing), so
    // what the typed pass refuses afterwards is a type or a value.
    let is_object = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if !is_object || serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err() {
        return Err(Problem::malformed_json());
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        classify(&path, err.inner())
    })?;
    de.end().map_err(|_| Problem::malformed_json())?;
    value.validate()?;
    Ok(value)
}

fn classify(path: &str, err: &serde_json::Error) -> Problem {
    use serde_json::error::Category;
    let message = err.to_string();
    let at = |name: &str| {
        if path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        Problem::missing(&at(name))
    } else if message.starts_with("unknown field") {
        Problem::unknown_field()
    } else if path == "." {
        Problem::malformed_json()
    } else if matches!(
        err.classify(),
        Category::Syntax | Category::Eof | Category::Io
    ) || message.starts_with("invalid type")
        || message.starts_with("invalid length")
    {
        // The document is valid JSON (checked first): serde_json reports an
        // enum read from a number as a syntax error, so this is a type.
        Problem::wrong_type(path)
    } else {
        // An unknown enum variant, a duplicated member, or a value one of
        // our own types refuses (a PAN failing Luhn, an identifier's pattern).
        Problem::invalid(path)
    }
}

/// A wire request's own rules, beyond what its types enforce.
pub trait Validate {
    fn validate(&self) -> Result<(), Problem>;
}

pub(crate) fn char_len(value: &str) -> usize {
    value.chars().count()
}

pub fn length(field: &str, value: &str, min: usize, max: usize) -> Result<(), Problem> {
    let n = char_len(value);
    if n < min || n > max {
        Err(Problem::length(field))
    } else {
        Ok(())
    }
}

/// No control characters (free text that ends up in logs and screens).
pub fn printable(field: &str, value: &str) -> Result<(), Problem> {
    if value.chars().any(char::is_control) {
        Err(Problem::invalid(field))
    } else {
        Ok(())
    }
}

/// `[A-Za-z0-9_-]` only: our opaque identifiers and cursors.
pub fn id_chars(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A card expiry as `MM/YY`.
pub fn expiry(field: &str, value: &str) -> Result<(), Problem> {
    let b = value.as_bytes();
    let ok = b.len() == 5
        && b.get(2) == Some(&b'/')
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit())
        && matches!(
            value.get(0..2).and_then(|m| m.parse::<u8>().ok()),
            Some(1..=12)
        );
    if ok {
        Ok(())
    } else {
        Err(Problem::invalid(field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProblemKind;

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        kind: crate::token::TokenStatus,
    }

    impl Validate for Body {
        fn validate(&self) -> Result<(), Problem> {
            length("name", &self.name, 1, 4)
        }
    }

    #[test]
    fn serde_failures_become_problems_without_values() {
        // GIVEN bodies wrong in each way serde can find
        let cases: [(&[u8], ProblemKind, &str); 9] = [
            (
                b"{",
                ProblemKind::MalformedRequest,
                "The request body is not a valid JSON object",
            ),
            (
                b"not json",
                ProblemKind::MalformedRequest,
                "The request body is not a valid JSON object",
            ),
            (
                b"[1,2]",
                ProblemKind::MalformedRequest,
                "The request body is not a valid JSON object",
            ),
            (
                b"{\"name\":\"a\"} {}",
                ProblemKind::MalformedRequest,
                "The request body is not a valid JSON object",
            ),
            (b"{}", ProblemKind::InvalidRequest, "name is required"),
            (
                b"{\"name\":7}",
                ProblemKind::MalformedRequest,
                "name has the wrong JSON type",
            ),
            (
                b"{\"name\":\"a\",\"inner\":{\"kind\":\"PWNED-SECRET\"}}",
                ProblemKind::InvalidRequest,
                "inner.kind is not valid",
            ),
            (
                b"{\"name\":\"a\",\"evil-SECRET\":1}",
                ProblemKind::InvalidRequest,
                "The request body has a member the contract does not define",
            ),
            (
                b"{\"name\":\"toolong\"}",
                ProblemKind::InvalidRequest,
                "name has an invalid length",
            ),
        ];
        for (body, kind, detail) in cases {
            // WHEN parsed
            let problem = parse::<Body>(body).unwrap_err();
            // THEN the kind and the fixed detail, and nothing the caller sent
            assert_eq!((problem.kind, problem.detail.as_str()), (kind, detail));
            assert!(!problem.detail.contains("SECRET"));
        }
    }

    #[test]
    fn expiry_is_mm_slash_yy() {
        for ok in ["01/27", "12/30"] {
            assert!(expiry("newExpiry", ok).is_ok(), "{ok}");
        }
        for bad in [
            "13/27", "00/27", "1/27", "01-27", "01/2027", "ab/cd", "01/2a",
        ] {
            assert!(expiry("newExpiry", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn free_text_refuses_control_characters() {
        assert!(printable("comment", "Customer called, lost phone").is_ok());
        assert!(printable("comment", "line\nbreak").is_err());
    }
}
