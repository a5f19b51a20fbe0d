//! `POST /token/unsuspend` (MDES Customer Service 2.0.7): removes the
//! issuer's own suspension only.

use serde::{Deserialize, Serialize};

use super::{AuditInfo, operation, token::SimpleTokenResponse};

/// Why the issuer unsuspends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnsuspendReason {
    /// Cardholder reported the token device found or not stolen.
    #[serde(rename = "F")]
    DeviceFound,
    /// Issuer or cardholder confirmed no fraudulent token transactions.
    #[serde(rename = "T")]
    NoFraud,
    #[serde(rename = "Z")]
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenUnsuspendRequest {
    pub token_unique_reference: String,
    pub reason_code: UnsuspendReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_text: Option<String>,
    pub audit_info: AuditInfo,
}

/// `{"TokenUnsuspendRequest": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUnsuspendRequestSchema {
    #[serde(rename = "TokenUnsuspendRequest")]
    pub request: TokenUnsuspendRequest,
}

/// `{"TokenUnsuspendResponse": {"Token": {…}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUnsuspendResponseSchema {
    #[serde(rename = "TokenUnsuspendResponse")]
    pub response: SimpleTokenResponse,
}

operation!(
    TokenUnsuspendRequestSchema,
    "/token/unsuspend",
    TokenUnsuspendResponseSchema
);
