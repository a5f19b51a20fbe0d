//! `POST /token/statushistory` (MDES Customer Service 2.0.7): a token's
//! statuses, newest first in the spec's sample.

use serde::{Deserialize, Serialize};

use super::{
    AuditInfo, operation,
    token::{Party, TokenStatusCode},
};

/// The YAML does not require `AuditInfo` here; we always send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenStatusHistoryRequest {
    pub token_unique_reference: String,
    pub audit_info: AuditInfo,
}

/// `{"TokenStatusHistoryRequest": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenStatusHistoryRequestSchema {
    #[serde(rename = "TokenStatusHistoryRequest")]
    pub request: TokenStatusHistoryRequest,
}

/// One status change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Status {
    pub status_code: TokenStatusCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_description: Option<String>,
    /// ISO 8601, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiator: Option<Party>,
    /// One letter whose meaning depends on the change (`C` is "agent
    /// authenticated" on activation but "account closed" on deletion), so
    /// it stays text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_info: Option<AuditInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statuses {
    #[serde(default)]
    pub status: Vec<Status>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenStatusHistoryResponse {
    #[serde(default)]
    pub statuses: Statuses,
}

/// `{"TokenStatusHistoryResponse": {"Statuses": {"Status": […]}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenStatusHistoryResponseSchema {
    #[serde(rename = "TokenStatusHistoryResponse")]
    pub response: TokenStatusHistoryResponse,
}

operation!(
    TokenStatusHistoryRequestSchema,
    "/token/statushistory",
    TokenStatusHistoryResponseSchema
);
