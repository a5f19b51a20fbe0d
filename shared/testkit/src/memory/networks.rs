//! A scripted stand-in for the networks' lifecycle APIs: records every call,
//! answers from a script (default: confirmed) and holds a view per token.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use tmp_core::domain::Network;
use tmp_core::ports::{NetworkAnswer, NetworkCall, NetworkError, NetworkView, TokenNetworks};

#[derive(Debug, Default)]
struct Inner {
    calls: Vec<NetworkCall>,
    answers: VecDeque<NetworkAnswer>,
    views: HashMap<String, NetworkView>,
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

    pub fn set_view(&self, token_ref: &str, view: NetworkView) {
        self.lock().views.insert(token_ref.to_owned(), view);
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
