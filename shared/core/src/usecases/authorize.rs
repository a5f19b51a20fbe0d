//! Tokenization authorization (MDES authorizeService; Visa's approval next):
//! open the card data, verify with the issuer, count, decide, persist
//! atomically, answer. Retries of a request id replay the first answer and
//! count once.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::AppError;
use crate::clock::{Clock, IdGenerator};
use crate::domain::card::{
    CardVerification, CardVerificationRequest, CvcResponse, CvcResult, EnteredCard, SealedCardData,
    VerifiedCard,
};
use crate::domain::decision::{
    CardFacts, Decision, DecisionInputs, DecisionRecord, DecisionRules, WalletAdvice, decide,
};
use crate::domain::delivery::{ContactDetails, purpose, sealing_context};
use crate::domain::events::{TokenEvent, TokenEventType};
use crate::domain::policy::DecisionPolicy;
use crate::domain::token::{HistoryEntry, Initiator, TokenStatus};
use crate::domain::verification::ActivationMethod;
use crate::error::unavailable;
use crate::ports::{
    AuthorizationStore, AuthorizationWrite, CardVerifier, KeyVault, PanFingerprinter, SaveError,
};
use crate::secret::Secret;
use crate::usecases::activation_methods::{IssuerContact, activation_methods, contact_of};
use crate::usecases::events::{EventDispatch, dispatch, new_event};
use crate::usecases::ledger::{Claim, Idempotency, Message, Once};

pub const OPERATION: &str = "authorizeService";
/// Token requestor bucket for velocity when the network sends none.
const NO_TOKEN_REQUESTOR: &str = "UNSPECIFIED";
/// Transactions that collide on the card counter are retried this many times.
const MAX_CONTENTION_RETRIES: u32 = 5;

/// A network asks whether a card may be tokenized.
pub struct AuthorizeCommand {
    pub message: Message,
    pub correlation_id: String,
    /// The token's reference at the network (or a stand-in from the
    /// correlation id when the network sent none).
    pub token_ref: String,
    pub pan_unique_reference: Option<String>,
    pub token_requestor_id: Option<String>,
    pub wallet_id: Option<String>,
    pub payment_app_instance_id: Option<String>,
    pub token_type: String,
    pub device_name: Option<String>,
    pub wallet: WalletAdvice,
    pub card_data: Box<dyn SealedCardData>,
}

/// What we answer, stored for replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationOutcome {
    pub decision: Decision,
    pub activation_methods: Vec<ActivationMethod>,
    pub cvc_response: Option<CvcResponse>,
    /// True when this answer was replayed for a retried request id.
    #[serde(skip)]
    pub replayed: bool,
}

pub struct AuthorizeTokenization {
    pub idempotency: Idempotency,
    /// Seals the cardholder's contact details for later code delivery.
    pub vault: Arc<dyn KeyVault>,
    /// Publishes `TOKEN_AUTHORIZED` after the decision is committed.
    pub events: Option<EventDispatch>,
    pub verifier: Arc<dyn CardVerifier>,
    pub fingerprinter: Arc<dyn PanFingerprinter>,
    pub store: Arc<dyn AuthorizationStore>,
    pub policy: DecisionPolicy,
    pub contact: IssuerContact,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl AuthorizeTokenization {
    #[tracing::instrument(skip_all, fields(request_id = %command.message.request_id, correlation_id = %command.correlation_id))]
    pub async fn authorize(
        &self,
        command: &AuthorizeCommand,
    ) -> Result<AuthorizationOutcome, AppError> {
        let done = self
            .idempotency
            .once(OPERATION, &command.message, |claim| {
                self.decide_and_save(command, claim)
            })
            .await?;
        match done {
            Once::Done(outcome) => Ok(outcome),
            Once::Replayed(json) => {
                let mut outcome: AuthorizationOutcome =
                    serde_json::from_str(&json).map_err(unavailable("stored answer unreadable"))?;
                outcome.replayed = true;
                tracing::info!(decision = ?outcome.decision, "replayed stored answer");
                Ok(outcome)
            }
        }
    }

    async fn decide_and_save(
        &self,
        command: &AuthorizeCommand,
        claim: Claim,
    ) -> Result<AuthorizationOutcome, AppError> {
        let now = self.clock.now();
        let card = command.card_data.open(now)?.card?;
        let pan_fingerprint = self
            .fingerprinter
            .fingerprint(&card.pan)
            .await
            .map_err(unavailable("PAN fingerprint failed"))?;
        tracing::info!(pan = %card.pan, "card decrypted");

        let verification = self
            .verifier
            .verify(&CardVerificationRequest {
                pan: card.pan.clone(),
                expiry: card.expiry,
                cvc: card.cvc.clone(),
            })
            .await
            .map_err(unavailable("issuer card verification failed"))?;

        let token_requestor = command.token_requestor_id.as_deref();
        let rules = self.policy.rules_for(token_requestor);
        let attempts = self
            .store
            .record_attempt(
                &pan_fingerprint,
                token_requestor.unwrap_or(NO_TOKEN_REQUESTOR),
                &command.message.request_id,
                now,
            )
            .await
            .map_err(unavailable("recording the attempt failed"))?;
        let existing = self
            .store
            .find_token(&command.token_ref)
            .await
            .map_err(unavailable("reading the token failed"))?;
        let mut live = self
            .store
            .live_token_count(&pan_fingerprint)
            .await
            .map_err(unavailable("reading the card's tokens failed"))?;
        if existing.as_ref().is_some_and(|t| t.live) {
            // Re-authorizing a token already counted: it does not add one.
            live = live.saturating_sub(1);
        }

        let known = match &verification {
            CardVerification::Known(card) => Some(card),
            CardVerification::Unknown => None,
        };
        let facts = |live_tokens| DecisionInputs {
            card: card_facts(known, card.cvc.is_some()),
            live_tokens,
            attempts_24h: attempts,
            wallet: command.wallet,
        };
        let mut record = decide(&rules, &facts(live));
        let contact_ciphertext =
            match known.filter(|c| c.phone_number.is_some() || c.email.is_some()) {
                Some(card) => Some(self.seal_contact(&command.token_ref, card).await?),
                None => None,
            };
        let mut write = AuthorizationWrite {
            network: command.message.network,
            completion: claim.completion(String::new()),
            token_ref: command.token_ref.clone(),
            pan_unique_reference: command.pan_unique_reference.clone(),
            pan_fingerprint,
            pan_last4: card.pan.last4().to_owned(),
            token_requestor_id: command.token_requestor_id.clone(),
            wallet_id: command.wallet_id.clone(),
            payment_app_instance_id: command.payment_app_instance_id.clone(),
            correlation_id: command.correlation_id.clone(),
            token_type: command.token_type.clone(),
            device_name: command.device_name.clone(),
            issuer_card_id: known.map(|c| c.card_id.clone()),
            product_category: known.map(|c| c.product_category.clone()),
            record: record.clone(),
            existing,
            live_token_limit: rules.max_live_tokens_per_card,
            now,
            contact_ciphertext,
            history: history_entry(&record, &command.message.request_id, now),
            event: None,
        };
        let mut contention_retries = 0u32;
        loop {
            let outcome = self.outcome(&record, known, &card);
            write.record = record.clone();
            write.history = history_entry(&record, &command.message.request_id, now);
            write.event = (record.decision != Decision::Declined)
                .then(|| self.authorized_event(&write, &record));
            write.completion.outcome_json =
                serde_json::to_string(&outcome).map_err(unavailable("answer not serialisable"))?;
            match self.store.save_authorization(&write).await {
                Ok(()) => {
                    log_decision(&record, &rules);
                    if let Some(event) = &write.event {
                        dispatch(
                            self.events.as_ref(),
                            &write.token_ref,
                            std::slice::from_ref(event),
                        )
                        .await;
                    }
                    return Ok(outcome);
                }
                // A concurrent request took the last slot: decide again on the full count.
                Err(SaveError::TokenLimitReached) if record.decision != Decision::Declined => {
                    record = decide(&rules, &facts(rules.max_live_tokens_per_card));
                }
                // Nothing was written: back off a little (jittered) and try again.
                Err(SaveError::Contention) if contention_retries < MAX_CONTENTION_RETRIES => {
                    contention_retries += 1;
                    let backoff = 10 * u64::from(contention_retries) + self.ids.jitter(20);
                    self.clock.sleep(Duration::from_millis(backoff)).await;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "saving the decision failed");
                    return Err(AppError::Unavailable("saving the decision failed"));
                }
            }
        }
    }

    fn authorized_event(&self, write: &AuthorizationWrite, record: &DecisionRecord) -> TokenEvent {
        let mut event = new_event(
            self.ids.as_ref(),
            write.network,
            TokenEventType::TokenAuthorized,
            &write.token_ref,
            write.now,
        );
        event.pan_unique_reference = write.pan_unique_reference.clone();
        event.pan_last4 = Some(write.pan_last4.clone());
        event.token_requestor_id = write.token_requestor_id.clone();
        event.wallet_id = write.wallet_id.clone();
        event.status = Some(TokenStatus::Inactive);
        event.initiator = Some(Initiator::Tsp);
        event.source_request_id = Some(write.completion.key.request_id.clone());
        event.details =
            serde_json::json!({"decision": record.decision, "decidedBy": record.decided_by});
        event
    }

    /// Encrypts the issuer's contact details under the key service, bound to this token.
    async fn seal_contact(
        &self,
        token_ref: &str,
        card: &VerifiedCard,
    ) -> Result<Vec<u8>, AppError> {
        let contact = contact_of(card);
        let plaintext = Secret::new(
            serde_json::to_vec(&contact).map_err(unavailable("contact not serialisable"))?,
        );
        self.vault
            .encrypt(plaintext.expose(), &contact_context(token_ref))
            .await
            .map_err(unavailable("sealing contact details failed"))
    }

    fn outcome(
        &self,
        record: &DecisionRecord,
        card: Option<&VerifiedCard>,
        entered: &EnteredCard,
    ) -> AuthorizationOutcome {
        let activation_methods = match (record.decision, card) {
            (Decision::RequireAdditionalAuthentication, Some(card)) => {
                activation_methods(&contact_of(card), &self.contact)
            }
            _ => Vec::new(),
        };
        let cvc_response = match (entered.cvc.is_some(), card.map(|c| c.cvc_result)) {
            (false, _) | (true, None) => None,
            (true, Some(CvcResult::Match)) => Some(CvcResponse::Match),
            (true, Some(CvcResult::Mismatch)) => Some(CvcResponse::Invalid),
            (true, Some(CvcResult::NotChecked)) => Some(CvcResponse::NotProcessed),
        };
        AuthorizationOutcome {
            decision: record.decision,
            activation_methods,
            cvc_response,
            replayed: false,
        }
    }
}

/// The key-service context that binds sealed contact details to their token.
pub fn contact_context(token_ref: &str) -> std::collections::BTreeMap<String, String> {
    sealing_context(purpose::CARDHOLDER_CONTACT, token_ref)
}

/// Reads contact details back from their sealed form.
pub fn open_contact(plaintext: &Secret<Vec<u8>>) -> Result<ContactDetails, serde_json::Error> {
    serde_json::from_slice(plaintext.expose())
}

fn history_entry(record: &DecisionRecord, request_id: &str, at: OffsetDateTime) -> HistoryEntry {
    HistoryEntry {
        at,
        operation: OPERATION.to_owned(),
        initiator: Initiator::Tsp,
        reason_code: serde_json::to_value(record.decided_by)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned)),
        source_request_id: request_id.to_owned(),
        from: None,
        to: if record.decision == Decision::Declined {
            TokenStatus::Declined
        } else {
            TokenStatus::Inactive
        },
        suspenders: Default::default(),
        applied: true,
    }
}

fn card_facts(card: Option<&VerifiedCard>, cvc_supplied: bool) -> CardFacts {
    CardFacts {
        known: card.is_some(),
        status: card.map(|c| c.status),
        expiry_match: card.is_some_and(|c| c.expiry_match),
        cvc_supplied,
        cvc_result: card.map_or(CvcResult::NotChecked, |c| c.cvc_result),
    }
}

fn log_decision(record: &DecisionRecord, rules: &DecisionRules) {
    tracing::info!(
        decision = ?record.decision,
        decided_by = ?record.decided_by,
        max_live_tokens = rules.max_live_tokens_per_card,
        "authorizeService decided"
    );
}
