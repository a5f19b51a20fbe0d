//! The token state table in memory: the request ledger, tokens with their
//! history, outbox and activation code, velocity attempts, card counters and
//! decisions, behind one lock. Every port method behaves like its DynamoDB
//! adapter (`tmp-aws` `dynamodb/{idempotency,authorization,lifecycle}.rs`):
//! conditional writes, and transactions that check every condition before
//! changing anything, so a failed write leaves no trace.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};
mod directory;

use tmp_core::domain::Network;
use tmp_core::domain::action::PendingAction;
use tmp_core::domain::activation_code::IssuedCode;
use tmp_core::domain::decision::{Decision, DecisionRecord, RuleId};
use tmp_core::domain::events::TokenEvent;
use tmp_core::domain::token::{HistoryEntry, LifecycleState, TokenStatus};
use tmp_core::domain::velocity::Attempt;
use tmp_core::ports::{
    ActivationCodeStore, AuthorizationStore, AuthorizationWrite, EventOutbox, LifecycleCommit,
    Origin, OutboxKey, RequestClaim, RequestCompletion, RequestKey, RequestLedger, RequestState,
    SaveError, StoreError, StoredCode, TokenAttributes, TokenLifecycleStore, TokenRecord,
    TokenSnapshot,
};
use tmp_core::ports::{AuthorizationSnapshot, CardAggregate};

/// How long a claim protects a request being processed.
const LEASE: Duration = Duration::seconds(30);

const IN_PROGRESS: &str = "IN_PROGRESS";
const COMPLETED: &str = "COMPLETED";

type LedgerKey = (Origin, String, String);

fn ledger_key(key: &RequestKey) -> LedgerKey {
    (key.origin, key.operation.to_owned(), key.request_id.clone())
}

#[derive(Debug, Clone)]
enum LedgerState {
    /// `lease_until` in epoch seconds, as DynamoDB compares it.
    InProgress {
        lease_id: String,
        lease_until: i64,
    },
    Completed {
        outcome_json: String,
    },
}

#[derive(Debug, Clone)]
struct LedgerEntry {
    signature: String,
    state: LedgerState,
}

/// What `save_authorization` writes on the token beyond [`TokenRecord`] and
/// [`TokenAttributes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationFacts {
    pub correlation_id: String,
    pub decision: Decision,
    pub decided_by: RuleId,
    pub issuer_card_id: Option<String>,
    pub product_category: Option<String>,
    /// Counted against the card's live-token limit.
    pub live: bool,
    pub created_at: OffsetDateTime,
    /// The keyed fingerprint of the cardholder's phone number.
    pub phone_fingerprint: Option<String>,
}

/// The token item.
#[derive(Debug, Clone)]
struct StoredToken {
    network: Network,
    state: LifecycleState,
    live: bool,
    /// `None`: an item without a version attribute (only seeded ones).
    version: Option<u64>,
    pan_fingerprint: Option<String>,
    pan_unique_reference: Option<String>,
    attributes: TokenAttributes,
    contact_ciphertext: Option<Vec<u8>>,
    authorization: Option<AuthorizationFacts>,
    pending: Option<PendingAction>,
}

impl StoredToken {
    fn record(&self, token_ref: &str) -> TokenRecord {
        TokenRecord {
            token_ref: token_ref.to_owned(),
            network: self.network,
            state: self.state.clone(),
            version: self.version.unwrap_or(0),
            pan_fingerprint: self.pan_fingerprint.clone(),
            pan_last4: self.attributes.pan_last4.clone(),
            pan_expiry: self.attributes.pan_expiry.clone(),
            pan_unique_reference: self.pan_unique_reference.clone(),
            token_requestor_id: self.attributes.token_requestor_id.clone(),
            wallet_id: self.attributes.wallet_id.clone(),
            has_contact: self.contact_ciphertext.is_some(),
            language: self.attributes.language.clone(),
            authorization_decision: self.authorization.as_ref().map(|a| a.decision),
            pending: self.pending.clone(),
        }
    }
}

#[derive(Debug, Clone)]
struct OutboxEvent {
    event: TokenEvent,
    published: bool,
}

/// Everything in one token's partition.
#[derive(Debug, Default)]
struct Partition {
    token: Option<StoredToken>,
    /// By (write time, request id), like the `HISTORY#<at>#<requestId>` items.
    history: BTreeMap<(OffsetDateTime, String), HistoryEntry>,
    /// In commit order; a re-put event id replaces its item in place.
    events: Vec<OutboxEvent>,
    code: Option<StoredCode>,
    /// By (write time, request id), like the `DECISION#<at>#<requestId>` items.
    decisions: BTreeMap<(OffsetDateTime, String), DecisionRecord>,
    /// By (kind, id), like the `DELIVERY#<kind>#<id>` items.
    deliveries: BTreeMap<(String, String), tmp_core::domain::delivery_log::DeliveryRecord>,
}

impl Partition {
    fn put_event(&mut self, event: &TokenEvent) {
        let outbox = OutboxEvent {
            event: event.clone(),
            published: false,
        };
        match self
            .events
            .iter_mut()
            .find(|e| e.event.event_id == event.event_id)
        {
            Some(existing) => *existing = outbox,
            None => self.events.push(outbox),
        }
    }
}

/// A card aggregate: `live` may go negative, as DynamoDB's `ADD` can.
#[derive(Debug, Clone, Default)]
struct CardState {
    version: u64,
    live: i64,
    attempts: Vec<Attempt>,
}

#[derive(Debug, Default)]
struct Inner {
    ledger: HashMap<LedgerKey, LedgerEntry>,
    tokens: HashMap<String, Partition>,
    /// Card aggregates by PAN fingerprint.
    cards: HashMap<String, CardState>,
    /// Every outbox event committed, in commit order: the table's stream.
    stream: Vec<TokenEvent>,
    fail_next_writes: u32,
    unavailable: bool,
    /// Where reconciliation's sweep goes on from.
    sweep_after: Option<String>,
    /// The decision rules an administrator stored (JSON), read with each snapshot.
    decision_rules: Option<String>,
}

fn offline() -> StoreError {
    StoreError::Unavailable("memory token state is switched off".into())
}

/// Epoch seconds, the resolution of DynamoDB's number attributes for times.
fn whole_seconds(at: OffsetDateTime) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(at.unix_timestamp()).unwrap_or(at)
}

/// A code still in force: not used, not expired, not exhausted.
fn in_force(code: &IssuedCode, now: OffsetDateTime) -> bool {
    !code.used
        && code.expires_at.unix_timestamp() > now.unix_timestamp()
        && code.attempts < code.max_attempts
}

/// Sets the attributes present in `from` (a message's facts) on `into`.
fn merge_attributes(into: &mut TokenAttributes, from: &TokenAttributes) {
    fn set(slot: &mut Option<String>, value: &Option<String>) {
        if value.is_some() {
            slot.clone_from(value);
        }
    }
    let TokenAttributes {
        activated_at,
        token_requestor_id,
        token_type,
        token_last4,
        token_fingerprint,
        token_expiry,
        wallet_id,
        payment_app_instance_id,
        device_name,
        device_type,
        device_os,
        language,
        decision_made_by,
        pan_last4,
        pan_expiry,
    } = from;
    set(&mut into.activated_at, activated_at);
    set(&mut into.token_requestor_id, token_requestor_id);
    set(&mut into.token_type, token_type);
    set(&mut into.token_last4, token_last4);
    set(&mut into.token_fingerprint, token_fingerprint);
    set(&mut into.token_expiry, token_expiry);
    set(&mut into.wallet_id, wallet_id);
    set(&mut into.payment_app_instance_id, payment_app_instance_id);
    set(&mut into.device_name, device_name);
    set(&mut into.device_type, device_type);
    set(&mut into.device_os, device_os);
    set(&mut into.language, language);
    set(&mut into.decision_made_by, decision_made_by);
    set(&mut into.pan_last4, pan_last4);
    set(&mut into.pan_expiry, pan_expiry);
}

impl Inner {
    fn check(&self) -> Result<(), StoreError> {
        if self.unavailable {
            Err(offline())
        } else {
            Ok(())
        }
    }

    /// Before a transactional write: the outage switch, then injected failures.
    fn check_write(&mut self) -> Result<(), SaveError> {
        self.check()?;
        if self.fail_next_writes > 0 {
            self.fail_next_writes -= 1;
            return Err(SaveError::Store(StoreError::Unavailable(
                "injected transaction failure".into(),
            )));
        }
        Ok(())
    }

    fn token(&self, token_ref: &str) -> Option<&StoredToken> {
        self.tokens.get(token_ref).and_then(|p| p.token.as_ref())
    }

    fn code(&self, token_ref: &str) -> Option<&StoredCode> {
        self.tokens.get(token_ref).and_then(|p| p.code.as_ref())
    }

    fn partition(&mut self, token_ref: &str) -> &mut Partition {
        self.tokens.entry(token_ref.to_owned()).or_default()
    }

    /// The completion's condition: our lease, still in progress.
    fn can_complete(&self, completion: &RequestCompletion) -> bool {
        matches!(
            self.ledger.get(&ledger_key(&completion.key)),
            Some(LedgerEntry {
                state: LedgerState::InProgress { lease_id, .. },
                ..
            }) if *lease_id == completion.lease_id
        )
    }

    /// Applies a completion whose condition [`Self::can_complete`] checked.
    fn complete(&mut self, completion: &RequestCompletion) {
        if let Some(entry) = self.ledger.get_mut(&ledger_key(&completion.key)) {
            entry.state = LedgerState::Completed {
                outcome_json: completion.outcome_json.clone(),
            };
        }
    }

    fn live_tokens(&self, pan_fingerprint: &str) -> i64 {
        self.cards.get(pan_fingerprint).map_or(0, |c| c.live)
    }
}

/// One in-memory token state table implementing every store port, with
/// inspection helpers and fault injection for tests (share it with `Arc`).
#[derive(Debug, Default)]
pub struct MemoryTokenState {
    inner: Mutex<Inner>,
}

impl MemoryTokenState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap()
    }

    /// The next `n` transactional writes (`complete`, `commit`,
    /// `save_authorization`, `issue`, `record_failure`, `consume`) fail with
    /// `SaveError::Store(StoreError::Unavailable)` and write nothing.
    pub fn fail_next_commits(&self, n: u32) {
        self.lock().fail_next_writes = n;
    }

    /// While `true`, every port call fails with `StoreError::Unavailable`
    /// (inspection helpers keep working).
    pub fn unavailable(&self, unavailable: bool) {
        self.lock().unavailable = unavailable;
    }

    /// The token as [`TokenLifecycleStore::token`] reads it, without faults.
    /// The decision rules authorization reads with each snapshot, as an
    /// administrator would have stored them.
    pub fn set_decision_rules(&self, document: Option<&str>) {
        self.lock().decision_rules = document.map(str::to_owned);
    }

    /// What was sent about a token, as recorded (any order).
    pub fn deliveries_of(
        &self,
        token_ref: &str,
    ) -> Vec<tmp_core::domain::delivery_log::DeliveryRecord> {
        self.lock()
            .tokens
            .get(token_ref)
            .map(|p| p.deliveries.values().cloned().collect())
            .unwrap_or_default()
    }

    pub fn token_of(&self, token_ref: &str) -> Option<TokenRecord> {
        self.lock().token(token_ref).map(|t| t.record(token_ref))
    }

    /// The token's attributes (what messages told us, and authorization set).
    pub fn attributes_of(&self, token_ref: &str) -> Option<TokenAttributes> {
        self.lock().token(token_ref).map(|t| t.attributes.clone())
    }

    /// What the last `save_authorization` of the token wrote on it.
    pub fn authorization_of(&self, token_ref: &str) -> Option<AuthorizationFacts> {
        self.lock()
            .token(token_ref)
            .and_then(|t| t.authorization.clone())
    }

    /// The token's status history, oldest first.
    pub fn history_of(&self, token_ref: &str) -> Vec<HistoryEntry> {
        self.lock()
            .tokens
            .get(token_ref)
            .map(|p| p.history.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The token's outbox: every event with its published flag, in commit order.
    pub fn events_of(&self, token_ref: &str) -> Vec<(TokenEvent, bool)> {
        self.lock()
            .tokens
            .get(token_ref)
            .map(|p| {
                p.events
                    .iter()
                    .map(|e| (e.event.clone(), e.published))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The token's sealed contact details, if any.
    pub fn contact_ciphertext_of(&self, token_ref: &str) -> Option<Vec<u8>> {
        self.lock()
            .token(token_ref)
            .and_then(|t| t.contact_ciphertext.clone())
    }

    /// Every committed outbox event, in commit order (the stream's view).
    pub fn committed_events(&self) -> Vec<TokenEvent> {
        self.lock().stream.clone()
    }

    /// The token's decisions, oldest first.
    pub fn decisions_of(&self, token_ref: &str) -> Vec<DecisionRecord> {
        self.lock()
            .tokens
            .get(token_ref)
            .map(|p| p.decisions.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The token's activation code as stored.
    pub fn code_of(&self, token_ref: &str) -> Option<StoredCode> {
        self.lock().code(token_ref).cloned()
    }

    /// The card's live-token counter (0 when absent or negative).
    pub fn live_tokens(&self, pan_fingerprint: &str) -> u32 {
        u32::try_from(self.lock().live_tokens(pan_fingerprint).max(0)).unwrap_or(u32::MAX)
    }

    /// The ledger entry: (`IN_PROGRESS` | `COMPLETED`, signature, outcome JSON).
    pub fn ledger_entry(&self, key: &RequestKey) -> Option<(String, String, Option<String>)> {
        self.lock()
            .ledger
            .get(&ledger_key(key))
            .map(|e| match &e.state {
                LedgerState::InProgress { .. } => {
                    (IN_PROGRESS.to_owned(), e.signature.clone(), None)
                }
                LedgerState::Completed { outcome_json } => (
                    COMPLETED.to_owned(),
                    e.signature.clone(),
                    Some(outcome_json.clone()),
                ),
            })
    }

    /// Attempts recorded for this card and token requestor, whatever their age.
    pub fn attempts_recorded(&self, pan_fingerprint: &str, token_requestor_id: &str) -> usize {
        self.lock().cards.get(pan_fingerprint).map_or(0, |card| {
            card.attempts
                .iter()
                .filter(|a| a.token_requestor_id == token_requestor_id)
                .count()
        })
    }

    /// Stores `record` as the token item, as is (version 0: no version
    /// attribute; live from its status), replacing any token of that reference.
    pub fn seed_token(&self, record: TokenRecord, contact_ciphertext: Option<Vec<u8>>) {
        let TokenRecord {
            token_ref,
            network,
            state,
            version,
            pan_fingerprint,
            pan_last4,
            pan_expiry,
            pan_unique_reference,
            token_requestor_id,
            wallet_id,
            has_contact: _,
            language,
            authorization_decision,
            pending,
        } = record;
        let token = StoredToken {
            network,
            live: state.status.is_live(),
            state,
            version: (version != 0).then_some(version),
            pan_fingerprint,
            pan_unique_reference,
            attributes: TokenAttributes {
                token_requestor_id,
                wallet_id,
                language,
                pan_last4,
                pan_expiry,
                ..TokenAttributes::default()
            },
            contact_ciphertext,
            authorization: authorization_decision.map(|decision| AuthorizationFacts {
                correlation_id: String::new(),
                decision,
                decided_by: RuleId::Approve,
                issuer_card_id: None,
                product_category: None,
                live: true,
                created_at: OffsetDateTime::UNIX_EPOCH,
                phone_fingerprint: None,
            }),
            pending,
        };
        self.lock().partition(&token_ref).token = Some(token);
    }

    /// Names the issuer's card and the device of a seeded token, as an
    /// authorization would have recorded them.
    pub fn set_card_and_device(&self, token_ref: &str, card_id: &str, device_id: Option<&str>) {
        let mut inner = self.lock();
        if let Some(token) = inner.partition(token_ref).token.as_mut() {
            let facts = token.authorization.get_or_insert(AuthorizationFacts {
                correlation_id: String::new(),
                decision: Decision::Approved,
                decided_by: RuleId::Approve,
                issuer_card_id: None,
                product_category: None,
                live: true,
                created_at: OffsetDateTime::UNIX_EPOCH,
                phone_fingerprint: None,
            });
            facts.issuer_card_id = Some(card_id.to_owned());
            token.attributes.payment_app_instance_id = device_id.map(str::to_owned);
        }
    }

    /// Puts an unpublished event in its token's outbox, as a commit would.
    pub fn seed_event(&self, event: &TokenEvent) {
        let mut inner = self.lock();
        inner
            .partition(&event.token_unique_reference)
            .put_event(event);
        inner.stream.push(event.clone());
    }

    /// Stores `code` for the token as is (attempts and used flag included).
    pub fn seed_code(&self, token_ref: &str, code: StoredCode) {
        self.lock().partition(token_ref).code = Some(code);
    }

    /// Sets the card's live-token counter.
    pub fn set_live_tokens(&self, pan_fingerprint: &str, live: u32) {
        let mut inner = self.lock();
        let card = inner.cards.entry(pan_fingerprint.to_owned()).or_default();
        card.live = i64::from(live);
        card.version += 1;
    }
}

#[async_trait]
impl RequestLedger for MemoryTokenState {
    async fn claim(
        &self,
        key: &RequestKey,
        signature: &str,
        lease_id: &str,
        now: OffsetDateTime,
    ) -> Result<RequestClaim, StoreError> {
        let mut inner = self.lock();
        inner.check()?;
        let k = ledger_key(key);
        match inner.ledger.get(&k) {
            Some(LedgerEntry {
                signature,
                state: LedgerState::Completed { outcome_json },
            }) => {
                return Ok(RequestClaim::Completed {
                    signature: signature.clone(),
                    outcome_json: outcome_json.clone(),
                });
            }
            // A live lease; an expired one (`lease_until < now`) is taken over.
            Some(LedgerEntry {
                state: LedgerState::InProgress { lease_until, .. },
                ..
            }) if *lease_until >= now.unix_timestamp() => return Ok(RequestClaim::InProgress),
            _ => {}
        }
        inner.ledger.insert(
            k,
            LedgerEntry {
                signature: signature.to_owned(),
                state: LedgerState::InProgress {
                    lease_id: lease_id.to_owned(),
                    lease_until: (now + LEASE).unix_timestamp(),
                },
            },
        );
        Ok(RequestClaim::Claimed)
    }

    async fn release(&self, key: &RequestKey, lease_id: &str) -> Result<(), StoreError> {
        let mut inner = self.lock();
        inner.check()?;
        let k = ledger_key(key);
        let ours = matches!(
            inner.ledger.get(&k),
            Some(LedgerEntry {
                state: LedgerState::InProgress { lease_id: held, .. },
                ..
            }) if held == lease_id
        );
        // Someone else's claim (or a completed one): nothing of ours to release.
        if ours {
            inner.ledger.remove(&k);
        }
        Ok(())
    }

    async fn complete(
        &self,
        completion: &RequestCompletion,
        _now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let mut inner = self.lock();
        inner.check_write()?;
        if !inner.can_complete(completion) {
            return Err(SaveError::Conflict);
        }
        inner.complete(completion);
        Ok(())
    }
}

#[async_trait]
impl AuthorizationStore for MemoryTokenState {
    async fn snapshot(
        &self,
        request: &RequestKey,
        pan_fingerprint: &str,
        token_ref: &str,
    ) -> Result<AuthorizationSnapshot, StoreError> {
        let inner = self.lock();
        inner.check()?;
        let request = match inner.ledger.get(&ledger_key(request)) {
            Some(LedgerEntry {
                signature,
                state: LedgerState::Completed { outcome_json },
            }) => RequestState::Completed {
                signature: signature.clone(),
                outcome_json: outcome_json.clone(),
            },
            _ => RequestState::New,
        };
        let card = inner
            .cards
            .get(pan_fingerprint)
            .cloned()
            .unwrap_or_default();
        Ok(AuthorizationSnapshot {
            request,
            card: CardAggregate {
                version: card.version,
                live_tokens: u32::try_from(card.live).map_err(|_| {
                    StoreError::Corrupt("attribute live_tokens is not a number we can read".into())
                })?,
                attempts: card.attempts,
            },
            token: inner.token(token_ref).map(|t| TokenSnapshot {
                status: t.state.status,
                live: t.live,
                pan_fingerprint: t.pan_fingerprint.clone(),
                suspenders: t.state.suspenders.clone(),
            }),
            decision_rules: inner.decision_rules.clone(),
        })
    }

    async fn save_authorization(&self, w: &AuthorizationWrite) -> Result<(), SaveError> {
        let mut inner = self.lock();
        inner.check_write()?;
        // Every condition first, as one transaction.
        let card = inner
            .cards
            .get(&w.pan_fingerprint)
            .cloned()
            .unwrap_or_default();
        let card_ok = card.version == w.card_version;
        // New token: must not exist. Re-authorization: still as we read it.
        let token_ok = !w.writes_token
            || match (&w.existing, inner.token(&w.token_ref)) {
                (None, None) => true,
                (Some(seen), Some(now)) => {
                    seen.status == now.state.status
                        && now.pan_fingerprint.as_deref() == Some(w.pan_fingerprint.as_str())
                }
                _ => false,
            };
        // The answer: none recorded yet (a claim of an earlier release is taken over).
        let request_ok = !matches!(
            inner.ledger.get(&ledger_key(&w.answer.key)),
            Some(LedgerEntry {
                state: LedgerState::Completed { .. },
                ..
            })
        );
        if !(card_ok && token_ok && request_ok) {
            tracing::debug!(
                card_ok,
                token_ok,
                request_ok,
                "memory decision transaction cancelled"
            );
            return Err(SaveError::Conflict);
        }

        // Then every effect.
        inner.cards.insert(
            w.pan_fingerprint.clone(),
            CardState {
                version: card.version + 1,
                live: card.live + i64::from(w.live_delta),
                attempts: w.attempts.clone(),
            },
        );
        if w.writes_token {
            let request_id = w.answer.key.request_id.clone();
            let creates = w.existing.is_none();
            let live = w.record.decision != Decision::Declined;
            let partition = inner.partition(&w.token_ref);
            partition
                .decisions
                .insert((w.now, request_id.clone()), w.record.clone());
            if creates {
                partition.token = Some(StoredToken {
                    network: w.network,
                    state: LifecycleState {
                        status: if live {
                            TokenStatus::Inactive
                        } else {
                            TokenStatus::Declined
                        },
                        suspenders: Default::default(),
                        last_event_at: None,
                    },
                    live,
                    version: Some(1),
                    pan_fingerprint: Some(w.pan_fingerprint.clone()),
                    pan_unique_reference: w.pan_unique_reference.clone(),
                    attributes: TokenAttributes {
                        token_requestor_id: w.token_requestor_id.clone(),
                        token_type: Some(w.token_type.clone()),
                        wallet_id: w.wallet_id.clone(),
                        payment_app_instance_id: w.payment_app_instance_id.clone(),
                        device_name: w.device_name.clone(),
                        device_type: w.device_type.clone(),
                        device_os: w.device_os.clone(),
                        pan_last4: Some(w.pan_last4.clone()),
                        pan_expiry: w.pan_expiry.clone(),
                        ..TokenAttributes::default()
                    },
                    contact_ciphertext: w.contact_ciphertext.clone(),
                    authorization: Some(AuthorizationFacts {
                        correlation_id: w.correlation_id.clone(),
                        decision: w.record.decision,
                        decided_by: w.record.decided_by,
                        issuer_card_id: w.issuer_card_id.clone(),
                        product_category: w.product_category.clone(),
                        live,
                        created_at: w.now,
                        phone_fingerprint: w.phone_fingerprint.clone(),
                    }),
                    pending: None,
                });
            }
            partition
                .history
                .insert((w.now, request_id), w.history.clone());
            if let Some(event) = &w.event {
                partition.put_event(event);
                inner.stream.push(event.clone());
            }
        }
        inner.ledger.insert(
            ledger_key(&w.answer.key),
            LedgerEntry {
                signature: w.answer.signature.clone(),
                state: LedgerState::Completed {
                    outcome_json: w.answer.outcome_json.clone(),
                },
            },
        );
        Ok(())
    }
}

#[async_trait]
impl TokenLifecycleStore for MemoryTokenState {
    async fn token(&self, token_ref: &str) -> Result<Option<TokenRecord>, StoreError> {
        let inner = self.lock();
        inner.check()?;
        Ok(inner.token(token_ref).map(|t| t.record(token_ref)))
    }

    async fn commit(&self, c: &LifecycleCommit) -> Result<(), SaveError> {
        let mut inner = self.lock();
        inner.check_write()?;

        // Every condition first, as one transaction.
        let token_ok = match (c.expected_version, inner.token(&c.token_ref)) {
            (None, None) => true,
            (Some(0), Some(t)) => t.version.is_none(),
            (Some(expected), Some(t)) => t.version == Some(expected),
            _ => false,
        };
        let request_ok = c.request.as_ref().is_none_or(|r| inner.can_complete(r));
        if !(token_ok && request_ok) {
            return Err(SaveError::Conflict);
        }

        // Then every effect.
        if let (delta @ (1 | -1), Some(fingerprint)) = (c.live_delta, c.pan_fingerprint.as_ref()) {
            let card = inner.cards.entry(fingerprint.clone()).or_default();
            card.live += i64::from(delta);
            card.version += 1;
        }
        if let Some(moved) = c.card_move.as_ref().filter(|m| m.live) {
            if let Some(from) = &moved.from_fingerprint {
                let card = inner.cards.entry(from.clone()).or_default();
                card.live -= 1;
                card.version += 1;
            }
            let card = inner.cards.entry(moved.to_fingerprint.clone()).or_default();
            card.live += 1;
            card.version += 1;
        }
        let partition = inner.partition(&c.token_ref);
        match (&mut partition.token, c.expected_version) {
            (Some(token), Some(expected)) => {
                token.state.status = c.state.status;
                token.state.suspenders.clone_from(&c.state.suspenders);
                if let Some(last) = c.state.last_event_at {
                    token.state.last_event_at = Some(last);
                }
                token.live = c.state.status.is_live();
                merge_attributes(&mut token.attributes, &c.attributes);
                if let Some(moved) = &c.card_move {
                    token.pan_fingerprint = Some(moved.to_fingerprint.clone());
                }
                if c.clear_pending {
                    token.pending = None;
                }
                token.version = Some(expected + 1);
            }
            (slot, _) => {
                *slot = Some(StoredToken {
                    network: c.network,
                    state: c.state.clone(),
                    live: c.state.status.is_live(),
                    version: Some(1),
                    pan_fingerprint: c.pan_fingerprint.clone(),
                    pan_unique_reference: None,
                    attributes: c.attributes.clone(),
                    contact_ciphertext: None,
                    authorization: None,
                    pending: None,
                });
            }
        }
        partition.history.insert(
            (c.now, c.history.source_request_id.clone()),
            c.history.clone(),
        );
        for event in &c.events {
            partition.put_event(event);
        }
        inner.stream.extend(c.events.iter().cloned());
        if let Some(request) = &c.request {
            inner.complete(request);
        }
        Ok(())
    }

    async fn history(&self, token_ref: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        self.lock().check()?;
        Ok(self.history_of(token_ref))
    }

    async fn token_with_contact(
        &self,
        token_ref: &str,
    ) -> Result<Option<(TokenRecord, Option<Vec<u8>>)>, StoreError> {
        let inner = self.lock();
        inner.check()?;
        Ok(inner
            .token(token_ref)
            .map(|t| (t.record(token_ref), t.contact_ciphertext.clone())))
    }
}

#[async_trait]
impl EventOutbox for MemoryTokenState {
    async fn published_among(
        &self,
        keys: &[OutboxKey],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let inner = self.lock();
        inner.check()?;
        Ok(keys
            .iter()
            .filter(|k| {
                inner.tokens.get(&k.token_ref).is_some_and(|p| {
                    p.events
                        .iter()
                        .any(|e| e.event.event_id == k.event_id && e.published)
                })
            })
            .map(|k| k.event_id.clone())
            .collect())
    }

    async fn mark_published(
        &self,
        key: &OutboxKey,
        _now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        inner.check()?;
        let event = inner.tokens.get_mut(&key.token_ref).and_then(|p| {
            p.events
                .iter_mut()
                .find(|e| e.event.event_id == key.event_id)
        });
        match event {
            Some(event) => {
                event.published = true;
                Ok(())
            }
            // The adapter's conditional update fails the same way.
            None => Err(StoreError::Unavailable(
                "outbox event does not exist".into(),
            )),
        }
    }
}

#[async_trait]
impl ActivationCodeStore for MemoryTokenState {
    async fn code(&self, token_ref: &str) -> Result<Option<StoredCode>, StoreError> {
        let inner = self.lock();
        inner.check()?;
        Ok(inner.code(token_ref).cloned())
    }

    async fn token_and_code(
        &self,
        token_ref: &str,
    ) -> Result<(Option<TokenRecord>, Option<StoredCode>), StoreError> {
        let token = self.token(token_ref).await?;
        Ok((token, self.code(token_ref).await?))
    }

    async fn issue(
        &self,
        token_ref: &str,
        code: &StoredCode,
        now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let _ = now;
        let mut inner = self.lock();
        inner.check_write()?;
        // Replaces exactly the code read (generation − 1), or none.
        let previous = inner.code(token_ref).map_or(0, |c| c.issued.generation);
        if previous != code.issued.generation.saturating_sub(1) {
            return Err(SaveError::Conflict);
        }
        inner.partition(token_ref).code = Some(StoredCode {
            issued: IssuedCode {
                mac: code.issued.mac.clone(),
                expires_at: whole_seconds(code.issued.expires_at),
                attempts: 0,
                max_attempts: code.issued.max_attempts,
                used: false,
                source: code.issued.source,
                sends: code.issued.sends,
                generation: code.issued.generation,
            },
            ciphertext: code.ciphertext.clone(),
        });
        Ok(())
    }

    async fn record_send(
        &self,
        token_ref: &str,
        sends: u32,
        _now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let mut inner = self.lock();
        inner.check_write()?;
        match inner.partition(token_ref).code.as_mut() {
            Some(code) if code.issued.sends == sends && !code.issued.used => {
                code.issued.sends += 1;
                Ok(())
            }
            _ => Err(SaveError::Conflict),
        }
    }

    async fn record_failure(
        &self,
        token_ref: &str,
        request: &RequestCompletion,
        _now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let mut inner = self.lock();
        inner.check_write()?;
        let code_ok = inner
            .code(token_ref)
            .is_some_and(|c| !c.issued.used && c.issued.attempts < c.issued.max_attempts);
        if !(code_ok && inner.can_complete(request)) {
            return Err(SaveError::Conflict);
        }
        if let Some(code) = inner.partition(token_ref).code.as_mut() {
            code.issued.attempts += 1;
        }
        inner.complete(request);
        Ok(())
    }

    async fn consume(
        &self,
        token_ref: &str,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError> {
        let mut inner = self.lock();
        inner.check_write()?;
        let code_ok = inner
            .code(token_ref)
            .is_some_and(|c| in_force(&c.issued, now));
        if !(code_ok && inner.can_complete(request)) {
            return Err(SaveError::Conflict);
        }
        if let Some(code) = inner.partition(token_ref).code.as_mut() {
            code.issued.used = true;
            // The adapter removes the ciphertext of a used code.
            code.ciphertext = Vec::new();
        }
        inner.complete(request);
        Ok(())
    }
}

#[async_trait]
impl tmp_core::ports::DeliveryLog for MemoryTokenState {
    async fn record(
        &self,
        token_ref: &str,
        record: &tmp_core::domain::delivery_log::DeliveryRecord,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        inner.check()?;
        inner.partition(token_ref).deliveries.insert(
            (format!("{:?}", record.kind), record.id.clone()),
            record.clone(),
        );
        Ok(())
    }
}
