//! Checking the code the cardholder entered: MACs compared in constant time,
//! a limited number of attempts, and a code works once.

use std::sync::Arc;

use subtle::ConstantTimeEq;

use crate::AppError;
use crate::clock::Clock;
use crate::domain::activation_code::{self, CodeCheck};
use crate::error::unavailable;
use crate::ports::{ActivationCodeStore, KeyedMac};
use crate::secret::Secret;
use crate::usecases::deliver_activation_code::code_mac;
use crate::usecases::ledger::{Claim, Idempotency, Message, Once};

pub const OPERATION: &str = "validateActivationCode";

pub struct ValidateActivationCodeCommand {
    pub message: Message,
    pub token_ref: String,
    pub code: Secret<String>,
}

pub struct ValidateActivationCode {
    pub idempotency: Idempotency,
    pub codes: Arc<dyn ActivationCodeStore>,
    pub mac: Arc<dyn KeyedMac>,
    pub clock: Arc<dyn Clock>,
}

impl ValidateActivationCode {
    pub async fn validate(
        &self,
        command: &ValidateActivationCodeCommand,
    ) -> Result<CodeCheck, AppError> {
        match self
            .idempotency
            .once(OPERATION, &command.message, |claim| {
                self.check(command, claim)
            })
            .await?
        {
            Once::Done(result) => Ok(result),
            Once::Replayed(json) => {
                serde_json::from_str(&json).map_err(unavailable("stored answer unreadable"))
            }
        }
    }

    async fn check(
        &self,
        command: &ValidateActivationCodeCommand,
        claim: Claim,
    ) -> Result<CodeCheck, AppError> {
        let now = self.clock.now();
        let token_ref = command.token_ref.as_str();
        let stored = self
            .codes
            .code(token_ref)
            .await
            .map_err(unavailable("reading activation code failed"))?;
        let verdict = match &stored {
            None => CodeCheck::IncorrectCode,
            Some(stored) => {
                let entered = code_mac(self.mac.as_ref(), token_ref, &command.code).await?;
                let matches: bool = entered
                    .as_bytes()
                    .ct_eq(stored.issued.mac.as_bytes())
                    .into();
                activation_code::check(&stored.issued, matches, now)
            }
        };
        let completion = claim.completion(
            serde_json::to_string(&verdict).map_err(unavailable("answer not serialisable"))?,
        );
        let counted_failure = stored.as_ref().is_some_and(|s| {
            !s.issued.used && s.issued.attempts < s.issued.max_attempts && now < s.issued.expires_at
        });
        let saved = match verdict {
            CodeCheck::Success => self.codes.consume(token_ref, &completion, now).await,
            CodeCheck::IncorrectCode | CodeCheck::IncorrectCodeRetriesExceeded
                if counted_failure =>
            {
                self.codes.record_failure(token_ref, &completion, now).await
            }
            _ => self.idempotency.ledger.complete(&completion, now).await,
        };
        // Another attempt used or exhausted the code first: retryable.
        saved.map_err(unavailable("recording the code attempt failed"))?;
        tracing::info!(result = ?verdict, "activation code checked");
        Ok(verdict)
    }
}
