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
    CardVerification, CardVerificationRequest, CvcResponse, CvcResult, EnteredCard, Expiry,
    SealedCardData, VerifiedCard,
};
use crate::domain::decision::{
    CardFacts, Decision, DecisionInputs, DecisionRecord, DecisionRules, WalletAdvice, decide,
    velocity_exceeded,
};
use crate::domain::delivery::{ContactDetails, purpose, sealing_context};
use crate::domain::events::{TokenEvent, TokenEventType};
use crate::domain::phone;
use crate::domain::policy::DecisionPolicy;
use crate::domain::report::DecisionPath;
use crate::domain::token::{HistoryEntry, Initiator, TokenStatus};
use crate::domain::velocity::{self, Attempt};
use crate::domain::verification::ActivationMethod;
use crate::error::unavailable;
use crate::ports::TokenSnapshot;
use crate::ports::{
    AuthorizationStore, AuthorizationWrite, CardVerifier, KeyVault, KeyedMac, PanFingerprinter,
    RequestAnswer, RequestKey, RequestState, SaveError,
};
use crate::secret::Secret;
use crate::usecases::activation_methods::{IssuerContact, activation_methods, contact_of};
use crate::usecases::events::new_event;
use crate::usecases::ledger::Message;

pub const OPERATION: &str = "authorizeService";
/// Token requestor bucket for velocity when the network sends none.
const NO_TOKEN_REQUESTOR: &str = "UNSPECIFIED";
/// Rounds of read-decide-write when concurrent requests for the same card
/// keep winning the race (each round loses only to a committed decision).
const MAX_ROUNDS: u32 = 32;

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
    /// The device's kind and operating system as the network names them
    /// (MDES `formFactor` / `osName`, Visa `deviceType` / `osType`).
    pub device_type: Option<String>,
    pub device_os: Option<String>,
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
    /// Seals the cardholder's contact details for later code delivery.
    pub vault: Arc<dyn KeyVault>,
    pub verifier: Arc<dyn CardVerifier>,
    pub fingerprinter: Arc<dyn PanFingerprinter>,
    /// Fingerprints the cardholder's phone number (the same keyed MAC,
    /// domain-separated), so customer service can search by it.
    pub contact_mac: Arc<dyn KeyedMac>,
    pub store: Arc<dyn AuthorizationStore>,
    pub policy: DecisionPolicy,
    pub contact: IssuerContact,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl AuthorizeTokenization {
    /// Two round trips to the store: one read (ledger entry, card, token),
    /// one transaction (decision, card, token, events, answer). A retry of an
    /// answered request id replays the answer; a concurrent duplicate loses
    /// the transaction to the first and replays it (it may have asked the
    /// issuer too: asking changes nothing at the issuer).
    #[tracing::instrument(skip_all, fields(request_id = %command.message.request_id, correlation_id = %command.correlation_id))]
    pub async fn authorize(
        &self,
        command: &AuthorizeCommand,
    ) -> Result<AuthorizationOutcome, AppError> {
        let now = self.clock.now();
        // The card key needs the PAN's fingerprint: open the card first (in
        // memory; no call).
        let opened = command.card_data.open(now)?;
        let wallet = opened.wallet.unwrap_or(command.wallet);
        let card = opened.card.map_err(AppError::CardData)?;
        let pan_fingerprint = self
            .fingerprinter
            .fingerprint(&card.pan)
            .await
            .map_err(unavailable("PAN fingerprint failed"))?;
        tracing::info!(pan = %card.pan, "card decrypted");
        let request = RequestKey {
            origin: command.message.network.into(),
            operation: OPERATION,
            request_id: command.message.request_id.clone(),
        };
        let attempt = Attempt {
            request_id: command.message.request_id.clone(),
            token_requestor_id: command
                .token_requestor_id
                .clone()
                .unwrap_or_else(|| NO_TOKEN_REQUESTOR.to_owned()),
            at: now,
        };
        // Asked at most once per invocation, however many rounds a race costs.
        let mut verification: Option<CardVerification> = None;
        let mut sealed_contact: Option<Vec<u8>> = None;
        let mut phone_fingerprint: Option<String> = None;
        for round in 0..MAX_ROUNDS {
            let snapshot = self
                .store
                .snapshot(&request, &pan_fingerprint, &command.token_ref)
                .await
                .map_err(unavailable("reading the card and token failed"))?;
            // The administrator's rules when stored (read with the card, no extra call).
            let rules = self
                .policy
                .with_stored(snapshot.decision_rules.as_deref())
                .rules_for(command.token_requestor_id.as_deref());
            match &snapshot.request {
                RequestState::New => {}
                RequestState::Completed {
                    signature,
                    outcome_json,
                } => return replay(&command.message, signature, outcome_json),
            }
            let attempts = velocity::record(&snapshot.card.attempts, attempt.clone());
            let counts = velocity::counts(&attempts, &attempt);
            let existing = snapshot.token.clone();
            let token_conflict = existing.as_ref().is_some_and(|t| {
                !t.live || t.pan_fingerprint.as_deref() != Some(pan_fingerprint.as_str())
            });
            // Count first: past a limit, or for an unusable token reference,
            // the issuer is not asked and nothing about the card is revealed.
            let ask_issuer =
                !token_conflict && !velocity_exceeded(&rules, counts.requestor, counts.card);
            if ask_issuer && verification.is_none() {
                verification = Some(
                    self.verifier
                        .verify(&CardVerificationRequest {
                            pan: card.pan.clone(),
                            expiry: card.expiry,
                            cvc: card.cvc.clone(),
                        })
                        .await
                        .map_err(unavailable("issuer card verification failed"))?,
                );
            }
            let known = match (&verification, ask_issuer) {
                (Some(CardVerification::Known(card)), true) => Some(card),
                _ => None,
            };
            let live = snapshot.card.live_tokens.saturating_sub(u32::from(
                // Re-authorizing a token already counted: it does not add one.
                existing.as_ref().is_some_and(|t| t.live) && !token_conflict,
            ));
            let record = decide(
                &rules,
                &DecisionInputs {
                    card: card_facts(known, card.cvc.is_some()),
                    issuer_asked: ask_issuer,
                    token_conflict,
                    live_tokens: live,
                    attempts_24h: counts.requestor,
                    card_attempts_24h: counts.card,
                    wallet,
                },
            );
            let approved = record.decision != Decision::Declined;
            let creates_token = existing.is_none();
            if creates_token
                && sealed_contact.is_none()
                && let Some(card) = known.filter(|c| c.phone_number.is_some() || c.email.is_some())
            {
                sealed_contact = Some(self.seal_contact(&command.token_ref, card).await?);
                phone_fingerprint = self.phone_fingerprint(card).await?;
            }
            let outcome = self.outcome(&record, known, &card);
            let mut write = AuthorizationWrite {
                network: command.message.network,
                answer: RequestAnswer {
                    key: request.clone(),
                    signature: command.message.signature.clone(),
                    outcome_json: serde_json::to_string(&outcome)
                        .map_err(unavailable("answer not serialisable"))?,
                },
                token_ref: command.token_ref.clone(),
                pan_unique_reference: command.pan_unique_reference.clone(),
                pan_fingerprint: pan_fingerprint.clone(),
                pan_last4: card.pan.last4().to_owned(),
                pan_expiry: card.expiry.map(Expiry::slashed),
                phone_fingerprint: if creates_token {
                    phone_fingerprint.clone()
                } else {
                    None
                },
                token_requestor_id: command.token_requestor_id.clone(),
                wallet_id: command.wallet_id.clone(),
                payment_app_instance_id: command.payment_app_instance_id.clone(),
                correlation_id: command.correlation_id.clone(),
                token_type: command.token_type.clone(),
                device_name: command.device_name.clone(),
                device_type: command.device_type.clone(),
                device_os: command.device_os.clone(),
                issuer_card_id: known.map(|c| c.card_id.clone()),
                product_category: known.map(|c| c.product_category.clone()),
                history: history_entry(
                    &record,
                    existing.as_ref(),
                    &command.message.request_id,
                    now,
                ),
                path: DecisionPath::of(record.decision, &outcome.activation_methods),
                record: record.clone(),
                existing: existing.clone(),
                card_version: snapshot.card.version,
                attempts,
                live_delta: u8::from(approved && creates_token),
                writes_token: !token_conflict,
                now,
                contact_ciphertext: if creates_token {
                    sealed_contact.clone()
                } else {
                    None
                },
                event: None,
            };
            write.event =
                (approved && !token_conflict).then(|| self.authorized_event(&write, &record));
            match self.store.save_authorization(&write).await {
                Ok(()) => {
                    log_decision(&record, &rules, round);
                    return Ok(outcome);
                }
                // Another request changed the card or the token first, or a
                // duplicate answered this one: nothing was written; read
                // again and decide on what is there now (or replay).
                Err(SaveError::Conflict | SaveError::Contention | SaveError::TokenLimitReached) => {
                    let backoff = 5 + 5 * u64::from(round.min(4)) + self.ids.jitter(20);
                    self.clock.sleep(Duration::from_millis(backoff)).await;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "saving the decision failed");
                    return Err(AppError::Unavailable("saving the decision failed"));
                }
            }
        }
        tracing::warn!("the card kept changing under concurrent requests");
        Err(AppError::Unavailable("the card kept changing"))
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
        event.status = Some(write.history.to);
        event.initiator = Some(Initiator::Tsp);
        event.source_request_id = Some(write.answer.key.request_id.clone());
        event.details =
            serde_json::json!({"decision": record.decision, "decidedBy": record.decided_by});
        event
    }

    /// The keyed fingerprint of the card's phone number, when it has a valid one.
    async fn phone_fingerprint(&self, card: &VerifiedCard) -> Result<Option<String>, AppError> {
        let Some(phone) = card
            .phone_number
            .as_ref()
            .and_then(|p| phone::normalized(p.expose()))
        else {
            return Ok(None);
        };
        self.contact_mac
            .mac(&phone::index_message(&phone))
            .await
            .map(Some)
            .map_err(unavailable("phone fingerprint failed"))
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

/// The history line: a new token starts INACTIVE or DECLINED; a token that
/// exists is re-authorized and keeps its status (it is never reset).
fn history_entry(
    record: &DecisionRecord,
    existing: Option<&TokenSnapshot>,
    request_id: &str,
    at: OffsetDateTime,
) -> HistoryEntry {
    let to = match existing {
        Some(token) => token.status,
        None if record.decision == Decision::Declined => TokenStatus::Declined,
        None => TokenStatus::Inactive,
    };
    HistoryEntry {
        at,
        operation: OPERATION.to_owned(),
        initiator: Initiator::Tsp,
        reason_code: serde_json::to_value(record.decided_by)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned)),
        source_request_id: request_id.to_owned(),
        from: existing.map(|t| t.status),
        to,
        suspenders: existing.map(|t| t.suspenders.clone()).unwrap_or_default(),
        applied: true,
        event_time: None,
        comment: None,
        operator: None,
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

fn log_decision(record: &DecisionRecord, rules: &DecisionRules, round: u32) {
    tracing::info!(
        decision = ?record.decision,
        decided_by = ?record.decided_by,
        max_live_tokens = rules.max_live_tokens_per_card,
        rounds = round + 1,
        "authorizeService decided"
    );
}

/// The stored answer of a retried request id (the same message only).
fn replay(
    message: &Message,
    signature: &str,
    outcome_json: &str,
) -> Result<AuthorizationOutcome, AppError> {
    if signature != message.signature {
        return Err(AppError::RequestIdReused);
    }
    let mut outcome: AuthorizationOutcome =
        serde_json::from_str(outcome_json).map_err(unavailable("stored answer unreadable"))?;
    outcome.replayed = true;
    tracing::info!(decision = ?outcome.decision, "replayed stored answer for a retried requestId");
    Ok(outcome)
}
