//! The issuer's customer-service agents: users of the admin user pool, each
//! normally in one role group. What a role allows is the admin API's
//! business (`tmp-admin`); which role an agent holds is this.

use std::collections::BTreeSet;

use serde::Serialize;
use time::OffsetDateTime;

/// A role, as the user pool's group of the same name. Ordered: each role
/// holds what the ones below it hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentRole {
    Viewer,
    Agent,
    Supervisor,
    Admin,
}

impl AgentRole {
    pub const ALL: [Self; 4] = [Self::Viewer, Self::Agent, Self::Supervisor, Self::Admin];

    /// The group name (as in the user pool).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Agent => "agent",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    /// The role a group stands for; groups that are not roles are `None`
    /// (exact names only: `Admins` or `ADMIN` grant nothing).
    pub fn parse(group: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == group)
    }
}

/// Roles as the audit log and the panel write them: `viewer, agent`, or
/// `no role`.
pub fn describe(roles: &BTreeSet<AgentRole>) -> String {
    if roles.is_empty() {
        return "no role".to_owned();
    }
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One agent of the user pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentAccount {
    /// Their sign-in name: their e-mail address.
    pub username: String,
    pub roles: BTreeSet<AgentRole>,
    pub enabled: bool,
    /// The pool's user status (`CONFIRMED`, `FORCE_CHANGE_PASSWORD`, ...).
    pub status: String,
    pub created_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_group_names_are_roles() {
        assert_eq!(AgentRole::parse("supervisor"), Some(AgentRole::Supervisor));
        for group in ["Admins", "ADMIN", "admin ", ""] {
            assert_eq!(AgentRole::parse(group), None, "{group:?}");
        }
        assert!(AgentRole::Viewer < AgentRole::Admin);
    }

    #[test]
    fn roles_are_described_in_order_or_as_none() {
        let roles = [AgentRole::Supervisor, AgentRole::Viewer]
            .into_iter()
            .collect();
        assert_eq!(describe(&roles), "viewer, supervisor");
        assert_eq!(describe(&BTreeSet::new()), "no role");
    }
}
