//! The card networks' lifecycle APIs as the core sees them (MDES Customer
//! Service, VTS lifecycle): one call per action, and the network's view of a
//! token for reconciliation. Each network's adapter translates.

use std::collections::BTreeSet;

use async_trait::async_trait;

use crate::domain::Network;
use crate::domain::action::{ActionReason, TokenAction};
use crate::domain::card::Expiry;
use crate::domain::job::CardEventKind;
use crate::domain::token::{Suspender, TokenStatus};
use crate::secret::Pan;

/// One lifecycle call to the token's network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkCall {
    pub network: Network,
    pub token_ref: String,
    pub token_requestor_id: Option<String>,
    pub pan_unique_reference: Option<String>,
    pub action: TokenAction,
    pub reason: ActionReason,
    /// The operator, as the network's audit trail records it.
    pub operator: String,
    pub comment: Option<String>,
    /// Stable across retries of the same issuer request: the network sees
    /// one request, however often we send it.
    pub request_id: String,
}

/// The card behind one token has a new number or expiry (a replaced or
/// renewed card): the network maps the token to it. The PAN exists only for
/// the call (opened from the job's sealed copy, zeroized on drop).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkUpdate {
    pub network: Network,
    pub token_ref: String,
    pub token_requestor_id: Option<String>,
    pub pan_unique_reference: Option<String>,
    /// `Replaced` or `Renewed`: why the card changed.
    pub event: CardEventKind,
    pub new_pan: Option<Pan>,
    pub new_expiry: Option<Expiry>,
    pub operator: String,
    /// Stable across retries of the same job item.
    pub request_id: String,
}

/// What the network said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkAnswer {
    /// Applied at the network.
    Confirmed,
    /// The network refused it (its code, for logs and the record); sending
    /// it again will not help.
    Refused { code: String },
    /// No answer we can rely on (timeout, 5xx, an unreadable answer): the
    /// network may or may not have applied it.
    Unknown,
}

/// A token as its network holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkView {
    Known {
        status: TokenStatus,
        suspenders: BTreeSet<Suspender>,
    },
    /// The network does not (or no longer) hold the token.
    Unknown,
}

/// Why the network's view could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetworkError {
    #[error("{0} is unavailable")]
    Unavailable(Network),
    #[error("{0} is not configured")]
    NotConfigured(Network),
}

#[async_trait]
pub trait TokenNetworks: Send + Sync {
    /// Sends one action; never fails: what could not be known is `Unknown`.
    async fn act(&self, call: &NetworkCall) -> NetworkAnswer;

    /// Maps one token to its card's new PAN or expiry; never fails, as `act`.
    async fn update(&self, call: &NetworkUpdate) -> NetworkAnswer;

    /// The network's current view of one token.
    async fn view(
        &self,
        network: Network,
        token_ref: &str,
        token_requestor_id: Option<&str>,
    ) -> Result<NetworkView, NetworkError>;
}
