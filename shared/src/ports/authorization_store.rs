//! Persistence of authorizeService: idempotency, velocity, token counts and the
//! decision, written atomically so a retry or a race never half-writes.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::domain::decision::DecisionRecord;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state store is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("state store holds an item we cannot read: {0}")]
    Corrupt(String),
}

/// The result of claiming a request id before processing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestClaim {
    /// First time seen (or an abandoned claim taken over): process it.
    Claimed { lease_id: String },
    /// Already answered: replay the stored outcome.
    Completed {
        signature: String,
        outcome_json: String,
    },
    /// Another invocation is processing it right now.
    InProgress,
}

/// What we know of a token before this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSnapshot {
    /// Counted against the card's live-token limit.
    pub live: bool,
}

/// Everything one authorizeService decision writes, in one transaction.
#[derive(Debug, Clone)]
pub struct AuthorizationWrite {
    pub request_id: String,
    pub lease_id: String,
    pub signature: String,
    pub outcome_json: String,
    pub token_ref: String,
    pub pan_unique_reference: Option<String>,
    pub pan_fingerprint: String,
    pub pan_last4: String,
    pub token_requestor_id: Option<String>,
    pub wallet_id: Option<String>,
    pub payment_app_instance_id: Option<String>,
    pub correlation_id: String,
    pub token_type: String,
    pub device_name: Option<String>,
    pub issuer_card_id: Option<String>,
    pub product_category: Option<String>,
    pub record: DecisionRecord,
    /// The token exists already (a re-authorization).
    pub existing: Option<TokenSnapshot>,
    /// The limit the conditional write enforces when the token becomes live.
    pub live_token_limit: u32,
    pub now: OffsetDateTime,
    /// Cardholder contact details sealed under KMS, for activation codes.
    pub contact_ciphertext: Option<Vec<u8>>,
    /// The status-history line and the outbox event of this decision.
    pub history: crate::domain::token::HistoryEntry,
    pub event: Option<crate::domain::events::TokenEvent>,
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Concurrent requests filled the card's live-token allowance first.
    #[error("the card reached its live-token limit")]
    TokenLimitReached,
    /// Our claim on the request id was lost, or the token changed under us.
    #[error("concurrent update of the same request or token")]
    Conflict,
    /// Another transaction held an item we write (the card counter is hot
    /// under bursts) or the table throttled: nothing was written, try again.
    #[error("transaction collided with another one; retryable")]
    Contention,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait AuthorizationStore: Send + Sync {
    async fn claim_request(
        &self,
        request_id: &str,
        signature: &str,
        now: OffsetDateTime,
    ) -> Result<RequestClaim, StoreError>;

    /// Gives a claim up after a failure, so that the TSP's retry is processed.
    async fn release_request(&self, request_id: &str, lease_id: &str) -> Result<(), StoreError>;

    /// Records this attempt (once per request id) and returns how many attempts
    /// for this card and token requestor fall in the 24 h before it, itself included.
    async fn record_attempt(
        &self,
        pan_fingerprint: &str,
        token_requestor_id: &str,
        request_id: &str,
        now: OffsetDateTime,
    ) -> Result<u32, StoreError>;

    async fn live_token_count(&self, pan_fingerprint: &str) -> Result<u32, StoreError>;

    async fn find_token(&self, token_ref: &str) -> Result<Option<TokenSnapshot>, StoreError>;

    async fn save_authorization(&self, write: &AuthorizationWrite) -> Result<(), SaveError>;
}
