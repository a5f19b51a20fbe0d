//! `POST /token/activate` (MDES Customer Service 2.0.7): activates a
//! provisioned token awaiting cardholder authentication.

use serde::{Deserialize, Serialize};

use super::{AuditInfo, operation, token::SimpleTokenResponse};

/// How the cardholder was authenticated before activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivateReason {
    /// In the issuer's mobile app.
    #[serde(rename = "A")]
    AuthenticatedInApp,
    /// With a customer service agent.
    #[serde(rename = "C")]
    AuthenticatedByAgent,
}

/// Which token: by reference, or by Account PAN and Payment App instance.
/// The spec forbids mixing the two, so the type cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ActivateTarget {
    #[serde(rename_all = "PascalCase")]
    Token { token_unique_reference: String },
    #[serde(rename_all = "PascalCase")]
    AccountAndApp {
        account_pan: String,
        payment_app_instance_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenActivateRequest {
    #[serde(flatten)]
    pub target: ActivateTarget,
    pub reason_code: ActivateReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_text: Option<String>,
    pub audit_info: AuditInfo,
}

/// `{"TokenActivateRequest": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenActivateRequestSchema {
    #[serde(rename = "TokenActivateRequest")]
    pub request: TokenActivateRequest,
}

/// `{"TokenActivateResponse": {"Token": {…}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenActivateResponseSchema {
    #[serde(rename = "TokenActivateResponse")]
    pub response: SimpleTokenResponse,
}

operation!(
    TokenActivateRequestSchema,
    "/token/activate",
    TokenActivateResponseSchema
);
