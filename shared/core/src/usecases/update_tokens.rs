//! A network tells us tokens changed (MDES notifyTokenUpdated): status,
//! suspensions, deletion, re-issue. Each token goes through the lifecycle;
//! the message is completed with the last one.

use crate::AppError;
use crate::domain::token::{Change, Initiator, TokenStatus};
use crate::error::unavailable;
use crate::ports::TokenAttributes;
use crate::usecases::ledger::{Claim, Idempotency, Message};
use crate::usecases::lifecycle::{ActionNote, EventRule, NewToken, TokenLifecycle, Transition};

pub const OPERATION: &str = "notifyTokenUpdated";

/// One token of the message.
#[derive(Debug, Clone)]
pub struct TokenUpdate {
    pub token_ref: String,
    /// `None`: nothing to apply (recorded only).
    pub change: Option<Change>,
    /// The status of a token we have never seen.
    pub initial_status: TokenStatus,
    pub token_expiry: Option<String>,
    pub details: serde_json::Value,
}

pub struct UpdateTokensCommand {
    pub message: Message,
    pub reason_code: String,
    /// The reason says the token was re-issued or its account updated.
    pub announces_update: bool,
    pub updates: Vec<TokenUpdate>,
}

pub struct UpdateTokens {
    pub idempotency: Idempotency,
    pub lifecycle: TokenLifecycle,
}

impl UpdateTokens {
    pub async fn update(&self, command: &UpdateTokensCommand) -> Result<(), AppError> {
        self.idempotency
            .once(OPERATION, &command.message, |claim| {
                self.apply(command, claim)
            })
            .await?;
        Ok(())
    }

    async fn apply(&self, command: &UpdateTokensCommand, claim: Claim) -> Result<(), AppError> {
        // The message carries no event time: arrival time orders it.
        let at = self.lifecycle.clock.now();
        if command.updates.is_empty() {
            // Nothing to apply, but the message is answered: complete it.
            return self
                .idempotency
                .ledger
                .complete(&claim.completion("{}".to_owned()), at)
                .await
                .map_err(unavailable("completing notifyTokenUpdated failed"));
        }
        let last = command.updates.len().saturating_sub(1);
        for (i, update) in command.updates.iter().enumerate() {
            self.lifecycle
                .apply(&Transition {
                    network: command.message.network,
                    token_ref: update.token_ref.clone(),
                    change: update.change.clone(),
                    at,
                    event_time: None,
                    operation: OPERATION,
                    initiator: Initiator::Tsp,
                    reason_code: Some(command.reason_code.clone()),
                    source_request_id: command.message.request_id.clone(),
                    new_token: NewToken {
                        status: update.initial_status,
                        pan_fingerprint: None,
                    },
                    attributes: TokenAttributes {
                        token_expiry: update.token_expiry.clone(),
                        ..TokenAttributes::default()
                    },
                    event: EventRule::TokenUpdate {
                        announces_update: command.announces_update,
                    },
                    details: update.details.clone(),
                    completion: (i == last).then(|| claim.completion("{}".to_owned())),
                    note: ActionNote::default(),
                    settles_pending: false,
                    card_move: None,
                })
                .await?;
        }
        Ok(())
    }
}
