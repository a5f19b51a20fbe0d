//! Failures of the state store, as every store port reports them.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state store is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("state store holds an item we cannot read: {0}")]
    Corrupt(String),
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Concurrent requests filled the card's live-token allowance first.
    #[error("the card reached its live-token limit")]
    TokenLimitReached,
    /// Our claim on the request id was lost, or the item changed under us.
    #[error("concurrent update of the same request or token")]
    Conflict,
    /// Another transaction held an item we write (the card counter is hot
    /// under bursts) or the table throttled: nothing was written, try again.
    #[error("transaction collided with another one; retryable")]
    Contention,
    #[error(transparent)]
    Store(#[from] StoreError),
}
