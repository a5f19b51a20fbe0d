//! The admin audit log's store: append an entry (never change one), read a
//! range of UTC days newest first.

use async_trait::async_trait;
use time::Date;

use crate::domain::audit::AuditEntry;
use crate::ports::{SearchError, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    /// First and last UTC day, inclusive (`from` ≤ `to`).
    pub from: Date,
    pub to: Date,
    /// Only this agent's entries.
    pub actor: Option<String>,
    pub limit: u32,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}

#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends `entry`; an entry of the same id is never overwritten.
    async fn append(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    async fn page(&self, query: &AuditQuery) -> Result<AuditPage, SearchError>;
}
