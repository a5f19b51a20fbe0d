//! The signed-in agent, from a verified access token: their sign-in e-mail
//! (Cognito `username`) and roles (`cognito:groups`).

use serde::Serialize;
use tmp_api::Problem;
use tmp_api::auth::VerifiedToken;

use crate::roles::{Permission, Role, Roles};

/// Longest agent e-mail (it is the operator of token histories, at most 64).
pub const ACTOR_MAX: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub email: String,
    pub roles: Roles,
}

/// An e-mail the contract's `Actor` admits.
pub fn valid_actor(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let ok = |part: &str, extra: &[u8]| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    };
    value.len() <= ACTOR_MAX && ok(local, b"._-") && ok(domain, b".-")
}

impl Agent {
    /// The agent of a user's token; a token that names no valid user (a
    /// client-credentials token, say) is refused as unauthenticated.
    pub fn from_token(token: &VerifiedToken) -> Result<Self, Problem> {
        let email = token
            .username
            .as_deref()
            .filter(|u| valid_actor(u))
            .ok_or_else(Problem::unauthorized)?;
        Ok(Self {
            email: email.to_owned(),
            roles: Roles::from_groups(&token.groups),
        })
    }

    /// 403 unless the agent's roles allow `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), Problem> {
        if self.roles.may(permission) {
            Ok(())
        } else {
            Err(Problem::new(
                tmp_api::ProblemKind::Forbidden,
                "Your role does not allow this operation",
            ))
        }
    }

    pub fn role_names(&self) -> Vec<String> {
        self.roles.roles().map(|r| r.as_str().to_owned()).collect()
    }
}

/// `GET /me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub email: String,
    pub roles: Vec<Role>,
    pub permissions: Vec<Permission>,
}

impl From<&Agent> for Me {
    fn from(agent: &Agent) -> Self {
        Self {
            email: agent.email.clone(),
            roles: agent.roles.roles().collect(),
            permissions: agent.roles.permissions().into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agent_is_a_valid_email_of_at_most_64_characters() {
        assert!(valid_actor("agent@bank.test"));
        assert!(valid_actor("a.b-c_d@x-y.example"));
        for bad in [
            "agent",
            "@bank.test",
            "agent@",
            "a b@bank.test",
            "agent@bank@test",
            "<script>@bank.test",
        ] {
            assert!(!valid_actor(bad), "{bad}");
        }
        assert!(!valid_actor(&format!("{}@bank.test", "a".repeat(60))));
    }
}
