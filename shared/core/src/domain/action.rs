//! What the issuer asks of a token (activate, suspend, unsuspend, delete),
//! why, and the action left in flight when a network did not answer.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::token::{Change, LifecycleState, Suspender, TokenStatus};

/// A lifecycle action the issuer takes at the token's network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TokenAction {
    /// The call-centre path: the cardholder's identity was checked.
    Activate,
    Suspend,
    Unsuspend,
    Delete,
}

impl TokenAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activate => "ACTIVATE",
            Self::Suspend => "SUSPEND",
            Self::Unsuspend => "UNSUSPEND",
            Self::Delete => "DELETE",
        }
    }

    /// The change the network's confirmation makes to our state: the issuer
    /// suspends and lifts only its own suspension.
    pub fn change(self) -> Change {
        match self {
            Self::Activate => Change::Activate,
            Self::Suspend => Change::Suspend(Suspender::Issuer),
            Self::Unsuspend => Change::Unsuspend(Suspender::Issuer),
            Self::Delete => Change::Delete,
        }
    }

    /// Whether `state` is what this action leads to (the network applied it,
    /// whoever told us).
    pub fn is_satisfied_by(self, state: &LifecycleState) -> bool {
        match self {
            Self::Activate => state.status == TokenStatus::Active,
            Self::Suspend => {
                state.status == TokenStatus::Suspended
                    && state.suspenders.contains(&Suspender::Issuer)
            }
            Self::Unsuspend => {
                state.status != TokenStatus::Suspended
                    || !state.suspenders.contains(&Suspender::Issuer)
            }
            Self::Delete => state.status == TokenStatus::Deactivated,
        }
    }

    /// Whether the action makes sense from `state` (else 409, the network is
    /// not called).
    pub fn allowed_from(self, state: &LifecycleState) -> bool {
        match self {
            Self::Activate => state.status == TokenStatus::Inactive,
            // Another party's suspension does not stop the issuer adding its own.
            Self::Suspend => {
                state.status == TokenStatus::Active
                    || (state.status == TokenStatus::Suspended
                        && !state.suspenders.contains(&Suspender::Issuer))
            }
            Self::Unsuspend => {
                state.status == TokenStatus::Suspended
                    && state.suspenders.contains(&Suspender::Issuer)
            }
            Self::Delete => matches!(
                state.status,
                TokenStatus::Inactive | TokenStatus::Active | TokenStatus::Suspended
            ),
        }
    }
}

/// Why the issuer acts: one vocabulary, translated to each network's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionReason {
    CardholderVerified,
    CardholderRequest,
    IssuerDecision,
    SuspectedFraud,
    ConfirmedFraud,
    FraudCleared,
    DeviceLost,
    DeviceStolen,
    DeviceFound,
    AccountClosed,
    /// A card event's: the card was reported lost, stolen, blocked, unblocked.
    CardLost,
    CardStolen,
    CardBlocked,
    CardUnblocked,
    Other,
}

impl ActionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CardholderVerified => "CARDHOLDER_VERIFIED",
            Self::CardholderRequest => "CARDHOLDER_REQUEST",
            Self::IssuerDecision => "ISSUER_DECISION",
            Self::SuspectedFraud => "SUSPECTED_FRAUD",
            Self::ConfirmedFraud => "CONFIRMED_FRAUD",
            Self::FraudCleared => "FRAUD_CLEARED",
            Self::DeviceLost => "DEVICE_LOST",
            Self::DeviceStolen => "DEVICE_STOLEN",
            Self::DeviceFound => "DEVICE_FOUND",
            Self::AccountClosed => "ACCOUNT_CLOSED",
            Self::CardLost => "CARD_LOST",
            Self::CardStolen => "CARD_STOLEN",
            Self::CardBlocked => "CARD_BLOCKED",
            Self::CardUnblocked => "CARD_UNBLOCKED",
            Self::Other => "OTHER",
        }
    }
}

/// An action sent to a network that did not answer (timeout, 5xx): the
/// network may or may not have applied it. Kept on the token until a network
/// answer, notification or reconciliation settles it; never guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingAction {
    pub action: TokenAction,
    /// The id the network saw; a re-send repeats it.
    pub network_request_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    pub reason: ActionReason,
    pub operator: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn state(status: TokenStatus, suspenders: &[Suspender]) -> LifecycleState {
        LifecycleState {
            status,
            suspenders: suspenders.iter().copied().collect::<BTreeSet<_>>(),
            last_event_at: None,
        }
    }

    #[test]
    fn the_issuer_lifts_only_its_own_suspension() {
        // GIVEN a token suspended by the wallet alone
        let by_wallet = state(TokenStatus::Suspended, &[Suspender::TokenRequestor]);
        // THEN the issuer may not unsuspend it, and has nothing to lift
        assert!(!TokenAction::Unsuspend.allowed_from(&by_wallet));
        assert!(TokenAction::Unsuspend.is_satisfied_by(&by_wallet));
        // GIVEN suspended by both THEN the issuer may lift its own
        let both = state(
            TokenStatus::Suspended,
            &[Suspender::Issuer, Suspender::TokenRequestor],
        );
        assert!(TokenAction::Unsuspend.allowed_from(&both));
        assert!(!TokenAction::Unsuspend.is_satisfied_by(&both));
    }

    #[test]
    fn each_action_starts_only_where_it_makes_sense() {
        let inactive = state(TokenStatus::Inactive, &[]);
        let active = state(TokenStatus::Active, &[]);
        let deleted = state(TokenStatus::Deactivated, &[]);
        assert!(TokenAction::Activate.allowed_from(&inactive));
        assert!(!TokenAction::Activate.allowed_from(&active));
        assert!(TokenAction::Suspend.allowed_from(&active));
        assert!(!TokenAction::Suspend.allowed_from(&inactive));
        assert!(TokenAction::Delete.allowed_from(&inactive));
        assert!(!TokenAction::Delete.allowed_from(&deleted));
        assert!(!TokenAction::Delete.allowed_from(&state(TokenStatus::Declined, &[])));
    }

    #[test]
    fn a_suspension_is_satisfied_only_when_the_issuer_holds_one() {
        let by_wallet = state(TokenStatus::Suspended, &[Suspender::TokenRequestor]);
        assert!(!TokenAction::Suspend.is_satisfied_by(&by_wallet));
        let by_issuer = state(TokenStatus::Suspended, &[Suspender::Issuer]);
        assert!(TokenAction::Suspend.is_satisfied_by(&by_issuer));
        assert!(TokenAction::Delete.is_satisfied_by(&state(TokenStatus::Deactivated, &[])));
    }
}
