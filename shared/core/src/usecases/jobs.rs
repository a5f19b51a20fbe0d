//! Bulk actions and card events as jobs: starting one finds the tokens of the
//! card or device, writes the job with one item per token and queues one
//! message per item (once per `Idempotency-Key`); each item then runs on its
//! own as a lifecycle action of [`TokenActions`] (the network called once per
//! attempt under one request id), retried while the network does not answer,
//! and settled in the job: succeeded, or failed with its reason.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::AppError;
use crate::clock::Clock;
use crate::domain::job::{ItemFailure, ItemState, JobItem, JobPlan, JobRecord, Step};
use crate::error::unavailable;
use crate::ports::{
    JobMessage, JobQueue, JobStore, Origin, PageRequest, RequestKey, TokenDirectory, TokenFilter,
    TokenQuery,
};
use crate::usecases::ledger::{Idempotency, Once, signature};
use crate::usecases::token_actions::{
    ActionOutcome, IssuerRequest, TokenActionCommand, TokenActions,
};

/// The most tokens one job acts on (a card or device holds far fewer; the
/// job and its items are written in one transaction).
pub const MAX_ITEMS: usize = 99;

/// Whose tokens a job acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobTarget {
    Card { card_id: String },
    Device { device_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartJobCommand {
    pub target: JobTarget,
    pub plan: JobPlan,
    pub request: IssuerRequest,
}

/// What a queued item's run asks of its queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemRun {
    /// Settled (or nothing left to do): delete the message.
    Done,
    /// Not settled: deliver it again later.
    Retry,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartedJob {
    job_id: String,
}

#[derive(Clone)]
pub struct Jobs {
    pub directory: Arc<dyn TokenDirectory>,
    pub store: Arc<dyn JobStore>,
    pub queue: Arc<dyn JobQueue>,
    pub actions: TokenActions,
    pub idempotency: Idempotency,
    pub clock: Arc<dyn Clock>,
    /// Deliveries of one item before it is settled as failed.
    pub max_attempts: u32,
}

/// The job id of an issuer request: derived from its key, so a retried start
/// finds its job again.
pub fn job_id_for(request: &IssuerRequest) -> String {
    let digest =
        Sha256::digest(format!("{}|job|{}", request.client_id, request.idempotency_key).as_bytes());
    format!("job_{}", hex::encode(digest.get(..12).unwrap_or_default()))
}

impl Jobs {
    /// Starts the job (once per key) and answers its id.
    pub async fn start(&self, command: &StartJobCommand) -> Result<String, AppError> {
        let plan_json =
            serde_json::to_string(&command.plan).map_err(unavailable("encoding plan failed"))?;
        let target = match &command.target {
            JobTarget::Card { card_id } => format!("card:{card_id}"),
            JobTarget::Device { device_id } => format!("device:{device_id}"),
        };
        let key = RequestKey {
            origin: Origin::Issuer,
            operation: "tmp.startJob",
            request_id: format!(
                "{}#{}",
                command.request.client_id, command.request.idempotency_key
            ),
        };
        let once = self
            .idempotency
            .once_keyed(
                key,
                &signature(&[&target, &plan_json]),
                |claim| async move {
                    let job_id = self.create_and_queue(command).await?;
                    let outcome = serde_json::to_string(&StartedJob {
                        job_id: job_id.clone(),
                    })
                    .map_err(unavailable("encoding job id failed"))?;
                    self.idempotency
                        .ledger
                        .complete(&claim.completion(outcome), self.clock.now())
                        .await
                        .map_err(unavailable("completing the request failed"))?;
                    Ok(job_id)
                },
            )
            .await?;
        match once {
            Once::Done(job_id) => Ok(job_id),
            Once::Replayed(json) => Ok(serde_json::from_str::<StartedJob>(&json)
                .map_err(unavailable("stored job id unreadable"))?
                .job_id),
        }
    }

    async fn create_and_queue(&self, command: &StartJobCommand) -> Result<String, AppError> {
        let job_id = job_id_for(&command.request);
        let token_refs = self.tokens_of(&command.target).await?;
        if token_refs.len() > MAX_ITEMS {
            return Err(AppError::LimitReached("tokens per job"));
        }
        let job = JobRecord {
            job_id: job_id.clone(),
            client_id: command.request.client_id.clone(),
            plan: command.plan.clone(),
            created_at: self.clock.now(),
            items: token_refs
                .into_iter()
                .map(|token_ref| JobItem {
                    token_ref,
                    state: ItemState::Queued,
                    confirmed: None,
                    failure: None,
                })
                .collect(),
        };
        // A start that wrote its job but could not queue: the job as written
        // stands, and what is still queued is queued again (items run once).
        let queued = if self
            .store
            .create(&job)
            .await
            .map_err(unavailable("writing the job failed"))?
        {
            job.items
        } else {
            self.store
                .job(&job_id)
                .await
                .map_err(unavailable("reading the job failed"))?
                .map(|j| j.items)
                .unwrap_or_default()
        };
        let messages: Vec<JobMessage> = queued
            .iter()
            .filter(|i| i.state == ItemState::Queued)
            .map(|i| JobMessage {
                job_id: job_id.clone(),
                token_ref: i.token_ref.clone(),
            })
            .collect();
        self.queue
            .enqueue(&messages)
            .await
            .map_err(unavailable("queueing the job's items failed"))?;
        tracing::info!(items = messages.len(), "job started");
        Ok(job_id)
    }

    /// The live tokens of the card or device, every page.
    async fn tokens_of(&self, target: &JobTarget) -> Result<Vec<String>, AppError> {
        let query = match target {
            JobTarget::Card { card_id } => TokenQuery::IssuerCard {
                card_id: card_id.clone(),
            },
            JobTarget::Device { device_id } => TokenQuery::Device {
                device_id: device_id.clone(),
            },
        };
        let mut refs = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .directory
                .search(
                    &query,
                    &TokenFilter::default(),
                    &PageRequest { limit: 100, cursor },
                )
                .await
                .map_err(unavailable("listing the tokens failed"))?;
            refs.extend(
                page.tokens
                    .into_iter()
                    .filter(|t| t.record.state.status.is_live())
                    .map(|t| t.record.token_ref),
            );
            match page.next_cursor {
                Some(next) if refs.len() <= MAX_ITEMS => cursor = Some(next),
                _ => return Ok(refs),
            }
        }
    }

    pub async fn job(&self, job_id: &str) -> Result<JobRecord, AppError> {
        self.store
            .job(job_id)
            .await
            .map_err(unavailable("reading the job failed"))?
            .ok_or(AppError::UnknownJob)
    }

    /// Runs one item, on its `attempt`-th delivery (1 the first).
    pub async fn run_item(&self, message: &JobMessage, attempt: u32) -> Result<ItemRun, AppError> {
        let Some(job) = self
            .store
            .job(&message.job_id)
            .await
            .map_err(unavailable("reading the job failed"))?
        else {
            tracing::warn!("an item of a job that does not exist: dropped");
            return Ok(ItemRun::Done);
        };
        let queued = job
            .items
            .iter()
            .any(|i| i.token_ref == message.token_ref && i.state == ItemState::Queued);
        if !queued {
            return Ok(ItemRun::Done);
        }
        let last = attempt >= self.max_attempts;
        let settle = |state, confirmed, failure| JobItem {
            token_ref: message.token_ref.clone(),
            state,
            confirmed,
            failure,
        };
        let Some(token) = self
            .directory
            .token_view(&message.token_ref)
            .await
            .map_err(unavailable("reading token failed"))?
        else {
            return self
                .finish(
                    &job,
                    settle(ItemState::Failed, None, Some(ItemFailure::UnknownToken)),
                )
                .await;
        };
        let Step::Act {
            action,
            reason,
            comment,
            operator,
        } = job.plan.step(&token.record.state, &token.history)
        else {
            return self
                .finish(&job, settle(ItemState::Succeeded, None, None))
                .await;
        };
        let command = TokenActionCommand {
            token_ref: message.token_ref.clone(),
            action,
            reason,
            comment,
            operator,
            // Our own key space: `:` never appears in an issuer's key.
            request: IssuerRequest {
                client_id: job.client_id.clone(),
                idempotency_key: format!("job:{}:{}:{attempt}", job.job_id, message.token_ref),
            },
        };
        let item = match self.actions.act(&command).await {
            Ok(answer) => match answer.outcome {
                ActionOutcome::Confirmed => settle(ItemState::Succeeded, Some(true), None),
                ActionOutcome::Refused => settle(
                    ItemState::Failed,
                    Some(false),
                    Some(ItemFailure::NetworkRefused),
                ),
                ActionOutcome::Pending if last => settle(
                    ItemState::Failed,
                    Some(false),
                    Some(ItemFailure::NetworkUnavailable),
                ),
                ActionOutcome::Pending => return Ok(ItemRun::Retry),
            },
            Err(AppError::UnknownToken) => {
                settle(ItemState::Failed, None, Some(ItemFailure::UnknownToken))
            }
            // Another action in flight, or the state moved: try again later.
            Err(AppError::ActionNotAllowed(_)) if last => {
                settle(ItemState::Failed, None, Some(ItemFailure::NotAllowed))
            }
            Err(AppError::Unavailable(_)) if last => settle(
                ItemState::Failed,
                None,
                Some(ItemFailure::NetworkUnavailable),
            ),
            Err(AppError::ActionNotAllowed(_) | AppError::Unavailable(_)) => {
                return Ok(ItemRun::Retry);
            }
            Err(err) => return Err(err),
        };
        self.finish(&job, item).await
    }

    async fn finish(&self, job: &JobRecord, item: JobItem) -> Result<ItemRun, AppError> {
        tracing::info!(state = ?item.state, failure = ?item.failure, "job item settled");
        self.store
            .settle(&job.job_id, &item, self.clock.now())
            .await
            .map_err(unavailable("settling the job item failed"))?;
        Ok(ItemRun::Done)
    }
}
