//! Roles (the agent's Cognito groups) and what each allows. Roles
//! accumulate: an agent may do what a viewer may, a supervisor what an
//! agent may, an admin what a supervisor may.

use std::collections::BTreeSet;

use serde::Serialize;
use tmp_api::token::LifecycleAction;

/// A role: the user pool's group of the same name (the directory's type).
pub use tmp_core::domain::agent::AgentRole as Role;

/// What `role` adds to the one below it.
fn grants(role: Role) -> &'static [Permission] {
    use Permission::*;
    match role {
        Role::Viewer => &[TokensRead, ReportsRead],
        Role::Agent => &[TokensActivate, TokensSuspend, TokensUnsuspend],
        Role::Supervisor => &[TokensDelete, TokensBulk, CardsEvents, AuditRead],
        Role::Admin => &[RulesManage, AgentsManage],
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Permission {
    #[serde(rename = "tokens.read")]
    TokensRead,
    #[serde(rename = "tokens.activate")]
    TokensActivate,
    #[serde(rename = "tokens.suspend")]
    TokensSuspend,
    #[serde(rename = "tokens.unsuspend")]
    TokensUnsuspend,
    #[serde(rename = "tokens.delete")]
    TokensDelete,
    /// Every token of a card or device at once (after a preview).
    #[serde(rename = "tokens.bulk")]
    TokensBulk,
    /// Report a card lost, stolen, blocked, unblocked or closed (every token of it follows).
    #[serde(rename = "cards.events")]
    CardsEvents,
    #[serde(rename = "audit.read")]
    AuditRead,
    /// Read and replace the decision rules per token requestor.
    #[serde(rename = "rules.manage")]
    RulesManage,
    /// List the agents and set their roles.
    #[serde(rename = "agents.manage")]
    AgentsManage,
    /// The reports (aggregates: no card data).
    #[serde(rename = "reports.read")]
    ReportsRead,
}

impl Permission {
    /// The permission a lifecycle action needs.
    pub fn for_action(action: LifecycleAction) -> Self {
        match action {
            LifecycleAction::Activate => Self::TokensActivate,
            LifecycleAction::Suspend => Self::TokensSuspend,
            LifecycleAction::Unsuspend => Self::TokensUnsuspend,
            LifecycleAction::Delete => Self::TokensDelete,
        }
    }
}

/// The roles of one agent; groups that are not roles are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles(BTreeSet<Role>);

impl Roles {
    pub fn from_groups<'a>(groups: impl IntoIterator<Item = &'a String>) -> Self {
        Self(groups.into_iter().filter_map(|g| Role::parse(g)).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn roles(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// Every permission the roles hold (each role includes those below it).
    pub fn permissions(&self) -> BTreeSet<Permission> {
        let Some(top) = self.0.iter().max() else {
            return BTreeSet::new();
        };
        Role::ALL
            .into_iter()
            .filter(|r| r <= top)
            .flat_map(|r| grants(r).iter().copied())
            .collect()
    }

    pub fn may(&self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(groups: &[&str]) -> Roles {
        let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
        Roles::from_groups(&groups)
    }

    #[test]
    fn each_role_adds_to_the_one_below() {
        use Permission::*;
        assert_eq!(
            roles(&["viewer"]).permissions(),
            [TokensRead, ReportsRead].into_iter().collect()
        );
        let agent = roles(&["agent"]);
        assert!(agent.may(TokensSuspend) && agent.may(TokensRead));
        assert!(!agent.may(TokensDelete) && !agent.may(AuditRead));
        let supervisor = roles(&["supervisor"]);
        assert!(supervisor.may(TokensDelete) && supervisor.may(AuditRead));
        assert!(supervisor.may(TokensActivate));
        assert!(supervisor.may(TokensBulk) && !agent.may(TokensBulk));
        assert_eq!(roles(&["admin"]).permissions().len(), 11);
        assert!(roles(&["admin"]).may(RulesManage) && !supervisor.may(RulesManage));
        assert!(roles(&["admin"]).may(AgentsManage) && !supervisor.may(AgentsManage));
    }

    #[test]
    fn groups_that_are_not_roles_grant_nothing() {
        assert!(roles(&["Admins", "AGENT", "viewer "]).is_empty());
        assert!(roles(&[]).permissions().is_empty());
        assert_eq!(
            roles(&["viewer", "agent"]).permissions(),
            roles(&["agent"]).permissions()
        );
    }
}
