//! A network tells us a token is provisioned and active (MDES
//! notifyServiceActivated). Tokens we never authorized (a network stand-in
//! decision) are created, keyed by their card when the card data has one.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::AppError;
use crate::clock::Clock;
use crate::domain::card::SealedCardData;
use crate::domain::events::TokenEventType;
use crate::domain::token::{Change, Initiator, TokenStatus, plausible_event_time};
use crate::error::InputProblem;
use crate::error::unavailable;
use crate::ports::{KeyedMac, PanFingerprinter, TokenAttributes};
use crate::secret::Secret;
use crate::usecases::ledger::{Claim, Idempotency, Message};
use crate::usecases::lifecycle::{ActionNote, EventRule, NewToken, TokenLifecycle, Transition};

pub const OPERATION: &str = "notifyServiceActivated";

pub struct NotifyActivatedCommand {
    pub message: Message,
    pub token_ref: String,
    pub card_data: Box<dyn SealedCardData>,
    /// When the network activated the token (recorded; arrival orders).
    pub activated_at: OffsetDateTime,
    /// The network's name for that field, for the error when it is implausible.
    pub activated_at_field: &'static str,
    /// Who made the final decision, in the network's words (the reason code).
    pub decision_made_by: Option<String>,
    /// The last digits of the funding PAN the network shows.
    pub account_pan_suffix: String,
    /// Token facts to record (the last 4, fingerprint and PAN last 4 are
    /// filled in from the card data).
    pub attributes: TokenAttributes,
    /// Event details, never card data.
    pub details: serde_json::Value,
}

pub struct NotifyActivated {
    pub idempotency: Idempotency,
    pub lifecycle: TokenLifecycle,
    pub mac: Arc<dyn KeyedMac>,
    pub fingerprinter: Arc<dyn PanFingerprinter>,
    pub clock: Arc<dyn Clock>,
}

impl NotifyActivated {
    pub async fn notify(&self, command: &NotifyActivatedCommand) -> Result<(), AppError> {
        self.idempotency
            .once(OPERATION, &command.message, |claim| {
                self.activate(command, claim)
            })
            .await?;
        Ok(())
    }

    async fn activate(
        &self,
        command: &NotifyActivatedCommand,
        claim: Claim,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        // A far-future time would have outranked every later message.
        let activated_at = plausible_event_time(command.activated_at, now)
            .ok_or_else(|| AppError::invalid(command.activated_at_field, InputProblem::Value))?;
        let data = command.card_data.open(now)?;
        let mut attributes = command.attributes.clone();
        if let Some(token) = &data.token_number {
            let digits = token.expose();
            if let Some(last4) = last4_digits(digits) {
                attributes.token_last4 = Some(last4.to_owned());
                let message = Secret::new(format!("token-number|v1|{digits}").into_bytes());
                attributes.token_fingerprint = Some(
                    self.mac
                        .mac(&message)
                        .await
                        .map_err(unavailable("token fingerprint failed"))?,
                );
            }
        }
        // A token we never authorized (network stand-in): keyed by its card.
        let pan_fingerprint = match &data.account_number {
            Some(pan) => Some(
                self.fingerprinter
                    .fingerprint(pan)
                    .await
                    .map_err(unavailable("PAN fingerprint failed"))?,
            ),
            None => None,
        };
        if pan_fingerprint.is_some() {
            let suffix = &command.account_pan_suffix;
            attributes.pan_last4 = suffix
                .get(suffix.len().saturating_sub(4)..)
                .map(str::to_owned);
        }
        self.lifecycle
            .apply(&Transition {
                network: command.message.network,
                token_ref: command.token_ref.clone(),
                change: Some(Change::Activate),
                at: now,
                event_time: Some(activated_at),
                operation: OPERATION,
                initiator: Initiator::Tsp,
                reason_code: command.decision_made_by.clone(),
                source_request_id: command.message.request_id.clone(),
                new_token: NewToken {
                    status: TokenStatus::Inactive,
                    pan_fingerprint,
                },
                attributes,
                event: EventRule::OnStatusChange(TokenEventType::TokenActivated),
                details: command.details.clone(),
                completion: Some(claim.completion("{}".to_owned())),
                note: ActionNote::default(),
                settles_pending: false,
                card_move: None,
            })
            .await
    }
}

/// The last four characters when the value is all digits and long enough.
fn last4_digits(value: &str) -> Option<&str> {
    if value.len() >= 4 && value.bytes().all(|b| b.is_ascii_digit()) {
        value.get(value.len() - 4..)
    } else {
        None
    }
}
