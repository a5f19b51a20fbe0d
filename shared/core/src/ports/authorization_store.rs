//! Persistence of a tokenization decision: velocity, token counts and the
//! decision, written atomically so a retry or a race never half-writes.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::domain::Network;
use crate::domain::decision::DecisionRecord;
use crate::domain::events::TokenEvent;
use crate::domain::token::HistoryEntry;
use crate::ports::{RequestCompletion, SaveError, StoreError};

/// What we know of a token before this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSnapshot {
    /// Counted against the card's live-token limit.
    pub live: bool,
}

/// Everything one decision writes, in one transaction.
#[derive(Debug, Clone)]
pub struct AuthorizationWrite {
    pub network: Network,
    /// The message answered; completed in the same transaction.
    pub completion: RequestCompletion,
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
    /// Cardholder contact details sealed under the key service, for codes.
    pub contact_ciphertext: Option<Vec<u8>>,
    /// The status-history line and the outbox event of this decision.
    pub history: HistoryEntry,
    pub event: Option<TokenEvent>,
}

#[async_trait]
pub trait AuthorizationStore: Send + Sync {
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
