//! The admin audit log: one entry per operation an agent asked for, allowed
//! or refused (who, what, when, from where, with what result). Append-only:
//! nothing in the platform changes or deletes an entry. Never card data:
//! a PAN appears as its last four at most.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What the agent asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuditAction {
    SignIn,
    ReadProfile,
    SearchTokens,
    ViewToken,
    ViewTransactions,
    ActivateToken,
    SuspendToken,
    UnsuspendToken,
    DeleteToken,
    PreviewBulk,
    StartBulk,
    /// A card event (lost, stolen, blocked, unblocked, closed) reported by an agent.
    PostCardEvent,
    ViewJob,
    ReadAudit,
    /// The audit log downloaded (CSV).
    ExportAudit,
    ReadReport,
    ReadRules,
    UpdateRules,
    /// The agents and their roles listed.
    ListAgents,
    /// An agent's role set by an administrator.
    SetAgentRole,
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuditResult {
    /// Done (a 2xx answer).
    Succeeded,
    /// Not allowed or not acceptable (a 4xx answer: role, input, state).
    Refused,
    /// Our fault (a 5xx answer).
    Failed,
}

impl AuditResult {
    /// The result an HTTP status stands for.
    pub fn of_status(status: u16) -> Self {
        match status {
            200..=399 => Self::Succeeded,
            400..=499 => Self::Refused,
            _ => Self::Failed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub audit_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The agent's sign-in e-mail ("unknown" when the token named none).
    pub actor: String,
    pub roles: Vec<String>,
    pub action: AuditAction,
    /// What was acted on or searched, without card data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    pub result: AuditResult,
    /// The HTTP status answered.
    pub status: u16,
}
