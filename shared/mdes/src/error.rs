//! MDES `ErrorsResponse` and the spec's error codes.

use serde::Serialize;
use tmp_core::AppError;
use tmp_core::error::{InputError, InputProblem};

/// Error codes of the MDES Pre-Digitization API ("code formats" page), plus
/// `INTERNAL_SERVICE_FAILURE`, Mastercard's code for a retryable server fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MdesErrorCode {
    InvalidJson,
    MissingRequiredField,
    InvalidFieldFormat,
    InvalidFieldLength,
    InvalidFieldValue,
    CryptographyError,
    InternalServiceFailure,
}

impl MdesErrorCode {
    /// 400 for anything the caller sent wrong, 503 for our own transient faults
    /// (MDES may retry with the same requestId; nothing was written).
    pub fn http_status(self) -> u16 {
        match self {
            Self::InternalServiceFailure => 503,
            _ => 400,
        }
    }
}

/// A request the TMP refuses, with a description that never contains card data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {description}")]
pub struct MdesError {
    pub code: MdesErrorCode,
    pub description: String,
}

impl MdesError {
    pub fn new(code: MdesErrorCode, description: impl Into<String>) -> Self {
        let mut description: String = description.into();
        // Spec: errorDescription is at most 256 characters.
        if description.len() > 256 {
            let mut cut = 256;
            while !description.is_char_boundary(cut) {
                cut -= 1;
            }
            description.truncate(cut);
        }
        Self { code, description }
    }

    pub fn missing(field: &str) -> Self {
        Self::new(
            MdesErrorCode::MissingRequiredField,
            format!("{field} is required"),
        )
    }

    pub fn format(field: &str) -> Self {
        Self::new(
            MdesErrorCode::InvalidFieldFormat,
            format!("{field} has an invalid format"),
        )
    }

    pub fn length(field: &str, min: usize, max: usize) -> Self {
        Self::new(
            MdesErrorCode::InvalidFieldLength,
            format!("{field} must be {min} to {max} characters long"),
        )
    }

    pub fn value(field: &str) -> Self {
        Self::new(
            MdesErrorCode::InvalidFieldValue,
            format!("{field} has an invalid value"),
        )
    }

    pub fn crypto(description: impl Into<String>) -> Self {
        Self::new(MdesErrorCode::CryptographyError, description)
    }

    pub fn internal() -> Self {
        Self::new(
            MdesErrorCode::InternalServiceFailure,
            "The issuer could not process the request now; retry with the same requestId",
        )
    }
}

/// The spec's `ErrorsResponse` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorsResponse {
    pub response_id: String,
    pub error_code: MdesErrorCode,
    pub error_description: String,
}

impl ErrorsResponse {
    pub fn new(response_id: impl Into<String>, error: &MdesError) -> Self {
        Self {
            response_id: response_id.into(),
            error_code: error.code,
            error_description: error.description.clone(),
        }
    }
}

/// The description of every `CRYPTOGRAPHY_ERROR`, whatever went wrong.
pub const CRYPTOGRAPHY_ERROR_DESCRIPTION: &str = "encryptedPayload could not be decrypted";

/// The one place core errors become MDES errors. Descriptions name fields,
/// never values.
impl From<AppError> for MdesError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Invalid(InputError { field, problem }) => match problem {
                InputProblem::Missing => Self::missing(&field),
                InputProblem::Format => Self::format(&field),
                InputProblem::Length { min, max } => Self::length(&field, min, max),
                InputProblem::Value => Self::value(&field),
            },
            // One answer for every reason, from an unknown key to a bad field
            // inside the plaintext: no padding, key-unwrap or parsing oracle.
            // The reason is logged (never the data) where it is found.
            AppError::CardData(_) => Self::crypto(CRYPTOGRAPHY_ERROR_DESCRIPTION),
            AppError::RequestIdReused => {
                Self::value("requestId (already used for a different request)")
            }
            AppError::UnknownToken | AppError::UnknownJob => {
                Self::value("tokenUniqueReference (unknown token)")
            }
            AppError::NotAwaitingAuthentication => {
                Self::value("tokenUniqueReference (not awaiting authentication)")
            }
            AppError::ActionNotAllowed(_) => {
                Self::value("tokenUniqueReference (state does not allow it)")
            }
            AppError::LimitReached(what) => Self::new(
                MdesErrorCode::InvalidFieldValue,
                format!("tokenUniqueReference has reached its limit of {what}"),
            ),
            AppError::Unavailable(_) => Self::internal(),
        }
    }
}
