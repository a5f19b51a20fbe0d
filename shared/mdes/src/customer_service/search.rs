//! `POST /search` (MDES Customer Service 2.0.7): the tokens of an account,
//! by exactly one criterion. Only current vault values match (a replaced
//! PAN finds nothing).

use serde::{Deserialize, Serialize};

use super::{AuditInfo, operation, token::Token};

/// The one search criterion the spec allows per request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub enum SearchCriterion {
    /// 9 to 19 digits.
    AccountPan(String),
    TokenUniqueReference(String),
    /// 9 to 19 digits.
    Token(String),
    PaymentAppInstanceId(String),
    CommentId(String),
    /// 9 to 64 characters, no spaces.
    AlternateAccountIdentifier(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SearchRequest {
    #[serde(flatten)]
    pub criterion: SearchCriterion,
    /// Deleted tokens are included when absent.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "super::flag")]
    pub exclude_deleted_indicator: Option<bool>,
    pub audit_info: AuditInfo,
}

/// `{"SearchRequest": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequestSchema {
    #[serde(rename = "SearchRequest")]
    pub request: SearchRequest,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tokens {
    #[serde(default)]
    pub token: Vec<Token>,
}

/// An account and its tokens; only suffixes of the PAN and identifier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Account {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_pan_suffix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_account_identifier_suffix: Option<String>,
    /// `MMYY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    #[serde(default)]
    pub tokens: Tokens,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Accounts {
    #[serde(default)]
    pub account: Vec<Account>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SearchResponse {
    #[serde(default)]
    pub accounts: Accounts,
}

/// `{"SearchResponse": {"Accounts": {"Account": […]}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResponseSchema {
    #[serde(rename = "SearchResponse")]
    pub response: SearchResponse,
}

operation!(SearchRequestSchema, "/search", SearchResponseSchema);
