//! The decision rules an administrator stored, in memory: replaced only
//! from the version in force.

use std::sync::Mutex;

use async_trait::async_trait;
use tmp_core::ports::{DecisionRulesStore, SaveError, StoreError, StoredRules};

#[derive(Debug, Default)]
pub struct MemoryDecisionRules {
    history: Mutex<Vec<StoredRules>>,
}

impl MemoryDecisionRules {
    /// Every document stored, oldest first.
    #[allow(clippy::unwrap_used)]
    pub fn history(&self) -> Vec<StoredRules> {
        self.history.lock().unwrap().clone()
    }
}

#[async_trait]
impl DecisionRulesStore for MemoryDecisionRules {
    #[allow(clippy::unwrap_used)]
    async fn current(&self) -> Result<Option<StoredRules>, StoreError> {
        Ok(self.history.lock().unwrap().last().cloned())
    }

    #[allow(clippy::unwrap_used)]
    async fn replace(&self, expected: u64, next: &StoredRules) -> Result<(), SaveError> {
        let mut history = self.history.lock().unwrap();
        let current = history.last().map_or(0, |r| r.version);
        if current != expected {
            return Err(SaveError::Conflict);
        }
        history.push(next.clone());
        Ok(())
    }
}
