//! The request ledger: one entry per network message (network, operation,
//! request id). A message is claimed under a lease before it is processed,
//! completed in the same transaction as its effects, or released on failure so
//! that the network's retry runs again. Retries of a completed message are
//! answered from the stored outcome.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::domain::Network;
use crate::ports::{SaveError, StoreError};

/// Who sent a request: a network's TSP, or the issuer's back office (whose
/// `Idempotency-Key`s live in their own key space).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    Network(Network),
    Issuer,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Network(network) => network.as_str(),
            Self::Issuer => "ISSUER",
        }
    }
}

impl From<Network> for Origin {
    fn from(network: Network) -> Self {
        Self::Network(network)
    }
}

/// Which message: the sender's request id is unique per operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    pub origin: Origin,
    pub operation: &'static str,
    pub request_id: String,
}

/// The result of claiming a request before processing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestClaim {
    /// First time seen (or an abandoned claim taken over): process it.
    Claimed,
    /// Already answered: replay the stored outcome.
    Completed {
        signature: String,
        outcome_json: String,
    },
    /// Another invocation is processing it right now.
    InProgress,
}

/// The message being answered: its ledger entry is completed atomically with
/// the effects (or on its own, when there are none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestCompletion {
    pub key: RequestKey,
    pub lease_id: String,
    pub outcome_json: String,
}

/// A message's ledger entry as read with its effects' state (operations that
/// answer in one transaction, without a claim first: authorization).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RequestState {
    /// Never answered (or only claimed, by an earlier release that claimed
    /// first): decide, and record the answer with the effects.
    #[default]
    New,
    /// Answered: replay it (if the retry carries the same identity).
    Completed {
        signature: String,
        outcome_json: String,
    },
}

/// A message answered without a prior claim: recorded in the transaction of
/// its effects, only if no other invocation recorded one first (that
/// transaction then fails whole, and the next read replays the winner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestAnswer {
    pub key: RequestKey,
    pub signature: String,
    pub outcome_json: String,
}

#[async_trait]
pub trait RequestLedger: Send + Sync {
    /// Claims `key` under `lease_id`; `signature` is the message's clear
    /// identity, which a retry must repeat.
    async fn claim(
        &self,
        key: &RequestKey,
        signature: &str,
        lease_id: &str,
        now: OffsetDateTime,
    ) -> Result<RequestClaim, StoreError>;

    /// Gives a claim up after a failure, so that the network's retry runs.
    async fn release(&self, key: &RequestKey, lease_id: &str) -> Result<(), StoreError>;

    /// Completes a message that changed nothing else.
    async fn complete(
        &self,
        completion: &RequestCompletion,
        now: OffsetDateTime,
    ) -> Result<(), SaveError>;
}
