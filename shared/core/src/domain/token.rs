//! The token lifecycle, one state machine for MDES and VTS: states, who may
//! move a token where, the multi-suspender rule, and message ordering.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Token states (MDES/VTS names), plus `DECLINED`: tokenization we refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TokenStatus {
    /// Provisioned or being provisioned, not yet usable (awaiting activation).
    Inactive,
    Active,
    Suspended,
    /// Deleted: terminal.
    Deactivated,
    Declined,
}

impl TokenStatus {
    /// Counted against the card's live-token limit.
    pub fn is_live(self) -> bool {
        !matches!(self, Self::Deactivated | Self::Declined)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inactive => "INACTIVE",
            Self::Active => "ACTIVE",
            Self::Suspended => "SUSPENDED",
            Self::Deactivated => "DEACTIVATED",
            Self::Declined => "DECLINED",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::Inactive,
            Self::Active,
            Self::Suspended,
            Self::Deactivated,
            Self::Declined,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// Who holds a suspension (MDES `suspendedBy`). A token is active again only
/// when every suspender has lifted its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Suspender {
    Issuer,
    TokenRequestor,
    Cardholder,
    MobilePinLocked,
    PaymentAppProvider,
    /// The network, without saying on whose behalf (Visa's status updates).
    Network,
}

/// Who initiated a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Initiator {
    Tsp,
    Wallet,
    Issuer,
    Cardholder,
    Operator,
    Job,
    /// Our reconciliation with the network's state (drift repaired, a
    /// pending action settled).
    Reconciliation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleState {
    pub status: TokenStatus,
    pub suspenders: BTreeSet<Suspender>,
    /// Time of the newest message applied; older ones never overwrite state.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_event_at: Option<OffsetDateTime>,
}

/// What a message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Provisioning complete (notifyServiceActivated).
    Activate,
    /// The network's view of the token (notifyTokenUpdated STATUS_UPDATE).
    SetStatus {
        status: TokenStatus,
        suspended_by: BTreeSet<Suspender>,
    },
    /// A network's status that does not say who suspended (Visa's notices):
    /// a token already suspended keeps its suspenders, one newly suspended is
    /// the network's.
    NetworkStatus(TokenStatus),
    /// One suspender suspends (lifecycle API).
    Suspend(Suspender),
    /// One suspender lifts its suspension.
    Unsuspend(Suspender),
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// State moved (possibly to the same status with other suspenders).
    Changed {
        from: LifecycleState,
        to: LifecycleState,
    },
    /// Nothing to change (already in that state); time still advances.
    Unchanged { state: LifecycleState },
    /// Older than what was already applied: kept in history, state untouched.
    Stale,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("token is {from:?}: cannot {change}")]
    NotAllowed {
        from: TokenStatus,
        change: &'static str,
    },
}

/// Applies `change`, made at `at`, to `state`.
pub fn apply(
    state: &LifecycleState,
    change: &Change,
    at: OffsetDateTime,
) -> Result<Applied, TransitionError> {
    if state.last_event_at.is_some_and(|last| at < last) {
        return Ok(Applied::Stale);
    }
    let not_allowed = |change| {
        Err(TransitionError::NotAllowed {
            from: state.status,
            change,
        })
    };
    let mut next = state.clone();
    next.last_event_at = Some(at);
    match change {
        // Terminal: a deleted token stays deleted, and a refused tokenization
        // never becomes a token. Whatever a network later says of either is
        // recorded, not applied (a deletion is simply already true).
        _ if matches!(
            state.status,
            TokenStatus::Deactivated | TokenStatus::Declined
        ) =>
        {
            return match change {
                Change::Delete
                | Change::NetworkStatus(TokenStatus::Deactivated)
                | Change::SetStatus {
                    status: TokenStatus::Deactivated,
                    ..
                } => Ok(Applied::Unchanged {
                    state: state.clone(),
                }),
                _ if state.status == TokenStatus::Declined => {
                    not_allowed("change a declined token")
                }
                _ => not_allowed("change a deleted token"),
            };
        }
        Change::Activate => {
            if state.status == TokenStatus::Suspended {
                return not_allowed("activate a suspended token");
            }
            next.status = TokenStatus::Active;
            next.suspenders.clear();
        }
        Change::SetStatus {
            status,
            suspended_by,
        } => {
            next.status = *status;
            next.suspenders = if *status == TokenStatus::Suspended {
                suspended_by.clone()
            } else {
                BTreeSet::new()
            };
        }
        Change::NetworkStatus(status) => {
            next.status = *status;
            next.suspenders = match status {
                TokenStatus::Suspended if state.status == TokenStatus::Suspended => {
                    state.suspenders.clone()
                }
                TokenStatus::Suspended => [Suspender::Network].into_iter().collect(),
                _ => BTreeSet::new(),
            };
        }
        Change::Suspend(by) => {
            if !matches!(state.status, TokenStatus::Active | TokenStatus::Suspended) {
                return not_allowed("suspend a token that is not active");
            }
            next.status = TokenStatus::Suspended;
            next.suspenders.insert(*by);
        }
        Change::Unsuspend(by) => {
            if state.status != TokenStatus::Suspended {
                return not_allowed("unsuspend a token that is not suspended");
            }
            next.suspenders.remove(by);
            if next.suspenders.is_empty() {
                next.status = TokenStatus::Active;
            }
        }
        Change::Delete => {
            next.status = TokenStatus::Deactivated;
            next.suspenders.clear();
        }
    }
    if next.status == state.status && next.suspenders == state.suspenders {
        Ok(Applied::Unchanged { state: next })
    } else {
        Ok(Applied::Changed {
            from: state.clone(),
            to: next,
        })
    }
}

/// One line of a token's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The operation that carried the message (`notifyTokenUpdated` …).
    pub operation: String,
    pub initiator: Initiator,
    pub reason_code: Option<String>,
    /// The message that caused it (MDES requestId).
    pub source_request_id: String,
    pub from: Option<TokenStatus>,
    pub to: TokenStatus,
    pub suspenders: BTreeSet<Suspender>,
    /// False when the message was older than the state and was not applied.
    pub applied: bool,
    /// When the network says the change happened (recorded, never used to
    /// order: `at`, our arrival time, orders every message alike).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub event_time: Option<OffsetDateTime>,
    /// The issuer's words for an action it took (never card data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Who in the issuer's back office took it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
}

/// How far ahead of our clock a network's timestamp may be (clock skew).
pub const MAX_EVENT_TIME_SKEW: time::Duration = time::Duration::minutes(5);

/// A network's timestamp, unless it is further ahead of `now` than clocks drift.
pub fn plausible_event_time(at: OffsetDateTime, now: OffsetDateTime) -> Option<OffsetDateTime> {
    (at <= now + MAX_EVENT_TIME_SKEW).then_some(at)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn state(status: TokenStatus, suspenders: &[Suspender]) -> LifecycleState {
        LifecycleState {
            status,
            suspenders: suspenders.iter().copied().collect(),
            last_event_at: Some(datetime!(2026-11-26 10:00 UTC)),
        }
    }

    fn to(applied: Applied) -> LifecycleState {
        match applied {
            Applied::Changed { to, .. } | Applied::Unchanged { state: to } => to,
            Applied::Stale => panic!("stale"),
        }
    }

    const LATER: OffsetDateTime = datetime!(2026-11-26 10:05 UTC);

    #[test]
    fn activation_makes_an_inactive_token_active() {
        let s = to(apply(&state(TokenStatus::Inactive, &[]), &Change::Activate, LATER).unwrap());
        assert_eq!(s.status, TokenStatus::Active);
        assert_eq!(s.last_event_at, Some(LATER));
    }

    #[test]
    fn active_again_only_when_every_suspender_has_unsuspended() {
        // GIVEN a token suspended by the issuer and by the cardholder
        let s = state(TokenStatus::Active, &[]);
        let s = to(apply(&s, &Change::Suspend(Suspender::Issuer), LATER).unwrap());
        let s = to(apply(&s, &Change::Suspend(Suspender::Cardholder), LATER).unwrap());
        // WHEN the issuer lifts its suspension
        let s = to(apply(&s, &Change::Unsuspend(Suspender::Issuer), LATER).unwrap());
        // THEN still suspended, by the cardholder
        assert_eq!((s.status, s.suspenders.len()), (TokenStatus::Suspended, 1));
        // WHEN the cardholder lifts theirs THEN active
        let s = to(apply(&s, &Change::Unsuspend(Suspender::Cardholder), LATER).unwrap());
        assert_eq!(
            (s.status, s.suspenders.is_empty()),
            (TokenStatus::Active, true)
        );
    }

    #[test]
    fn older_messages_never_overwrite_newer_state() {
        let s = state(TokenStatus::Suspended, &[Suspender::TokenRequestor]);
        let earlier = datetime!(2026-11-26 09:59 UTC);
        let change = Change::SetStatus {
            status: TokenStatus::Active,
            suspended_by: BTreeSet::new(),
        };
        assert_eq!(apply(&s, &change, earlier).unwrap(), Applied::Stale);
    }

    #[test]
    fn deletion_is_terminal_and_idempotent() {
        let s = to(apply(&state(TokenStatus::Active, &[]), &Change::Delete, LATER).unwrap());
        assert!(!s.status.is_live());
        assert!(matches!(
            apply(&s, &Change::Delete, LATER).unwrap(),
            Applied::Unchanged { .. }
        ));
        assert!(apply(&s, &Change::Activate, LATER).is_err());
    }

    #[test]
    fn network_status_replaces_suspenders_and_repeats_are_unchanged() {
        let change = Change::SetStatus {
            status: TokenStatus::Suspended,
            suspended_by: [Suspender::TokenRequestor].into_iter().collect(),
        };
        let s = to(apply(&state(TokenStatus::Active, &[]), &change, LATER).unwrap());
        assert_eq!(s.suspenders.len(), 1);
        assert!(matches!(
            apply(&s, &change, LATER).unwrap(),
            Applied::Unchanged { .. }
        ));
    }

    #[test]
    fn a_network_that_does_not_say_who_suspended_keeps_the_suspenders_we_know() {
        // GIVEN a token the issuer suspended
        let s = state(TokenStatus::Suspended, &[Suspender::Issuer]);
        // WHEN Visa says it is suspended THEN still the issuer's suspension
        let again = to(apply(&s, &Change::NetworkStatus(TokenStatus::Suspended), LATER).unwrap());
        assert_eq!(again.suspenders, [Suspender::Issuer].into_iter().collect());
        // AND an active token Visa suspends is suspended by the network
        let active = state(TokenStatus::Active, &[]);
        let by_visa = to(apply(
            &active,
            &Change::NetworkStatus(TokenStatus::Suspended),
            LATER,
        )
        .unwrap());
        assert_eq!(
            by_visa.suspenders,
            [Suspender::Network].into_iter().collect()
        );
        // AND ACTIVE clears every suspension
        let resumed = to(apply(&s, &Change::NetworkStatus(TokenStatus::Active), LATER).unwrap());
        assert!(resumed.suspenders.is_empty());
    }

    #[test]
    fn issuer_cannot_unsuspend_an_active_token() {
        assert!(
            apply(
                &state(TokenStatus::Active, &[]),
                &Change::Unsuspend(Suspender::Issuer),
                LATER
            )
            .is_err()
        );
    }

    #[test]
    fn a_declined_token_never_becomes_active() {
        let declined = state(TokenStatus::Declined, &[]);
        assert!(apply(&declined, &Change::Activate, LATER).is_err());
        let active = Change::SetStatus {
            status: TokenStatus::Active,
            suspended_by: BTreeSet::new(),
        };
        assert!(apply(&declined, &active, LATER).is_err());
        assert!(matches!(
            apply(&declined, &Change::Delete, LATER).unwrap(),
            Applied::Unchanged { .. }
        ));
    }
}
