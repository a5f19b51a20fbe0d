//! The issuer's read model of tokens (look-ups by card, card id, device,
//! reference; one token with its history and decision) and the marks an
//! issuer action leaves on a token while its network has not answered.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::domain::Network;
use crate::domain::action::PendingAction;
use crate::domain::decision::DecisionRecord;
use crate::domain::token::{HistoryEntry, TokenStatus};
use crate::domain::wallet::Wallet;
use crate::ports::{RequestCompletion, SaveError, StoreError, TokenRecord};

/// The device a token lives on, as far as its network told us.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceFacts {
    /// The network's identifier (MDES paymentAppInstanceId, Visa deviceID).
    pub device_id: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub os: Option<String>,
}

/// A token as the issuer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenView {
    pub record: TokenRecord,
    /// The issuer's card id (from its Card Verification API at tokenization).
    pub issuer_card_id: Option<String>,
    pub device: DeviceFacts,
    pub created_at: Option<OffsetDateTime>,
    pub updated_at: Option<OffsetDateTime>,
    /// Oldest first; empty in search results.
    pub history: Vec<HistoryEntry>,
    /// The tokenization decision, when we made one (absent in search results).
    pub decision: Option<DecisionRecord>,
    /// What was sent about it, newest first (empty in search results).
    pub deliveries: Vec<crate::domain::delivery_log::DeliveryRecord>,
}

/// What a search looks tokens up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenQuery {
    /// The card's keyed PAN fingerprint (never the PAN).
    Card {
        pan_fingerprint: String,
    },
    /// The issuer's card id.
    IssuerCard {
        card_id: String,
    },
    Device {
        device_id: String,
    },
    Reference {
        token_ref: String,
    },
    /// The card's last four digits and expiry (`MM/YY`): several cards may
    /// share them.
    CardLast4 {
        last4: String,
        expiry: String,
    },
    /// The cardholder's phone number, by its keyed fingerprint (never the number).
    Phone {
        phone_fingerprint: String,
    },
    /// Tokens created from `from` to `to` (UTC days, both included), newest day first.
    Created {
        from: time::Date,
        to: time::Date,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenFilter {
    pub status: Option<TokenStatus>,
    pub token_requestor_id: Option<String>,
    pub network: Option<Network>,
    pub wallet: Option<Wallet>,
    /// Created on or after this UTC day.
    pub created_from: Option<time::Date>,
    /// Created on or before this UTC day.
    pub created_to: Option<time::Date>,
}

impl TokenFilter {
    pub fn admits(&self, view: &TokenView) -> bool {
        let record = &view.record;
        let day = view.created_at.map(OffsetDateTime::date);
        self.status.is_none_or(|s| s == record.state.status)
            && self.network.is_none_or(|n| n == record.network)
            && self
                .token_requestor_id
                .as_deref()
                .is_none_or(|id| record.token_requestor_id.as_deref() == Some(id))
            && self.wallet.is_none_or(|w| {
                w == Wallet::of(
                    record.token_requestor_id.as_deref(),
                    record.wallet_id.as_deref(),
                )
            })
            && self
                .created_from
                .is_none_or(|from| day.is_some_and(|d| d >= from))
            && self
                .created_to
                .is_none_or(|to| day.is_some_and(|d| d <= to))
    }
}

/// One page: `cursor` is what the previous page returned (opaque).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPage {
    pub tokens: Vec<TokenView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A cursor this search did not produce.
    #[error("cursor is not one this search produced")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait TokenDirectory: Send + Sync {
    /// One token with its history and decision, in one read.
    async fn token_view(&self, token_ref: &str) -> Result<Option<TokenView>, StoreError>;

    async fn search(
        &self,
        query: &TokenQuery,
        filter: &TokenFilter,
        page: &PageRequest,
    ) -> Result<TokenPage, SearchError>;

    /// Records `pending` on the token if it is still at `expected_version`.
    async fn mark_pending(
        &self,
        token_ref: &str,
        expected_version: u64,
        pending: &PendingAction,
        now: OffsetDateTime,
    ) -> Result<(), SaveError>;

    /// Removes the token's pending action (the network refused it), with the
    /// request's completion in the same write.
    async fn clear_pending(
        &self,
        token_ref: &str,
        request: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError>;
}
