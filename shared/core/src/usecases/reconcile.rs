//! Reconciliation: our token states kept true to the networks'. Each run
//! checks every token with an action pending, then the next page of a sweep
//! over all tokens, against its network's view (MDES search, VTS inquiry):
//! - a pending action the network applied is settled from its state; one it
//!   did not apply is sent again under the same request id;
//! - a state that drifted is repaired to the network's (a token the network
//!   no longer holds is deleted: MDES silently removes tokens never activated
//!   after 30 days);
//!
//! every repair in the history with initiator `RECONCILIATION`.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;
use time::Duration;

use crate::AppError;
use crate::clock::Clock;
use crate::domain::action::PendingAction;
use crate::domain::token::{Change, Initiator, LifecycleState, Suspender, TokenStatus};
use crate::domain::{Network, action::TokenAction};
use crate::error::unavailable;
use crate::ports::{
    NetworkAnswer, NetworkCall, NetworkView, ReconciliationSweep, TokenAttributes, TokenDirectory,
    TokenNetworks, TokenView,
};
use crate::usecases::lifecycle::{ActionNote, EventRule, NewToken, TokenLifecycle, Transition};

pub const OPERATION: &str = "reconciliation";

/// How a run is bounded and how patient it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconcileSettings {
    /// Tokens of the sweep checked per run (pending ones come on top).
    pub sweep_batch: u32,
    /// Pending actions checked per run.
    pub pending_batch: u32,
    /// A pending action younger than this is left to the network's own
    /// notification before it is sent again.
    pub resend_after: Duration,
    /// A token younger than this that its network does not (yet) hold is
    /// left alone: provisioning may still be under way.
    pub unknown_grace: Duration,
    /// How long one run may take: what is left is checked by the next run
    /// (pending actions first), never cut off by the function's timeout.
    pub budget: Duration,
}

impl Default for ReconcileSettings {
    fn default() -> Self {
        Self {
            sweep_batch: 100,
            pending_batch: 100,
            resend_after: Duration::minutes(2),
            unknown_grace: Duration::hours(1),
            budget: Duration::minutes(4),
        }
    }
}

/// What one run did (the job's answer and log line; never card data).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileReport {
    pub checked: u32,
    pub in_step: u32,
    pub repaired: u32,
    pub settled: u32,
    pub resent: u32,
    /// The network could not be asked (the token is checked again later).
    pub unavailable: u32,
    pub sweep_complete: bool,
    /// The run stopped at its budget; the rest waits for the next run.
    pub out_of_time: bool,
}

#[derive(Clone)]
pub struct ReconcileTokens {
    pub directory: Arc<dyn TokenDirectory>,
    pub sweep: Arc<dyn ReconciliationSweep>,
    pub networks: Arc<dyn TokenNetworks>,
    pub lifecycle: TokenLifecycle,
    pub clock: Arc<dyn Clock>,
    pub settings: ReconcileSettings,
}

enum Outcome {
    InStep,
    Repaired,
    Settled,
    Resent,
    Unavailable,
}

/// The network's view as our state (Visa does not say who suspended: a
/// suspension we hold stays ours when Visa agrees it is suspended).
fn network_state(
    network: Network,
    ours: &LifecycleState,
    status: TokenStatus,
    suspenders: &BTreeSet<Suspender>,
) -> (TokenStatus, BTreeSet<Suspender>) {
    if status != TokenStatus::Suspended {
        return (status, BTreeSet::new());
    }
    match network {
        Network::Visa if ours.status == TokenStatus::Suspended => (status, ours.suspenders.clone()),
        _ => (status, suspenders.clone()),
    }
}

impl ReconcileTokens {
    pub async fn run(&self) -> Result<ReconcileReport, AppError> {
        let mut report = ReconcileReport::default();
        let pending = self
            .sweep
            .pending(self.settings.pending_batch)
            .await
            .map_err(unavailable("listing pending actions failed"))?;
        let (page, done) = self
            .sweep
            .next_page(self.settings.sweep_batch)
            .await
            .map_err(unavailable("reading the sweep failed"))?;
        report.sweep_complete = done;
        let started = self.clock.now();
        let mut seen = BTreeSet::new();
        for token in pending.iter().chain(page.iter()) {
            if !seen.insert(token.record.token_ref.clone()) {
                continue;
            }
            if self.clock.now() - started > self.settings.budget {
                report.out_of_time = true;
                break;
            }
            report.checked += 1;
            match self.reconcile(token).await? {
                Outcome::InStep => report.in_step += 1,
                Outcome::Repaired => report.repaired += 1,
                Outcome::Settled => report.settled += 1,
                Outcome::Resent => report.resent += 1,
                Outcome::Unavailable => report.unavailable += 1,
            }
        }
        tracing::info!(?report, "reconciliation run");
        Ok(report)
    }

    async fn reconcile(&self, listed: &TokenView) -> Result<Outcome, AppError> {
        // Read again: the list may be older than the token.
        let Some(token) = self
            .directory
            .token_view(&listed.record.token_ref)
            .await
            .map_err(unavailable("reading token failed"))?
        else {
            return Ok(Outcome::InStep);
        };
        let record = &token.record;
        if !record.state.status.is_live() {
            return Ok(Outcome::InStep);
        }
        let view = match self
            .networks
            .view(
                record.network,
                &record.token_ref,
                record.token_requestor_id.as_deref(),
            )
            .await
        {
            Ok(view) => view,
            Err(err) => {
                tracing::warn!(error = %err, "network view unavailable");
                return Ok(Outcome::Unavailable);
            }
        };
        let now = self.clock.now();
        let (status, suspenders) = match &view {
            NetworkView::Known { status, suspenders } => {
                network_state(record.network, &record.state, *status, suspenders)
            }
            NetworkView::Unknown => {
                let young = token
                    .created_at
                    .is_some_and(|at| now - at < self.settings.unknown_grace);
                if young {
                    return Ok(Outcome::InStep);
                }
                (TokenStatus::Deactivated, BTreeSet::new())
            }
        };
        let network = LifecycleState {
            status,
            suspenders: suspenders.clone(),
            last_event_at: None,
        };
        if let Some(pending) = &record.pending {
            if pending.action.is_satisfied_by(&network) {
                self.repair(&token, status, suspenders, "PENDING_SETTLED", true)
                    .await?;
                return Ok(Outcome::Settled);
            }
            if now - pending.requested_at >= self.settings.resend_after {
                return self.resend(&token, pending).await;
            }
            return Ok(Outcome::InStep);
        }
        let same = record.state.status == status
            && (record.network == Network::Visa || record.state.suspenders == suspenders);
        if same {
            return Ok(Outcome::InStep);
        }
        let reason = match view {
            NetworkView::Unknown => "NOT_AT_NETWORK",
            NetworkView::Known { .. } => "DRIFT",
        };
        self.repair(&token, status, suspenders, reason, false)
            .await?;
        Ok(Outcome::Repaired)
    }

    /// Our state becomes the network's, recorded as reconciliation's.
    async fn repair(
        &self,
        token: &TokenView,
        status: TokenStatus,
        suspended_by: BTreeSet<Suspender>,
        reason: &str,
        settles_pending: bool,
    ) -> Result<(), AppError> {
        let record = &token.record;
        tracing::info!(
            network = %record.network,
            from = ?record.state.status,
            to = ?status,
            reason,
            "reconciliation repairs a token"
        );
        self.lifecycle
            .apply(&Transition {
                network: record.network,
                token_ref: record.token_ref.clone(),
                change: Some(Change::SetStatus {
                    status,
                    suspended_by,
                }),
                at: self.clock.now(),
                event_time: None,
                operation: OPERATION,
                initiator: Initiator::Reconciliation,
                reason_code: Some(reason.to_owned()),
                source_request_id: format!("reconcile-{}", self.clock.now().unix_timestamp()),
                new_token: NewToken {
                    status: record.state.status,
                    pan_fingerprint: record.pan_fingerprint.clone(),
                },
                attributes: TokenAttributes::default(),
                event: EventRule::TokenUpdate {
                    announces_update: false,
                },
                details: serde_json::json!({"reconciliation": reason}),
                completion: None,
                note: ActionNote::default(),
                settles_pending,
                card_move: None,
            })
            .await
    }

    /// The network did not apply the pending action: send it again, same id.
    async fn resend(
        &self,
        token: &TokenView,
        pending: &PendingAction,
    ) -> Result<Outcome, AppError> {
        let record = &token.record;
        let answer = self
            .networks
            .act(&NetworkCall {
                network: record.network,
                token_ref: record.token_ref.clone(),
                token_requestor_id: record.token_requestor_id.clone(),
                pan_unique_reference: record.pan_unique_reference.clone(),
                action: pending.action,
                reason: pending.reason,
                operator: pending.operator.clone(),
                comment: pending.comment.clone(),
                request_id: pending.network_request_id.clone(),
            })
            .await;
        tracing::info!(
            action = pending.action.as_str(),
            ?answer,
            "pending action sent again"
        );
        match answer {
            NetworkAnswer::Confirmed => {
                let change = pending.action.change();
                let after = crate::domain::token::apply(&record.state, &change, self.clock.now())
                    .ok()
                    .map(|applied| match applied {
                        crate::domain::token::Applied::Changed { to, .. }
                        | crate::domain::token::Applied::Unchanged { state: to } => to,
                        crate::domain::token::Applied::Stale => record.state.clone(),
                    })
                    .unwrap_or_else(|| record.state.clone());
                let reason = match pending.action {
                    TokenAction::Delete => "PENDING_DELETE_CONFIRMED",
                    _ => "PENDING_CONFIRMED",
                };
                self.repair(token, after.status, after.suspenders, reason, true)
                    .await?;
                Ok(Outcome::Resent)
            }
            NetworkAnswer::Refused { .. } => {
                // The network will not apply it: our state stays, the action
                // is dropped (recorded as reconciliation's verdict).
                self.repair(
                    token,
                    record.state.status,
                    record.state.suspenders.clone(),
                    "PENDING_REFUSED",
                    true,
                )
                .await?;
                Ok(Outcome::Resent)
            }
            NetworkAnswer::Unknown => Ok(Outcome::Unavailable),
        }
    }
}
