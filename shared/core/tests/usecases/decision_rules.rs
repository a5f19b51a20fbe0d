//! The administrator's decision rules: read and replaced from the version in
//! force (a stale version changes nothing), checked as authorization reads
//! them; and authorization applying the stored rules from the next request.

use std::sync::Arc;

use tmp_core::AppError;
use tmp_core::domain::decision::{Decision, RuleId};
use tmp_core::domain::policy::DecisionPolicy;
use tmp_core::usecases::decision_rules::DecisionRulesAdmin;
use tmp_testkit::memory::MemoryDecisionRules;

use crate::support::{
    PAN, TOKEN, TOKEN_REQUESTOR, TestCardData, World, active_card, authorize_command, green_wallet,
};

fn admin(world: &World, store: &Arc<MemoryDecisionRules>) -> DecisionRulesAdmin {
    DecisionRulesAdmin {
        store: store.clone(),
        deployment: DecisionPolicy::from_json(r#"{"default":{"maxAttemptsPer24h":4}}"#).unwrap(),
        clock: world.clock.clone(),
    }
}

#[tokio::test]
async fn rules_are_replaced_only_from_the_version_in_force_and_only_when_valid() {
    // GIVEN the deployment's rules
    let world = World::default();
    let store = Arc::new(MemoryDecisionRules::default());
    let rules = admin(&world, &store);
    let current = rules.current().await.unwrap();
    assert_eq!(current.version, 0);
    assert_eq!(current.policy.rules_for(None).max_attempts_per_24h, 4);
    // WHEN the administrator gives Apple Pay two tokens per card
    let doc =
        format!(r#"{{"tokenRequestors":{{"{TOKEN_REQUESTOR}":{{"maxLiveTokensPerCard":2}}}}}}"#);
    let set = rules.replace(0, &doc, "admin@bank.test").await.unwrap();
    // THEN version 1 is in force, every threshold explicit, by the administrator
    assert_eq!(set.version, 1);
    let now = rules.current().await.unwrap();
    assert_eq!(now.updated_by.as_deref(), Some("admin@bank.test"));
    assert_eq!(
        now.policy
            .rules_for(Some(TOKEN_REQUESTOR))
            .max_live_tokens_per_card,
        2
    );
    assert!(
        store.history()[0]
            .document
            .contains("\"maxAttemptsPer24h\":5")
    );
    // AND one made from version 0 again is refused, as is an unknown threshold or a bad id
    assert!(matches!(
        rules.replace(0, &doc, "admin@bank.test").await,
        Err(AppError::ActionNotAllowed(_))
    ));
    for bad in [
        r#"{"default":{"maxTokens":2}}"#,
        r#"{"tokenRequestors":{"5011":{"maxLiveTokensPerCard":2}}}"#,
        r#"{"tokenRequestors":{"50110030273":{"maxCardAttemptsPer24h":2}}}"#,
    ] {
        assert!(
            matches!(
                rules.replace(1, bad, "admin@bank.test").await,
                Err(AppError::Invalid(_))
            ),
            "{bad}"
        );
    }
    assert_eq!(store.history().len(), 1);
}

async fn ask_for_a_token(world: &World) -> tmp_core::usecases::authorize::AuthorizationOutcome {
    world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap()
}

#[tokio::test]
async fn authorization_applies_the_stored_rules_it_reads_with_the_card() {
    // GIVEN the administrator allows this token requestor no live token at all
    let world = World::default().with_card(active_card());
    world.state.set_decision_rules(Some(&format!(
        r#"{{"tokenRequestors":{{"{TOKEN_REQUESTOR}":{{"maxLiveTokensPerCard":0}}}}}}"#
    )));
    // WHEN a token is asked for
    let outcome = ask_for_a_token(&world).await;
    // THEN declined by the token limit the administrator set
    assert_eq!(outcome.decision, Decision::Declined);
    let decision = &world.state.decisions_of(TOKEN)[0];
    assert_eq!(decision.decided_by, RuleId::TokenLimit);
    assert_eq!(decision.thresholds.max_live_tokens_per_card, 0);
}

#[tokio::test]
async fn unreadable_stored_rules_fall_back_to_the_deployments() {
    // GIVEN a stored document that cannot be read (never written by the admin API)
    let world = World::default().with_card(active_card());
    world.state.set_decision_rules(Some("{not json"));
    // WHEN a token is asked for THEN the deployment's rules apply: approved
    let outcome = ask_for_a_token(&world).await;
    assert_eq!(outcome.decision, Decision::Approved);
}
