//! The issuer's lifecycle actions on one token (activate, suspend, unsuspend,
//! delete), sent to the token's network.
//!
//! Once per `Idempotency-Key`: a replay answers the first outcome and calls
//! no network. Our state changes only when the network confirms; a call it
//! did not answer leaves the action pending on the token (never guessed)
//! until a notification or reconciliation settles it. The network sees one
//! request id per issuer request, however often we send it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::AppError;
use crate::clock::Clock;
use crate::domain::action::{ActionReason, PendingAction, TokenAction};
use crate::domain::events::TokenEventType;
use crate::domain::token::Initiator;
use crate::error::unavailable;
use crate::ports::{
    NetworkAnswer, NetworkCall, Origin, RequestKey, SaveError, TokenAttributes, TokenDirectory,
    TokenNetworks, TokenView,
};
use crate::usecases::ledger::{Claim, Idempotency, Once, signature};
use crate::usecases::lifecycle::{ActionNote, EventRule, NewToken, TokenLifecycle, Transition};

/// Attempts at marking the action pending while the token keeps changing.
const MARK_RETRIES: usize = 4;
const MARK_BACKOFF: std::time::Duration = std::time::Duration::from_millis(50);

/// The issuer's idempotency key, scoped to its OAuth client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerRequest {
    pub client_id: String,
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenActionCommand {
    pub token_ref: String,
    pub action: TokenAction,
    pub reason: ActionReason,
    pub comment: Option<String>,
    pub operator: String,
    pub request: IssuerRequest,
}

/// What the network made of the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionOutcome {
    /// Applied at the network and in our state.
    Confirmed,
    /// Sent; the network did not answer. Pending on the token.
    Pending,
    /// The network refused it; nothing changed.
    Refused,
}

/// The outcome and the token as it is now (after a replay too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionAnswer {
    pub outcome: ActionOutcome,
    /// The first answer to this `Idempotency-Key`, replayed.
    pub replayed: bool,
    pub token: TokenView,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredOutcome {
    outcome: ActionOutcome,
}

/// The use case: token read model, networks, lifecycle engine, ledger.
#[derive(Clone)]
pub struct TokenActions {
    pub directory: Arc<dyn TokenDirectory>,
    pub networks: Arc<dyn TokenNetworks>,
    pub lifecycle: TokenLifecycle,
    pub idempotency: Idempotency,
    pub clock: Arc<dyn Clock>,
}

/// The ledger operation of each action (one key space per action).
fn operation(action: TokenAction) -> &'static str {
    match action {
        TokenAction::Activate => "tmp.activateToken",
        TokenAction::Suspend => "tmp.suspendToken",
        TokenAction::Unsuspend => "tmp.unsuspendToken",
        TokenAction::Delete => "tmp.deleteToken",
    }
}

/// The request id the network sees: derived from the issuer's key, so every
/// retry of one issuer request repeats it. 32 hex digits (VTS requestID and
/// MDES's limits both allow it).
pub fn network_request_id(request: &IssuerRequest, action: TokenAction) -> String {
    let digest = Sha256::digest(
        format!(
            "{}|{}|{}",
            request.client_id,
            operation(action),
            request.idempotency_key
        )
        .as_bytes(),
    );
    hex::encode(digest.get(..16).unwrap_or_default())
}

impl TokenActions {
    pub async fn act(&self, command: &TokenActionCommand) -> Result<ActionAnswer, AppError> {
        let key = RequestKey {
            origin: Origin::Issuer,
            operation: operation(command.action),
            request_id: format!(
                "{}#{}",
                command.request.client_id, command.request.idempotency_key
            ),
        };
        let identity = signature(&[
            &command.token_ref,
            command.action.as_str(),
            command.reason.as_str(),
            command.comment.as_deref().unwrap_or(""),
            &command.operator,
        ]);
        let once = self
            .idempotency
            .once_keyed(key, &identity, |claim| self.run(command, claim))
            .await?;
        let (outcome, replayed) = match once {
            Once::Done(outcome) => (outcome, false),
            Once::Replayed(json) => (
                serde_json::from_str::<StoredOutcome>(&json)
                    .map_err(unavailable("stored action outcome unreadable"))?
                    .outcome,
                true,
            ),
        };
        let token = self
            .directory
            .token_view(&command.token_ref)
            .await
            .map_err(unavailable("reading token failed"))?
            .ok_or(AppError::UnknownToken)?;
        Ok(ActionAnswer {
            outcome,
            replayed,
            token,
        })
    }

    async fn run(
        &self,
        command: &TokenActionCommand,
        claim: Claim,
    ) -> Result<ActionOutcome, AppError> {
        let (view, request_id) = self.mark_pending(command).await?;
        let token = &view.record;
        let call = NetworkCall {
            network: token.network,
            token_ref: command.token_ref.clone(),
            token_requestor_id: token.token_requestor_id.clone(),
            pan_unique_reference: token.pan_unique_reference.clone(),
            action: command.action,
            reason: command.reason,
            operator: command.operator.clone(),
            comment: command.comment.clone(),
            request_id: request_id.clone(),
        };
        let answer = self.networks.act(&call).await;
        tracing::info!(
            network = %token.network,
            action = command.action.as_str(),
            answer = ?answer,
            "issuer action sent to the network"
        );
        let outcome = match answer {
            NetworkAnswer::Confirmed => ActionOutcome::Confirmed,
            NetworkAnswer::Unknown => ActionOutcome::Pending,
            NetworkAnswer::Refused { .. } => ActionOutcome::Refused,
        };
        let completion = claim.completion(
            serde_json::to_string(&StoredOutcome { outcome })
                .map_err(unavailable("encoding action outcome failed"))?,
        );
        match outcome {
            ActionOutcome::Confirmed => {
                self.lifecycle
                    .apply(&self.confirmation(command, &view, request_id, completion))
                    .await?;
            }
            ActionOutcome::Pending => {
                self.idempotency
                    .ledger
                    .complete(&completion, self.clock.now())
                    .await
                    .map_err(unavailable("completing the request failed"))?;
            }
            ActionOutcome::Refused => {
                self.directory
                    .clear_pending(&command.token_ref, &completion, self.clock.now())
                    .await
                    .map_err(unavailable("clearing the refused action failed"))?;
            }
        }
        Ok(outcome)
    }

    /// Reads the token, decides whether the action may start, and marks it
    /// pending on the version read; a token that changed meanwhile (a
    /// network's notice landing) is read again and decided again.
    async fn mark_pending(
        &self,
        command: &TokenActionCommand,
    ) -> Result<(TokenView, String), AppError> {
        for _ in 0..MARK_RETRIES {
            let view = self
                .directory
                .token_view(&command.token_ref)
                .await
                .map_err(unavailable("reading token failed"))?
                .ok_or(AppError::UnknownToken)?;
            let token = &view.record;
            let request_id = match &token.pending {
                // The same action already in flight: send it again under its id.
                Some(pending) if pending.action == command.action => {
                    pending.network_request_id.clone()
                }
                Some(_) => return Err(AppError::ActionNotAllowed("another action is pending")),
                None if !command.action.allowed_from(&token.state) => {
                    return Err(AppError::ActionNotAllowed("state"));
                }
                None => network_request_id(&command.request, command.action),
            };
            let now = self.clock.now();
            let pending = PendingAction {
                action: command.action,
                network_request_id: request_id.clone(),
                requested_at: now,
                reason: command.reason,
                operator: command.operator.clone(),
                comment: command.comment.clone(),
            };
            match self
                .directory
                .mark_pending(&command.token_ref, token.version, &pending, now)
                .await
            {
                Ok(()) => return Ok((view, request_id)),
                Err(SaveError::Conflict | SaveError::Contention) => {
                    self.clock.sleep(MARK_BACKOFF).await;
                }
                Err(err) => return Err(unavailable("recording pending action failed")(err)),
            }
        }
        Err(AppError::Unavailable("token kept changing while acting"))
    }

    /// The network confirmed: our state follows, with the operator's note.
    fn confirmation(
        &self,
        command: &TokenActionCommand,
        view: &TokenView,
        request_id: String,
        completion: crate::ports::RequestCompletion,
    ) -> Transition {
        Transition {
            network: view.record.network,
            token_ref: command.token_ref.clone(),
            change: Some(command.action.change()),
            at: self.clock.now(),
            event_time: None,
            operation: operation(command.action),
            initiator: Initiator::Operator,
            reason_code: Some(command.reason.as_str().to_owned()),
            source_request_id: request_id,
            new_token: NewToken {
                status: view.record.state.status,
                pan_fingerprint: view.record.pan_fingerprint.clone(),
            },
            attributes: TokenAttributes::default(),
            event: match command.action {
                TokenAction::Activate => EventRule::OnStatusChange(TokenEventType::TokenActivated),
                _ => EventRule::TokenUpdate {
                    announces_update: false,
                },
            },
            details: serde_json::json!({"reasonCode": command.reason.as_str()}),
            completion: Some(completion),
            note: ActionNote {
                comment: command.comment.clone(),
                operator: Some(command.operator.clone()),
            },
            settles_pending: true,
            card_move: None,
        }
    }
}
