//! `GET /admin-api/v1/agents` and `PUT /admin-api/v1/agent-roles`
//! (administrators): the admin user pool's agents with their roles, and one
//! agent's role set (or taken away).

use serde::{Deserialize, Deserializer, Serialize};
use time::format_description::well_known::Rfc3339;
use tmp_api::validate::Validate;
use tmp_api::{Problem, ProblemKind};
use tmp_core::domain::agent::{AgentAccount, describe};
use tmp_core::ports::AgentListing;
use tmp_core::usecases::agent_roles::{AgentRolesError, RoleChange};

use crate::agent::valid_actor;
use crate::roles::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentView {
    pub username: String,
    pub roles: Vec<Role>,
    pub enabled: bool,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentList {
    pub agents: Vec<AgentView>,
    pub truncated: bool,
}

impl From<&AgentAccount> for AgentView {
    fn from(agent: &AgentAccount) -> Self {
        Self {
            username: agent.username.clone(),
            roles: agent.roles.iter().copied().collect(),
            enabled: agent.enabled,
            status: agent.status.clone(),
            created_at: agent.created_at.and_then(|at| at.format(&Rfc3339).ok()),
        }
    }
}

impl From<&AgentListing> for AgentList {
    fn from(listing: &AgentListing) -> Self {
        Self {
            agents: listing.agents.iter().map(AgentView::from).collect(),
            truncated: listing.truncated,
        }
    }
}

/// `PUT /agent-roles`: `role` is required, `null` meaning no role.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetAgentRole {
    pub username: String,
    #[serde(default, deserialize_with = "present")]
    role: Option<Option<String>>,
}

/// A field that is there, even as `null` (`Some(None)`); absent stays `None`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl SetAgentRole {
    /// The role asked for (`None`: no role); call after `validate`.
    pub fn role(&self) -> Option<Role> {
        self.role
            .as_ref()
            .and_then(|r| r.as_deref())
            .and_then(Role::parse)
    }
}

impl Validate for SetAgentRole {
    fn validate(&self) -> Result<(), Problem> {
        if !valid_actor(&self.username) {
            return Err(Problem::invalid("username"));
        }
        match &self.role {
            None => Err(Problem::missing("role")),
            Some(Some(role)) if Role::parse(role).is_none() => Err(Problem::invalid("role")),
            Some(_) => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleChangeView {
    pub username: String,
    pub before: Vec<Role>,
    pub after: Vec<Role>,
    pub signed_out: bool,
}

impl From<&RoleChange> for RoleChangeView {
    fn from(change: &RoleChange) -> Self {
        Self {
            username: change.username.clone(),
            before: change.before.iter().copied().collect(),
            after: change.after.iter().copied().collect(),
            signed_out: change.signed_out,
        }
    }
}

/// What the audit log records of a role change: `agent x@bank.test: viewer → agent`.
pub fn audit_target(change: &RoleChange) -> String {
    format!(
        "agent {}: {} → {}",
        change.username,
        describe(&change.before),
        describe(&change.after)
    )
}

/// The one mapping of the use case's refusals to problems.
pub fn problem(error: AgentRolesError) -> Problem {
    match error {
        AgentRolesError::UnknownAgent => {
            Problem::new(ProblemKind::NotFound, "No agent of that name")
        }
        AgentRolesError::OwnRole => Problem::new(
            ProblemKind::Conflict,
            "You cannot change your own role; another administrator can",
        ),
        AgentRolesError::Unavailable => Problem::new(
            ProblemKind::ServiceUnavailable,
            "The agents' directory could not be reached; send the same request again",
        ),
    }
}

#[cfg(test)]
mod tests {
    use tmp_api::validate::parse;

    use super::*;

    #[test]
    fn a_role_is_required_null_takes_every_role_away_and_unknown_roles_are_refused() {
        let body = |json: &str| parse::<SetAgentRole>(json.as_bytes());
        let agent = body(r#"{"username":"jane@bank.test","role":"agent"}"#).unwrap();
        assert_eq!(agent.role(), Some(Role::Agent));
        let none = body(r#"{"username":"jane@bank.test","role":null}"#).unwrap();
        assert_eq!(none.role(), None);
        let missing = body(r#"{"username":"jane@bank.test"}"#).unwrap_err();
        assert_eq!(missing.status, 422);
        for refused in [
            r#"{"username":"jane@bank.test","role":"Admin"}"#,
            r#"{"username":"jane@bank.test","role":"root"}"#,
            r#"{"username":"not an e-mail","role":"agent"}"#,
        ] {
            let problem = body(refused).unwrap_err();
            assert_eq!(problem.status, 422, "{refused}");
            assert!(!problem.detail.contains("root") && !problem.detail.contains("not an"));
        }
        let extra = body(r#"{"username":"jane@bank.test","role":"agent","groups":["admin"]}"#);
        assert_eq!(extra.unwrap_err().status, 422);
    }
}
