//! Applying a network message once. Every use case that answers a message
//! runs its work under [`Idempotency::once`]: the request is claimed first, a
//! retry of a completed message gets the stored answer, and a failed attempt
//! releases its claim so the network's retry runs clean.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::AppError;
use crate::clock::{Clock, IdGenerator};
use crate::domain::Network;
use crate::error::unavailable;
use crate::ports::{RequestClaim, RequestCompletion, RequestKey, RequestLedger};

/// How long a duplicate waits for the first invocation of its request id.
const IN_PROGRESS_WAIT: Duration = Duration::from_secs(5);
const IN_PROGRESS_POLL: Duration = Duration::from_millis(100);

/// A network message as the ledger knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub network: Network,
    pub request_id: String,
    /// The message's clear identity (its wire crate decides what): a retry
    /// with the same request id must carry the same.
    pub signature: String,
}

/// A claimed message: completed with its effects, or released.
#[derive(Debug, Clone)]
pub struct Claim {
    pub key: RequestKey,
    pub lease_id: String,
}

impl Claim {
    pub fn completion(&self, outcome_json: String) -> RequestCompletion {
        RequestCompletion {
            key: self.key.clone(),
            lease_id: self.lease_id.clone(),
            outcome_json,
        }
    }
}

/// The result of [`Idempotency::once`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Once<T> {
    /// The work ran now.
    Done(T),
    /// A retry: the stored outcome of the first run.
    Replayed(String),
}

/// The ledger with the clock and ids it needs.
#[derive(Clone)]
pub struct Idempotency {
    pub ledger: Arc<dyn RequestLedger>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl Idempotency {
    /// Runs `work` once per message; releases the claim if it fails.
    pub async fn once<T, F, Fut>(
        &self,
        operation: &'static str,
        message: &Message,
        work: F,
    ) -> Result<Once<T>, AppError>
    where
        F: FnOnce(Claim) -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        let key = RequestKey {
            origin: message.network.into(),
            operation,
            request_id: message.request_id.clone(),
        };
        self.once_keyed(key, &message.signature, work).await
    }

    /// [`Self::once`] for any request key (the issuer's `Idempotency-Key`s).
    pub async fn once_keyed<T, F, Fut>(
        &self,
        key: RequestKey,
        signature: &str,
        work: F,
    ) -> Result<Once<T>, AppError>
    where
        F: FnOnce(Claim) -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        let operation = key.operation;
        let claim = match self.claim(key, signature).await? {
            Begun::Claimed(claim) => claim,
            Begun::Replay(outcome) => {
                tracing::info!(operation, "replayed stored answer for a retried requestId");
                return Ok(Once::Replayed(outcome));
            }
        };
        let (key, lease_id) = (claim.key.clone(), claim.lease_id.clone());
        let result = work(claim).await;
        if result.is_err()
            && let Err(err) = self.ledger.release(&key, &lease_id).await
        {
            tracing::error!(error = %err, "releasing requestId claim failed");
        }
        result.map(Once::Done)
    }

    async fn claim(&self, key: RequestKey, signature: &str) -> Result<Begun, AppError> {
        let lease_id = self.ids.new_id();
        let mut waited = Duration::ZERO;
        loop {
            let now = self.clock.now();
            match self
                .ledger
                .claim(&key, signature, &lease_id, now)
                .await
                .map_err(unavailable("claiming requestId failed"))?
            {
                RequestClaim::Claimed => return Ok(Begun::Claimed(Claim { key, lease_id })),
                RequestClaim::Completed {
                    signature: stored,
                    outcome_json,
                } => {
                    if stored != signature {
                        return Err(AppError::RequestIdReused);
                    }
                    return Ok(Begun::Replay(outcome_json));
                }
                RequestClaim::InProgress if waited < IN_PROGRESS_WAIT => {
                    self.clock.sleep(IN_PROGRESS_POLL).await;
                    waited += IN_PROGRESS_POLL;
                }
                RequestClaim::InProgress => {
                    tracing::warn!("requestId still in progress elsewhere");
                    return Err(AppError::Unavailable("requestId in progress"));
                }
            }
        }
    }
}

enum Begun {
    Claimed(Claim),
    Replay(String),
}

/// The clear identity of a message from its parts.
pub fn signature(parts: &[&str]) -> String {
    parts.join("|")
}
