//! Bulk actions and card events as jobs: starting one finds the tokens of the
//! card or device, writes the job with one item per token and queues one
//! message per item (once per `Idempotency-Key`); each item then runs on its
//! own as a lifecycle action of [`TokenActions`] (the network called once per
//! attempt under one request id), retried while the network does not answer,
//! and settled in the job: succeeded, or failed with its reason.
//!
//! A replaced or renewed card is a job of its own kind: each live token is
//! mapped to the new PAN or expiry at its network, then moved to the new card
//! here. The new PAN is fingerprinted and sealed when the job starts; only
//! the worker opens it, in memory, for the network call.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::AppError;
use crate::clock::Clock;
use crate::domain::card::Expiry;
use crate::domain::delivery::purpose;
use crate::domain::events::TokenEventType;
use crate::domain::job::{
    CARD_EVENT_OPERATOR, CardEventKind, ItemFailure, ItemState, JobItem, JobPlan, JobRecord, Step,
    card_update_reason,
};
use crate::domain::token::{Initiator, TokenStatus};
use crate::error::unavailable;
use crate::ports::{
    JobMessage, JobQueue, JobStore, KeyVault, NetworkAnswer, NetworkUpdate, Origin, PageRequest,
    PanFingerprinter, RequestKey, TokenAttributes, TokenDirectory, TokenFilter, TokenQuery,
    TokenView,
};
use crate::secret::{Pan, Secret};
use crate::usecases::ledger::{Idempotency, Once, signature};
use crate::usecases::lifecycle::{ActionNote, EventRule, MoveToCard, NewToken, Transition};
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

/// A replaced or renewed card, carried to every live token of it.
#[derive(Debug, Clone)]
pub struct CardUpdateCommand {
    pub card_id: String,
    /// `Replaced` or `Renewed`.
    pub event: CardEventKind,
    pub new_pan: Option<Pan>,
    pub new_expiry: Option<Expiry>,
    pub request: IssuerRequest,
}

/// What card updates need beyond other jobs: the data-sealing key (the new
/// PAN is sealed with the job, opened by the worker) and, to start one, the
/// keyed PAN fingerprint (to move tokens to the new card). Both hold their
/// keys in memory: no key-service call per request.
#[derive(Clone)]
pub struct CardKeys {
    /// Only where card updates start.
    pub fingerprints: Option<Arc<dyn PanFingerprinter>>,
    pub sealing: Arc<dyn KeyVault>,
}

/// The sealing context binding a card update's PAN to its job.
pub fn card_update_context(job_id: &str) -> std::collections::BTreeMap<String, String> {
    std::collections::BTreeMap::from([
        ("purpose".to_owned(), purpose::CARD_UPDATE.to_owned()),
        ("job".to_owned(), job_id.to_owned()),
    ])
}

/// The request id a network sees for one token's card update: the same on
/// every delivery of the item.
pub fn update_request_id(job_id: &str, token_ref: &str) -> String {
    let digest = Sha256::digest(format!("{job_id}|tmp.updateTokenCard|{token_ref}").as_bytes());
    hex::encode(digest.get(..16).unwrap_or_default())
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
    /// Only for the functions that start or run card updates.
    pub card_keys: Option<CardKeys>,
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
        self.start_sealed(command, None).await
    }

    /// Starts a card update (once per key): the new PAN is fingerprinted and
    /// sealed to the job; the plan holds its fingerprint and last four only.
    pub async fn start_card_update(&self, command: &CardUpdateCommand) -> Result<String, AppError> {
        let keys = self
            .card_keys
            .as_ref()
            .ok_or(AppError::Unavailable("card update keys not configured"))?;
        let job_id = job_id_for(&command.request);
        let (fingerprint, sealed) = match &command.new_pan {
            Some(pan) => {
                let fingerprint = keys
                    .fingerprints
                    .as_ref()
                    .ok_or(AppError::Unavailable("PAN fingerprint key not configured"))?
                    .fingerprint(pan)
                    .await
                    .map_err(unavailable("fingerprinting the new PAN failed"))?;
                let sealed = keys
                    .sealing
                    .encrypt(pan.expose().as_bytes(), &card_update_context(&job_id))
                    .await
                    .map_err(unavailable("sealing the new PAN failed"))?;
                (Some(fingerprint), Some(sealed))
            }
            None => (None, None),
        };
        let start = StartJobCommand {
            target: JobTarget::Card {
                card_id: command.card_id.clone(),
            },
            plan: JobPlan::CardUpdate {
                event: command.event,
                card_id: command.card_id.clone(),
                new_pan_fingerprint: fingerprint,
                new_pan_last4: command.new_pan.as_ref().map(|p| p.last4().to_owned()),
                new_expiry: command.new_expiry,
            },
            request: command.request.clone(),
        };
        self.start_sealed(&start, sealed).await
    }

    async fn start_sealed(
        &self,
        command: &StartJobCommand,
        sealed_card: Option<Vec<u8>>,
    ) -> Result<String, AppError> {
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
                    let job_id = self.create_and_queue(command, sealed_card).await?;
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

    async fn create_and_queue(
        &self,
        command: &StartJobCommand,
        sealed_card: Option<Vec<u8>>,
    ) -> Result<String, AppError> {
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
            sealed_card,
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
        Ok(self
            .live_tokens(target)
            .await?
            .into_iter()
            .map(|t| t.record.token_ref)
            .collect())
    }

    async fn live_tokens(&self, target: &JobTarget) -> Result<Vec<TokenView>, AppError> {
        let query = match target {
            JobTarget::Card { card_id } => TokenQuery::IssuerCard {
                card_id: card_id.clone(),
            },
            JobTarget::Device { device_id } => TokenQuery::Device {
                device_id: device_id.clone(),
            },
        };
        let mut tokens = Vec::new();
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
            tokens.extend(
                page.tokens
                    .into_iter()
                    .filter(|t| t.record.state.status.is_live()),
            );
            match page.next_cursor {
                Some(next) if tokens.len() <= MAX_ITEMS => cursor = Some(next),
                _ => return Ok(tokens),
            }
        }
    }

    /// What a job of `plan` on `target` would do, before it starts: every
    /// live token, and whether its step now is an action (the job decides
    /// again when each item runs).
    pub async fn preview(
        &self,
        target: &JobTarget,
        plan: &JobPlan,
    ) -> Result<Vec<(TokenView, bool)>, AppError> {
        let tokens = self.live_tokens(target).await?;
        if tokens.len() > MAX_ITEMS {
            return Err(AppError::LimitReached("tokens per job"));
        }
        Ok(tokens
            .into_iter()
            .map(|token| {
                let acts = matches!(
                    plan.step(&token.record.state, &token.history),
                    Step::Act { .. }
                );
                (token, acts)
            })
            .collect())
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
        if matches!(job.plan, JobPlan::CardUpdate { .. }) {
            let item = self.update_card(&job, &token, last).await?;
            return match item {
                Some(item) => self.finish(&job, item).await,
                None => Ok(ItemRun::Retry),
            };
        }
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

    /// One token's card update: the network maps it, then it moves to the
    /// new card here. `None`: not settled, deliver again.
    async fn update_card(
        &self,
        job: &JobRecord,
        token: &TokenView,
        last: bool,
    ) -> Result<Option<JobItem>, AppError> {
        let JobPlan::CardUpdate {
            event,
            card_id,
            new_pan_fingerprint,
            new_pan_last4,
            new_expiry,
        } = &job.plan
        else {
            return Err(AppError::Unavailable("not a card update"));
        };
        let record = &token.record;
        let settle = |state, confirmed, failure| {
            Some(JobItem {
                token_ref: record.token_ref.clone(),
                state,
                confirmed,
                failure,
            })
        };
        // The networks map only tokens in use (MDES: ACTIVE and SUSPENDED);
        // one already on the new card is done.
        let in_use = matches!(
            record.state.status,
            TokenStatus::Active | TokenStatus::Suspended
        );
        let moved = new_pan_fingerprint.is_some() && record.pan_fingerprint == *new_pan_fingerprint;
        if !in_use || moved {
            return Ok(settle(ItemState::Succeeded, None, None));
        }
        let new_pan = match (&job.sealed_card, new_pan_fingerprint) {
            (Some(sealed), Some(_)) => Some(self.open_pan(&job.job_id, sealed).await?),
            (None, None) => None,
            _ => return Err(AppError::Unavailable("card update without its sealed PAN")),
        };
        let request_id = update_request_id(&job.job_id, &record.token_ref);
        let call = NetworkUpdate {
            network: record.network,
            token_ref: record.token_ref.clone(),
            token_requestor_id: record.token_requestor_id.clone(),
            pan_unique_reference: record.pan_unique_reference.clone(),
            event: *event,
            new_pan,
            new_expiry: *new_expiry,
            operator: CARD_EVENT_OPERATOR.to_owned(),
            request_id: request_id.clone(),
        };
        let answer = self.actions.networks.update(&call).await;
        tracing::info!(network = %record.network, answer = ?answer, "card update sent to the network");
        match answer {
            NetworkAnswer::Confirmed => {}
            NetworkAnswer::Refused { .. } => {
                return Ok(settle(
                    ItemState::Failed,
                    Some(false),
                    Some(ItemFailure::NetworkRefused),
                ));
            }
            NetworkAnswer::Unknown if last => {
                return Ok(settle(
                    ItemState::Failed,
                    Some(false),
                    Some(ItemFailure::NetworkUnavailable),
                ));
            }
            NetworkAnswer::Unknown => return Ok(None),
        }
        let reason = card_update_reason(*event);
        self.actions
            .lifecycle
            .apply(&Transition {
                network: record.network,
                token_ref: record.token_ref.clone(),
                change: None,
                at: self.clock.now(),
                event_time: None,
                operation: "tmp.updateTokenCard",
                initiator: Initiator::Operator,
                reason_code: Some(reason.to_owned()),
                source_request_id: request_id,
                new_token: NewToken {
                    status: record.state.status,
                    pan_fingerprint: record.pan_fingerprint.clone(),
                },
                // Both, changed or not: the card's last-four index is keyed by the pair.
                attributes: TokenAttributes {
                    pan_last4: new_pan_last4.clone().or_else(|| record.pan_last4.clone()),
                    pan_expiry: new_expiry
                        .map(Expiry::slashed)
                        .or_else(|| record.pan_expiry.clone()),
                    ..TokenAttributes::default()
                },
                event: EventRule::Always(TokenEventType::TokenUpdated),
                details: serde_json::json!({
                    "reasonCode": reason,
                    "newPanLast4": new_pan_last4,
                }),
                completion: None,
                note: ActionNote {
                    comment: None,
                    operator: Some(CARD_EVENT_OPERATOR.to_owned()),
                },
                settles_pending: false,
                card_move: new_pan_fingerprint.as_ref().map(|fingerprint| MoveToCard {
                    card_id: card_id.clone(),
                    pan_fingerprint: fingerprint.clone(),
                }),
            })
            .await?;
        Ok(settle(ItemState::Succeeded, Some(true), None))
    }

    /// The job's new PAN, opened in memory (the sealing key is unwrapped once
    /// per cold start).
    async fn open_pan(&self, job_id: &str, sealed: &[u8]) -> Result<Pan, AppError> {
        let keys = self
            .card_keys
            .as_ref()
            .ok_or(AppError::Unavailable("card update keys not configured"))?;
        let plain = keys
            .sealing
            .decrypt(sealed, &card_update_context(job_id))
            .await
            .map_err(unavailable("opening the sealed PAN failed"))?;
        let text = Secret::new(
            String::from_utf8(plain.expose().clone())
                .map_err(|_| AppError::Unavailable("sealed PAN unreadable"))?,
        );
        text.expose()
            .parse::<Pan>()
            .map_err(|_| AppError::Unavailable("sealed PAN unreadable"))
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
