//! Sending the cardholder an activation code: the code the network supplies,
//! or one we generate. A code still in force is re-sent as it is (neither
//! regenerated nor extended). The network is answered at once; delivery runs
//! through the OTP queue, where the code travels only as key-service ciphertext.

use std::sync::Arc;

use base64::Engine as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::AppError;
use crate::clock::{Clock, IdGenerator};
use crate::domain::activation_code::{self, CodePolicy, CodeSource, IssuedCode};
use crate::domain::decision::Decision;
use crate::domain::delivery::{DeliveryChannel, OtpDeliveryJob};
use crate::domain::token::TokenStatus;
use crate::error::{InputProblem, unavailable};
use crate::ports::{ActivationCodeStore, KeyVault, KeyedMac, OtpJobQueue, StoredCode};
use crate::secret::Secret;
use crate::usecases::ledger::{Claim, Idempotency, Message};
use crate::usecases::otp_delivery::activation_code_context;

pub const OPERATION: &str = "deliverActivationCode";

pub struct DeliverActivationCodeCommand {
    pub message: Message,
    pub token_ref: String,
    pub channel: DeliveryChannel,
    /// The network's code, when it generated one.
    pub code: Option<Secret<String>>,
    /// When the network's code stops being valid, and the caller's name for it.
    pub expires_at: Option<OffsetDateTime>,
    pub expires_at_field: &'static str,
    /// Whether the network handing over the code in force again means "send
    /// it again" (MDES) or is a duplicate already delivered (Visa).
    pub resend_same_code: bool,
}

pub struct DeliverActivationCode {
    pub idempotency: Idempotency,
    pub codes: Arc<dyn ActivationCodeStore>,
    pub vault: Arc<dyn KeyVault>,
    pub mac: Arc<dyn KeyedMac>,
    pub otp_queue: Arc<dyn OtpJobQueue>,
    pub code_policy: CodePolicy,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl DeliverActivationCode {
    pub async fn deliver(&self, command: &DeliverActivationCodeCommand) -> Result<(), AppError> {
        self.idempotency
            .once(OPERATION, &command.message, |claim| {
                self.issue_and_queue(command, claim)
            })
            .await?;
        Ok(())
    }

    async fn issue_and_queue(
        &self,
        command: &DeliverActivationCodeCommand,
        claim: Claim,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        // A network code already expired could never be entered: refuse it
        // rather than send the cardholder a dead code.
        if command.code.is_some() && command.expires_at.is_some_and(|at| at <= now) {
            return Err(AppError::invalid(
                command.expires_at_field,
                InputProblem::Value,
            ));
        }
        let token_ref = command.token_ref.as_str();
        // One read: the token and its code.
        let (token, current) = self
            .codes
            .token_and_code(token_ref)
            .await
            .map_err(unavailable("reading token and code failed"))?;
        let token = token
            .filter(|token| token.network == command.message.network)
            .ok_or(AppError::UnknownToken)?;
        // Codes are for the yellow path only: an INACTIVE token whose
        // authorization asked for additional authentication.
        if token.state.status != TokenStatus::Inactive
            || token.authorization_decision != Some(Decision::RequireAdditionalAuthentication)
        {
            return Err(AppError::NotAwaitingAuthentication);
        }
        let network_mac = match &command.code {
            Some(code) => Some(code_mac(self.mac.as_ref(), token_ref, code).await?),
            None => None,
        };
        let in_force = current.as_ref().filter(|c| c.issued.in_force(now));
        // A re-request re-sends the code in force (not regenerated, not
        // extended); so does a network that hands over the same code again.
        let resend = match (in_force, &network_mac) {
            (Some(code), None) => Some(code),
            (Some(code), Some(mac)) if code.issued.mac == *mac => Some(code),
            _ => None,
        };
        let handed_over_again = resend.is_some() && network_mac.is_some();
        if handed_over_again && !command.resend_same_code {
            // The network's duplicate of a code already delivered: answered, not sent twice.
            tracing::info!("the network's code was delivered already: not sent again");
            return self
                .idempotency
                .ledger
                .complete(&claim.completion("{}".to_owned()), now)
                .await
                .map_err(unavailable("completing deliverActivationCode failed"));
        }
        let to_send = match resend {
            Some(code) => {
                if code.issued.sends >= self.code_policy.max_sends {
                    return Err(AppError::LimitReached("activation code resends"));
                }
                self.codes
                    .record_send(token_ref, code.issued.sends, now)
                    .await
                    .map_err(unavailable("counting the resend failed"))?;
                code.clone()
            }
            None => {
                let generation = current.as_ref().map_or(0, |c| c.issued.generation) + 1;
                if generation > self.code_policy.max_codes {
                    return Err(AppError::LimitReached("activation codes for the token"));
                }
                let fresh = self
                    .fresh_code(command, token_ref, network_mac, generation, now)
                    .await?;
                self.codes
                    .issue(token_ref, &fresh, now)
                    .await
                    .map_err(unavailable("storing activation code failed"))?;
                fresh
            }
        };
        let job = OtpDeliveryJob {
            job_id: self.ids.new_id(),
            token_unique_reference: token_ref.to_owned(),
            channel: command.channel,
            encrypted_code: base64::engine::general_purpose::STANDARD.encode(&to_send.ciphertext),
            expires_at: to_send
                .issued
                .expires_at
                .format(&Rfc3339)
                .map_err(unavailable("formatting expiry"))?,
            language: token.language.clone(),
            source_request_id: Some(command.message.request_id.clone()),
        };
        self.otp_queue
            .enqueue(&job)
            .await
            .map_err(unavailable("queueing the activation code failed"))?;
        tracing::info!(channel = ?job.channel, job_id = %job.job_id, sends = to_send.issued.sends + 1, "activation code queued for delivery");
        self.idempotency
            .ledger
            .complete(&claim.completion("{}".to_owned()), now)
            .await
            .map_err(unavailable("completing deliverActivationCode failed"))
    }

    /// The network's code, or one we generate, sealed for re-delivery.
    async fn fresh_code(
        &self,
        command: &DeliverActivationCodeCommand,
        token_ref: &str,
        network_mac: Option<String>,
        generation: u32,
        now: OffsetDateTime,
    ) -> Result<StoredCode, AppError> {
        let (code, source, expires_at) = match &command.code {
            Some(code) => (
                code.clone(),
                CodeSource::Network,
                command.expires_at.unwrap_or(now + self.code_policy.ttl),
            ),
            None => (
                activation_code::generate(self.code_policy.length)
                    .map_err(unavailable("code generation failed"))?,
                CodeSource::Issuer,
                now + self.code_policy.ttl,
            ),
        };
        let mac = match network_mac {
            Some(mac) => mac,
            None => code_mac(self.mac.as_ref(), token_ref, &code).await?,
        };
        Ok(StoredCode {
            issued: IssuedCode {
                mac,
                expires_at,
                attempts: 0,
                max_attempts: self.code_policy.max_attempts,
                used: false,
                source,
                sends: 1,
                generation,
            },
            ciphertext: self
                .vault
                .encrypt(
                    code.expose().as_bytes(),
                    &activation_code_context(token_ref),
                )
                .await
                .map_err(unavailable("sealing activation code failed"))?,
        })
    }
}

/// The code's MAC under the keyed-MAC key, bound to its token.
pub(crate) async fn code_mac(
    mac: &dyn KeyedMac,
    token_ref: &str,
    code: &Secret<String>,
) -> Result<String, AppError> {
    mac.mac(&activation_code::mac_message(token_ref, code.expose()))
        .await
        .map_err(unavailable("activation code MAC failed"))
}
