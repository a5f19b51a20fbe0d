//! The in-memory composition root: every use case of `tmp_core::usecases`
//! wired the way `tmp_aws::compose` wires the real adapters, but to the
//! in-memory ports of [`crate::memory`]. All use cases a [`World`] builds
//! share its ports (`Arc`), so one operation's writes are the next one's
//! reads and the test inspects what they left behind.
//!
//! The settings a function reads from its environment in production (code
//! policy, decision rules, issuer contact) are fields: set them with struct
//! update syntax, `World { code_policy, ..World::default() }`.

use std::sync::Arc;

use time::OffsetDateTime;
use tmp_core::clock::Clock;
use tmp_core::domain::Network;
use tmp_core::domain::activation_code::{self, CodePolicy};
use tmp_core::domain::decision::{Decision, DecisionRecord, DecisionRules, RuleId};
use tmp_core::domain::delivery::OtpDeliveryJob;
use tmp_core::domain::events::TokenEvent;
use tmp_core::domain::policy::DecisionPolicy;
use tmp_core::domain::token::{HistoryEntry, Initiator, TokenStatus};
use tmp_core::domain::velocity::Attempt;
use tmp_core::ports::{
    AuthorizationStore, AuthorizationWrite, KeyVault, RequestAnswer, RequestKey, RequestState,
    StoredCode, TokenAttributes, TokenLifecycleStore, TokenRecord,
};
use tmp_core::secret::Pan;
use tmp_core::usecases::activation_methods::IssuerContact;
use tmp_core::usecases::authorize::AuthorizeTokenization;
use tmp_core::usecases::check_eligibility::CheckEligibility;
use tmp_core::usecases::deliver_activation_code::DeliverActivationCode;
use tmp_core::usecases::events::{OutboxRecord, PublishEvents};
use tmp_core::usecases::jobs::Jobs;
use tmp_core::usecases::ledger::Idempotency;
use tmp_core::usecases::lifecycle::TokenLifecycle;
use tmp_core::usecases::notify_activated::NotifyActivated;
use tmp_core::usecases::otp_delivery::activation_code_context;
use tmp_core::usecases::reconcile::{ReconcileSettings, ReconcileTokens};
use tmp_core::usecases::request_activation_methods::{
    RequestActivationMethods, TokenActivationMethods,
};
use tmp_core::usecases::suspicious_activity::RecordSuspiciousActivity;
use tmp_core::usecases::token_actions::TokenActions;
use tmp_core::usecases::token_changed::RecordTokenChange;
use tmp_core::usecases::token_queries::TokenQueries;
use tmp_core::usecases::update_tokens::UpdateTokens;
use tmp_core::usecases::validate_activation_code::ValidateActivationCode;

use crate::memory::{
    AuthorizationFacts, CardBook, FakeNetworks, FixedClock, MemoryJobs, MemoryKeyVault, MemoryMac,
    MemoryTokenState, RecordingJobQueue, RecordingOtpQueue, RecordingPublisher, SequentialIds,
};

/// `CARDHOLDER_TO_CALL_MANNED_NUMBER` of a [`World`] that sets none.
pub const DEFAULT_CALL_CENTRE: &str = "+1-800-555-0100";

/// A test PAN (Luhn-valid) as the use cases see it.
pub fn pan(digits: &str) -> Pan {
    digits.parse().expect("test PANs are Luhn-valid")
}

/// The ledger key of an MDES request (every fixture speaks for Mastercard).
pub fn request_key(operation: &'static str, request_id: &str) -> RequestKey {
    RequestKey {
        origin: Network::Mastercard.into(),
        operation,
        request_id: request_id.to_owned(),
    }
}

/// Standard base64 (KMS ciphertexts, PEM bodies), without a dependency for it.
pub fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for byte in text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
    {
        let value = ALPHABET
            .iter()
            .position(|a| *a == byte)
            .unwrap_or_else(|| panic!("not base64: {:?}", char::from(byte)));
        acc = (acc << 6) | u32::try_from(value).unwrap();
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap());
        }
    }
    out
}

/// One token's partition of the token state table, as the inspection helpers read it.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenState {
    pub record: Option<TokenRecord>,
    pub attributes: Option<TokenAttributes>,
    pub authorization: Option<AuthorizationFacts>,
    pub history: Vec<HistoryEntry>,
    pub events: Vec<(TokenEvent, bool)>,
    pub code: Option<StoredCode>,
    pub decisions: Vec<DecisionRecord>,
}

/// Everything a use case can write or send, for "nothing changed" checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub tokens: Vec<(String, TokenState)>,
    pub published: Vec<TokenEvent>,
    pub jobs: Vec<OtpDeliveryJob>,
    pub verifications: usize,
}

/// The in-memory ports, shared by every use case built here and by the
/// test's assertions, and the settings the use cases are configured with.
pub struct World {
    pub state: Arc<MemoryTokenState>,
    pub vault: Arc<MemoryKeyVault>,
    pub mac: Arc<MemoryMac>,
    pub cards: Arc<CardBook>,
    pub otp_queue: Arc<RecordingOtpQueue>,
    pub publisher: Arc<RecordingPublisher>,
    pub clock: Arc<FixedClock>,
    pub ids: Arc<SequentialIds>,
    /// The networks' lifecycle APIs (MDES Customer Service, VTS).
    pub networks: Arc<FakeNetworks>,
    pub jobs: Arc<MemoryJobs>,
    pub audit: Arc<crate::memory::MemoryAuditLog>,
    pub job_queue: Arc<RecordingJobQueue>,
    /// `ACTIVATION_CODE_*` (production defaults unless set).
    pub code_policy: CodePolicy,
    /// `DECISION_RULES` (none unless set).
    pub policy: DecisionPolicy,
    /// `ISSUER_CALL_CENTRE_NUMBER` ([`DEFAULT_CALL_CENTRE`] unless set).
    pub contact: IssuerContact,
}

/// Empty state, the clock at [`crate::memory::DEFAULT_NOW`], an issuer that
/// knows no card, production settings.
impl Default for World {
    fn default() -> Self {
        Self {
            state: Arc::default(),
            vault: Arc::default(),
            mac: Arc::default(),
            cards: Arc::default(),
            otp_queue: Arc::default(),
            publisher: Arc::default(),
            clock: Arc::default(),
            ids: Arc::default(),
            networks: Arc::default(),
            jobs: Arc::default(),
            audit: Arc::default(),
            job_queue: Arc::default(),
            code_policy: CodePolicy::default(),
            policy: DecisionPolicy::default(),
            contact: IssuerContact {
                call_centre_number: DEFAULT_CALL_CENTRE.to_owned(),
            },
        }
    }
}

impl World {
    /// The issuer's call centre is `number`.
    pub fn with_call_centre(self, number: &str) -> Self {
        Self {
            contact: IssuerContact {
                call_centre_number: number.to_owned(),
            },
            ..self
        }
    }

    // --- the use cases, wired like `tmp_aws::compose` -----------------------

    pub fn idempotency(&self) -> Idempotency {
        Idempotency {
            ledger: self.state.clone(),
            clock: self.clock.clone(),
            ids: self.ids.clone(),
        }
    }

    /// The stream's publisher of outbox events.
    pub fn publish_events(&self) -> PublishEvents {
        PublishEvents {
            publisher: self.publisher.clone(),
            outbox: self.state.clone(),
            clock: self.clock.clone(),
        }
    }

    pub fn lifecycle(&self) -> TokenLifecycle {
        self.lifecycle_on(self.state.clone())
    }

    /// The lifecycle engine on another token store (a wrapper of the state).
    pub fn lifecycle_on(&self, tokens: Arc<dyn TokenLifecycleStore>) -> TokenLifecycle {
        TokenLifecycle {
            tokens,
            clock: self.clock.clone(),
            ids: self.ids.clone(),
        }
    }

    pub fn authorize(&self) -> AuthorizeTokenization {
        self.authorize_on(self.state.clone())
    }

    /// Authorization on another authorization store (a wrapper of the state).
    pub fn authorize_on(&self, store: Arc<dyn AuthorizationStore>) -> AuthorizeTokenization {
        AuthorizeTokenization {
            vault: self.vault.clone(),
            verifier: self.cards.clone(),
            fingerprinter: self.mac.clone(),
            contact_mac: self.mac.clone(),
            store,
            policy: self.policy.clone(),
            contact: self.contact.clone(),
            clock: self.clock.clone(),
            ids: self.ids.clone(),
        }
    }

    pub fn request_activation_methods(&self) -> RequestActivationMethods {
        RequestActivationMethods {
            tokens: self.state.clone(),
            vault: self.vault.clone(),
            fingerprinter: self.mac.clone(),
            contact: self.contact.clone(),
            clock: self.clock.clone(),
        }
    }

    pub fn token_activation_methods(&self) -> TokenActivationMethods {
        TokenActivationMethods {
            tokens: self.state.clone(),
            vault: self.vault.clone(),
            contact: self.contact.clone(),
        }
    }

    pub fn deliver_activation_code(&self) -> DeliverActivationCode {
        DeliverActivationCode {
            idempotency: self.idempotency(),
            codes: self.state.clone(),
            vault: self.vault.clone(),
            mac: self.mac.clone(),
            otp_queue: self.otp_queue.clone(),
            code_policy: self.code_policy,
            clock: self.clock.clone(),
            ids: self.ids.clone(),
        }
    }

    pub fn validate_activation_code(&self) -> ValidateActivationCode {
        ValidateActivationCode {
            idempotency: self.idempotency(),
            codes: self.state.clone(),
            mac: self.mac.clone(),
            clock: self.clock.clone(),
        }
    }

    pub fn notify_activated(&self) -> NotifyActivated {
        NotifyActivated {
            idempotency: self.idempotency(),
            lifecycle: self.lifecycle(),
            mac: self.mac.clone(),
            fingerprinter: self.mac.clone(),
            clock: self.clock.clone(),
        }
    }

    pub fn update_tokens(&self) -> UpdateTokens {
        self.update_tokens_on(self.state.clone())
    }

    /// Token updates on another token store (a wrapper of the state).
    pub fn update_tokens_on(&self, tokens: Arc<dyn TokenLifecycleStore>) -> UpdateTokens {
        UpdateTokens {
            idempotency: self.idempotency(),
            lifecycle: self.lifecycle_on(tokens),
        }
    }

    pub fn record_suspicious_activity(&self) -> RecordSuspiciousActivity {
        RecordSuspiciousActivity {
            idempotency: self.idempotency(),
            lifecycle: self.lifecycle(),
        }
    }

    pub fn record_token_change(&self) -> RecordTokenChange {
        RecordTokenChange {
            idempotency: self.idempotency(),
            lifecycle: self.lifecycle(),
            fingerprinter: self.mac.clone(),
        }
    }

    /// The issuer's lifecycle actions.
    pub fn token_actions(&self) -> TokenActions {
        TokenActions {
            directory: self.state.clone(),
            networks: self.networks.clone(),
            lifecycle: self.lifecycle(),
            idempotency: self.idempotency(),
            clock: self.clock.clone(),
        }
    }

    /// Bulk actions and card events (5 deliveries per item).
    pub fn job_runner(&self) -> Jobs {
        Jobs {
            directory: self.state.clone(),
            store: self.jobs.clone(),
            queue: self.job_queue.clone(),
            actions: self.token_actions(),
            idempotency: self.idempotency(),
            clock: self.clock.clone(),
            max_attempts: 5,
            card_keys: Some(tmp_core::usecases::jobs::CardKeys {
                fingerprints: Some(self.mac.clone()),
                sealing: self.vault.clone(),
            }),
        }
    }

    /// Reconciliation with the networks (production settings).
    pub fn reconcile_tokens(&self) -> ReconcileTokens {
        ReconcileTokens {
            directory: self.state.clone(),
            sweep: self.state.clone(),
            networks: self.networks.clone(),
            lifecycle: self.lifecycle(),
            clock: self.clock.clone(),
            settings: ReconcileSettings::default(),
        }
    }

    /// The issuer's look-ups (PAN searches through the keyed fingerprint).
    pub fn token_queries(&self) -> TokenQueries {
        TokenQueries {
            directory: self.state.clone(),
            fingerprinter: Some(self.mac.clone()),
            contact_mac: Some(self.mac.clone()),
        }
    }

    /// The admin audit trail.
    pub fn audit_trail(&self) -> tmp_core::usecases::audit_trail::AuditTrail {
        tmp_core::usecases::audit_trail::AuditTrail {
            log: self.audit.clone(),
            clock: self.clock.clone(),
            ids: self.ids.clone(),
        }
    }

    /// The networks' records of a token (status history, transactions).
    pub fn token_records(&self) -> tmp_core::usecases::token_records::TokenRecords {
        tmp_core::usecases::token_records::TokenRecords {
            directory: self.state.clone(),
            records: self.networks.clone(),
        }
    }

    pub fn check_eligibility(&self) -> CheckEligibility {
        CheckEligibility {
            verifier: self.cards.clone(),
            clock: self.clock.clone(),
        }
    }

    // --- seeds ----------------------------------------------------------------

    /// Adds `attempts` to the card's aggregate as earlier authorizations
    /// left them: one `save_authorization` that writes the aggregate only
    /// (no token, decision or event), under a request of its own
    /// (`seedAttempts`, completed). Attempts are kept as given, however old.
    pub async fn seed_attempts(&self, pan_fingerprint: &str, attempts: &[Attempt]) {
        let now = self.now();
        let first = attempts.first().expect("attempts to seed");
        let key = request_key("seedAttempts", &format!("seed-{}", first.request_id));
        let snapshot = self
            .state
            .snapshot(&key, pan_fingerprint, "")
            .await
            .unwrap();
        assert_eq!(
            snapshot.request,
            RequestState::New,
            "seed attempts once per first id"
        );
        let card = snapshot.card;
        let mut all = card.attempts;
        all.extend_from_slice(attempts);
        all.sort_by(|a, b| {
            a.at.cmp(&b.at)
                .then_with(|| a.request_id.cmp(&b.request_id))
        });
        let write = AuthorizationWrite {
            network: Network::Mastercard,
            answer: RequestAnswer {
                key: key.clone(),
                signature: "seed".to_owned(),
                outcome_json: "{}".to_owned(),
            },
            token_ref: String::new(),
            pan_unique_reference: None,
            pan_fingerprint: pan_fingerprint.to_owned(),
            pan_last4: String::new(),
            pan_expiry: None,
            phone_fingerprint: None,
            token_requestor_id: None,
            wallet_id: None,
            payment_app_instance_id: None,
            correlation_id: String::new(),
            token_type: String::new(),
            device_name: None,
            device_type: None,
            device_os: None,
            issuer_card_id: None,
            product_category: None,
            path: tmp_core::domain::report::DecisionPath::Green,
            record: DecisionRecord {
                decision: Decision::Declined,
                decided_by: RuleId::Velocity,
                rules: Vec::new(),
                thresholds: DecisionRules::default(),
            },
            existing: None,
            card_version: card.version,
            attempts: all,
            live_delta: 0,
            writes_token: false,
            now,
            contact_ciphertext: None,
            history: HistoryEntry {
                at: now,
                operation: key.operation.to_owned(),
                initiator: Initiator::Tsp,
                reason_code: None,
                source_request_id: key.request_id.clone(),
                from: None,
                to: TokenStatus::Declined,
                suspenders: Default::default(),
                applied: false,
                event_time: None,
                comment: None,
                operator: None,
            },
            event: None,
        };
        self.state.save_authorization(&write).await.unwrap();
    }

    // --- inspection ----------------------------------------------------------

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The PAN fingerprint the keyed MAC gives `digits`.
    pub fn fingerprint(&self, digits: &str) -> String {
        self.mac.fingerprint_of(&pan(digits))
    }

    /// The MAC the use cases store and compare for `code` on `token_ref`.
    pub fn code_mac(&self, token_ref: &str, code: &str) -> String {
        self.mac
            .mac_of(activation_code::mac_message(token_ref, code).expose())
    }

    /// The activation code a queued OTP job carries, opened as otp-delivery
    /// opens it (key service, context bound to the job's token).
    pub async fn open_job_code(&self, job: &OtpDeliveryJob) -> String {
        let opened = self
            .vault
            .decrypt(
                &base64_decode(&job.encrypted_code),
                &activation_code_context(&job.token_unique_reference),
            )
            .await
            .expect("the vault opens the code under its token's context");
        String::from_utf8(opened.expose().clone()).expect("codes are text")
    }

    /// The outbox of `token_ref`: (event, published), in commit order.
    pub fn outbox(&self, token_ref: &str) -> Vec<(TokenEvent, bool)> {
        self.state.events_of(token_ref)
    }

    /// Every event committed to an outbox, in commit order (what the
    /// stream's publisher will publish).
    pub fn committed_events(&self) -> Vec<TokenEvent> {
        self.state.committed_events()
    }

    /// The token's outbox items as the table's stream delivers them (its
    /// position: the place in the stream).
    pub fn stream_records(&self, token_ref: &str) -> Vec<OutboxRecord> {
        self.committed_events()
            .into_iter()
            .enumerate()
            .filter(|(_, event)| event.token_unique_reference == token_ref)
            .map(|(i, event)| OutboxRecord {
                position: format!("{:021}", i + 1),
                event,
            })
            .collect()
    }

    /// The ledger entry of an MDES request: (state, signature, outcome JSON).
    pub fn ledger_entry(
        &self,
        operation: &'static str,
        request_id: &str,
    ) -> Option<(String, String, Option<String>)> {
        self.state.ledger_entry(&request_key(operation, request_id))
    }

    /// The ledger state of an MDES request: `None`, `IN_PROGRESS` or `COMPLETED`.
    pub fn ledger_state(&self, operation: &'static str, request_id: &str) -> Option<String> {
        self.ledger_entry(operation, request_id)
            .map(|(state, _, _)| state)
    }

    pub fn token_state(&self, token_ref: &str) -> TokenState {
        TokenState {
            record: self.state.token_of(token_ref),
            attributes: self.state.attributes_of(token_ref),
            authorization: self.state.authorization_of(token_ref),
            history: self.state.history_of(token_ref),
            events: self.state.events_of(token_ref),
            code: self.state.code_of(token_ref),
            decisions: self.state.decisions_of(token_ref),
        }
    }

    /// What `tokens` hold and everything published, queued or asked of the issuer.
    pub fn snapshot(&self, tokens: &[&str]) -> Snapshot {
        Snapshot {
            tokens: tokens
                .iter()
                .map(|t| ((*t).to_owned(), self.token_state(t)))
                .collect(),
            published: self.publisher.events(),
            jobs: self.otp_queue.jobs(),
            verifications: self.cards.calls(),
        }
    }
}
