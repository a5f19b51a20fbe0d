//! Field checks that produce the ISE codes, naming the field by its JSON path
//! and never echoing its value:
//!
//! | problem | code |
//! |---|---|
//! | a required field is absent | `ISE40000` |
//! | a string too short or too long | `ISE40005` |
//! | the wrong JSON type (or a body that is not an object) | `ISE40006` |
//! | outside an enum, a pattern or a range | `ISE40011` |

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::VtsError;

pub(crate) fn char_len(value: &str) -> usize {
    value.chars().count()
}

pub(crate) fn all_digits(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_digit())
}

pub fn required<'a, T>(field: &str, value: &'a Option<T>) -> Result<&'a T, VtsError> {
    value.as_ref().ok_or_else(|| VtsError::missing(field))
}

pub fn length(field: &str, value: &str, min: usize, max: usize) -> Result<(), VtsError> {
    let n = char_len(value);
    if n < min || n > max {
        Err(VtsError::length(field))
    } else {
        Ok(())
    }
}

pub fn optional_length(
    field: &str,
    value: Option<&str>,
    min: usize,
    max: usize,
) -> Result<(), VtsError> {
    value.map_or(Ok(()), |v| length(field, v, min, max))
}

/// 1..=`max` decimal digits (length first, then the pattern).
pub fn digits(field: &str, value: &str, min: usize, max: usize) -> Result<(), VtsError> {
    length(field, value, min, max)?;
    if all_digits(value) {
        Ok(())
    } else {
        Err(VtsError::value(field))
    }
}

pub fn optional_digits(
    field: &str,
    value: Option<&str>,
    min: usize,
    max: usize,
) -> Result<(), VtsError> {
    value.map_or(Ok(()), |v| digits(field, v, min, max))
}

/// One of the values the contract lists.
pub fn one_of(field: &str, value: Option<&str>, allowed: &[&str]) -> Result<(), VtsError> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(VtsError::value(field)),
        _ => Ok(()),
    }
}

/// Every character passes `allowed`.
pub fn charset(
    field: &str,
    value: Option<&str>,
    allowed: fn(char) -> bool,
) -> Result<(), VtsError> {
    match value {
        Some(v) if !v.chars().all(allowed) => Err(VtsError::value(field)),
        _ => Ok(()),
    }
}

pub(crate) fn base64url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

pub(crate) fn printable(c: char) -> bool {
    !c.is_control()
}

/// `yyyy-MM-dd'T'HH:mm:ss.SSSX` (Java's pattern): exactly three fraction
/// digits, then `Z`, `±HH`, `±HHMM` or `±HH:MM`: 24 to 29 characters.
pub fn visa_date_time(field: &str, value: &str) -> Result<OffsetDateTime, VtsError> {
    length(field, value, 24, 29)?;
    parse_visa_date_time(value).ok_or_else(|| VtsError::value(field))
}

fn number<T: std::str::FromStr>(text: &str, from: usize, to: usize) -> Option<T> {
    let part = text.get(from..to)?;
    if !all_digits(part) {
        return None;
    }
    part.parse().ok()
}

fn parse_visa_date_time(value: &str) -> Option<OffsetDateTime> {
    let b = value.as_bytes();
    let separators = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
    ];
    if !separators.iter().all(|(i, c)| b.get(*i) == Some(c)) {
        return None;
    }
    let date = Date::from_calendar_date(
        number(value, 0, 4)?,
        Month::try_from(number::<u8>(value, 5, 7)?).ok()?,
        number(value, 8, 10)?,
    )
    .ok()?;
    let time = Time::from_hms_milli(
        number(value, 11, 13)?,
        number(value, 14, 16)?,
        number(value, 17, 19)?,
        number(value, 20, 23)?,
    )
    .ok()?;
    let zone = value.get(23..)?;
    let offset = if zone == "Z" {
        UtcOffset::UTC
    } else {
        let sign: i8 = match zone.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let hours: i8 = number(zone, 1, 3)?;
        let minutes: i8 = match zone.len() {
            3 => 0,
            5 => number(zone, 3, 5)?,
            6 if zone.as_bytes().get(3) == Some(&b':') => number(zone, 4, 6)?,
            _ => return None,
        };
        // Java's limit (±18:00); `time` alone would allow up to ±25:59.
        if hours > 18 || minutes > 59 || (hours == 18 && minutes > 0) {
            return None;
        }
        UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?
    };
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// Reads a request body: `ISE40006` unless it is a JSON object.
pub fn parse_body(body: &[u8]) -> Result<serde_json::Value, VtsError> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) if value.is_object() => Ok(value),
        _ => Err(VtsError::not_a_json_object()),
    }
}

/// Deserialises a parsed body into a wire type, mapping serde's failures to
/// the ISE codes. serde's messages are never echoed (they quote values):
/// only the field path, and for a missing field its name.
pub fn from_value<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> Result<T, VtsError> {
    serde_path_to_error::deserialize(body).map_err(|err| {
        let path = err.path().to_string();
        let message = err.inner().to_string();
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
            VtsError::missing(&at(name))
        } else if message.starts_with("invalid type") || message.starts_with("invalid length") {
            // "invalid length" is serde reading an array where an object
            // belongs: a JSON type problem (our strings' lengths are ours).
            VtsError::invalid_type(&path)
        } else {
            // unknown variant (outside an enum), a duplicated field, a value
            // our types refuse.
            VtsError::value(&path)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::VtsErrorCode;

    #[test]
    fn visa_date_times_parse_with_every_offset_form() {
        // GIVEN the same instant written with each offset form of `X`
        for text in [
            "2026-12-01T10:15:30.123Z",
            "2026-12-01T11:15:30.123+01",
            "2026-12-01T11:15:30.123+0100",
            "2026-12-01T05:45:30.123-04:30",
        ] {
            // WHEN parsed THEN it is that instant
            let parsed = visa_date_time("dateTimeOfEvent", text).unwrap();
            assert_eq!(parsed.unix_timestamp(), 1_796_120_130, "{text}");
        }
    }

    #[test]
    fn other_date_time_forms_are_refused() {
        for (text, code) in [
            ("2026-12-01T10:15:30Z", VtsErrorCode::InvalidLength),
            ("2026-12-01T10:15:30.1234Z", VtsErrorCode::InvalidValue),
            ("2026-12-01 10:15:30.123Z", VtsErrorCode::InvalidValue),
            ("2026-13-01T10:15:30.123Z", VtsErrorCode::InvalidValue),
            ("2026-12-01T10:15:30.123+1", VtsErrorCode::InvalidValue),
            ("2026-12-01T10:15:30.123+01:0", VtsErrorCode::InvalidValue),
            ("2026-12-01T10:15:30.123", VtsErrorCode::InvalidLength),
        ] {
            let err = visa_date_time("dateTimeOfEvent", text).unwrap_err();
            assert_eq!(err.code, code, "{text}");
        }
    }

    #[test]
    fn serde_failures_get_ise_codes_and_no_values() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            kind: crate::common::TokenStatus,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Body {
            name: String,
            inner: Option<Inner>,
        }
        let cases = [
            (
                serde_json::json!({}),
                VtsErrorCode::MissingField,
                "name is required",
            ),
            (
                serde_json::json!({"name": 7}),
                VtsErrorCode::InvalidType,
                "name has an invalid type",
            ),
            (
                serde_json::json!({"name": "x", "inner": {"kind": "PWNED"}}),
                VtsErrorCode::InvalidValue,
                "inner.kind is not valid",
            ),
            (
                serde_json::json!({"name": "x", "inner": {}}),
                VtsErrorCode::MissingField,
                "inner.kind is required",
            ),
        ];
        for (body, code, description) in cases {
            let err = from_value::<Body>(body).unwrap_err();
            assert_eq!((err.code, err.description.as_str()), (code, description));
        }
    }
}
