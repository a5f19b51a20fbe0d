//! Token events: every state change is published once on the token-events
//! topic as this versioned JSON document. `eventId` lets every subscriber
//! (the issuer's webhook above all) apply an event exactly once.

use serde::{Deserialize, Serialize};

pub const TOKEN_EVENT_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TokenEventType {
    /// authorizeService answered APPROVED / REQUIRE_ADDITIONAL_AUTHENTICATION.
    TokenAuthorized,
    /// An activation code was issued or handed to a delivery channel.
    ActivationCodeRequested,
    /// The cardholder entered a correct code (validateActivationCode SUCCESS).
    ActivationCodeValidated,
    /// notifyServiceActivated: the token is provisioned and ACTIVE ("card added to wallet").
    TokenActivated,
    /// Status change from notifyTokenUpdated or the lifecycle API.
    TokenStatusChanged,
    /// The token was deleted (DEACTIVATED): "card removed from wallet".
    TokenDeleted,
    /// Redigitization or funding-account update.
    TokenUpdated,
    /// notifySuspiciousEvents.
    SuspiciousActivity,
}

/// The published event. No PAN, token number, code, phone or e-mail: only
/// references, last 4 digits and statuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenEvent {
    pub event_id: String,
    pub event_type: TokenEventType,
    pub schema_version: u32,
    /// When the change happened (RFC 3339, UTC).
    pub occurred_at: String,
    /// `MDES` (Mastercard) or `VISA`.
    pub network: crate::domain::Network,
    pub token_unique_reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pan_unique_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pan_last4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_requestor_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wallet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<crate::domain::token::TokenStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_status: Option<crate::domain::token::TokenStatus>,
    /// Who caused it: TSP, WALLET, ISSUER, CARDHOLDER, OPERATOR, JOB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiator: Option<crate::domain::token::Initiator>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// The network message that caused it (MDES requestId).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_request_id: Option<String>,
    /// ISO-639-1 language of the cardholder, when the wallet told us.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Event-type specific, never card data.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
}
