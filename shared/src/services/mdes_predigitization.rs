//! The MDES Pre-Digitization operations after authorizeService: activation
//! methods, activation codes (issue, deliver through the OTP queue, validate)
//! and the token notifications that drive the lifecycle. Each message is
//! applied once (request ledger); each state change is committed with its
//! history line and outbox event, then published.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use base64::Engine as _;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::domain::activation_code::{self, CodeCheck, CodePolicy, CodeSource, IssuedCode};
use crate::domain::delivery::{ContactDetails, DeliveryChannel, OtpDeliveryJob, purpose};
use crate::domain::events::{TokenEvent, TokenEventType};
use crate::domain::token::{
    self, Applied, Change, HistoryEntry, Initiator, LifecycleState, Suspender, TokenStatus,
};
use crate::mdes::MdesError;
use crate::mdes::activation_method::{ActivationMethod, ActivationMethodType};
use crate::mdes::deliver_activation_code::DeliverActivationCodeRequest;
use crate::mdes::funding_account::FundingAccountData;
use crate::mdes::notify_service_activated::NotifyServiceActivatedRequest;
use crate::mdes::notify_suspicious_events::NotifySuspiciousEventsRequest;
use crate::mdes::notify_token_updated::{
    self as ntu, NotifyTokenUpdatedRequest, TokenUpdateReason,
};
use crate::mdes::request_activation_methods::RequestActivationMethodsRequest;
use crate::mdes::validate_activation_code::{ValidateActivationCodeRequest, ValidationResult};
use crate::ports::{
    ActivationCodeStore, IssueOutcome, KeyVault, KeyedMac, LifecycleCommit, OtpJobQueue,
    PanFingerprinter, PayloadDecryptor, RequestClaim, RequestCompletion, SaveError, StoredCode,
    TokenLifecycleStore, TokenRecord,
};
use crate::secret::{Pan, Secret};
use crate::services::activation_methods::IssuerContact;
use crate::services::events::{EventDispatch, new_event};
use crate::services::predigitization::PreDigitization;

const IN_PROGRESS_WAIT: StdDuration = StdDuration::from_secs(5);
const IN_PROGRESS_POLL: StdDuration = StdDuration::from_millis(100);
/// Optimistic-concurrency retries when a token changed under us.
const COMMIT_RETRIES: usize = 5;

pub struct MdesPreDigitization {
    pub tokens: Arc<dyn TokenLifecycleStore>,
    pub codes: Arc<dyn ActivationCodeStore>,
    pub vault: Arc<dyn KeyVault>,
    pub mac: Arc<dyn KeyedMac>,
    pub fingerprinter: Arc<dyn PanFingerprinter>,
    /// Needed by the operations whose requests carry an `encryptedPayload`.
    pub decryptor: Option<Arc<dyn PayloadDecryptor>>,
    pub otp_queue: Option<Arc<dyn OtpJobQueue>>,
    pub events: Option<EventDispatch>,
    pub contact: IssuerContact,
    pub code_policy: CodePolicy,
}

fn internal<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> MdesError {
    move |err| {
        tracing::error!(error = %err, "{what}");
        MdesError::internal()
    }
}

fn context(purpose: &str, token_ref: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("purpose".to_owned(), purpose.to_owned()),
        ("token".to_owned(), token_ref.to_owned()),
    ])
}

fn parse_time(field: &str, value: &str) -> Result<OffsetDateTime, MdesError> {
    OffsetDateTime::parse(value, &Rfc3339).map_err(|_| MdesError::format(field))
}

/// A claimed request: complete it with its effects, or it is released.
struct Claimed {
    operation: &'static str,
    request_id: String,
    lease_id: String,
}

impl Claimed {
    fn completion(&self, outcome_json: String) -> RequestCompletion {
        RequestCompletion {
            operation: self.operation.to_owned(),
            request_id: self.request_id.clone(),
            lease_id: self.lease_id.clone(),
            outcome_json,
        }
    }
}

enum Claim {
    New(Claimed),
    Replay(String),
}

impl MdesPreDigitization {
    async fn claim(
        &self,
        operation: &'static str,
        request_id: &str,
        signature: &str,
    ) -> Result<Claim, MdesError> {
        let deadline = tokio::time::Instant::now() + IN_PROGRESS_WAIT;
        loop {
            let now = OffsetDateTime::now_utc();
            match self
                .tokens
                .claim(operation, request_id, signature, now)
                .await
            {
                Ok(RequestClaim::Claimed { lease_id }) => {
                    return Ok(Claim::New(Claimed {
                        operation,
                        request_id: request_id.to_owned(),
                        lease_id,
                    }));
                }
                Ok(RequestClaim::Completed {
                    signature: stored,
                    outcome_json,
                }) => {
                    if stored != signature {
                        return Err(MdesError::value(
                            "requestId (already used for a different request)",
                        ));
                    }
                    tracing::info!(operation, "replayed stored answer for a retried requestId");
                    return Ok(Claim::Replay(outcome_json));
                }
                Ok(RequestClaim::InProgress) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(IN_PROGRESS_POLL).await;
                }
                Ok(RequestClaim::InProgress) => return Err(MdesError::internal()),
                Err(err) => return Err(internal("claiming requestId failed")(err)),
            }
        }
    }

    /// Runs `work` under a claim; releases the claim if it fails.
    async fn once<T, F, Fut>(
        &self,
        operation: &'static str,
        request_id: &str,
        signature: &str,
        token_ref: &str,
        replay: impl FnOnce(&str) -> Result<T, MdesError>,
        work: F,
    ) -> Result<T, MdesError>
    where
        F: FnOnce(Claimed) -> Fut,
        Fut: std::future::Future<Output = Result<T, MdesError>>,
    {
        let claimed = match self.claim(operation, request_id, signature).await? {
            Claim::Replay(outcome) => {
                if let Some(events) = &self.events {
                    events.dispatch_pending(token_ref).await;
                }
                return replay(&outcome);
            }
            Claim::New(claimed) => claimed,
        };
        let lease_id = claimed.lease_id.clone();
        let result = work(claimed).await;
        if result.is_err()
            && let Err(err) = self.tokens.release(operation, request_id, &lease_id).await
        {
            tracing::error!(error = %err, "releasing requestId claim failed");
        }
        result
    }

    fn decrypt(
        &self,
        payload: &crate::crypto::EncryptedPayload,
        now: OffsetDateTime,
    ) -> Result<FundingAccountData, MdesError> {
        let decryptor = self.decryptor.as_ref().ok_or_else(MdesError::internal)?;
        let plaintext = decryptor.decrypt(payload).map_err(|err| {
            tracing::warn!(error = %err, "payload decryption failed");
            MdesError::crypto(match err {
                crate::crypto::CryptoError::UnknownKeyFingerprint => {
                    "publicKeyFingerprint does not match a key of this issuer"
                }
                _ => "encryptedPayload could not be decrypted",
            })
        })?;
        let data = FundingAccountData::from_decrypted(&plaintext)?;
        data.check_validity(now)?;
        Ok(data)
    }

    async fn contact(&self, token: &TokenRecord) -> Result<Option<ContactDetails>, MdesError> {
        let Some(ciphertext) = self
            .tokens
            .contact_ciphertext(&token.token_ref)
            .await
            .map_err(internal("reading contact failed"))?
        else {
            return Ok(None);
        };
        let plaintext = self
            .vault
            .decrypt(
                &ciphertext,
                &context(purpose::CARDHOLDER_CONTACT, &token.token_ref),
            )
            .await
            .map_err(internal("opening contact details failed"))?;
        serde_json::from_slice(plaintext.expose())
            .map(Some)
            .map_err(internal("contact details unreadable"))
    }

    /// Loads, applies `change`, commits (retrying when the token moved), publishes.
    #[allow(clippy::too_many_arguments)]
    async fn transition(
        &self,
        token_ref: &str,
        change: Option<&Change>,
        at: OffsetDateTime,
        operation: &str,
        reason_code: Option<String>,
        source_request_id: &str,
        new_token: impl Fn() -> (LifecycleState, Option<String>),
        attributes: Vec<(String, String)>,
        event_type: impl Fn(&LifecycleState, &LifecycleState) -> Option<TokenEventType>,
        details: serde_json::Value,
        request: Option<RequestCompletion>,
    ) -> Result<(), MdesError> {
        for _ in 0..COMMIT_RETRIES {
            let current = self
                .tokens
                .token(token_ref)
                .await
                .map_err(internal("reading token failed"))?;
            let (before, version, fingerprint) = match &current {
                Some(t) => (t.state.clone(), Some(t.version), t.pan_fingerprint.clone()),
                None => {
                    let (state, fingerprint) = new_token();
                    (state, None, fingerprint)
                }
            };
            let applied = match change {
                None => Applied::Unchanged {
                    state: LifecycleState {
                        last_event_at: Some(at.max(before.last_event_at.unwrap_or(at))),
                        ..before.clone()
                    },
                },
                Some(change) => match token::apply(&before, change, at) {
                    Ok(applied) => applied,
                    Err(err) => {
                        tracing::warn!(error = %err, "transition not allowed: recorded, not applied");
                        Applied::Stale
                    }
                },
            };
            let (after, applied_flag) = match &applied {
                Applied::Changed { to, .. } => (to.clone(), true),
                Applied::Unchanged { state } => (state.clone(), true),
                Applied::Stale => (before.clone(), false),
            };
            let was_live = current.is_some() && before.status.is_live();
            let live_delta = match (was_live, after.status.is_live()) {
                (false, true) => 1,
                (true, false) => -1,
                _ => 0,
            };
            let events: Vec<TokenEvent> = if applied_flag {
                event_type(&before, &after)
                    .map(|t| {
                        let mut e = new_event(t, token_ref, at);
                        if let Some(token) = &current {
                            e.pan_unique_reference = token.pan_unique_reference.clone();
                            e.pan_last4 = token.pan_last4.clone();
                            e.token_requestor_id = token.token_requestor_id.clone();
                            e.wallet_id = token.wallet_id.clone();
                            e.language = token.language.clone();
                        }
                        if let Some((_, lang)) = attributes.iter().find(|(k, _)| k == "language") {
                            e.language = Some(lang.clone());
                        }
                        e.status = Some(after.status.as_str().to_owned());
                        e.previous_status =
                            current.as_ref().map(|_| before.status.as_str().to_owned());
                        e.initiator = Some("TSP".to_owned());
                        e.reason_code = reason_code.clone();
                        e.source_request_id = Some(source_request_id.to_owned());
                        e.details = details.clone();
                        e
                    })
                    .into_iter()
                    .collect()
            } else {
                Vec::new()
            };
            let commit = LifecycleCommit {
                token_ref: token_ref.to_owned(),
                expected_version: version,
                state: after.clone(),
                live_delta,
                pan_fingerprint: fingerprint,
                history: HistoryEntry {
                    at,
                    operation: operation.to_owned(),
                    initiator: Initiator::Tsp,
                    reason_code: reason_code.clone(),
                    source_request_id: source_request_id.to_owned(),
                    from: current.as_ref().map(|_| before.status),
                    to: after.status,
                    suspenders: after.suspenders.clone(),
                    applied: applied_flag,
                },
                attributes: attributes.clone(),
                events: events.clone(),
                request: request.clone(),
            };
            match self.tokens.commit(&commit).await {
                Ok(()) => {
                    tracing::info!(operation, from = ?before.status, to = ?after.status, applied = applied_flag, "token lifecycle");
                    if let Some(dispatch) = &self.events {
                        dispatch.dispatch(token_ref, &events).await;
                    }
                    return Ok(());
                }
                Err(SaveError::Conflict | SaveError::Contention) => {
                    tokio::time::sleep(StdDuration::from_millis(20)).await;
                }
                Err(err) => return Err(internal("committing token change failed")(err)),
            }
        }
        Err(MdesError::internal())
    }

    async fn code_mac(&self, token_ref: &str, code: &Secret<String>) -> Result<String, MdesError> {
        self.mac
            .mac(&activation_code::mac_message(token_ref, code.expose()))
            .await
            .map_err(internal("activation code MAC failed"))
    }
}

fn signature(parts: &[&str]) -> String {
    parts.join("|")
}

fn channel(method: ActivationMethodType) -> DeliveryChannel {
    match method {
        ActivationMethodType::TextToCardholderNumber => DeliveryChannel::Sms,
        ActivationMethodType::EmailToCardholderAddress => DeliveryChannel::Email,
        _ => DeliveryChannel::Issuer,
    }
}

fn ack(_: &str) -> Result<(), MdesError> {
    Ok(())
}

fn map_suspender(s: ntu::Suspender) -> Suspender {
    match s {
        ntu::Suspender::Issuer => Suspender::Issuer,
        ntu::Suspender::PaymentAppProvider => Suspender::PaymentAppProvider,
        ntu::Suspender::TokenRequestor => Suspender::TokenRequestor,
        ntu::Suspender::MobilePinLocked => Suspender::MobilePinLocked,
        ntu::Suspender::Cardholder => Suspender::Cardholder,
    }
}

fn map_status(s: ntu::TokenStatus) -> TokenStatus {
    match s {
        ntu::TokenStatus::Inactive => TokenStatus::Inactive,
        ntu::TokenStatus::Active => TokenStatus::Active,
        ntu::TokenStatus::Suspended => TokenStatus::Suspended,
        ntu::TokenStatus::Deactivated => TokenStatus::Deactivated,
    }
}

fn wire_name<T: serde::Serialize>(value: &T) -> Option<String> {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

fn unknown_token_state(status: TokenStatus) -> impl Fn() -> (LifecycleState, Option<String>) {
    move || {
        (
            LifecycleState {
                status,
                suspenders: BTreeSet::new(),
                last_event_at: None,
            },
            None,
        )
    }
}

#[async_trait]
impl PreDigitization for MdesPreDigitization {
    async fn request_activation_methods(
        &self,
        request: &RequestActivationMethodsRequest,
    ) -> Result<Vec<ActivationMethod>, MdesError> {
        let now = OffsetDateTime::now_utc();
        let fai = &request.funding_account_info;
        let card = self.decrypt(&fai.encrypted_payload, now)?;
        let Ok(entered) = card.entered_card() else {
            return Ok(Vec::new());
        };
        let Some(token_ref) = fai.token_unique_reference.as_deref() else {
            return Ok(Vec::new());
        };
        let Some(token) = self
            .tokens
            .token(token_ref)
            .await
            .map_err(internal("reading token failed"))?
        else {
            return Ok(Vec::new());
        };
        // The card entered must be the card the token was authorized for.
        let fingerprint = self
            .fingerprinter
            .fingerprint(&entered.pan)
            .await
            .map_err(internal("PAN fingerprint failed"))?;
        let same_card = token
            .pan_fingerprint
            .as_deref()
            .is_some_and(|f| f.as_bytes().ct_eq(fingerprint.as_bytes()).into());
        if !same_card || !token.state.status.is_live() {
            return Ok(Vec::new());
        }
        let contact = self.contact(&token).await?.unwrap_or_default();
        let card = crate::domain::card::VerifiedCard {
            card_id: String::new(),
            status: crate::domain::card::CardStatus::Active,
            cvc_result: crate::domain::card::CvcResult::NotChecked,
            expiry_match: true,
            phone_number: contact.phone_number,
            email: contact.email,
            product_category: String::new(),
        };
        Ok(crate::services::activation_methods::activation_methods(
            &card,
            &self.contact,
        ))
    }

    async fn deliver_activation_code(
        &self,
        request: &DeliverActivationCodeRequest,
    ) -> Result<(), MdesError> {
        let token_ref = request.token_unique_reference.as_str();
        let method = wire_name(&request.activation_method.method_type).unwrap_or_default();
        let sig = signature(&[token_ref, &request.correlation_id, &method]);
        self.once("deliverActivationCode", &request.request_id, &sig, token_ref, ack, |claimed| async move {
            let now = OffsetDateTime::now_utc();
            let token = self
                .tokens
                .token(token_ref)
                .await
                .map_err(internal("reading token failed"))?
                .ok_or_else(|| MdesError::value("tokenUniqueReference (unknown token)"))?;
            let (code, source, expires_at) = match &request.activation_code {
                Some(code) => {
                    let expires = match &request.expiration_date_time {
                        Some(raw) => parse_time("expirationDateTime", raw)?,
                        None => now + self.code_policy.ttl,
                    };
                    (code.clone(), CodeSource::Network, expires)
                }
                None => (
                    activation_code::generate(self.code_policy.length).map_err(internal("code generation failed"))?,
                    CodeSource::Issuer,
                    now + self.code_policy.ttl,
                ),
            };
            let code_context = context(purpose::ACTIVATION_CODE, token_ref);
            let fresh = StoredCode {
                issued: IssuedCode {
                    mac: self.code_mac(token_ref, &code).await?,
                    expires_at,
                    attempts: 0,
                    max_attempts: self.code_policy.max_attempts,
                    used: false,
                    source,
                },
                ciphertext: self
                    .vault
                    .encrypt(code.expose().as_bytes(), &code_context)
                    .await
                    .map_err(internal("sealing activation code failed"))?,
            };
            // A code still in force is re-sent as is: not regenerated, not extended.
            let in_force = match self.codes.issue(token_ref, &fresh, now).await {
                Ok(IssueOutcome::Issued) => fresh,
                Ok(IssueOutcome::Existing(existing)) => existing,
                Err(err) => return Err(internal("storing activation code failed")(err)),
            };
            let queue = self.otp_queue.as_ref().ok_or_else(MdesError::internal)?;
            let job = OtpDeliveryJob {
                job_id: uuid::Uuid::new_v4().to_string(),
                token_unique_reference: token_ref.to_owned(),
                channel: channel(request.activation_method.method_type),
                encrypted_code: base64::engine::general_purpose::STANDARD.encode(&in_force.ciphertext),
                expires_at: in_force.issued.expires_at.format(&Rfc3339).map_err(internal("formatting expiry"))?,
                language: token.language.clone(),
                source_request_id: Some(request.request_id.clone()),
            };
            queue.enqueue(&job).await.map_err(internal("queueing the activation code failed"))?;
            tracing::info!(channel = ?job.channel, job_id = %job.job_id, "activation code queued for delivery");
            self.tokens
                .complete(&claimed.completion("{}".to_owned()), now)
                .await
                .map_err(internal("completing deliverActivationCode failed"))
        })
        .await
    }

    async fn validate_activation_code(
        &self,
        request: &ValidateActivationCodeRequest,
    ) -> Result<ValidationResult, MdesError> {
        let token_ref = request.token_unique_reference.as_str();
        let sig = signature(&[token_ref, &request.correlation_id]);
        let replay = |outcome: &str| {
            serde_json::from_str::<ValidationResult>(outcome).map_err(|_| MdesError::internal())
        };
        self.once(
            "validateActivationCode",
            &request.request_id,
            &sig,
            token_ref,
            replay,
            |claimed| async move {
                let now = OffsetDateTime::now_utc();
                let stored = self
                    .codes
                    .code(token_ref)
                    .await
                    .map_err(internal("reading activation code failed"))?;
                let verdict = match &stored {
                    None => CodeCheck::IncorrectCode,
                    Some(stored) => {
                        let entered = self.code_mac(token_ref, &request.activation_code).await?;
                        let matches: bool = entered
                            .as_bytes()
                            .ct_eq(stored.issued.mac.as_bytes())
                            .into();
                        activation_code::check(&stored.issued, matches, now)
                    }
                };
                let result = match verdict {
                    CodeCheck::Success => ValidationResult::Success,
                    CodeCheck::IncorrectCode => ValidationResult::IncorrectCode,
                    CodeCheck::IncorrectCodeRetriesExceeded => {
                        ValidationResult::IncorrectCodeRetriesExceeded
                    }
                    CodeCheck::ExpiredCode => ValidationResult::ExpiredCode,
                };
                let completion = claimed
                    .completion(serde_json::to_string(&result).map_err(internal("outcome"))?);
                let counted_failure = stored.as_ref().is_some_and(|s| {
                    !s.issued.used
                        && s.issued.attempts < s.issued.max_attempts
                        && now < s.issued.expires_at
                });
                let saved = match verdict {
                    CodeCheck::Success => self.codes.consume(token_ref, &completion, now).await,
                    CodeCheck::IncorrectCode | CodeCheck::IncorrectCodeRetriesExceeded
                        if counted_failure =>
                    {
                        self.codes.record_failure(token_ref, &completion, now).await
                    }
                    _ => self.tokens.complete(&completion, now).await,
                };
                match saved {
                    Ok(()) => {
                        tracing::info!(result = ?result, "activation code checked");
                        Ok(result)
                    }
                    // Another attempt used or exhausted the code first: retryable.
                    Err(err) => Err(internal("recording the code attempt failed")(err)),
                }
            },
        )
        .await
    }

    async fn notify_service_activated(
        &self,
        request: &NotifyServiceActivatedRequest,
    ) -> Result<(), MdesError> {
        let token_ref = request.funding_account_info.token_unique_reference.as_str();
        let sig = signature(&[token_ref, &request.correlation_id]);
        self.once(
            "notifyServiceActivated",
            &request.request_id,
            &sig,
            token_ref,
            ack,
            |claimed| async move {
                let now = OffsetDateTime::now_utc();
                let data = self.decrypt(&request.funding_account_info.encrypted_payload, now)?;
                let at = parse_time("tokenActivatedDateTime", &request.token_activated_date_time)?;
                let mut attributes = vec![
                    (
                        "activated_at".to_owned(),
                        request.token_activated_date_time.clone(),
                    ),
                    (
                        "token_requestor_id".to_owned(),
                        request.token_requestor_id.clone(),
                    ),
                    ("token_type".to_owned(), request.token_type.clone()),
                ];
                if let Some(token) = &data.token_data {
                    let digits = token.token.expose();
                    if digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
                        attributes.push((
                            "token_last4".to_owned(),
                            digits[digits.len() - 4..].to_owned(),
                        ));
                        let message = Secret::new(format!("token-number|v1|{digits}").into_bytes());
                        let fingerprint = self
                            .mac
                            .mac(&message)
                            .await
                            .map_err(internal("token fingerprint failed"))?;
                        attributes.push(("token_fingerprint".to_owned(), fingerprint));
                    }
                }
                let optional = [
                    ("wallet_id", request.wallet_id.clone()),
                    (
                        "payment_app_instance_id",
                        request.payment_app_instance_id.clone(),
                    ),
                    (
                        "device_name",
                        request
                            .device_info
                            .as_ref()
                            .and_then(|d| d.device_name.clone()),
                    ),
                    ("language", request.consumer_language.clone()),
                    (
                        "decision_made_by",
                        request.decision_made_by.as_ref().and_then(wire_name),
                    ),
                ];
                attributes.extend(
                    optional
                        .into_iter()
                        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v))),
                );
                // A token we never authorized (MDES stand-in): keyed by its card.
                let pan_fingerprint = match data
                    .card_account_data
                    .as_ref()
                    .and_then(|c| c.account_number.as_ref())
                {
                    Some(number) => match number.expose().parse::<Pan>() {
                        Ok(pan) => Some(
                            self.fingerprinter
                                .fingerprint(&pan)
                                .await
                                .map_err(internal("PAN fingerprint failed"))?,
                        ),
                        Err(_) => None,
                    },
                    None => None,
                };
                let suffix = request.account_pan_suffix.clone();
                if pan_fingerprint.is_some() {
                    attributes.push((
                        "pan_last4".to_owned(),
                        suffix[suffix.len().saturating_sub(4)..].to_owned(),
                    ));
                }
                let new_token = move || {
                    (
                        LifecycleState {
                            status: TokenStatus::Inactive,
                            suspenders: BTreeSet::new(),
                            last_event_at: None,
                        },
                        pan_fingerprint.clone(),
                    )
                };
                let details = serde_json::json!({
                    "decision": request.decision,
                    "decisionMadeBy": request.decision_made_by,
                    "tokenType": request.token_type,
                    "deviceName": request.device_info.as_ref().and_then(|d| d.device_name.clone()),
                });
                self.transition(
                    token_ref,
                    Some(&Change::Activate),
                    at,
                    "notifyServiceActivated",
                    request.decision_made_by.as_ref().and_then(wire_name),
                    &request.request_id,
                    new_token,
                    attributes,
                    |before, after| {
                        (before.status != after.status).then_some(TokenEventType::TokenActivated)
                    },
                    details,
                    Some(claimed.completion("{}".to_owned())),
                )
                .await
            },
        )
        .await
    }

    async fn notify_token_updated(
        &self,
        request: &NotifyTokenUpdatedRequest,
    ) -> Result<(), MdesError> {
        let refs: Vec<&str> = request
            .tokens
            .iter()
            .map(|t| t.token_unique_reference.as_str())
            .collect();
        let reason = wire_name(&request.reason_code).unwrap_or_default();
        let sig = signature(&[&reason, &refs.join(",")]);
        let first = refs.first().copied().unwrap_or_default();
        self.once(
            "notifyTokenUpdated",
            &request.request_id,
            &sig,
            first,
            ack,
            |claimed| async move {
                // NTU carries no event time: arrival time orders it.
                let at = OffsetDateTime::now_utc();
                let last = request.tokens.len().saturating_sub(1);
                for (i, update) in request.tokens.iter().enumerate() {
                    let change = match (request.reason_code, update.status) {
                        (_, Some(ntu::TokenStatus::Deactivated))
                        | (TokenUpdateReason::DeletedFromConsumerApp, None) => Some(Change::Delete),
                        (_, Some(status)) => Some(Change::SetStatus {
                            status: map_status(status),
                            suspended_by: update
                                .suspended_by
                                .iter()
                                .copied()
                                .map(map_suspender)
                                .collect(),
                        }),
                        (_, None) => None,
                    };
                    let mut attributes = Vec::new();
                    if let Some(expiry) = &update.token_expiry {
                        attributes.push(("token_expiry".to_owned(), expiry.clone()));
                    }
                    let reason_code = request.reason_code;
                    let event_type = move |before: &LifecycleState, after: &LifecycleState| {
                        if after.status == TokenStatus::Deactivated
                            && before.status != TokenStatus::Deactivated
                        {
                            Some(TokenEventType::TokenDeleted)
                        } else if before.status != after.status
                            || before.suspenders != after.suspenders
                        {
                            Some(TokenEventType::TokenStatusChanged)
                        } else if matches!(
                            reason_code,
                            TokenUpdateReason::RedigitizationComplete
                                | TokenUpdateReason::FundingAccountUpdate
                        ) {
                            Some(TokenEventType::TokenUpdated)
                        } else {
                            None
                        }
                    };
                    let initial = update.status.map_or(TokenStatus::Inactive, map_status);
                    let details = serde_json::json!({"suspendedBy": update.suspended_by});
                    self.transition(
                        &update.token_unique_reference,
                        change.as_ref(),
                        at,
                        "notifyTokenUpdated",
                        Some(reason.clone()),
                        &request.request_id,
                        unknown_token_state(initial),
                        attributes,
                        event_type,
                        details,
                        (i == last).then(|| claimed.completion("{}".to_owned())),
                    )
                    .await?;
                }
                Ok(())
            },
        )
        .await
    }

    async fn notify_suspicious_events(
        &self,
        request: &NotifySuspiciousEventsRequest,
    ) -> Result<(), MdesError> {
        let token_ref = request.token_unique_reference.as_str();
        let sig = signature(&[token_ref]);
        self.once(
            "notifySuspiciousEvents",
            &request.request_id,
            &sig,
            token_ref,
            ack,
            |claimed| async move {
                let at = OffsetDateTime::now_utc();
                let details = serde_json::to_value(&request.events).unwrap_or_default();
                let status = map_status(request.status);
                self.transition(
                    token_ref,
                    None,
                    at,
                    "notifySuspiciousEvents",
                    wire_name(&request.events.event_name),
                    &request.request_id,
                    unknown_token_state(status),
                    Vec::new(),
                    |_, _| Some(TokenEventType::SuspiciousActivity),
                    details,
                    Some(claimed.completion("{}".to_owned())),
                )
                .await
            },
        )
        .await
    }
}
