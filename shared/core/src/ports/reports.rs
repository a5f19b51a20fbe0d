//! The reports' counters: each input counted once however often the stream
//! delivers it (its id is remembered in the same write), and read back by
//! day range.

use async_trait::async_trait;
use time::Date;

use crate::domain::Network;
use crate::domain::report::{ActiveTokens, DecisionFact, FunnelKey, FunnelRow};
use crate::domain::wallet::Wallet;
use crate::ports::StoreError;

/// Whether an input changed the counters or had been counted before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Now,
    Before,
}

/// A change of the active-token count (from one token event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveChange {
    pub event_id: String,
    pub network: Network,
    pub token_requestor_id: Option<String>,
    pub wallet: Wallet,
    pub delta: i8,
}

#[async_trait]
pub trait ReportStore: Send + Sync {
    async fn count_decision(&self, fact: &DecisionFact) -> Result<Counted, StoreError>;

    async fn count_active(&self, change: &ActiveChange) -> Result<Counted, StoreError>;

    /// A token's first activation, on the funnel row of the day it was requested.
    async fn count_activation(
        &self,
        token_ref: &str,
        key: &FunnelKey,
        wallet: Wallet,
    ) -> Result<Counted, StoreError>;

    /// Every funnel row from `from` to `to` (UTC days), oldest first.
    async fn funnel(&self, from: Date, to: Date) -> Result<Vec<FunnelRow>, StoreError>;

    /// Active tokens now, per network and token requestor.
    async fn active_tokens(&self) -> Result<Vec<ActiveTokens>, StoreError>;
}
