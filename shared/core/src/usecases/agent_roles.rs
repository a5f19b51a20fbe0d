//! Administrators set the agents' roles. An agent is left in exactly one
//! role (or none): the other role groups are left first and the new one
//! joined last, so a failure half-way leaves the agent with less, never
//! more, and the same request again completes it. The agent's sessions are
//! then ended, so the new role applies from their next sign-in (a refreshed
//! token carries the new groups too). An administrator cannot change their
//! own role: another one can, so the last administrator is never demoted by
//! mistake.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::domain::agent::AgentRole;
use crate::ports::{AgentDirectory, AgentListing, DirectoryError};

/// The most agents listed at once (a customer service's pool holds far fewer).
pub const AGENTS_MAX: usize = 1000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AgentRolesError {
    #[error("no such agent")]
    UnknownAgent,
    #[error("an administrator cannot change their own role")]
    OwnRole,
    /// The directory failed; logged where it happened. Retry.
    #[error("the agents' directory is unavailable")]
    Unavailable,
}

impl From<DirectoryError> for AgentRolesError {
    fn from(error: DirectoryError) -> Self {
        match error {
            DirectoryError::UnknownAgent => Self::UnknownAgent,
            DirectoryError::Unavailable(source) => {
                tracing::error!(error = %source, "the agents' directory failed");
                Self::Unavailable
            }
        }
    }
}

/// What a role change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChange {
    pub username: String,
    pub before: BTreeSet<AgentRole>,
    pub after: BTreeSet<AgentRole>,
    /// The agent's sessions were ended (false when nothing changed, or when
    /// ending them failed: then the new role applies within an access
    /// token's lifetime, at the next refresh).
    pub signed_out: bool,
}

pub struct AgentRoles {
    pub directory: Arc<dyn AgentDirectory>,
}

impl AgentRoles {
    /// The agents, at most [`AGENTS_MAX`].
    pub async fn list(&self) -> Result<AgentListing, AgentRolesError> {
        Ok(self.directory.agents(AGENTS_MAX).await?)
    }

    /// Leaves `username` in `role` only (`None`: in no role), by `operator`.
    pub async fn set_role(
        &self,
        operator: &str,
        username: &str,
        role: Option<AgentRole>,
    ) -> Result<RoleChange, AgentRolesError> {
        if operator.eq_ignore_ascii_case(username) {
            return Err(AgentRolesError::OwnRole);
        }
        let before = self.directory.roles_of(username).await?;
        let after: BTreeSet<AgentRole> = role.into_iter().collect();
        if before == after {
            return Ok(RoleChange {
                username: username.to_owned(),
                before,
                after,
                signed_out: false,
            });
        }
        for old in before.difference(&after) {
            self.directory.leave(username, *old).await?;
        }
        if let Some(new) = role.filter(|r| !before.contains(r)) {
            self.directory.join(username, new).await?;
        }
        let signed_out = match self.directory.sign_out(username).await {
            Ok(()) => true,
            Err(error) => {
                // The groups changed: answering 503 would make the retry a
                // no-op. The refresh carries the new groups within 15 minutes.
                tracing::error!(error = %error, "ending the agent's sessions failed");
                false
            }
        };
        tracing::info!(
            before = %crate::domain::agent::describe(&before),
            after = %crate::domain::agent::describe(&after),
            signed_out,
            "agent's role set"
        );
        Ok(RoleChange {
            username: username.to_owned(),
            before,
            after,
            signed_out,
        })
    }
}
