//! Field checks that produce the spec's error codes, naming the field by its
//! JSON path and never echoing its value.

use crate::{MdesError, MdesErrorCode};

pub fn required<'a, T>(field: &str, value: &'a Option<T>) -> Result<&'a T, MdesError> {
    value.as_ref().ok_or_else(|| MdesError::missing(field))
}

pub fn length(field: &str, value: &str, min: usize, max: usize) -> Result<(), MdesError> {
    let n = value.chars().count();
    if n < min || n > max {
        Err(MdesError::length(field, min, max))
    } else {
        Ok(())
    }
}

pub fn optional_length(
    field: &str,
    value: &Option<String>,
    min: usize,
    max: usize,
) -> Result<(), MdesError> {
    value
        .as_deref()
        .map_or(Ok(()), |v| length(field, v, min, max))
}

pub fn digits(field: &str, value: &str) -> Result<(), MdesError> {
    if value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(MdesError::format(field))
    }
}

pub fn hex(field: &str, value: &str) -> Result<(), MdesError> {
    if value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(MdesError::format(field))
    }
}

/// One of the values a spec enum lists; anything else is `INVALID_FIELD_VALUE`.
pub fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), MdesError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(MdesError::value(field))
    }
}

/// The spec's date-time: ISO 8601 extended, `YYYY-MM-DDThh:mm:ss[.sss]Z` or
/// `...±hh:mm`, 20 to 29 characters, at most 3 fraction digits.
pub fn date_time(field: &str, value: &str) -> Result<(), MdesError> {
    length(field, value, 20, 29)?;
    let fraction_digits = value.split_once('.').map_or(0, |(_, rest)| {
        rest.bytes().take_while(u8::is_ascii_digit).count()
    });
    let parsed = time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339);
    if parsed.is_err() || fraction_digits > 3 || value.as_bytes().get(10) != Some(&b'T') {
        return Err(MdesError::format(field));
    }
    Ok(())
}

/// A wallet score: numeric string 1 to 5.
pub fn score(field: &str, value: &Option<String>) -> Result<Option<u8>, MdesError> {
    let Some(raw) = value.as_deref() else {
        return Ok(None);
    };
    let n: u8 = raw.trim().parse().map_err(|_| MdesError::format(field))?;
    if (1..=5).contains(&n) {
        Ok(Some(n))
    } else {
        Err(MdesError::value(field))
    }
}

/// Reads a request body: `INVALID_JSON` unless it is a JSON object.
pub fn parse_body(body: &[u8]) -> Result<serde_json::Value, MdesError> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) if value.is_object() => Ok(value),
        _ => Err(MdesError::new(
            MdesErrorCode::InvalidJson,
            "Request body is not a valid JSON object",
        )),
    }
}

/// The `requestId` of a parsed body, if it is a usable string (for `responseId`).
pub fn request_id_of(body: &serde_json::Value) -> Option<String> {
    body.get("requestId")
        .and_then(serde_json::Value::as_str)
        .filter(|id| !id.is_empty() && id.len() <= 64)
        .map(str::to_owned)
}

/// Deserialises a parsed body into a wire type, mapping failures to the spec's
/// codes. serde's messages are not echoed (they may quote values); only the
/// field path and, for a missing field, its name.
pub fn from_value<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> Result<T, MdesError> {
    serde_path_to_error::deserialize(body).map_err(|err| {
        let path = err.path().to_string();
        let message = err.inner().to_string();
        if let Some(name) = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            let field = if path == "." {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            };
            MdesError::missing(&field)
        } else if message.starts_with("unknown variant") {
            // A value outside a spec enum the type models.
            MdesError::value(&path)
        } else {
            MdesError::format(&path)
        }
    })
}
