//! MDES Customer Service 2.0.7 error bodies and how the TMP reads an answer:
//! confirmed, refused by MDES, or worth retrying.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// One entry of `Errors.Error`. The YAML names `ErrorCode`; Mastercard's
/// documentation of the same family names `Details`: both are read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorItem {
    /// The field in error, or `System`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A string `"true"`/`"false"` in the YAML; booleans are read too.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "super::flag")]
    pub recoverable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Errors {
    #[serde(default)]
    pub error: Vec<ErrorItem>,
}

/// `{"Errors": {"Error": […]}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorsResponse {
    pub errors: Errors,
}

/// Why a call did not confirm. Messages are fixed and carry only MDES's codes:
/// never our request (PANs, comments) and never MDES's free-text
/// `Description`, which may quote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsError {
    /// MDES refused the request; sending it again will not help.
    #[error("MDES refused the request (HTTP {status}, {reason_code})")]
    Refused {
        status: u16,
        reason_code: String,
        source_field: Option<String>,
        error_code: Option<String>,
    },
    /// MDES failed or said the request may be retried; the same request may
    /// be sent again (suspend/unsuspend/delete are idempotent on the token).
    #[error("MDES is unavailable (HTTP {status:?}, {reason_code:?}); retry")]
    Retryable {
        status: Option<u16>,
        reason_code: Option<String>,
    },
    /// A success status whose body is not the operation's answer, or a status
    /// MDES does not use: the call may have been applied, so not retried blindly.
    #[error("MDES answered HTTP {status} with a body we cannot read")]
    Unreadable { status: u16 },
}

impl CsError {
    /// No answer within the deadline (or the connection failed).
    pub fn timeout() -> Self {
        Self::Retryable {
            status: None,
            reason_code: None,
        }
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retryable { .. })
    }
}

/// Reads MDES's answer to one call: the operation's response on 2xx, else
/// the [`CsError`] its status and `Errors` body say. An `Errors` body on a
/// 2xx is an error too.
pub fn read_answer<R: DeserializeOwned>(status: u16, body: &[u8]) -> Result<R, CsError> {
    let errors = serde_json::from_slice::<ErrorsResponse>(body)
        .ok()
        .filter(|e| !e.errors.error.is_empty());
    match (status, errors) {
        (200..=299, None) => {
            serde_json::from_slice(body).map_err(|_| CsError::Unreadable { status })
        }
        (200..=499, Some(errors)) => Err(classify(status, &errors)),
        (400..=499, None) => Err(CsError::Refused {
            status,
            reason_code: "UNKNOWN".into(),
            source_field: None,
            error_code: None,
        }),
        (500..=599, errors) => Err(CsError::Retryable {
            status: Some(status),
            reason_code: errors.and_then(|e| first(&e).reason_code.clone()),
        }),
        _ => Err(CsError::Unreadable { status }),
    }
}

fn first(errors: &ErrorsResponse) -> ErrorItem {
    errors.errors.error.first().cloned().unwrap_or_default()
}

fn classify(status: u16, errors: &ErrorsResponse) -> CsError {
    let first = first(errors);
    if errors
        .errors
        .error
        .iter()
        .any(|e| e.recoverable == Some(true))
    {
        return CsError::Retryable {
            status: Some(status),
            reason_code: first.reason_code,
        };
    }
    CsError::Refused {
        status,
        reason_code: first.reason_code.unwrap_or_else(|| "UNKNOWN".into()),
        source_field: first.source,
        error_code: first.error_code.or(first.details),
    }
}
