//! The admin audit trail: every agent request is recorded once, after it is
//! answered (allowed or refused), before its answer leaves; and the log is
//! read a range of days at a time. An entry that cannot be written turns
//! the answer into a 503: nothing an agent does goes unrecorded.

use std::sync::Arc;

use time::Duration;

use crate::AppError;
use crate::clock::{Clock, IdGenerator};
use crate::domain::audit::{AuditAction, AuditEntry, AuditResult};
use crate::error::{InputProblem, unavailable};
use crate::ports::{AuditLog, AuditPage, AuditQuery, SearchError};

/// The longest range of days one read covers.
pub const MAX_DAYS: i64 = 31;

/// What the handler knows of a request once answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub actor: String,
    pub roles: Vec<String>,
    pub action: AuditAction,
    pub target: Option<String>,
    pub reason_code: Option<String>,
    pub source_ip: Option<String>,
    pub status: u16,
}

#[derive(Clone)]
pub struct AuditTrail {
    pub log: Arc<dyn AuditLog>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGenerator>,
}

impl AuditTrail {
    pub async fn record(&self, record: AuditRecord) -> Result<AuditEntry, AppError> {
        let entry = AuditEntry {
            audit_id: format!("aud_{}", self.ids.new_id().replace('-', "")),
            at: self.clock.now(),
            actor: record.actor,
            roles: record.roles,
            action: record.action,
            target: record.target,
            reason_code: record.reason_code,
            source_ip: record.source_ip,
            result: AuditResult::of_status(record.status),
            status: record.status,
        };
        self.log
            .append(&entry)
            .await
            .map_err(unavailable("writing the audit entry failed"))?;
        Ok(entry)
    }

    /// One page of the days `query` names (at most [`MAX_DAYS`]).
    pub async fn page(&self, query: &AuditQuery) -> Result<AuditPage, AppError> {
        if query.to < query.from {
            return Err(AppError::invalid("to", InputProblem::Value));
        }
        if query.to - query.from >= Duration::days(MAX_DAYS) {
            return Err(AppError::invalid("to", InputProblem::Value));
        }
        match self.log.page(query).await {
            Ok(page) => Ok(page),
            Err(SearchError::BadCursor) => Err(AppError::invalid("cursor", InputProblem::Value)),
            Err(SearchError::Store(err)) => Err(unavailable("reading the audit log failed")(err)),
        }
    }
}
