//! The `Token` object and its codes (MDES Customer Service 2.0.7), and the
//! short token answers of the lifecycle calls.

use serde::{Deserialize, Serialize};

/// `CurrentStatusCode` / `StatusCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenStatusCode {
    /// Not yet linked to the Account PAN: tokenization in progress.
    #[serde(rename = "U")]
    Unmapped,
    #[serde(rename = "A")]
    Active,
    #[serde(rename = "S")]
    Suspended,
    /// Logically deleted, still linked for post-authorization processing.
    #[serde(rename = "D")]
    Deleted,
}

/// A `Suspender` and a status history `Initiator`: the same five parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Party {
    #[serde(rename = "I")]
    Issuer,
    /// Token requestor, including the wallet provider.
    #[serde(rename = "W")]
    TokenRequestor,
    #[serde(rename = "C")]
    Cardholder,
    #[serde(rename = "P")]
    MobilePinValidation,
    #[serde(rename = "M")]
    MobilePinChangeValidation,
}

/// `ProvisioningStatusCode` (no order of transitions is implied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProvisioningStatusCode {
    #[serde(rename = "P")]
    Preparing,
    #[serde(rename = "T")]
    AwaitingTermsAndConditions,
    #[serde(rename = "D")]
    Delivering,
    #[serde(rename = "A")]
    AwaitingActivation,
    #[serde(rename = "S")]
    Successful,
    #[serde(rename = "F")]
    Failed,
}

/// `FinalTokenizationDecision` (archived after a year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FinalTokenizationDecision {
    #[serde(rename = "A")]
    Approved,
    #[serde(rename = "D")]
    Declined,
    /// Approved, with authentication required before activation.
    #[serde(rename = "R")]
    ApprovedWithAuthentication,
}

/// `TokenType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TokenType {
    #[serde(rename = "S")]
    EmbeddedSecureElement,
    #[serde(rename = "C")]
    CloudBased,
    /// Deprecated by the spec.
    #[serde(rename = "F")]
    Static,
}

/// `StorageTechnology`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StorageTechnology {
    #[serde(rename = "D")]
    DeviceMemory,
    #[serde(rename = "P")]
    DeviceMemoryTpm,
    #[serde(rename = "H")]
    Server,
    #[serde(rename = "E")]
    TrustedExecutionEnvironment,
    #[serde(rename = "S")]
    SecureElement,
    #[serde(rename = "V")]
    VirtualExecutionEnvironment,
}

/// `Suspenders`: present only while the token is suspended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Suspenders {
    #[serde(default)]
    pub suspender: Vec<Party>,
}

/// `Device` (absent for card-on-file tokens).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Device {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// Two digits, e.g. `"09"` phone with fixed SE, `"14"` phone with HCE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_element_id: Option<String>,
}

/// The spec's `Token` (search results). Every field is conditional; times
/// are ISO 8601 strings as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Token {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_unique_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_account_number_unique_reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_suffix: Option<String>,
    /// `MMYY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_pan_sequence_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digitization_request_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_activated_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_code_expiration_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_tokenization_decision: Option<FinalTokenizationDecision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_status_code: Option<TokenStatusCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_status_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_status_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspenders: Option<Suspenders>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_status_code: Option<ProvisioningStatusCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_status_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_requestor_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_requestor_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_requestor_consumer_facing_entity_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_app_instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<TokenType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_technology: Option<StorageTechnology>,
    /// `0` not authenticated, non-zero authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_assurance_level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_comment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    /// A soft delete by the token requestor; the status is unaffected.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "super::flag")]
    pub token_deleted_from_consumer_app: Option<bool>,
}

/// `SimpleTokenCommentResponse`: the token acted on and the comment added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TokenReference {
    pub token_unique_reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_id: Option<String>,
}

/// `SimpleTokenResponse`: the answer body of suspend, unsuspend, delete and activate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SimpleTokenResponse {
    pub token: TokenReference,
}
