//! `POST rsrv_VNTSTokenUpdateService/LifeCycle/v1`: one action on one token.

use serde::{Deserialize, Serialize};

/// What the request does (`messageReasonCode`, a string on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MessageReasonCode {
    #[serde(rename = "3701")]
    Delete,
    #[serde(rename = "3702")]
    Suspend,
    #[serde(rename = "3703")]
    Resume,
    /// With `activationCode` when the cardholder was given one.
    #[serde(rename = "3713")]
    Activate,
    /// The card's new expiry, in `cardholderInfo`.
    #[serde(rename = "3720")]
    ExpiryUpdate,
    /// The card's new PAN, in `cardholderInfo`.
    #[serde(rename = "3721")]
    PanUpdate,
}

impl MessageReasonCode {
    pub const ALL: [Self; 6] = [
        Self::Delete,
        Self::Suspend,
        Self::Resume,
        Self::Activate,
        Self::ExpiryUpdate,
        Self::PanUpdate,
    ];

    /// The code as it travels.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delete => "3701",
            Self::Suspend => "3702",
            Self::Resume => "3703",
            Self::Activate => "3713",
            Self::ExpiryUpdate => "3720",
            Self::PanUpdate => "3721",
        }
    }

    /// `DELETE` for a deletion, `UPDATE` for everything else.
    pub fn operation_type(self) -> OperationType {
        match self {
            Self::Delete => OperationType::Delete,
            _ => OperationType::Update,
        }
    }
}

/// `operationType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OperationType {
    Update,
    Delete,
}

/// `cardholderInfo` of an update: the new expiry or PAN, encrypted for Visa.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleCardholderInfo {
    pub encrypted_data: String,
}

/// The lifecycle request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleRequest {
    /// Our stable id of the action (at most 36 characters): a retry repeats it.
    #[serde(rename = "requestID")]
    pub request_id: String,
    /// Who at the issuer asked (at most 64 characters).
    #[serde(rename = "operatorID")]
    pub operator_id: String,
    pub message_reason_code: MessageReasonCode,
    /// At most 64 characters.
    #[serde(rename = "tokenReferenceID")]
    pub token_reference_id: String,
    /// 11 digits.
    #[serde(rename = "tokenRequestorID")]
    pub token_requestor_id: String,
    #[serde(
        rename = "panReferenceID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pan_reference_id: Option<String>,
    /// Free text, at most 256 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_reason: Option<String>,
    /// Only with [`MessageReasonCode::Activate`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_code: Option<String>,
    pub operation_type: OperationType,
    /// Only with the updates (3720, 3721).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cardholder_info: Option<LifecycleCardholderInfo>,
}

/// The answer to a lifecycle request (HTTP 200); only `requestID` is read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleResponse {
    #[serde(rename = "requestID", default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}
