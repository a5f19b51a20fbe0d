//! Token state after authorization: lifecycle transitions with their history
//! and outbox events, and activation codes. Every write that answers a TSP
//! message completes that message's ledger entry in the same transaction.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::domain::activation_code::{CodeSource, IssuedCode};
use crate::domain::events::TokenEvent;
use crate::domain::token::{HistoryEntry, LifecycleState};
use crate::ports::{RequestClaim, SaveError, StoreError};

/// The TSP message being answered: its ledger entry is completed atomically
/// with the effects.
#[derive(Debug, Clone)]
pub struct RequestCompletion {
    pub operation: String,
    pub request_id: String,
    pub lease_id: String,
    pub outcome_json: String,
}

/// What the lifecycle needs of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub token_ref: String,
    pub state: LifecycleState,
    /// Optimistic-concurrency version of the token item.
    pub version: u64,
    pub pan_fingerprint: Option<String>,
    pub pan_last4: Option<String>,
    pub pan_unique_reference: Option<String>,
    pub token_requestor_id: Option<String>,
    pub wallet_id: Option<String>,
    pub has_contact: bool,
    pub language: Option<String>,
}

/// One lifecycle write: new state, history line, outbox events, ledger.
#[derive(Debug, Clone)]
pub struct LifecycleCommit {
    pub token_ref: String,
    /// `None`: the token is new to us (created by this message).
    pub expected_version: Option<u64>,
    pub state: LifecycleState,
    /// +1 / -1 on the card's live-token counter, or 0.
    pub live_delta: i8,
    pub pan_fingerprint: Option<String>,
    pub history: HistoryEntry,
    /// Further token attributes to set (e.g. `device_name`, `token_last4`).
    pub attributes: Vec<(String, String)>,
    pub events: Vec<TokenEvent>,
    /// Completed atomically with this commit (the last commit of a message).
    pub request: Option<RequestCompletion>,
}

#[async_trait]
pub trait RequestLedger: Send + Sync {
    async fn claim(
        &self,
        operation: &str,
        request_id: &str,
        signature: &str,
        now: OffsetDateTime,
    ) -> Result<RequestClaim, StoreError>;

    async fn release(
        &self,
        operation: &str,
        request_id: &str,
        lease_id: &str,
    ) -> Result<(), StoreError>;

    /// Completes a request that changed nothing else (e.g. a notification
    /// for an unknown token, recorded as such).
    async fn complete(
        &self,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError>;
}

#[async_trait]
pub trait TokenLifecycleStore: RequestLedger {
    async fn token(&self, token_ref: &str) -> Result<Option<TokenRecord>, StoreError>;

    /// Conflict when the token changed since it was read: reload and re-apply.
    async fn commit(&self, commit: &LifecycleCommit) -> Result<(), SaveError>;

    async fn history(&self, token_ref: &str) -> Result<Vec<HistoryEntry>, StoreError>;

    /// Outbox events not yet published (after a crash between commit and publish).
    async fn unpublished_events(&self, token_ref: &str) -> Result<Vec<TokenEvent>, StoreError>;

    async fn mark_published(&self, token_ref: &str, event_id: &str) -> Result<(), StoreError>;

    /// The token's sealed contact details (KMS ciphertext), if any.
    async fn contact_ciphertext(&self, token_ref: &str) -> Result<Option<Vec<u8>>, StoreError>;
}

/// A code as stored: the MAC to check against, KMS ciphertext to re-deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    pub issued: IssuedCode,
    pub ciphertext: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueOutcome {
    Issued,
    /// A code still in force exists: re-requests neither regenerate it nor
    /// extend its validity.
    Existing(StoredCode),
}

#[async_trait]
pub trait ActivationCodeStore: RequestLedger {
    async fn code(&self, token_ref: &str) -> Result<Option<StoredCode>, StoreError>;

    /// Stores `code` unless one is still in force (the caller completes the
    /// request once the code is on its way).
    async fn issue(
        &self,
        token_ref: &str,
        code: &StoredCode,
        now: OffsetDateTime,
    ) -> Result<IssueOutcome, SaveError>;

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
