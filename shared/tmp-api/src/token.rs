//! A token as the issuer sees it: the summary a search lists and the details
//! `GET /tokens/{tokenId}` and every action answer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tmp_core::domain::{network, token};

use crate::ids::{CardId, TokenId, TokenReference, TokenRequestorId};

/// The card network, under the issuer's names (the core stores `MDES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Network {
    Mastercard,
    Visa,
}

impl From<network::Network> for Network {
    fn from(value: network::Network) -> Self {
        match value {
            network::Network::Mastercard => Self::Mastercard,
            network::Network::Visa => Self::Visa,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TokenStatus {
    Inactive,
    Active,
    Suspended,
    Deactivated,
    Declined,
}

impl From<token::TokenStatus> for TokenStatus {
    fn from(value: token::TokenStatus) -> Self {
        match value {
            token::TokenStatus::Inactive => Self::Inactive,
            token::TokenStatus::Active => Self::Active,
            token::TokenStatus::Suspended => Self::Suspended,
            token::TokenStatus::Deactivated => Self::Deactivated,
            token::TokenStatus::Declined => Self::Declined,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Suspender {
    Issuer,
    TokenRequestor,
    Cardholder,
    MobilePinLocked,
    PaymentAppProvider,
    Network,
}

impl From<token::Suspender> for Suspender {
    fn from(value: token::Suspender) -> Self {
        match value {
            token::Suspender::Issuer => Self::Issuer,
            token::Suspender::TokenRequestor => Self::TokenRequestor,
            token::Suspender::Cardholder => Self::Cardholder,
            token::Suspender::MobilePinLocked => Self::MobilePinLocked,
            token::Suspender::PaymentAppProvider => Self::PaymentAppProvider,
            token::Suspender::Network => Self::Network,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Initiator {
    Tsp,
    Wallet,
    Issuer,
    Cardholder,
    Operator,
    Job,
    Reconciliation,
}

impl From<token::Initiator> for Initiator {
    fn from(value: token::Initiator) -> Self {
        match value {
            token::Initiator::Tsp => Self::Tsp,
            token::Initiator::Wallet => Self::Wallet,
            token::Initiator::Issuer => Self::Issuer,
            token::Initiator::Cardholder => Self::Cardholder,
            token::Initiator::Operator => Self::Operator,
            token::Initiator::Job => Self::Job,
            token::Initiator::Reconciliation => Self::Reconciliation,
        }
    }
}

/// The device a token lives on, as far as the network told us.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
}

/// The fields a search lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSummary {
    pub token_id: TokenId,
    pub network: Network,
    pub token_reference: TokenReference,
    pub status: TokenStatus,
    /// Who holds a suspension; empty unless `SUSPENDED`.
    pub suspended_by: Vec<Suspender>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_requestor_id: Option<TokenRequestorId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wallet_id: Option<String>,
    /// The wallet its token requestor or wallet id names (`OTHER` if none).
    pub wallet: tmp_core::domain::wallet::Wallet,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_id: Option<CardId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pan_last4: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// One line of the status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub status: TokenStatus,
    pub initiator: Initiator,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub event_time: OffsetDateTime,
    /// False when the message was older than the state and not applied.
    pub applied: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DecisionOutcome {
    Approved,
    RequireAdditionalAuthentication,
    Declined,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleVerdict {
    Pass,
    NotEvaluated,
    Decline,
    Authenticate,
    Approve,
}

/// One rule of the tokenization decision, with what it looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleResult {
    pub rule: String,
    pub inputs: BTreeMap<String, String>,
    pub verdict: RuleVerdict,
}

/// The tokenization decision and every rule's inputs and verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenDecision {
    pub decision: DecisionOutcome,
    pub decided_by: String,
    pub rules: Vec<RuleResult>,
}

/// What the four lifecycle actions ask a network for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LifecycleAction {
    Activate,
    Suspend,
    Unsuspend,
    Delete,
}

impl LifecycleAction {
    /// The action from its path segment (`activate` …).
    pub fn from_path(segment: &str) -> Option<Self> {
        match segment {
            "activate" => Some(Self::Activate),
            "suspend" => Some(Self::Suspend),
            "unsuspend" => Some(Self::Unsuspend),
            "delete" => Some(Self::Delete),
            _ => None,
        }
    }
}

/// A network call still in flight for this token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingNetworkAction {
    pub action: LifecycleAction,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
}

/// `GET /tokens/{tokenId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenDetails {
    #[serde(flatten)]
    pub summary: TokenSummary,
    pub history: Vec<HistoryEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<TokenDecision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_network_action: Option<PendingNetworkAction>,
}

/// Whether the network confirmed an action or it is still in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NetworkStatus {
    Confirmed,
    Pending,
}

/// The answer of the four lifecycle actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenActionResponse {
    #[serde(flatten)]
    pub token: TokenDetails,
    pub network_status: NetworkStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_names_become_the_issuer_names() {
        // GIVEN the core's Mastercard, stored as MDES
        let network: Network = network::Network::Mastercard.into();
        // THEN the issuer sees MASTERCARD
        assert_eq!(serde_json::to_value(network).unwrap(), "MASTERCARD");
        assert_eq!(
            serde_json::to_value(TokenStatus::from(token::TokenStatus::Deactivated)).unwrap(),
            "DEACTIVATED"
        );
        assert_eq!(
            serde_json::to_value(Suspender::from(token::Suspender::MobilePinLocked)).unwrap(),
            "MOBILE_PIN_LOCKED"
        );
        assert_eq!(
            serde_json::to_value(Initiator::from(token::Initiator::Operator)).unwrap(),
            "OPERATOR"
        );
    }

    #[test]
    fn actions_come_from_their_path_segment() {
        assert_eq!(
            LifecycleAction::from_path("unsuspend"),
            Some(LifecycleAction::Unsuspend)
        );
        assert_eq!(LifecycleAction::from_path("SUSPEND"), None);
        assert_eq!(LifecycleAction::from_path("close"), None);
    }
}
