//! Persistence of a tokenization decision. One read gives the message's
//! ledger entry, the card aggregate (live tokens, recent attempts, version)
//! and the token; one transaction writes the decision, the aggregate (only if
//! its version is still the one read), the token and the message's answer
//! (only if none was recorded). A race loses the transaction, re-reads and
//! decides again, or replays: counts are exact and a retry counts once.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::domain::Network;
use crate::domain::decision::DecisionRecord;
use crate::domain::events::TokenEvent;
use crate::domain::token::{HistoryEntry, TokenStatus};
use crate::domain::velocity::Attempt;
use crate::ports::{RequestAnswer, RequestKey, RequestState, SaveError, StoreError};

/// What we know of a token before this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSnapshot {
    pub status: TokenStatus,
    /// Counted against the card's live-token limit.
    pub live: bool,
    /// The card the token belongs to.
    pub pan_fingerprint: Option<String>,
    /// Who holds a suspension on it (a re-authorization keeps them).
    pub suspenders: std::collections::BTreeSet<crate::domain::token::Suspender>,
}

/// A card as authorization sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardAggregate {
    /// 0: no aggregate yet.
    pub version: u64,
    pub live_tokens: u32,
    /// The attempts of the last 24 h (bounded, see `domain::velocity`).
    pub attempts: Vec<Attempt>,
}

/// The one read of an authorization.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationSnapshot {
    /// The message's ledger entry.
    pub request: RequestState,
    pub card: CardAggregate,
    pub token: Option<TokenSnapshot>,
    /// The decision rules an administrator stored (JSON), read in the same
    /// call; `None`: the deployment's rules apply.
    pub decision_rules: Option<String>,
}

/// Everything one decision writes, in one transaction.
#[derive(Debug, Clone)]
pub struct AuthorizationWrite {
    pub network: Network,
    /// The message's answer, recorded in the same transaction.
    pub answer: RequestAnswer,
    pub token_ref: String,
    pub pan_unique_reference: Option<String>,
    pub pan_fingerprint: String,
    pub pan_last4: String,
    /// The card's expiry as the wallet sent it, `MM/YY`.
    pub pan_expiry: Option<String>,
    /// The keyed fingerprint of the cardholder's phone number (from the
    /// issuer's Card Verification API), so customer service finds the token by it.
    pub phone_fingerprint: Option<String>,
    pub token_requestor_id: Option<String>,
    pub wallet_id: Option<String>,
    pub payment_app_instance_id: Option<String>,
    pub correlation_id: String,
    pub token_type: String,
    pub device_name: Option<String>,
    pub device_type: Option<String>,
    pub device_os: Option<String>,
    pub issuer_card_id: Option<String>,
    pub product_category: Option<String>,
    pub record: DecisionRecord,
    /// The decision's path for the reports (green / yellow / orange / red).
    pub path: crate::domain::report::DecisionPath,
    /// The token as read: `None` creates it; `Some` is a re-authorization that
    /// leaves the token as it is (never reset), provided it is unchanged.
    pub existing: Option<TokenSnapshot>,
    /// The card aggregate's version as read (0: create it).
    pub card_version: u64,
    /// The card's attempts after this one.
    pub attempts: Vec<Attempt>,
    /// 1 when this decision makes a new live token, else 0.
    pub live_delta: u8,
    /// Whether to write the token, decision and history at all (false when
    /// the request is refused without touching the token: another card's
    /// token reference, a terminal token).
    pub writes_token: bool,
    pub now: OffsetDateTime,
    /// Cardholder contact details sealed under the key service, for codes.
    pub contact_ciphertext: Option<Vec<u8>>,
    /// The status-history line and the outbox event of this decision.
    pub history: HistoryEntry,
    pub event: Option<TokenEvent>,
}

#[async_trait]
pub trait AuthorizationStore: Send + Sync {
    /// The message's ledger entry, the card aggregate and the token, in one
    /// strongly consistent read.
    async fn snapshot(
        &self,
        request: &RequestKey,
        pan_fingerprint: &str,
        token_ref: &str,
    ) -> Result<AuthorizationSnapshot, StoreError>;

    /// All of it or nothing. `Conflict` when the card aggregate or the token
    /// changed since the snapshot, or the message was answered meanwhile
    /// (read again), `Contention` when the table was busy.
    async fn save_authorization(&self, write: &AuthorizationWrite) -> Result<(), SaveError>;
}
