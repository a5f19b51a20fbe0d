//! The issuer's reports. Aggregation runs on the table's stream: every
//! decision is counted on its day's funnel row by its path, every token
//! event that makes a token active or takes it out of ACTIVE moves the
//! active-token count, and a token's first activation counts on the row of
//! the day it was requested. Each input is counted once (the store
//! remembers it in the same write), so the stream may deliver it again.
//! Reading: the funnel over a range of days, and the tokens active now.

use std::sync::Arc;

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::AppError;
use crate::domain::events::TokenEvent;
use crate::domain::report::{
    ActiveTokens, DecisionFact, FunnelCounts, FunnelKey, active_delta, settled,
};
use crate::domain::wallet::Wallet;
use crate::error::unavailable;
use crate::ports::{ActiveChange, ReportStore, StoreError, TokenDirectory};

/// What the stream delivered, as reports read it.
#[derive(Debug, Clone)]
pub enum ReportInput {
    Decision(DecisionFact),
    Event(Box<TokenEvent>),
}

/// One input and its position in the stream (its sequence number).
#[derive(Debug, Clone)]
pub struct ReportRecord {
    pub position: String,
    pub input: ReportInput,
}

/// How a batch went: where the stream must deliver again from, if anywhere.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AggregateOutcome {
    pub counted: usize,
    pub retry_from: Option<String>,
}

pub struct AggregateReports {
    pub store: Arc<dyn ReportStore>,
    /// The day a token was requested, for its activation.
    pub tokens: Arc<dyn TokenDirectory>,
}

impl AggregateReports {
    /// In stream order; the first failure stops the batch there (what was
    /// counted before it is remembered, so the retry counts nothing twice).
    #[tracing::instrument(skip_all, fields(records = records.len()))]
    pub async fn aggregate(&self, records: &[ReportRecord]) -> AggregateOutcome {
        let mut outcome = AggregateOutcome::default();
        for record in records {
            match self.count(&record.input).await {
                Ok(()) => outcome.counted += 1,
                Err(err) => {
                    tracing::warn!(error = %err, position = %record.position, "counting failed; the stream delivers it again");
                    outcome.retry_from = Some(record.position.clone());
                    break;
                }
            }
        }
        outcome
    }

    async fn count(&self, input: &ReportInput) -> Result<(), StoreError> {
        match input {
            ReportInput::Decision(fact) => self.store.count_decision(fact).await.map(|_| ()),
            ReportInput::Event(event) => self.count_event(event).await,
        }
    }

    async fn count_event(&self, event: &TokenEvent) -> Result<(), StoreError> {
        let delta = active_delta(event.previous_status, event.status);
        if delta == 0 {
            return Ok(());
        }
        let wallet = Wallet::of(
            event.token_requestor_id.as_deref(),
            event.wallet_id.as_deref(),
        );
        self.store
            .count_active(&ActiveChange {
                event_id: event.event_id.clone(),
                network: event.network,
                token_requestor_id: event.token_requestor_id.clone(),
                wallet,
                delta,
            })
            .await?;
        if delta < 0 {
            return Ok(());
        }
        // The first activation counts on the day the token was requested
        // (the event's own day for a token we never saw requested).
        let token = self
            .tokens
            .token_view(&event.token_unique_reference)
            .await?;
        let requested = token
            .as_ref()
            .and_then(|t| t.created_at)
            .or_else(|| OffsetDateTime::parse(&event.occurred_at, &Rfc3339).ok())
            .unwrap_or_else(OffsetDateTime::now_utc);
        let token_requestor_id = token
            .as_ref()
            .and_then(|t| t.record.token_requestor_id.clone())
            .or_else(|| event.token_requestor_id.clone());
        let key = FunnelKey {
            day: requested.to_offset(UtcOffset::UTC).date(),
            network: event.network,
            token_requestor_id,
        };
        self.store
            .count_activation(&event.token_unique_reference, &key, wallet)
            .await
            .map(|_| ())
    }
}

/// One funnel row as the reports show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelLine {
    pub key: FunnelKey,
    pub wallet: Wallet,
    pub counts: FunnelCounts,
    /// `None` until the day is settled.
    pub abandoned: Option<u64>,
    pub settled: bool,
}

/// Which rows a report shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub token_requestor_id: Option<String>,
    pub wallet: Option<Wallet>,
}

impl ReportFilter {
    fn admits(&self, token_requestor_id: Option<&str>, wallet: Wallet) -> bool {
        self.wallet.is_none_or(|w| w == wallet)
            && self
                .token_requestor_id
                .as_deref()
                .is_none_or(|id| token_requestor_id == Some(id))
    }
}

pub struct ReportQueries {
    pub store: Arc<dyn ReportStore>,
}

impl ReportQueries {
    /// The funnel from `from` to `to`, oldest day first.
    pub async fn funnel(
        &self,
        from: Date,
        to: Date,
        today: Date,
        filter: &ReportFilter,
    ) -> Result<Vec<FunnelLine>, AppError> {
        let rows = self
            .store
            .funnel(from, to)
            .await
            .map_err(unavailable("reading the funnel failed"))?;
        Ok(rows
            .into_iter()
            .filter(|r| filter.admits(r.key.token_requestor_id.as_deref(), r.wallet))
            .map(|r| FunnelLine {
                abandoned: r.counts.abandoned(r.key.day, today),
                settled: settled(r.key.day, today),
                key: r.key,
                wallet: r.wallet,
                counts: r.counts,
            })
            .collect())
    }

    /// Tokens active now, per network and token requestor, largest first.
    pub async fn active_tokens(
        &self,
        filter: &ReportFilter,
    ) -> Result<Vec<ActiveTokens>, AppError> {
        let mut rows: Vec<ActiveTokens> = self
            .store
            .active_tokens()
            .await
            .map_err(unavailable("reading active tokens failed"))?
            .into_iter()
            .filter(|r| r.active > 0 && filter.admits(r.token_requestor_id.as_deref(), r.wallet))
            .collect();
        rows.sort_by(|a, b| {
            b.active
                .cmp(&a.active)
                .then_with(|| a.network.as_str().cmp(b.network.as_str()))
                .then_with(|| a.token_requestor_id.cmp(&b.token_requestor_id))
        });
        Ok(rows)
    }
}
