//! `POST /token/suspend` (MDES Customer Service 2.0.7). Suspenders stack:
//! the token is active again only once every suspender has unsuspended.

use serde::{Deserialize, Serialize};

use super::{AuditInfo, operation, token::SimpleTokenResponse};

/// Why the issuer suspends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuspendReason {
    /// Cardholder reported the token device lost.
    #[serde(rename = "L")]
    DeviceLost,
    /// Cardholder reported the token device stolen.
    #[serde(rename = "S")]
    DeviceStolen,
    /// Issuer or cardholder reported fraudulent token transactions.
    #[serde(rename = "T")]
    FraudReported,
    #[serde(rename = "Z")]
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenSuspendRequest {
    /// 9 to 48 characters.
    pub token_unique_reference: String,
    pub reason_code: SuspendReason,
    /// At most 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_text: Option<String>,
    pub audit_info: AuditInfo,
}

/// `{"TokenSuspendRequest": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSuspendRequestSchema {
    #[serde(rename = "TokenSuspendRequest")]
    pub request: TokenSuspendRequest,
}

/// `{"TokenSuspendResponse": {"Token": {…}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSuspendResponseSchema {
    #[serde(rename = "TokenSuspendResponse")]
    pub response: SimpleTokenResponse,
}

operation!(
    TokenSuspendRequestSchema,
    "/token/suspend",
    TokenSuspendResponseSchema
);
