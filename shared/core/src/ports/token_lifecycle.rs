//! Token state after authorization: lifecycle transitions with their history
//! and outbox events, and activation codes. Every write that answers a network
//! message completes that message's ledger entry in the same transaction.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::domain::Network;
use crate::domain::action::PendingAction;
use crate::domain::activation_code::{CodeSource, IssuedCode};
use crate::domain::events::TokenEvent;
use crate::domain::token::{HistoryEntry, LifecycleState};
use crate::ports::{RequestCompletion, SaveError, StoreError};

/// What the lifecycle needs of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub token_ref: String,
    pub network: Network,
    pub state: LifecycleState,
    /// Optimistic-concurrency version of the token item.
    pub version: u64,
    pub pan_fingerprint: Option<String>,
    pub pan_last4: Option<String>,
    /// The card's expiry, `MM/YY`, when known.
    pub pan_expiry: Option<String>,
    pub pan_unique_reference: Option<String>,
    pub token_requestor_id: Option<String>,
    pub wallet_id: Option<String>,
    pub has_contact: bool,
    pub language: Option<String>,
    /// The answer authorization gave (absent for tokens it never saw).
    pub authorization_decision: Option<crate::domain::decision::Decision>,
    /// An issuer action the network has not confirmed yet.
    pub pending: Option<PendingAction>,
}

/// Token facts a network message tells us, set on the token when present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenAttributes {
    pub activated_at: Option<String>,
    pub token_requestor_id: Option<String>,
    pub token_type: Option<String>,
    pub token_last4: Option<String>,
    /// Keyed fingerprint of the token number (never the number).
    pub token_fingerprint: Option<String>,
    pub token_expiry: Option<String>,
    pub wallet_id: Option<String>,
    pub payment_app_instance_id: Option<String>,
    pub device_name: Option<String>,
    pub device_type: Option<String>,
    pub device_os: Option<String>,
    /// ISO 639-1, for cardholder notices.
    pub language: Option<String>,
    pub decision_made_by: Option<String>,
    pub pan_last4: Option<String>,
    /// The card's expiry, `MM/YY` (set by a card update).
    pub pan_expiry: Option<String>,
}

/// A token moving to its card's replacement: its keyed PAN fingerprint
/// changes (so do the cards' live-token counters when it is live), and the
/// issuer's card id names the new card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardMove {
    pub card_id: String,
    pub from_fingerprint: Option<String>,
    pub to_fingerprint: String,
    /// Counted on the cards' live-token counters: -1 on the old, +1 on the new.
    pub live: bool,
}

/// One lifecycle write: new state, history line, outbox events, ledger.
#[derive(Debug, Clone)]
pub struct LifecycleCommit {
    pub token_ref: String,
    pub network: Network,
    /// `None`: the token is new to us (created by this message).
    pub expected_version: Option<u64>,
    pub state: LifecycleState,
    /// +1 / -1 on the card's live-token counter, or 0.
    pub live_delta: i8,
    pub pan_fingerprint: Option<String>,
    pub history: HistoryEntry,
    pub attributes: TokenAttributes,
    pub events: Vec<TokenEvent>,
    /// Completed atomically with this commit (the last commit of a message).
    pub request: Option<RequestCompletion>,
    /// The token's pending action is settled by this commit.
    pub clear_pending: bool,
    /// The token moves to another card (a card update).
    pub card_move: Option<CardMove>,
    /// When the commit is written (item timestamps).
    pub now: OffsetDateTime,
}

#[async_trait]
pub trait TokenLifecycleStore: Send + Sync {
    async fn token(&self, token_ref: &str) -> Result<Option<TokenRecord>, StoreError>;

    /// Conflict when the token changed since it was read: reload and re-apply.
    async fn commit(&self, commit: &LifecycleCommit) -> Result<(), SaveError>;

    async fn history(&self, token_ref: &str) -> Result<Vec<HistoryEntry>, StoreError>;

    /// The token and its sealed contact details (key-service ciphertext), in
    /// one read.
    async fn token_with_contact(
        &self,
        token_ref: &str,
    ) -> Result<Option<(TokenRecord, Option<Vec<u8>>)>, StoreError>;
}

/// An outbox item: the event's token and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OutboxKey {
    pub token_ref: String,
    pub event_id: String,
}

/// The outbox of token events committed with each change.
#[async_trait]
pub trait EventOutbox: Send + Sync {
    /// The event ids among `keys` already marked published (strongly
    /// consistent: a redelivered batch must see its own marks).
    async fn published_among(
        &self,
        keys: &[OutboxKey],
    ) -> Result<std::collections::HashSet<String>, StoreError>;

    /// Marks an event published; fails if its item does not exist.
    async fn mark_published(&self, key: &OutboxKey, now: OffsetDateTime) -> Result<(), StoreError>;
}

/// A code as stored: the MAC to check against, ciphertext to re-deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    pub issued: IssuedCode,
    pub ciphertext: Vec<u8>,
}

#[async_trait]
pub trait ActivationCodeStore: Send + Sync {
    async fn code(&self, token_ref: &str) -> Result<Option<StoredCode>, StoreError>;

    /// The token and its code, in one read.
    async fn token_and_code(
        &self,
        token_ref: &str,
    ) -> Result<(Option<TokenRecord>, Option<StoredCode>), StoreError>;

    /// Stores `code` (its `generation` one above the code read), replacing
    /// the token's previous code; `Conflict` when another request issued one
    /// since it was read.
    async fn issue(
        &self,
        token_ref: &str,
        code: &StoredCode,
        now: OffsetDateTime,
    ) -> Result<(), SaveError>;

    /// Counts one more delivery of the code in force, if it was delivered
    /// `sends` times as read (`Conflict` otherwise).
    async fn record_send(
        &self,
        token_ref: &str,
        sends: u32,
        now: OffsetDateTime,
    ) -> Result<(), SaveError>;

    /// Counts a wrong attempt (and completes the request) atomically.
    async fn record_failure(
        &self,
        token_ref: &str,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError>;

    /// Marks the code used, once, while unexpired and not exhausted (and
    /// completes the request). `Conflict` if another attempt won.
    async fn consume(
        &self,
        token_ref: &str,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError>;
}

pub fn code_source_name(source: CodeSource) -> &'static str {
    match source {
        CodeSource::Issuer => "ISSUER",
        CodeSource::Network => "NETWORK",
    }
}
