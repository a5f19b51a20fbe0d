//! Where reconciliation finds its tokens.

use async_trait::async_trait;

use crate::ports::{StoreError, TokenView};

/// Where a run finds its tokens: those with an action pending, and the sweep
/// over all tokens (its position kept between runs).
#[async_trait]
pub trait ReconciliationSweep: Send + Sync {
    async fn pending(&self, limit: u32) -> Result<Vec<TokenView>, StoreError>;

    /// The next `limit` tokens of the sweep (its position is the store's),
    /// and whether the sweep came to its end (the next call starts over).
    async fn next_page(&self, limit: u32) -> Result<(Vec<TokenView>, bool), StoreError>;
}
