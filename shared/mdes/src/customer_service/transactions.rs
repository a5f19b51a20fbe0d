//! `POST /transactions` (MDES Customer Service 2.0.7): a token's
//! transactions of the last 30 days (not for static card-on-file tokens).

use serde::{Deserialize, Serialize};

use super::{AuditInfo, operation};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactionsRequest {
    pub token_unique_reference: String,
    pub audit_info: AuditInfo,
}

/// `{"TransactionsRequest": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionsRequestSchema {
    #[serde(rename = "TransactionsRequest")]
    pub request: TransactionsRequest,
}

/// One transaction, every field as MDES sends it. The type and status code
/// lists (`PURCH`, `REFND`…, `AUTH`, `COMP`…) are informational, so text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transaction {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_date_time: Option<String>,
    /// ISO 4217 alphabetic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    /// Decimal text, negative for refunds (`"-16.30"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_amount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_type_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_type_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_status_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_category_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_category_description: Option<String>,
    #[serde(
        default,
        rename = "POSEntryMode",
        skip_serializing_if = "Option::is_none"
    )]
    pub pos_entry_mode: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transactions {
    #[serde(default)]
    pub transaction: Vec<Transaction>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactionsResponse {
    #[serde(default)]
    pub transactions: Transactions,
}

/// `{"TransactionsResponse": {"Transactions": {"Transaction": […]}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionsResponseSchema {
    #[serde(rename = "TransactionsResponse")]
    pub response: TransactionsResponse,
}

operation!(
    TransactionsRequestSchema,
    "/transactions",
    TransactionsResponseSchema
);
