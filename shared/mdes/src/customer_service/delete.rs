//! `POST /token/delete` (MDES Customer Service 2.0.7): irreversible.

use serde::{Deserialize, Serialize};

use super::{AuditInfo, operation, token::SimpleTokenResponse};

/// Why the issuer deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeleteReason {
    /// Cardholder confirmed the token device lost.
    #[serde(rename = "L")]
    DeviceLost,
    /// Cardholder confirmed the token device stolen.
    #[serde(rename = "S")]
    DeviceStolen,
    /// Fraud confirmed: deprecated by the spec in favour of `T`; kept to read history.
    #[serde(rename = "F")]
    FraudConfirmedDeprecated,
    /// Issuer or cardholder confirmed fraudulent token transactions.
    #[serde(rename = "T")]
    FraudConfirmed,
    #[serde(rename = "C")]
    AccountClosed,
    #[serde(rename = "Z")]
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenDeleteRequest {
    pub token_unique_reference: String,
    pub reason_code: DeleteReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_text: Option<String>,
    pub audit_info: AuditInfo,
}

/// `{"TokenDeleteRequest": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenDeleteRequestSchema {
    #[serde(rename = "TokenDeleteRequest")]
    pub request: TokenDeleteRequest,
}

/// `{"TokenDeleteResponse": {"Token": {…}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenDeleteResponseSchema {
    #[serde(rename = "TokenDeleteResponse")]
    pub response: SimpleTokenResponse,
}

operation!(
    TokenDeleteRequestSchema,
    "/token/delete",
    TokenDeleteResponseSchema
);
