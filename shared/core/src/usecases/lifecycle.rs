//! The token lifecycle engine every notification shares: load the token,
//! apply one [`Transition`] through the state machine, commit the new state
//! with its history line and outbox event (retrying when the token moved
//! under us), then publish.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use crate::AppError;
use crate::clock::{Clock, IdGenerator};
use crate::domain::Network;
use crate::domain::action::TokenAction;
use crate::domain::events::{TokenEvent, TokenEventType};
use crate::domain::token::{
    self, Applied, Change, HistoryEntry, Initiator, LifecycleState, Suspender, TokenStatus,
};
use crate::error::unavailable;
use crate::ports::{
    CardMove, LifecycleCommit, RequestCompletion, SaveError, TokenAttributes, TokenLifecycleStore,
    TokenRecord,
};
use crate::usecases::events::new_event;

/// Optimistic-concurrency retries when a token changed under us.
const COMMIT_RETRIES: usize = 5;
const COMMIT_BACKOFF: Duration = Duration::from_millis(20);

/// Which event a transition publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRule {
    /// `event` when the status changed.
    OnStatusChange(TokenEventType),
    /// A network's token update: deleted, status changed, or (when the
    /// message says the token was re-issued or its account updated) updated.
    TokenUpdate { announces_update: bool },
    /// Always `event` (a report about the token, whatever its state).
    Always(TokenEventType),
    /// A network's status notice (Visa TOKEN_STATUS_UPDATED): the first
    /// activation (INACTIVE → ACTIVE) is `TOKEN_ACTIVATED` ("card added to
    /// wallet", as MDES's notifyServiceActivated), anything else as
    /// [`Self::TokenUpdate`].
    StatusNotice,
    /// A network's notice that a token was created: `TOKEN_ACTIVATED` when it
    /// is ACTIVE now and was not before (or is new to us), else nothing.
    TokenCreated,
}

impl EventRule {
    fn event_type(
        self,
        before: &LifecycleState,
        after: &LifecycleState,
        is_new: bool,
    ) -> Option<TokenEventType> {
        match self {
            Self::StatusNotice
                if before.status == TokenStatus::Inactive
                    && after.status == TokenStatus::Active =>
            {
                Some(TokenEventType::TokenActivated)
            }
            Self::StatusNotice => Self::TokenUpdate {
                announces_update: false,
            }
            .event_type(before, after, is_new),
            Self::TokenCreated => (after.status == TokenStatus::Active
                && (is_new || before.status != TokenStatus::Active))
                .then_some(TokenEventType::TokenActivated),
            Self::OnStatusChange(event) => (before.status != after.status).then_some(event),
            Self::TokenUpdate { announces_update } => {
                if after.status == TokenStatus::Deactivated
                    && before.status != TokenStatus::Deactivated
                {
                    Some(TokenEventType::TokenDeleted)
                } else if before.status != after.status || before.suspenders != after.suspenders {
                    Some(TokenEventType::TokenStatusChanged)
                } else if announces_update {
                    Some(TokenEventType::TokenUpdated)
                } else {
                    None
                }
            }
            Self::Always(event) => Some(event),
        }
    }
}

/// A token we have never seen, created by the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub status: TokenStatus,
    pub pan_fingerprint: Option<String>,
}

/// One change a message asks of one token.
#[derive(Debug, Clone)]
pub struct Transition {
    pub network: Network,
    pub token_ref: String,
    /// `None`: nothing to change, the message is recorded.
    pub change: Option<Change>,
    /// When it arrived: orders every message, whatever its network or operation.
    pub at: OffsetDateTime,
    /// When the network says it happened (recorded; bounded by the use case).
    pub event_time: Option<OffsetDateTime>,
    pub operation: &'static str,
    pub initiator: Initiator,
    pub reason_code: Option<String>,
    pub source_request_id: String,
    pub new_token: NewToken,
    pub attributes: TokenAttributes,
    pub event: EventRule,
    /// Event-type specific details, never card data.
    pub details: serde_json::Value,
    /// The message's completion, on its last transition.
    pub completion: Option<RequestCompletion>,
    /// The issuer's comment and operator, when the issuer acted.
    pub note: ActionNote,
    /// This transition is the network's answer to the token's pending action
    /// (or reconciliation's verdict on it): the action is settled whatever
    /// the state. Otherwise a pending action is settled only once the state
    /// it leads to is reached.
    pub settles_pending: bool,
    /// The token moves to this card (a replaced card's update, confirmed by
    /// its network); nothing when it is already there.
    pub card_move: Option<MoveToCard>,
}

/// The card a token moves to: the issuer's card id and the new PAN's keyed
/// fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveToCard {
    pub card_id: String,
    pub pan_fingerprint: String,
}

/// Who in the issuer's back office acted, and their words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionNote {
    pub comment: Option<String>,
    pub operator: Option<String>,
}

/// The engine: token store, clock and ids (events leave through the outbox).
#[derive(Clone)]
pub struct TokenLifecycle {
    pub tokens: Arc<dyn TokenLifecycleStore>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl TokenLifecycle {
    /// Loads, applies and commits with its events (retrying when the token moved).
    pub async fn apply(&self, transition: &Transition) -> Result<(), AppError> {
        for _ in 0..COMMIT_RETRIES {
            let current = self
                .tokens
                .token(&transition.token_ref)
                .await
                .map_err(unavailable("reading token failed"))?;
            let commit = self.commit_for(transition, current.as_ref());
            match self.tokens.commit(&commit).await {
                Ok(()) => {
                    tracing::info!(
                        operation = transition.operation,
                        from = ?commit.history.from,
                        to = ?commit.history.to,
                        applied = commit.history.applied,
                        "token lifecycle"
                    );
                    return Ok(());
                }
                Err(SaveError::Conflict | SaveError::Contention) => {
                    self.clock.sleep(COMMIT_BACKOFF).await;
                }
                Err(err) => return Err(unavailable("committing token change failed")(err)),
            }
        }
        Err(AppError::Unavailable("token kept changing"))
    }

    fn commit_for(&self, t: &Transition, current: Option<&TokenRecord>) -> LifecycleCommit {
        let (before, version, fingerprint) = match current {
            Some(token) => (
                token.state.clone(),
                Some(token.version),
                token.pan_fingerprint.clone(),
            ),
            None => (
                LifecycleState {
                    status: t.new_token.status,
                    suspenders: BTreeSet::new(),
                    last_event_at: None,
                },
                None,
                t.new_token.pan_fingerprint.clone(),
            ),
        };
        // A network's word that the token is suspended, while the issuer's
        // suspension is pending there, is that suspension (Visa's notices do
        // not say who suspended).
        let change = match (&t.change, current.and_then(|c| c.pending.as_ref())) {
            (Some(Change::NetworkStatus(TokenStatus::Suspended)), Some(pending))
                if pending.action == TokenAction::Suspend =>
            {
                Some(Change::Suspend(Suspender::Issuer))
            }
            (change, _) => change.clone(),
        };
        let applied = match &change {
            None => Applied::Unchanged {
                state: LifecycleState {
                    last_event_at: Some(t.at.max(before.last_event_at.unwrap_or(t.at))),
                    ..before.clone()
                },
            },
            Some(change) => token::apply(&before, change, t.at).unwrap_or_else(|err| {
                tracing::warn!(error = %err, "transition not allowed: recorded, not applied");
                Applied::Stale
            }),
        };
        let (after, applied) = match applied {
            Applied::Changed { to, .. } => (to, true),
            Applied::Unchanged { state } => (state, true),
            Applied::Stale => (before.clone(), false),
        };
        let was_live = current.is_some() && before.status.is_live();
        let live_delta = match (was_live, after.status.is_live()) {
            (false, true) => 1,
            (true, false) => -1,
            _ => 0,
        };
        let clear_pending = current
            .and_then(|token| token.pending.as_ref())
            .is_some_and(|pending| t.settles_pending || pending.action.is_satisfied_by(&after));
        let card_move = t.card_move.as_ref().and_then(|to| {
            let from = current.and_then(|token| token.pan_fingerprint.clone());
            (current.is_some() && from.as_deref() != Some(to.pan_fingerprint.as_str())).then(|| {
                CardMove {
                    card_id: to.card_id.clone(),
                    from_fingerprint: from,
                    to_fingerprint: to.pan_fingerprint.clone(),
                    live: after.status.is_live(),
                }
            })
        });
        let events = if applied {
            t.event
                .event_type(&before, &after, current.is_none())
                .map(|event_type| self.event(t, current, &before, &after, event_type))
                .into_iter()
                .collect()
        } else {
            Vec::new()
        };
        LifecycleCommit {
            token_ref: t.token_ref.clone(),
            network: current.map_or(t.network, |token| token.network),
            expected_version: version,
            state: after.clone(),
            live_delta,
            pan_fingerprint: fingerprint,
            history: HistoryEntry {
                at: t.at,
                operation: t.operation.to_owned(),
                initiator: t.initiator,
                reason_code: t.reason_code.clone(),
                source_request_id: t.source_request_id.clone(),
                from: current.map(|_| before.status),
                to: after.status,
                suspenders: after.suspenders.clone(),
                applied,
                event_time: t.event_time,
                comment: t.note.comment.clone(),
                operator: t.note.operator.clone(),
            },
            clear_pending,
            card_move,
            attributes: t.attributes.clone(),
            events,
            request: t.completion.clone(),
            now: self.clock.now(),
        }
    }

    fn event(
        &self,
        t: &Transition,
        current: Option<&TokenRecord>,
        before: &LifecycleState,
        after: &LifecycleState,
        event_type: TokenEventType,
    ) -> TokenEvent {
        let network = current.map_or(t.network, |token| token.network);
        let occurred = t.event_time.unwrap_or(t.at);
        let mut event = new_event(
            self.ids.as_ref(),
            network,
            event_type,
            &t.token_ref,
            occurred,
        );
        if let Some(token) = current {
            event.pan_unique_reference = token.pan_unique_reference.clone();
            event.pan_last4 = token.pan_last4.clone();
            event.token_requestor_id = token.token_requestor_id.clone();
            event.wallet_id = token.wallet_id.clone();
            event.language = token.language.clone();
        }
        if let Some(language) = &t.attributes.language {
            event.language = Some(language.clone());
        }
        event.status = Some(after.status);
        event.previous_status = current.map(|_| before.status);
        event.initiator = Some(t.initiator);
        event.reason_code = t.reason_code.clone();
        event.source_request_id = Some(t.source_request_id.clone());
        event.details = t.details.clone();
        event
    }
}
