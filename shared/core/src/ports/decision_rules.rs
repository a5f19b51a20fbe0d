//! The decision rules an administrator stored: one current document with a
//! version, each replacement conditional on the version read and kept as
//! history.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::ports::{SaveError, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRules {
    /// 1 for the first stored document.
    pub version: u64,
    /// The rules, as `DecisionPolicy::from_json` reads them.
    pub document: String,
    pub updated_by: String,
    pub updated_at: OffsetDateTime,
}

#[async_trait]
pub trait DecisionRulesStore: Send + Sync {
    async fn current(&self) -> Result<Option<StoredRules>, StoreError>;

    /// Stores `next` (version `expected + 1`) if the current version is still
    /// `expected` (0: none stored yet); `Conflict` otherwise.
    async fn replace(&self, expected: u64, next: &StoredRules) -> Result<(), SaveError>;
}
