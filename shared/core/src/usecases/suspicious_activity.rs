//! A network reports suspicious activity on a token (MDES
//! notifySuspiciousEvents): recorded in its history and published; the
//! token's state does not change.

use crate::AppError;
use crate::domain::events::TokenEventType;
use crate::domain::token::{Initiator, TokenStatus};
use crate::ports::TokenAttributes;
use crate::usecases::ledger::{Claim, Idempotency, Message};
use crate::usecases::lifecycle::{ActionNote, EventRule, NewToken, TokenLifecycle, Transition};

pub const OPERATION: &str = "notifySuspiciousEvents";

pub struct SuspiciousActivityCommand {
    pub message: Message,
    pub token_ref: String,
    /// The event's name, in the network's words.
    pub event_name: Option<String>,
    /// The token's status as the network reports it (for a token new to us).
    pub status: TokenStatus,
    pub details: serde_json::Value,
}

pub struct RecordSuspiciousActivity {
    pub idempotency: Idempotency,
    pub lifecycle: TokenLifecycle,
}

impl RecordSuspiciousActivity {
    pub async fn record(&self, command: &SuspiciousActivityCommand) -> Result<(), AppError> {
        self.idempotency
            .once(OPERATION, &command.message, |claim| {
                self.apply(command, claim)
            })
            .await?;
        Ok(())
    }

    async fn apply(
        &self,
        command: &SuspiciousActivityCommand,
        claim: Claim,
    ) -> Result<(), AppError> {
        self.lifecycle
            .apply(&Transition {
                network: command.message.network,
                token_ref: command.token_ref.clone(),
                change: None,
                at: self.lifecycle.clock.now(),
                event_time: None,
                operation: OPERATION,
                initiator: Initiator::Tsp,
                reason_code: command.event_name.clone(),
                source_request_id: command.message.request_id.clone(),
                new_token: NewToken {
                    status: command.status,
                    pan_fingerprint: None,
                },
                attributes: TokenAttributes::default(),
                event: EventRule::Always(TokenEventType::SuspiciousActivity),
                details: command.details.clone(),
                completion: Some(claim.completion("{}".to_owned())),
                note: ActionNote::default(),
                settles_pending: false,
                card_move: None,
            })
            .await
    }
}
