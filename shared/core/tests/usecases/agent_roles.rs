//! Administrators set agents' roles: exactly one role (or none) is left,
//! old groups are left before the new one is joined, sessions end, an
//! administrator's own role is out of reach.

use std::collections::BTreeSet;
use std::sync::Arc;

use tmp_core::domain::agent::AgentRole::{self, Admin, Agent, Supervisor, Viewer};
use tmp_core::usecases::agent_roles::{AgentRoles, AgentRolesError};
use tmp_testkit::memory::{DirectoryCall, MemoryAgents};

const ADMIN: &str = "admin@bank.test";

fn pool() -> (Arc<MemoryAgents>, AgentRoles) {
    let directory = Arc::new(MemoryAgents::with(&[
        (ADMIN, &[Admin]),
        ("viewer@bank.test", &[Viewer]),
        ("both@bank.test", &[Viewer, Supervisor]),
    ]));
    let roles = AgentRoles {
        directory: directory.clone(),
    };
    (directory, roles)
}

fn set(roles: &[AgentRole]) -> BTreeSet<AgentRole> {
    roles.iter().copied().collect()
}

#[tokio::test]
async fn a_promotion_leaves_the_old_group_first_then_joins_and_signs_the_agent_out() {
    // GIVEN a viewer
    let (directory, roles) = pool();
    // WHEN the administrator makes them an agent
    let change = roles
        .set_role(ADMIN, "viewer@bank.test", Some(Agent))
        .await
        .unwrap();
    // THEN they hold exactly the agent role, and their sessions ended
    assert_eq!(change.before, set(&[Viewer]));
    assert_eq!(change.after, set(&[Agent]));
    assert!(change.signed_out);
    assert_eq!(directory.roles("viewer@bank.test"), Some(set(&[Agent])));
    assert_eq!(directory.signed_out(), ["viewer@bank.test"]);
    // AND the old group was left before the new one was joined
    assert_eq!(
        directory.calls(),
        [
            DirectoryCall::RolesOf,
            DirectoryCall::Leave,
            DirectoryCall::Join,
            DirectoryCall::SignOut
        ]
    );
}

#[tokio::test]
async fn an_agent_in_two_role_groups_is_left_in_the_one_set_and_no_role_takes_all_away() {
    // GIVEN an agent wrongly in two role groups
    let (directory, roles) = pool();
    // WHEN the administrator sets them to viewer
    let change = roles
        .set_role(ADMIN, "both@bank.test", Some(Viewer))
        .await
        .unwrap();
    // THEN only viewer is left, nothing was joined
    assert_eq!(change.after, set(&[Viewer]));
    assert_eq!(directory.roles("both@bank.test"), Some(set(&[Viewer])));
    assert!(!directory.calls().contains(&DirectoryCall::Join));
    // WHEN every role is taken away
    let change = roles.set_role(ADMIN, "both@bank.test", None).await.unwrap();
    // THEN the agent is in no role group and signed out again
    assert_eq!(change.before, set(&[Viewer]));
    assert!(change.after.is_empty());
    assert_eq!(directory.roles("both@bank.test"), Some(BTreeSet::new()));
    assert_eq!(directory.signed_out(), ["both@bank.test", "both@bank.test"]);
}

#[tokio::test]
async fn setting_the_role_an_agent_has_changes_nothing_and_signs_no_one_out() {
    let (directory, roles) = pool();
    // WHEN the viewer is set to viewer
    let change = roles
        .set_role(ADMIN, "viewer@bank.test", Some(Viewer))
        .await
        .unwrap();
    // THEN nothing was written
    assert_eq!(change.before, change.after);
    assert!(!change.signed_out);
    assert_eq!(directory.calls(), [DirectoryCall::RolesOf]);
    assert!(directory.signed_out().is_empty());
}

#[tokio::test]
async fn an_administrator_cannot_change_their_own_role_and_unknown_agents_are_refused() {
    let (directory, roles) = pool();
    // WHEN the administrator demotes themself (any case)
    let own = roles.set_role("Admin@Bank.test", ADMIN, Some(Viewer)).await;
    // THEN it is refused before the directory is asked
    assert_eq!(own, Err(AgentRolesError::OwnRole));
    assert!(directory.calls().is_empty());
    assert_eq!(directory.roles(ADMIN), Some(set(&[Admin])));
    // AND an agent the pool does not hold is unknown
    let unknown = roles.set_role(ADMIN, "nobody@bank.test", Some(Agent)).await;
    assert_eq!(unknown, Err(AgentRolesError::UnknownAgent));
}

#[tokio::test]
async fn a_failure_half_way_leaves_less_and_the_same_request_completes_it() {
    // GIVEN a directory whose join fails
    let (directory, roles) = pool();
    directory.fail(Some(DirectoryCall::Join));
    // WHEN the viewer is made a supervisor
    let failed = roles
        .set_role(ADMIN, "viewer@bank.test", Some(Supervisor))
        .await;
    // THEN the call is unavailable and the agent holds less than before, not more
    assert_eq!(failed, Err(AgentRolesError::Unavailable));
    assert_eq!(directory.roles("viewer@bank.test"), Some(BTreeSet::new()));
    // WHEN the directory is back and the same request comes again
    directory.fail(None);
    let change = roles
        .set_role(ADMIN, "viewer@bank.test", Some(Supervisor))
        .await
        .unwrap();
    // THEN it completes
    assert_eq!(change.after, set(&[Supervisor]));
    assert!(change.signed_out);
}

#[tokio::test]
async fn a_failed_sign_out_still_answers_the_change_but_says_so() {
    let (directory, roles) = pool();
    directory.fail(Some(DirectoryCall::SignOut));
    let change = roles
        .set_role(ADMIN, "viewer@bank.test", Some(Agent))
        .await
        .unwrap();
    assert_eq!(directory.roles("viewer@bank.test"), Some(set(&[Agent])));
    assert!(!change.signed_out);
}

#[tokio::test]
async fn the_listing_is_cut_at_the_limit_and_says_so() {
    let (_, roles) = pool();
    let listing = roles.list().await.unwrap();
    assert_eq!(listing.agents.len(), 3);
    assert!(!listing.truncated);
    assert_eq!(listing.agents[0].username, ADMIN);
    assert_eq!(listing.agents[1].roles, set(&[Viewer, Supervisor]));
}
