//! The authorizeService use case: decrypt, verify with the issuer, count,
//! decide, persist atomically, answer. Retries of a requestId replay the
//! first answer and count once.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::crypto::CryptoError;
use crate::domain::card::{CardVerification, CardVerificationRequest, CvcResult, VerifiedCard};
use crate::domain::decision::{
    CardFacts, Decision, DecisionInputs, DecisionRecord, DecisionRules, decide,
};
use crate::domain::delivery::{ContactDetails, purpose};
use crate::domain::events::TokenEventType;
use crate::domain::policy::DecisionPolicy;
use crate::domain::token::{HistoryEntry, Initiator, TokenStatus};
use crate::mdes::MdesError;
use crate::mdes::activation_method::ActivationMethod;
use crate::mdes::authorize_service::{AuthorizeServiceRequest, CvcResponse};
use crate::mdes::funding_account::{EnteredCard, FundingAccountData};
use crate::ports::{
    AuthorizationStore, AuthorizationWrite, CardVerifier, KeyVault, PanFingerprinter,
    PayloadDecryptor, RequestClaim, SaveError,
};
use crate::services::activation_methods::{IssuerContact, activation_methods};
use crate::services::events::{EventDispatch, new_event};

/// Token requestor bucket for velocity when MDES sends none.
const NO_TOKEN_REQUESTOR: &str = "UNSPECIFIED";
/// How long a duplicate waits for the first invocation of its requestId.
const IN_PROGRESS_WAIT: StdDuration = StdDuration::from_secs(5);
const IN_PROGRESS_POLL: StdDuration = StdDuration::from_millis(100);
/// Transactions that collide on the card counter are retried this many times.
const MAX_CONTENTION_RETRIES: u32 = 5;

/// What we answer, stored for replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationOutcome {
    pub decision: Decision,
    pub activation_methods: Vec<ActivationMethod>,
    pub cvc_response: Option<CvcResponse>,
    /// True when this answer was replayed for a retried requestId.
    #[serde(skip)]
    pub replayed: bool,
}

pub struct AuthorizeService {
    pub decryptor: Arc<dyn PayloadDecryptor>,
    /// Seals the cardholder's contact details for later code delivery.
    pub vault: Arc<dyn KeyVault>,
    /// Publishes `TOKEN_AUTHORIZED` after the decision is committed.
    pub events: Option<EventDispatch>,
    pub verifier: Arc<dyn CardVerifier>,
    pub fingerprinter: Arc<dyn PanFingerprinter>,
    pub store: Arc<dyn AuthorizationStore>,
    pub policy: DecisionPolicy,
    pub contact: IssuerContact,
}

impl AuthorizeService {
    #[tracing::instrument(skip_all, fields(request_id = %request.request_id, correlation_id = %request.correlation_id))]
    pub async fn authorize(
        &self,
        request: &AuthorizeServiceRequest,
    ) -> Result<AuthorizationOutcome, MdesError> {
        request.validate()?;
        let signature = request_signature(request);
        let deadline = tokio::time::Instant::now() + IN_PROGRESS_WAIT;
        let lease_id = loop {
            let now = OffsetDateTime::now_utc();
            match self
                .store
                .claim_request(&request.request_id, &signature, now)
                .await
            {
                Ok(RequestClaim::Claimed { lease_id }) => break lease_id,
                Ok(RequestClaim::Completed {
                    signature: stored,
                    outcome_json,
                }) => {
                    return replay(&stored, &signature, &outcome_json);
                }
                Ok(RequestClaim::InProgress) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(IN_PROGRESS_POLL).await;
                }
                Ok(RequestClaim::InProgress) => {
                    tracing::warn!("requestId still in progress elsewhere");
                    return Err(MdesError::internal());
                }
                Err(err) => {
                    tracing::error!(error = %err, "claiming requestId failed");
                    return Err(MdesError::internal());
                }
            }
        };
        let result = self.decide_and_save(request, &signature, &lease_id).await;
        if result.is_err() {
            // Nothing was written but the claim: free it so the TSP's retry runs.
            if let Err(err) = self
                .store
                .release_request(&request.request_id, &lease_id)
                .await
            {
                tracing::error!(error = %err, "releasing requestId claim failed");
            }
        }
        result
    }

    async fn decide_and_save(
        &self,
        request: &AuthorizeServiceRequest,
        signature: &str,
        lease_id: &str,
    ) -> Result<AuthorizationOutcome, MdesError> {
        let now = OffsetDateTime::now_utc();
        let card = self.entered_card(request, now)?;
        let pan_fingerprint = self
            .fingerprinter
            .fingerprint(&card.pan)
            .await
            .map_err(|err| {
                tracing::error!(error = %err, "PAN fingerprint failed");
                MdesError::internal()
            })?;
        tracing::info!(pan = %card.pan, "card decrypted");

        let verification = self
            .verifier
            .verify(&CardVerificationRequest {
                pan: card.pan.clone(),
                expiry: card.expiry,
                cvc: card.cvc.clone(),
            })
            .await
            .map_err(|err| {
                tracing::error!(error = %err, "issuer card verification failed");
                MdesError::internal()
            })?;

        let token_requestor = request.token_requestor_id.as_deref();
        let rules = self.policy.rules_for(token_requestor);
        let store_err = |err: crate::ports::StoreError| {
            tracing::error!(error = %err, "state store failed");
            MdesError::internal()
        };
        let attempts = self
            .store
            .record_attempt(
                &pan_fingerprint,
                token_requestor.unwrap_or(NO_TOKEN_REQUESTOR),
                &request.request_id,
                now,
            )
            .await
            .map_err(store_err)?;
        let token_ref = token_ref(request);
        let existing = self.store.find_token(&token_ref).await.map_err(store_err)?;
        let mut live = self
            .store
            .live_token_count(&pan_fingerprint)
            .await
            .map_err(store_err)?;
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
            wallet: request.wallet_advice().unwrap_or_default(),
        };
        let mut record = decide(&rules, &facts(live));
        let mut write = AuthorizationWrite {
            request_id: request.request_id.clone(),
            lease_id: lease_id.to_owned(),
            signature: signature.to_owned(),
            outcome_json: String::new(),
            token_ref,
            pan_unique_reference: request.funding_account_info.pan_unique_reference.clone(),
            pan_fingerprint,
            pan_last4: card.pan.last4().to_owned(),
            token_requestor_id: request.token_requestor_id.clone(),
            wallet_id: request.wallet_id.clone(),
            payment_app_instance_id: request.payment_app_instance_id.clone(),
            correlation_id: request.correlation_id.clone(),
            token_type: request.token_type.clone(),
            device_name: request
                .device_info
                .as_ref()
                .and_then(|d| d.device_name.clone()),
            issuer_card_id: known.map(|c| c.card_id.clone()),
            product_category: known.map(|c| c.product_category.clone()),
            record: record.clone(),
            existing,
            live_token_limit: rules.max_live_tokens_per_card,
            now,
            contact_ciphertext: None,
            history: history_entry(&record, request, now),
            event: None,
        };
        if let Some(card) = known.filter(|c| c.phone_number.is_some() || c.email.is_some()) {
            write.contact_ciphertext = Some(self.seal_contact(&write.token_ref, card).await?);
        }
        let mut contention_retries = 0u32;
        loop {
            let outcome = self.outcome(&record, known, card.cvc.is_some());
            write.record = record.clone();
            write.history = history_entry(&record, request, now);
            write.event = (record.decision != Decision::Declined).then(|| {
                let mut event = new_event(TokenEventType::TokenAuthorized, &write.token_ref, now);
                event.pan_unique_reference = write.pan_unique_reference.clone();
                event.pan_last4 = Some(write.pan_last4.clone());
                event.token_requestor_id = write.token_requestor_id.clone();
                event.wallet_id = write.wallet_id.clone();
                event.status = Some(TokenStatus::Inactive.as_str().to_owned());
                event.initiator = Some("TSP".to_owned());
                event.source_request_id = Some(write.request_id.clone());
                event.details = serde_json::json!({"decision": record.decision, "decidedBy": record.decided_by});
                event
            });
            write.outcome_json =
                serde_json::to_string(&outcome).map_err(|_| MdesError::internal())?;
            match self.store.save_authorization(&write).await {
                Ok(()) => {
                    log_decision(&record, &rules);
                    if let (Some(events), Some(event)) = (&self.events, &write.event) {
                        events
                            .dispatch(&write.token_ref, std::slice::from_ref(event))
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
                    let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) % 20;
                    let backoff = 10 * u64::from(contention_retries) + jitter;
                    tokio::time::sleep(StdDuration::from_millis(backoff)).await;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "saving the decision failed");
                    return Err(MdesError::internal());
                }
            }
        }
    }

    /// KMS-encrypts the issuer's contact details, bound to this token.
    async fn seal_contact(
        &self,
        token_ref: &str,
        card: &VerifiedCard,
    ) -> Result<Vec<u8>, MdesError> {
        let contact = ContactDetails {
            phone_number: card.phone_number.clone(),
            email: card.email.clone(),
        };
        let plaintext = crate::secret::Secret::new(
            serde_json::to_vec(&contact).map_err(|_| MdesError::internal())?,
        );
        let context = std::collections::BTreeMap::from([
            ("purpose".to_owned(), purpose::CARDHOLDER_CONTACT.to_owned()),
            ("token".to_owned(), token_ref.to_owned()),
        ]);
        self.vault
            .encrypt(plaintext.expose(), &context)
            .await
            .map_err(|err| {
                tracing::error!(error = %err, "sealing contact details failed");
                MdesError::internal()
            })
    }

    fn entered_card(
        &self,
        request: &AuthorizeServiceRequest,
        now: OffsetDateTime,
    ) -> Result<EnteredCard, MdesError> {
        let plaintext = self
            .decryptor
            .decrypt(&request.funding_account_info.encrypted_payload)
            .map_err(|err| {
                tracing::warn!(error = %err, "payload decryption failed");
                // One answer for every failure but an unknown key: no padding
                // or key-unwrap oracle for the network to probe.
                MdesError::crypto(match err {
                    CryptoError::UnknownKeyFingerprint => {
                        "publicKeyFingerprint does not match a key of this issuer"
                    }
                    _ => "encryptedPayload could not be decrypted",
                })
            })?;
        let data = FundingAccountData::from_decrypted(&plaintext)?;
        data.check_validity(now)?;
        data.entered_card()
    }

    fn outcome(
        &self,
        record: &DecisionRecord,
        card: Option<&VerifiedCard>,
        cvc_supplied: bool,
    ) -> AuthorizationOutcome {
        let activation_methods = match (record.decision, card) {
            (Decision::RequireAdditionalAuthentication, Some(card)) => {
                activation_methods(card, &self.contact)
            }
            _ => Vec::new(),
        };
        let cvc_response = match (cvc_supplied, card.map(|c| c.cvc_result)) {
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

fn history_entry(
    record: &DecisionRecord,
    request: &AuthorizeServiceRequest,
    at: OffsetDateTime,
) -> HistoryEntry {
    HistoryEntry {
        at,
        operation: "authorizeService".to_owned(),
        initiator: Initiator::Tsp,
        reason_code: serde_json::to_value(record.decided_by)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned)),
        source_request_id: request.request_id.clone(),
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

/// The token's key: MDES always sends `tokenUniqueReference`; without it the
/// provisioning is tracked by its correlation id.
fn token_ref(request: &AuthorizeServiceRequest) -> String {
    request
        .funding_account_info
        .token_unique_reference
        .clone()
        .unwrap_or_else(|| format!("CORRELATION-{}", request.correlation_id))
}

/// The clear (non-card) identity of a request: a retry must carry the same.
fn request_signature(request: &AuthorizeServiceRequest) -> String {
    let fai = &request.funding_account_info;
    [
        Some(request.correlation_id.as_str()),
        fai.token_unique_reference.as_deref(),
        fai.pan_unique_reference.as_deref(),
        request.token_requestor_id.as_deref(),
    ]
    .map(|v| v.unwrap_or(""))
    .join("|")
}

fn replay(stored: &str, ours: &str, outcome_json: &str) -> Result<AuthorizationOutcome, MdesError> {
    if stored != ours {
        return Err(MdesError::value(
            "requestId (already used for a different request)",
        ));
    }
    let mut outcome: AuthorizationOutcome =
        serde_json::from_str(outcome_json).map_err(|_| MdesError::internal())?;
    outcome.replayed = true;
    tracing::info!(decision = ?outcome.decision, "replayed stored answer for a retried requestId");
    Ok(outcome)
}

fn log_decision(record: &DecisionRecord, rules: &DecisionRules) {
    tracing::info!(
        decision = ?record.decision,
        decided_by = ?record.decided_by,
        max_live_tokens = rules.max_live_tokens_per_card,
        "authorizeService decided"
    );
}
