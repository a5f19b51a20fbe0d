//! The agents' directory on the admin user pool (Cognito): its users, the
//! role groups they are in, joining and leaving those groups, and ending
//! an agent's sessions. Every call names the one pool (`ADMIN_USER_POOL_ID`),
//! which is all the functions' IAM policies allow.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::types::UserType;
use tmp_core::domain::agent::{AgentAccount, AgentRole};
use tmp_core::ports::{AgentDirectory, AgentListing, DirectoryError};

use crate::aws_error::AwsFailure;

/// The most a page of Cognito's list calls holds.
const PAGE: i32 = 60;

pub struct CognitoAgentPool {
    client: Client,
    user_pool_id: String,
}

impl CognitoAgentPool {
    pub fn new(client: Client, user_pool_id: impl Into<String>) -> Self {
        Self {
            client,
            user_pool_id: user_pool_id.into(),
        }
    }

    /// Everyone in `role`'s group.
    async fn members(&self, role: AgentRole) -> Result<Vec<String>, DirectoryError> {
        let users = self
            .client
            .list_users_in_group()
            .user_pool_id(&self.user_pool_id)
            .group_name(role.as_str())
            .into_paginator()
            .page_size(PAGE)
            .items()
            .send()
            .try_collect()
            .await
            .map_err(unavailable)?;
        Ok(users
            .iter()
            .filter_map(|u| u.username().map(str::to_owned))
            .collect())
    }
}

fn unavailable<E, R>(err: SdkError<E, R>) -> DirectoryError
where
    E: aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata + Send + Sync + 'static,
{
    DirectoryError::Unavailable(Box::new(AwsFailure::new(&err)))
}

/// `UserNotFoundException` is an answer (no such agent), anything else a fault.
fn user_call<E, R>(err: SdkError<E, R>) -> DirectoryError
where
    E: aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata + Send + Sync + 'static,
{
    let failure = AwsFailure::new(&err);
    if failure.code.as_deref() == Some("UserNotFoundException") {
        DirectoryError::UnknownAgent
    } else {
        DirectoryError::Unavailable(Box::new(failure))
    }
}

fn account(user: &UserType) -> Option<AgentAccount> {
    Some(AgentAccount {
        username: user.username()?.to_owned(),
        roles: BTreeSet::new(),
        enabled: user.enabled(),
        status: user
            .user_status()
            .map_or("UNKNOWN", |s| s.as_str())
            .to_owned(),
        created_at: user
            .user_create_date()
            .and_then(|d| time::OffsetDateTime::from_unix_timestamp(d.secs()).ok()),
    })
}

#[async_trait]
impl AgentDirectory for CognitoAgentPool {
    async fn agents(&self, limit: usize) -> Result<AgentListing, DirectoryError> {
        // One page of users at a time, then each role group's members: a
        // handful of calls for a customer service, never one per agent.
        let mut agents: BTreeMap<String, AgentAccount> = BTreeMap::new();
        let mut truncated = false;
        let mut users = self
            .client
            .list_users()
            .user_pool_id(&self.user_pool_id)
            .into_paginator()
            .page_size(PAGE)
            .items()
            .send();
        while let Some(user) = users.next().await {
            let Some(user) = account(&user.map_err(unavailable)?) else {
                continue;
            };
            if agents.len() == limit {
                truncated = true;
                break;
            }
            agents.insert(user.username.clone(), user);
        }
        for role in AgentRole::ALL {
            for member in self.members(role).await? {
                if let Some(agent) = agents.get_mut(&member) {
                    agent.roles.insert(role);
                }
            }
        }
        Ok(AgentListing {
            agents: agents.into_values().collect(),
            truncated,
        })
    }

    async fn roles_of(&self, username: &str) -> Result<BTreeSet<AgentRole>, DirectoryError> {
        let groups = self
            .client
            .admin_list_groups_for_user()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .into_paginator()
            .page_size(PAGE)
            .items()
            .send()
            .try_collect()
            .await
            .map_err(user_call)?;
        Ok(groups
            .iter()
            .filter_map(|g| g.group_name().and_then(AgentRole::parse))
            .collect())
    }

    async fn join(&self, username: &str, role: AgentRole) -> Result<(), DirectoryError> {
        self.client
            .admin_add_user_to_group()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .group_name(role.as_str())
            .send()
            .await
            .map_err(user_call)?;
        Ok(())
    }

    async fn leave(&self, username: &str, role: AgentRole) -> Result<(), DirectoryError> {
        self.client
            .admin_remove_user_from_group()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .group_name(role.as_str())
            .send()
            .await
            .map_err(user_call)?;
        Ok(())
    }

    async fn sign_out(&self, username: &str) -> Result<(), DirectoryError> {
        self.client
            .admin_user_global_sign_out()
            .user_pool_id(&self.user_pool_id)
            .username(username)
            .send()
            .await
            .map_err(user_call)?;
        Ok(())
    }
}
