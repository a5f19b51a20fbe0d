//! VTS lifecycle error bodies, and how the TMP reads an answer: done,
//! refused, unknown token, worth retrying, or unreadable.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The `reason` of a 404 for a token VTS does not hold (our assumption).
pub const TOKEN_NOT_FOUND: &str = "TOKEN_NOT_FOUND";
/// Longest `reason` kept from an answer; longer ones are free text.
const MAX_REASON_LEN: usize = 64;

/// `errorResponse`. Visa's `message` and `details` are free text: stored
/// here for what builds error bodies, never carried by a [`LifecycleError`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The HTTP status as text; a JSON number is read too.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "text_or_number"
    )]
    pub status: Option<String>,
    #[serde(default)]
    pub message: String,
    /// A short code (`invalidParameter`, `TOKEN_NOT_FOUND`, …).
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub details: Vec<String>,
}

/// `{"errorResponse": {…}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    pub error_response: ErrorBody,
}

fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// Why a call did not confirm. Messages are fixed and carry at most the
/// status and Visa's short `reason` code (only when it is a code: letters,
/// digits, `_`, `-`, `.`): never Visa's `message`/`details` nor our request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// VTS refused the request (4xx); sending it again will not help.
    #[error("VTS refused the request (HTTP {status}, {reason})")]
    Refused { status: u16, reason: String },
    /// VTS does not know the token (404 `TOKEN_NOT_FOUND`).
    #[error("VTS does not know the token")]
    NotFound,
    /// VTS failed (5xx) or did not answer: the outcome is unknown; send the
    /// same request (same `requestID`) again.
    #[error("VTS is unavailable (HTTP {status:?}); retry the same requestID")]
    Retryable { status: Option<u16> },
    /// A success whose body is not the call's answer, or a status VTS does
    /// not use: it may have been applied, so it is not retried blindly.
    #[error("VTS answered HTTP {status} with a body we cannot read")]
    Unreadable { status: u16 },
}

impl LifecycleError {
    /// No answer within the deadline (or the connection failed).
    pub fn timeout() -> Self {
        Self::Retryable { status: None }
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retryable { .. })
    }
}

/// Visa's `reason`, when it is a short code; `UNKNOWN` otherwise.
fn reason_code(error: Option<&Value>) -> String {
    error
        .and_then(|e| e.get("reason"))
        .and_then(Value::as_str)
        .filter(|r| {
            !r.is_empty()
                && r.len() <= MAX_REASON_LEN
                && r.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        })
        .map_or_else(|| "UNKNOWN".to_owned(), str::to_owned)
}

/// Reads VTS's answer to one call: the call's answer `R` on 2xx (an empty
/// body reads as `{}`), else the [`LifecycleError`] its status says.
pub fn read_answer<R: DeserializeOwned>(status: u16, body: &[u8]) -> Result<R, LifecycleError> {
    let parsed = serde_json::from_slice::<Value>(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("errorResponse"));
    match status {
        200..=299 if error.is_some() => Err(LifecycleError::Unreadable { status }),
        200..=299 => {
            let body: &[u8] = if body.trim_ascii().is_empty() {
                b"{}"
            } else {
                body
            };
            serde_json::from_slice(body).map_err(|_| LifecycleError::Unreadable { status })
        }
        400..=499 => {
            let reason = reason_code(error);
            if status == 404 && reason == TOKEN_NOT_FOUND {
                Err(LifecycleError::NotFound)
            } else {
                Err(LifecycleError::Refused { status, reason })
            }
        }
        500..=599 => Err(LifecycleError::Retryable {
            status: Some(status),
        }),
        _ => Err(LifecycleError::Unreadable { status }),
    }
}
