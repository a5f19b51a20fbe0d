//! `POST /token/update` (MDES Customer Service 2.0.7): re-maps the Account
//! PAN data of one token, or of every token of an Account PAN, or changes
//! their product configuration. Only ACTIVE and SUSPENDED tokens change.

use serde::{Deserialize, Serialize};

use super::{AuditInfo, operation, token::TokenReference};

/// One token by reference, or every token mapped to an Account PAN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UpdateTarget {
    #[serde(rename_all = "PascalCase")]
    Token { token_unique_reference: String },
    #[serde(rename_all = "PascalCase")]
    AccountPan { current_account_pan: String },
}

/// What changes. The spec forbids a product configuration together with
/// any PAN mapping field, so the type cannot hold both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TokenUpdate {
    #[serde(rename_all = "PascalCase")]
    ProductConfiguration {
        /// At most 10 characters.
        issuer_product_configuration_id: String,
    },
    /// Any combination; only what is present is updated. The new PAN must
    /// be in the same account range.
    #[serde(rename_all = "PascalCase")]
    AccountMapping {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_account_pan: Option<String>,
        /// `MMYY`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expiration_date: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account_pan_sequence_number: Option<String>,
    },
}

/// `UpdateWalletProviderIndicator`; MDES assumes `1` when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpdateWalletProvider {
    #[serde(rename = "0")]
    Pass,
    #[serde(rename = "1")]
    DoNotPass,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenUpdateRequest {
    #[serde(flatten)]
    pub target: UpdateTarget,
    #[serde(flatten)]
    pub update: TokenUpdate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_wallet_provider_indicator: Option<UpdateWalletProvider>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_text: Option<String>,
    pub audit_info: AuditInfo,
}

/// `{"TokenUpdateRequest": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUpdateRequestSchema {
    #[serde(rename = "TokenUpdateRequest")]
    pub request: TokenUpdateRequest,
}

/// `TokenUpdateTokens`: every token updated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdatedTokens {
    #[serde(default)]
    pub token: Vec<TokenReference>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenUpdateResponse {
    #[serde(default)]
    pub tokens: UpdatedTokens,
}

/// `{"TokenUpdateResponse": {"Tokens": {"Token": […]}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUpdateResponseSchema {
    #[serde(rename = "TokenUpdateResponse")]
    pub response: TokenUpdateResponse,
}

operation!(
    TokenUpdateRequestSchema,
    "/token/update",
    TokenUpdateResponseSchema
);
