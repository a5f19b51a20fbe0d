//! The agents' directory in memory: users, their groups, their sign-outs,
//! and a switch to make one kind of call fail.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use async_trait::async_trait;
use tmp_core::domain::agent::{AgentAccount, AgentRole};
use tmp_core::ports::{AgentDirectory, AgentListing, DirectoryError};

/// A call of the directory, to fail on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryCall {
    Agents,
    RolesOf,
    Join,
    Leave,
    SignOut,
}

#[derive(Debug, Default)]
pub struct MemoryAgents {
    users: Mutex<BTreeMap<String, BTreeSet<AgentRole>>>,
    signed_out: Mutex<Vec<String>>,
    calls: Mutex<Vec<DirectoryCall>>,
    failing: Mutex<Option<DirectoryCall>>,
}

impl MemoryAgents {
    /// A directory holding `agents` (username, roles).
    #[allow(clippy::unwrap_used)]
    pub fn with(agents: &[(&str, &[AgentRole])]) -> Self {
        let directory = Self::default();
        for (username, roles) in agents {
            directory
                .users
                .lock()
                .unwrap()
                .insert((*username).to_owned(), roles.iter().copied().collect());
        }
        directory
    }

    #[allow(clippy::unwrap_used)]
    pub fn roles(&self, username: &str) -> Option<BTreeSet<AgentRole>> {
        self.users.lock().unwrap().get(username).cloned()
    }

    /// The agents signed out, in order.
    #[allow(clippy::unwrap_used)]
    pub fn signed_out(&self) -> Vec<String> {
        self.signed_out.lock().unwrap().clone()
    }

    /// Every call made, in order.
    #[allow(clippy::unwrap_used)]
    pub fn calls(&self) -> Vec<DirectoryCall> {
        self.calls.lock().unwrap().clone()
    }

    /// From now on, `call` fails as an unavailable directory (`None`: none does).
    #[allow(clippy::unwrap_used)]
    pub fn fail(&self, call: Option<DirectoryCall>) {
        *self.failing.lock().unwrap() = call;
    }

    #[allow(clippy::unwrap_used, clippy::unwrap_in_result)] // a poisoned lock in a test fake should panic
    fn enter(&self, call: DirectoryCall) -> Result<(), DirectoryError> {
        self.calls.lock().unwrap().push(call);
        if *self.failing.lock().unwrap() == Some(call) {
            return Err(DirectoryError::Unavailable("the directory is down".into()));
        }
        Ok(())
    }

    #[allow(clippy::unwrap_used, clippy::unwrap_in_result)]
    fn update(
        &self,
        username: &str,
        change: impl FnOnce(&mut BTreeSet<AgentRole>),
    ) -> Result<(), DirectoryError> {
        let mut users = self.users.lock().unwrap();
        let roles = users
            .get_mut(username)
            .ok_or(DirectoryError::UnknownAgent)?;
        change(roles);
        Ok(())
    }
}

#[async_trait]
#[allow(clippy::unwrap_in_result)]
impl AgentDirectory for MemoryAgents {
    #[allow(clippy::unwrap_used)]
    async fn agents(&self, limit: usize) -> Result<AgentListing, DirectoryError> {
        self.enter(DirectoryCall::Agents)?;
        let users = self.users.lock().unwrap();
        Ok(AgentListing {
            agents: users
                .iter()
                .take(limit)
                .map(|(username, roles)| AgentAccount {
                    username: username.clone(),
                    roles: roles.clone(),
                    enabled: true,
                    status: "CONFIRMED".to_owned(),
                    created_at: None,
                })
                .collect(),
            truncated: users.len() > limit,
        })
    }

    async fn roles_of(&self, username: &str) -> Result<BTreeSet<AgentRole>, DirectoryError> {
        self.enter(DirectoryCall::RolesOf)?;
        self.roles(username).ok_or(DirectoryError::UnknownAgent)
    }

    async fn join(&self, username: &str, role: AgentRole) -> Result<(), DirectoryError> {
        self.enter(DirectoryCall::Join)?;
        self.update(username, |roles| {
            roles.insert(role);
        })
    }

    async fn leave(&self, username: &str, role: AgentRole) -> Result<(), DirectoryError> {
        self.enter(DirectoryCall::Leave)?;
        self.update(username, |roles| {
            roles.remove(&role);
        })
    }

    #[allow(clippy::unwrap_used)]
    async fn sign_out(&self, username: &str) -> Result<(), DirectoryError> {
        self.enter(DirectoryCall::SignOut)?;
        self.update(username, |_| ())?;
        self.signed_out.lock().unwrap().push(username.to_owned());
        Ok(())
    }
}
