//! The agents' directory (the admin user pool): who they are and which role
//! groups they are in.

use std::collections::BTreeSet;

use async_trait::async_trait;

use crate::domain::agent::{AgentAccount, AgentRole};

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("no such agent")]
    UnknownAgent,
    #[error("the agents' directory is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A listing of the directory, cut at the limit asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentListing {
    /// By username.
    pub agents: Vec<AgentAccount>,
    /// More agents than listed.
    pub truncated: bool,
}

#[async_trait]
pub trait AgentDirectory: Send + Sync {
    /// At most `limit` agents, by username, each with their role groups.
    async fn agents(&self, limit: usize) -> Result<AgentListing, DirectoryError>;

    /// The role groups `username` is in (`UnknownAgent`: no such user).
    async fn roles_of(&self, username: &str) -> Result<BTreeSet<AgentRole>, DirectoryError>;

    /// Adds `username` to `role`'s group (already in it: no change).
    async fn join(&self, username: &str, role: AgentRole) -> Result<(), DirectoryError>;

    /// Removes `username` from `role`'s group (not in it: no change).
    async fn leave(&self, username: &str, role: AgentRole) -> Result<(), DirectoryError>;

    /// Ends every session of `username`: their refresh tokens are revoked,
    /// so they sign in again to get a token with their new groups.
    async fn sign_out(&self, username: &str) -> Result<(), DirectoryError>;
}
