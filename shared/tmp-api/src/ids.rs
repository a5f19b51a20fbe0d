//! The identifiers of the contract: each a newtype that can only hold a value
//! matching its pattern, in a body (422 when refused) or a path (404: an
//! identifier that cannot exist names nothing).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::validate::id_chars;

/// Why an identifier was refused (never carries the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} does not match its pattern")]
pub struct IdError(pub &'static str);

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, $field:literal, $min:literal, $max:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const FIELD: &'static str = $field;
            pub const MIN: usize = $min;
            pub const MAX: usize = $max;

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The identifier from a path segment: 404 when it cannot exist.
            pub fn from_path(segment: &str) -> Result<Self, Problem> {
                Self::try_from(segment.to_owned()).map_err(|_| Problem::not_found())
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;

            fn try_from(value: String) -> Result<Self, IdError> {
                let check: fn(&str) -> bool = $check;
                if (Self::MIN..=Self::MAX).contains(&value.len()) && check(&value) {
                    Ok(Self(value))
                } else {
                    Err(IdError($field))
                }
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

identifier!(
    /// Our opaque token identifier.
    TokenId, "tokenId", 8, 64, id_chars
);
identifier!(
    /// The issuer's identifier of a card (never the PAN).
    CardId, "cardId", 1, 64, id_chars
);
identifier!(
    /// A device as the network names it (MDES deviceId, Visa deviceID).
    DeviceId, "deviceId", 1, 64, id_chars
);
identifier!(
    /// A bulk or card-event job.
    JobId, "jobId", 8, 64, id_chars
);
identifier!(
    /// The network's token reference: MDES TUR or Visa tokenReferenceID.
    TokenReference, "tokenReference", 1, 64, id_chars
);
identifier!(
    /// The 11-digit token requestor id both networks use.
    TokenRequestorId, "tokenRequestorId", 11, 11, |v| v.bytes().all(|b| b.is_ascii_digit())
);
identifier!(
    /// An opaque page cursor (base64url), as we returned it.
    Cursor, "cursor", 1, 512, id_chars
);
identifier!(
    /// The `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header).
    IdempotencyKey, "Idempotency-Key", 8, 64, id_chars
);

impl IdempotencyKey {
    /// The header's value: 400 when absent or malformed.
    pub fn from_header(value: Option<&str>) -> Result<Self, Problem> {
        value
            .and_then(|v| Self::try_from(v.to_owned()).ok())
            .ok_or_else(|| Problem::bad_header(Self::FIELD))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProblemKind;

    #[test]
    fn identifiers_hold_only_their_pattern() {
        // GIVEN values at and beyond each identifier's limits
        assert!(TokenId::try_from("tok_0123".to_owned()).is_ok());
        assert!(TokenId::try_from("tok_012".to_owned()).is_err());
        assert!(TokenId::try_from("a".repeat(65)).is_err());
        assert!(TokenId::try_from("tok/../x1".to_owned()).is_err());
        assert!(CardId::try_from("c".to_owned()).is_ok());
        assert!(CardId::try_from(String::new()).is_err());
        assert!(TokenRequestorId::try_from("50110030273".to_owned()).is_ok());
        assert!(TokenRequestorId::try_from("5011003027".to_owned()).is_err());
        assert!(TokenRequestorId::try_from("5011003027a".to_owned()).is_err());
        assert!(Cursor::try_from("x".repeat(512)).is_ok());
        assert!(Cursor::try_from("x".repeat(513)).is_err());
        assert!(Cursor::try_from("a+b=".to_owned()).is_err());
    }

    #[test]
    fn a_path_identifier_that_cannot_exist_is_not_found() {
        // WHEN a path segment fails the pattern THEN 404, value not echoed
        let problem = TokenId::from_path("<script>").unwrap_err();
        assert_eq!(problem.kind, ProblemKind::NotFound);
        assert!(!problem.detail.contains("script"));
        assert_eq!(
            JobId::from_path("job_00000001").unwrap().as_str(),
            "job_00000001"
        );
    }

    #[test]
    fn the_idempotency_key_is_8_to_64_safe_characters() {
        // GIVEN header values
        assert!(IdempotencyKey::from_header(Some("9f1c2b7e-4a")).is_ok());
        assert!(IdempotencyKey::from_header(Some(&"k".repeat(64))).is_ok());
        for bad in [
            None,
            Some("short"),
            Some(&*"k".repeat(65)),
            Some("has space!"),
        ] {
            // WHEN absent or malformed THEN 400 naming the header only
            let problem = IdempotencyKey::from_header(bad).unwrap_err();
            assert_eq!(problem.kind, ProblemKind::MalformedRequest);
            assert_eq!(
                problem.detail,
                "The Idempotency-Key header is missing or invalid"
            );
        }
    }
}
