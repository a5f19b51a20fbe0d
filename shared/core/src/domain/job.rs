//! Jobs: one issuer request acting on many tokens (every token of a card or a
//! device, or what a card event asks of them), one item per token, each run
//! on its own and settled on its own.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::action::{ActionReason, TokenAction};
use super::card::Expiry;
use super::token::{HistoryEntry, Initiator, LifecycleState, Suspender, TokenStatus};

/// What happened to a card (the issuer's card event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CardEventKind {
    Lost,
    Stolen,
    Blocked,
    Unblocked,
    Replaced,
    Renewed,
    Closed,
}

/// What a job does to each of its tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobPlan {
    /// The same action on every token (bulk by card or device).
    Action {
        action: TokenAction,
        reason: ActionReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
        operator: String,
    },
    /// A card event, carried to each token as the policy says.
    CardEvent {
        event: CardEventKind,
        /// The action lost and stolen cards take (the policy at the time).
        lost_or_stolen: TokenAction,
        /// Who reported it (a customer-service agent); the issuer's card
        /// events are the card system's ([`CARD_EVENT_OPERATOR`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        operator: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// A replaced or renewed card: every token is mapped to the card's new
    /// PAN or expiry at its network, then moved to the new card here. The
    /// new PAN itself is never in the plan: it travels sealed with the job
    /// ([`JobRecord::sealed_card`]); the plan holds its keyed fingerprint.
    CardUpdate {
        /// `Replaced` or `Renewed`.
        event: CardEventKind,
        /// The issuer's card id, which now names the new card.
        card_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_pan_fingerprint: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_pan_last4: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_expiry: Option<Expiry>,
    },
}

/// The operator a card event's actions are recorded under.
pub const CARD_EVENT_OPERATOR: &str = "card-event";

/// One token's step of a job, decided when it runs (the token may have
/// changed since the job started).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Act {
        action: TokenAction,
        reason: ActionReason,
        comment: Option<String>,
        operator: String,
    },
    /// Nothing to do for this token (already as asked, or not ours to lift).
    Nothing,
}

/// Whether the issuer's suspension in force came from a card block: the
/// last applied line that gave the issuer a suspension says so.
fn suspended_for_block(history: &[HistoryEntry]) -> bool {
    history
        .iter()
        .rev()
        .find(|h| {
            h.applied
                && h.initiator == Initiator::Operator
                && h.to == TokenStatus::Suspended
                && h.suspenders.contains(&Suspender::Issuer)
        })
        .is_some_and(|h| h.reason_code.as_deref() == Some(ActionReason::CardBlocked.as_str()))
}

impl JobPlan {
    /// The step for a token in `state` with `history`.
    pub fn step(&self, state: &LifecycleState, history: &[HistoryEntry]) -> Step {
        let (action, reason, comment, operator) = match self {
            Self::Action {
                action,
                reason,
                comment,
                operator,
            } => (*action, *reason, comment.clone(), operator.clone()),
            Self::CardEvent {
                event,
                lost_or_stolen,
                operator,
                comment,
            } => {
                let (action, reason) = match event {
                    CardEventKind::Lost => (*lost_or_stolen, ActionReason::CardLost),
                    CardEventKind::Stolen => (*lost_or_stolen, ActionReason::CardStolen),
                    CardEventKind::Blocked => (TokenAction::Suspend, ActionReason::CardBlocked),
                    CardEventKind::Unblocked => {
                        // Only what we suspended for the block, nothing else.
                        if !suspended_for_block(history) {
                            return Step::Nothing;
                        }
                        (TokenAction::Unsuspend, ActionReason::CardUnblocked)
                    }
                    CardEventKind::Closed => (TokenAction::Delete, ActionReason::AccountClosed),
                    // Card updates are their own plan (`CardUpdate`).
                    CardEventKind::Replaced | CardEventKind::Renewed => return Step::Nothing,
                };
                (
                    action,
                    reason,
                    comment.clone(),
                    operator
                        .clone()
                        .unwrap_or_else(|| CARD_EVENT_OPERATOR.to_owned()),
                )
            }
            // Not a lifecycle action: the jobs use case maps the token itself.
            Self::CardUpdate { .. } => return Step::Nothing,
        };
        if action.allowed_from(state) {
            Step::Act {
                action,
                reason,
                comment,
                operator,
            }
        } else {
            Step::Nothing
        }
    }
}

/// How one item ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemState {
    /// Not settled yet.
    Queued,
    /// Done at the network, or nothing to do.
    Succeeded,
    Failed,
}

/// Why an item failed (for the issuer; never card data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemFailure {
    /// The network refused the action.
    NetworkRefused,
    /// The network did not answer after every retry; the action stays
    /// pending on the token for reconciliation.
    NetworkUnavailable,
    /// The token's state does not allow the action.
    NotAllowed,
    /// The token no longer exists.
    UnknownToken,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobItem {
    pub token_ref: String,
    pub state: ItemState,
    /// Whether the network confirmed (absent when nothing was sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<ItemFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub job_id: String,
    pub client_id: String,
    pub plan: JobPlan,
    pub created_at: OffsetDateTime,
    pub items: Vec<JobItem>,
    /// A card update's new PAN, sealed under the data-sealing key and bound
    /// to the job (never queued, never in the plan).
    pub sealed_card: Option<Vec<u8>>,
}

/// The history reason of a card update.
pub fn card_update_reason(event: CardEventKind) -> &'static str {
    match event {
        CardEventKind::Replaced => "CARD_REPLACED",
        _ => "CARD_RENEWED",
    }
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

    fn suspension(reason: ActionReason) -> HistoryEntry {
        HistoryEntry {
            at: OffsetDateTime::UNIX_EPOCH,
            operation: "tmp.suspendToken".into(),
            initiator: Initiator::Operator,
            reason_code: Some(reason.as_str().into()),
            source_request_id: "r".into(),
            from: Some(TokenStatus::Active),
            to: TokenStatus::Suspended,
            suspenders: [Suspender::Issuer].into_iter().collect(),
            applied: true,
            event_time: None,
            comment: None,
            operator: None,
        }
    }

    fn event(event: CardEventKind) -> JobPlan {
        JobPlan::CardEvent {
            event,
            lost_or_stolen: TokenAction::Delete,
            operator: None,
            comment: None,
        }
    }

    #[test]
    fn an_unblocked_card_lifts_only_the_suspensions_of_its_block() {
        // GIVEN two suspended tokens: one for the card block, one for fraud
        let suspended = state(TokenStatus::Suspended, &[Suspender::Issuer]);
        let for_block = [suspension(ActionReason::CardBlocked)];
        let for_fraud = [suspension(ActionReason::SuspectedFraud)];
        // WHEN the card is unblocked THEN only the first is unsuspended
        assert!(matches!(
            event(CardEventKind::Unblocked).step(&suspended, &for_block),
            Step::Act {
                action: TokenAction::Unsuspend,
                ..
            }
        ));
        assert_eq!(
            event(CardEventKind::Unblocked).step(&suspended, &for_fraud),
            Step::Nothing
        );
    }

    #[test]
    fn lost_and_closed_cards_follow_the_policy_and_skip_what_is_done() {
        let active = state(TokenStatus::Active, &[]);
        let deleted = state(TokenStatus::Deactivated, &[]);
        assert!(matches!(
            event(CardEventKind::Lost).step(&active, &[]),
            Step::Act {
                action: TokenAction::Delete,
                reason: ActionReason::CardLost,
                ..
            }
        ));
        let suspend_policy = JobPlan::CardEvent {
            event: CardEventKind::Stolen,
            lost_or_stolen: TokenAction::Suspend,
            operator: None,
            comment: None,
        };
        assert!(matches!(
            suspend_policy.step(&active, &[]),
            Step::Act {
                action: TokenAction::Suspend,
                ..
            }
        ));
        assert_eq!(
            event(CardEventKind::Closed).step(&deleted, &[]),
            Step::Nothing
        );
        // A token the wallet suspended gets the issuer's suspension too
        let by_wallet = state(TokenStatus::Suspended, &[Suspender::TokenRequestor]);
        assert!(matches!(
            event(CardEventKind::Blocked).step(&by_wallet, &[]),
            Step::Act {
                action: TokenAction::Suspend,
                ..
            }
        ));
    }
}
