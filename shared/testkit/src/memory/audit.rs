//! An in-memory admin audit log: entries kept in order, never changed; a
//! switch makes every append fail (the answer must then be withheld).

use std::sync::Mutex;

use async_trait::async_trait;
use tmp_core::domain::audit::AuditEntry;
use tmp_core::ports::{AuditLog, AuditPage, AuditQuery, SearchError, StoreError};

#[derive(Debug, Default)]
pub struct MemoryAuditLog {
    entries: Mutex<Vec<AuditEntry>>,
    offline: Mutex<bool>,
}

impl MemoryAuditLog {
    /// Every entry, oldest first.
    #[allow(clippy::unwrap_used)]
    pub fn entries(&self) -> Vec<AuditEntry> {
        self.entries.lock().unwrap().clone()
    }

    /// While `true`, every append fails.
    #[allow(clippy::unwrap_used)]
    pub fn set_offline(&self, offline: bool) {
        *self.offline.lock().unwrap() = offline;
    }
}

#[async_trait]
impl AuditLog for MemoryAuditLog {
    #[allow(clippy::unwrap_used)]
    async fn append(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        if *self.offline.lock().unwrap() {
            return Err(StoreError::Unavailable(
                "memory audit log is switched off".into(),
            ));
        }
        let mut entries = self.entries.lock().unwrap();
        if entries.iter().any(|e| e.audit_id == entry.audit_id) {
            return Err(StoreError::Unavailable("audit id already used".into()));
        }
        entries.push(entry.clone());
        Ok(())
    }

    /// Newest first; the cursor is the number of entries already returned.
    #[allow(clippy::unwrap_used)]
    async fn page(&self, query: &AuditQuery) -> Result<AuditPage, SearchError> {
        let skip = match &query.cursor {
            None => 0,
            Some(c) => c.parse::<usize>().map_err(|_| SearchError::BadCursor)?,
        };
        let matching: Vec<AuditEntry> = self
            .entries
            .lock()
            .unwrap()
            .iter()
            .rev()
            .filter(|e| e.at.date() >= query.from && e.at.date() <= query.to)
            .filter(|e| query.actor.as_ref().is_none_or(|a| *a == e.actor))
            .cloned()
            .collect();
        let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
        let entries: Vec<AuditEntry> = matching.iter().skip(skip).take(limit).cloned().collect();
        let next = skip + entries.len();
        Ok(AuditPage {
            entries,
            next_cursor: (next < matching.len()).then(|| next.to_string()),
        })
    }
}
