//! In-memory report counters: each input's id remembered, so an input
//! delivered again counts nothing (as the reports table's marks do).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use time::Date;
use tmp_core::domain::Network;
use tmp_core::domain::report::{
    ActiveTokens, DecisionFact, DecisionPath, FunnelCounts, FunnelKey, FunnelRow,
};
use tmp_core::domain::wallet::Wallet;
use tmp_core::ports::{ActiveChange, Counted, ReportStore, StoreError};

#[derive(Debug, Default)]
struct Counters {
    counted: BTreeSet<String>,
    funnel: BTreeMap<FunnelKey, (Wallet, FunnelCounts)>,
    active: BTreeMap<(Network, Option<String>), (Wallet, i64)>,
}

#[derive(Debug, Default)]
pub struct MemoryReports {
    counters: Mutex<Counters>,
}

impl MemoryReports {
    #[allow(clippy::unwrap_used)]
    fn lock(&self) -> MutexGuard<'_, Counters> {
        self.counters.lock().unwrap()
    }

    /// Counts `id` once: whether it is new.
    fn first(&self, id: String) -> bool {
        self.lock().counted.insert(id)
    }

    fn row(&self, key: &FunnelKey, wallet: Wallet, count: impl FnOnce(&mut FunnelCounts)) {
        let mut counters = self.lock();
        let row = counters
            .funnel
            .entry(key.clone())
            .or_insert((wallet, FunnelCounts::default()));
        count(&mut row.1);
    }
}

#[async_trait]
impl ReportStore for MemoryReports {
    async fn count_decision(&self, fact: &DecisionFact) -> Result<Counted, StoreError> {
        if !self.first(format!("COUNTED#{}", fact.id)) {
            return Ok(Counted::Before);
        }
        self.row(&fact.key, fact.wallet, |c| {
            c.requests += 1;
            match fact.path {
                DecisionPath::Green => c.green += 1,
                DecisionPath::Yellow => c.yellow += 1,
                DecisionPath::Orange => c.orange += 1,
                DecisionPath::Red => c.red += 1,
            }
        });
        Ok(Counted::Now)
    }

    async fn count_active(&self, change: &ActiveChange) -> Result<Counted, StoreError> {
        if !self.first(format!("COUNTED#EVENT#{}", change.event_id)) {
            return Ok(Counted::Before);
        }
        let mut counters = self.lock();
        let entry = counters
            .active
            .entry((change.network, change.token_requestor_id.clone()))
            .or_insert((change.wallet, 0));
        entry.1 += i64::from(change.delta);
        Ok(Counted::Now)
    }

    async fn count_activation(
        &self,
        token_ref: &str,
        key: &FunnelKey,
        wallet: Wallet,
    ) -> Result<Counted, StoreError> {
        if !self.first(format!("ACTIVATED#{token_ref}")) {
            return Ok(Counted::Before);
        }
        self.row(key, wallet, |c| c.activations += 1);
        Ok(Counted::Now)
    }

    async fn funnel(&self, from: Date, to: Date) -> Result<Vec<FunnelRow>, StoreError> {
        Ok(self
            .lock()
            .funnel
            .iter()
            .filter(|(k, _)| k.day >= from && k.day <= to)
            .map(|(key, (wallet, counts))| FunnelRow {
                key: key.clone(),
                wallet: *wallet,
                counts: counts.clone(),
            })
            .collect())
    }

    async fn active_tokens(&self) -> Result<Vec<ActiveTokens>, StoreError> {
        Ok(self
            .lock()
            .active
            .iter()
            .map(|((network, requestor), (wallet, active))| ActiveTokens {
                network: *network,
                token_requestor_id: requestor.clone(),
                wallet: *wallet,
                active: u64::try_from((*active).max(0)).unwrap_or(0),
            })
            .collect())
    }
}
