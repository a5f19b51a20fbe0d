//! A network tells us one token was created or changed status (Visa
//! tokenChanged: TOKEN_CREATED, TOKEN_STATUS_UPDATED). The network is the
//! authority on its token's status: the change goes through the lifecycle
//! engine and its history like every other. A token we never approved (the
//! network approved it on our behalf, in stand-in) is created with the
//! network's status and counts against its card's live-token limit.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::AppError;
use crate::domain::token::{Change, Initiator, TokenStatus, plausible_event_time};
use crate::error::{InputProblem, unavailable};
use crate::ports::{PanFingerprinter, TokenAttributes};
use crate::secret::Pan;
use crate::usecases::ledger::{Claim, Idempotency, Message};
use crate::usecases::lifecycle::{ActionNote, EventRule, NewToken, TokenLifecycle, Transition};

pub const OPERATION: &str = "tokenChanged";

/// What the network says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenChangeKind {
    /// The token exists at the network now (after our approval or in stand-in).
    Created,
    /// Its status changed at the network.
    StatusUpdated,
}

pub struct TokenChangeCommand {
    /// The notification (its id makes it idempotent).
    pub message: Message,
    pub token_ref: String,
    pub kind: TokenChangeKind,
    pub status: TokenStatus,
    /// The network's reason (Visa `messageReasonCode`).
    pub reason_code: Option<String>,
    /// When the network says it happened, and the caller's name for it.
    pub event_time: Option<OffsetDateTime>,
    pub event_time_field: &'static str,
    /// The card of the token, when the notice carries it: a token new to us
    /// is counted against it.
    pub pan: Option<Pan>,
    /// Token details the notice carries (requestor, device, last 4...).
    pub attributes: TokenAttributes,
}

pub struct RecordTokenChange {
    pub idempotency: Idempotency,
    pub lifecycle: TokenLifecycle,
    pub fingerprinter: Arc<dyn PanFingerprinter>,
}

impl RecordTokenChange {
    #[tracing::instrument(skip_all, fields(event_id = %command.message.request_id, kind = ?command.kind))]
    pub async fn record(&self, command: &TokenChangeCommand) -> Result<(), AppError> {
        self.idempotency
            .once(OPERATION, &command.message, |claim| {
                self.apply(command, claim)
            })
            .await?;
        Ok(())
    }

    async fn apply(&self, command: &TokenChangeCommand, claim: Claim) -> Result<(), AppError> {
        let at = self.lifecycle.clock.now();
        // A far-future time would outrank every later message: refuse it.
        if let Some(event_time) = command.event_time
            && plausible_event_time(event_time, at).is_none()
        {
            return Err(AppError::invalid(
                command.event_time_field,
                InputProblem::Value,
            ));
        }
        let pan_fingerprint = match &command.pan {
            Some(pan) => Some(
                self.fingerprinter
                    .fingerprint(pan)
                    .await
                    .map_err(unavailable("PAN fingerprint failed"))?,
            ),
            None => None,
        };
        if command.kind == TokenChangeKind::StatusUpdated {
            // A status for a token we do not hold is refused, not invented.
            let known = self
                .lifecycle
                .tokens
                .token(&command.token_ref)
                .await
                .map_err(unavailable("reading token failed"))?;
            match known {
                Some(token) if token.network == command.message.network => {}
                _ => return Err(AppError::UnknownToken),
            }
        }
        self.lifecycle
            .apply(&Transition {
                network: command.message.network,
                token_ref: command.token_ref.clone(),
                // Visa does not say who suspended: what we know stays.
                change: Some(Change::NetworkStatus(command.status)),
                at,
                event_time: command.event_time,
                operation: OPERATION,
                initiator: Initiator::Tsp,
                reason_code: command.reason_code.clone(),
                source_request_id: command.message.request_id.clone(),
                new_token: NewToken {
                    status: command.status,
                    pan_fingerprint,
                },
                attributes: command.attributes.clone(),
                event: match command.kind {
                    TokenChangeKind::Created => EventRule::TokenCreated,
                    TokenChangeKind::StatusUpdated => EventRule::StatusNotice,
                },
                details: serde_json::Value::Null,
                completion: Some(claim.completion("{}".to_owned())),
                note: ActionNote::default(),
                settles_pending: false,
                card_move: None,
            })
            .await
    }
}
