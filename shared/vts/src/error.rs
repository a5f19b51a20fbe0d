//! The VTS issuer error codes (`ISE…`), their HTTP status and the error body,
//! and the one place core errors become VTS errors.
//!
//! Descriptions are fixed texts that name at most a field of our contract,
//! never a value the caller sent.

use std::fmt;

use serde::Serialize;
use tmp_core::AppError;
use tmp_core::error::{InputError, InputProblem};

/// The issuer error codes we answer with (specs README §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum VtsErrorCode {
    /// A required field is missing.
    #[serde(rename = "ISE40000")]
    MissingField,
    /// A field is too short or too long.
    #[serde(rename = "ISE40005")]
    InvalidLength,
    /// A field has the wrong JSON type (or the body is not a JSON object).
    #[serde(rename = "ISE40006")]
    InvalidType,
    /// `encryptedData` could not be used, whatever the reason.
    #[serde(rename = "ISE40010")]
    Cryptography,
    /// A field's value is not one the contract allows (enum, pattern, range).
    #[serde(rename = "ISE40011")]
    InvalidValue,
    /// The `tokenReferenceID` names no token of ours.
    #[serde(rename = "ISE40500")]
    UnknownTokenReference,
    /// The `otpMethodIdentifier` is not one we offered.
    #[serde(rename = "ISE40501")]
    UnknownMethodIdentifier,
    /// Our own fault (store, key service or issuer down): retry later.
    #[serde(rename = "ISE40504")]
    InternalServiceFailure,
}

impl VtsErrorCode {
    /// Every code, in the order of the contract.
    pub const ALL: [Self; 8] = [
        Self::MissingField,
        Self::InvalidLength,
        Self::InvalidType,
        Self::Cryptography,
        Self::InvalidValue,
        Self::UnknownTokenReference,
        Self::UnknownMethodIdentifier,
        Self::InternalServiceFailure,
    ];

    /// The code as it travels.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingField => "ISE40000",
            Self::InvalidLength => "ISE40005",
            Self::InvalidType => "ISE40006",
            Self::Cryptography => "ISE40010",
            Self::InvalidValue => "ISE40011",
            Self::UnknownTokenReference => "ISE40500",
            Self::UnknownMethodIdentifier => "ISE40501",
            Self::InternalServiceFailure => "ISE40504",
        }
    }

    /// 400 for what the caller sent wrong, 404 for a token we do not hold,
    /// 503 for our own transient faults (nothing was written). Never 500.
    pub fn http_status(self) -> u16 {
        match self {
            Self::UnknownTokenReference => 404,
            Self::InternalServiceFailure => 503,
            _ => 400,
        }
    }
}

impl fmt::Display for VtsErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The description of every `ISE40010`, whatever went wrong.
pub const CRYPTOGRAPHY_DESCRIPTION: &str = "encryptedData could not be decrypted";
const UNKNOWN_TOKEN_DESCRIPTION: &str = "tokenReferenceID is not valid";
const UNKNOWN_METHOD_DESCRIPTION: &str = "otpMethodIdentifier is not valid";
const INTERNAL_DESCRIPTION: &str =
    "The issuer could not process the request now; retry the same request";
/// Longest field path a description names; longer paths are cut.
const MAX_FIELD_LEN: usize = 96;

/// A refused request: its code and a fixed description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct VtsError {
    pub code: VtsErrorCode,
    pub description: String,
}

/// Only the characters our field paths are made of, so a description can
/// never carry what the caller sent (paths come from our own type names).
fn field_name(field: &str) -> String {
    let clean: String = field
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '[' | ']' | '_'))
        .take(MAX_FIELD_LEN)
        .collect();
    if clean.is_empty() {
        "request".to_owned()
    } else {
        clean
    }
}

impl VtsError {
    fn with(code: VtsErrorCode, description: String) -> Self {
        Self { code, description }
    }

    pub fn missing(field: &str) -> Self {
        Self::with(
            VtsErrorCode::MissingField,
            format!("{} is required", field_name(field)),
        )
    }

    pub fn length(field: &str) -> Self {
        Self::with(
            VtsErrorCode::InvalidLength,
            format!("{} has an invalid length", field_name(field)),
        )
    }

    pub fn invalid_type(field: &str) -> Self {
        Self::with(
            VtsErrorCode::InvalidType,
            format!("{} has an invalid type", field_name(field)),
        )
    }

    pub fn value(field: &str) -> Self {
        Self::with(
            VtsErrorCode::InvalidValue,
            format!("{} is not valid", field_name(field)),
        )
    }

    /// A body that is not a JSON object (the contract has no code of its own).
    pub fn not_a_json_object() -> Self {
        Self::with(
            VtsErrorCode::InvalidType,
            "The request body is not a JSON object".to_owned(),
        )
    }

    /// A path or query parameter given more than once (not named: the
    /// name is the caller's text).
    pub fn repeated_parameter() -> Self {
        Self::with(
            VtsErrorCode::InvalidValue,
            "A request parameter is given more than once".to_owned(),
        )
    }

    /// The one answer for every `encryptedData` failure: no oracle.
    pub fn cryptography() -> Self {
        Self::with(
            VtsErrorCode::Cryptography,
            CRYPTOGRAPHY_DESCRIPTION.to_owned(),
        )
    }

    pub fn unknown_token_reference() -> Self {
        Self::with(
            VtsErrorCode::UnknownTokenReference,
            UNKNOWN_TOKEN_DESCRIPTION.to_owned(),
        )
    }

    pub fn unknown_method_identifier() -> Self {
        Self::with(
            VtsErrorCode::UnknownMethodIdentifier,
            UNKNOWN_METHOD_DESCRIPTION.to_owned(),
        )
    }

    pub fn internal() -> Self {
        Self::with(
            VtsErrorCode::InternalServiceFailure,
            INTERNAL_DESCRIPTION.to_owned(),
        )
    }

    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// The body Visa receives.
    pub fn body(&self) -> ErrorResponse {
        ErrorResponse {
            error_code: self.code,
            error_description: self.description.clone(),
        }
    }
}

/// The error body of every operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    pub error_code: VtsErrorCode,
    pub error_description: String,
}

/// The one place core errors become VTS errors. Every variant is matched, so
/// a new core error cannot reach Visa unmapped.
impl From<AppError> for VtsError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Invalid(InputError { field, problem }) => match problem {
                InputProblem::Missing => Self::missing(&field),
                InputProblem::Length { .. } => Self::length(&field),
                InputProblem::Format | InputProblem::Value => Self::value(&field),
            },
            // One answer from an unknown key to a bad field inside the
            // plaintext; the reason is logged where it is found.
            AppError::CardData(_) => Self::cryptography(),
            AppError::RequestIdReused => Self::with(
                VtsErrorCode::InvalidValue,
                "The message was already received with different content".to_owned(),
            ),
            AppError::UnknownToken | AppError::UnknownJob => Self::unknown_token_reference(),
            AppError::NotAwaitingAuthentication => Self::with(
                VtsErrorCode::InvalidValue,
                "tokenReferenceID is not awaiting cardholder verification".to_owned(),
            ),
            AppError::ActionNotAllowed(_) => Self::with(
                VtsErrorCode::InvalidValue,
                "tokenReferenceID is not in a state that allows it".to_owned(),
            ),
            AppError::LimitReached(_) => Self::with(
                VtsErrorCode::InvalidValue,
                "tokenReferenceID has reached a limit".to_owned(),
            ),
            AppError::Unavailable(_) => Self::internal(),
        }
    }
}

#[cfg(test)]
mod tests {
    use tmp_core::error::CardDataRejection;

    use super::*;

    #[test]
    fn every_core_error_has_its_code_and_status() {
        // GIVEN one core error of each kind
        let cases = [
            (
                AppError::invalid("tokenInfo", InputProblem::Missing),
                "ISE40000",
                400,
            ),
            (
                AppError::invalid("x", InputProblem::Length { min: 1, max: 2 }),
                "ISE40005",
                400,
            ),
            (
                AppError::invalid("x", InputProblem::Format),
                "ISE40011",
                400,
            ),
            (AppError::invalid("x", InputProblem::Value), "ISE40011", 400),
            (
                AppError::CardData(CardDataRejection::UnknownKey),
                "ISE40010",
                400,
            ),
            (
                AppError::CardData(CardDataRejection::InvalidCardData),
                "ISE40010",
                400,
            ),
            (AppError::RequestIdReused, "ISE40011", 400),
            (AppError::UnknownToken, "ISE40500", 404),
            (AppError::NotAwaitingAuthentication, "ISE40011", 400),
            (AppError::LimitReached("codes"), "ISE40011", 400),
            (AppError::Unavailable("issuer down"), "ISE40504", 503),
        ];
        for (error, code, status) in cases {
            // WHEN it is mapped
            let mapped = VtsError::from(error.clone());
            // THEN it has the contract's code and status, and no 500
            assert_eq!(mapped.code.as_str(), code, "{error:?}");
            assert_eq!(mapped.http_status(), status, "{error:?}");
        }
    }

    #[test]
    fn every_card_data_rejection_is_the_same_error() {
        // GIVEN every reason card data can be refused
        let reasons = [
            CardDataRejection::UnknownKey,
            CardDataRejection::Undecryptable,
            CardDataRejection::NotCardData,
            CardDataRejection::ValidityUnreadable,
            CardDataRejection::Expired,
            CardDataRejection::ValidityTooFarAhead,
            CardDataRejection::InvalidCardData,
            CardDataRejection::RefusedAlgorithm,
        ];
        // THEN Visa sees one identical error for all of them
        for reason in reasons {
            assert_eq!(
                VtsError::from(AppError::CardData(reason)),
                VtsError::cryptography()
            );
        }
    }

    #[test]
    fn descriptions_keep_only_field_name_characters() {
        // GIVEN a field path carrying something else
        let error = VtsError::value("deviceInfo.deviceType\"<script>alert(1)</script>");
        // THEN only the name's characters survive
        assert_eq!(
            error.description,
            "deviceInfo.deviceTypescriptalert1script is not valid"
        );
        assert!(!error.description.contains('<'));
    }

    #[test]
    fn the_error_body_uses_visa_names() {
        let body = serde_json::to_value(VtsError::missing("encryptedData").body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"errorCode": "ISE40000", "errorDescription": "encryptedData is required"})
        );
    }
}
