//! A scripted stand-in for the networks' lifecycle APIs: records every call,
//! answers from a script (default: confirmed) and holds a view per token.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use tmp_core::domain::Network;
use tmp_core::ports::{
    NetworkAnswer, NetworkCall, NetworkError, NetworkStatusEntry, NetworkTransaction,
    NetworkUpdate, NetworkView, RecordsError, TokenNetworkRecords, TokenNetworks,
};

#[derive(Debug, Default)]
struct Inner {
    calls: Vec<NetworkCall>,
    updates: Vec<NetworkUpdate>,
    answers: VecDeque<NetworkAnswer>,
    views: HashMap<String, NetworkView>,
    history: HashMap<String, Vec<NetworkStatusEntry>>,
    transactions: HashMap<String, Vec<NetworkTransaction>>,
    /// `(operation, token, operator)` of every record read.
    record_reads: Vec<(String, String, String)>,
    unavailable: bool,
}

#[derive(Debug, Default)]
pub struct FakeNetworks {
    inner: Mutex<Inner>,
}

impl FakeNetworks {
    #[allow(clippy::unwrap_used)]
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap()
    }

    /// The next calls get these answers, in order (then: confirmed).
    pub fn answer_next(&self, answers: impl IntoIterator<Item = NetworkAnswer>) {
        self.lock().answers.extend(answers);
    }

    pub fn calls(&self) -> Vec<NetworkCall> {
        self.lock().calls.clone()
    }

    /// Every card update sent, in order.
    pub fn updates(&self) -> Vec<NetworkUpdate> {
        self.lock().updates.clone()
    }

    pub fn set_view(&self, token_ref: &str, view: NetworkView) {
        self.lock().views.insert(token_ref.to_owned(), view);
    }

    /// What MDES records of `token_ref` (Visa offers neither record).
    pub fn set_records(
        &self,
        token_ref: &str,
        history: Vec<NetworkStatusEntry>,
        transactions: Vec<NetworkTransaction>,
    ) {
        let mut inner = self.lock();
        inner.history.insert(token_ref.to_owned(), history);
        inner
            .transactions
            .insert(token_ref.to_owned(), transactions);
    }

    /// `(operation, token, operator)` of every record read, in order.
    pub fn record_reads(&self) -> Vec<(String, String, String)> {
        self.lock().record_reads.clone()
    }

    /// While `true`, every view read fails.
    pub fn set_unavailable(&self, unavailable: bool) {
        self.lock().unavailable = unavailable;
    }
}

#[async_trait]
impl TokenNetworks for FakeNetworks {
    async fn act(&self, call: &NetworkCall) -> NetworkAnswer {
        let mut inner = self.lock();
        inner.calls.push(call.clone());
        inner
            .answers
            .pop_front()
            .unwrap_or(NetworkAnswer::Confirmed)
    }

    /// Answers from the same script as `act`.
    async fn update(&self, call: &NetworkUpdate) -> NetworkAnswer {
        let mut inner = self.lock();
        inner.updates.push(call.clone());
        inner
            .answers
            .pop_front()
            .unwrap_or(NetworkAnswer::Confirmed)
    }

    async fn view(
        &self,
        network: Network,
        token_ref: &str,
        _token_requestor_id: Option<&str>,
    ) -> Result<NetworkView, NetworkError> {
        let inner = self.lock();
        if inner.unavailable {
            return Err(NetworkError::Unavailable(network));
        }
        Ok(inner
            .views
            .get(token_ref)
            .cloned()
            .unwrap_or(NetworkView::Unknown))
    }
}

impl FakeNetworks {
    fn records<T: Clone>(
        &self,
        operation: &str,
        network: Network,
        token_ref: &str,
        operator: &str,
        pick: impl Fn(&Inner) -> Option<&Vec<T>>,
    ) -> Result<Vec<T>, RecordsError> {
        let mut inner = self.lock();
        inner.record_reads.push((
            operation.to_owned(),
            token_ref.to_owned(),
            operator.to_owned(),
        ));
        if inner.unavailable {
            return Err(RecordsError::Unavailable(network));
        }
        if network == Network::Visa {
            return Err(RecordsError::NotSupported(network));
        }
        pick(&inner).cloned().ok_or(RecordsError::UnknownToken)
    }
}

#[async_trait]
impl TokenNetworkRecords for FakeNetworks {
    async fn status_history(
        &self,
        network: Network,
        token_ref: &str,
        operator: &str,
    ) -> Result<Vec<NetworkStatusEntry>, RecordsError> {
        self.records("statushistory", network, token_ref, operator, |i| {
            i.history.get(token_ref)
        })
    }

    async fn transactions(
        &self,
        network: Network,
        token_ref: &str,
        operator: &str,
    ) -> Result<Vec<NetworkTransaction>, RecordsError> {
        self.records("transactions", network, token_ref, operator, |i| {
            i.transactions.get(token_ref)
        })
    }
}
