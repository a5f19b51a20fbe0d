//! The in-memory ports keep the DynamoDB adapters' conditions and atomicity.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use tmp_core::clock::{Clock, IdGenerator};
use tmp_core::domain::Network;
use tmp_core::domain::activation_code::{CodeSource, IssuedCode};
use tmp_core::domain::decision::{Decision, DecisionRecord, DecisionRules, RuleId};
use tmp_core::domain::events::{TOKEN_EVENT_SCHEMA_VERSION, TokenEvent, TokenEventType};
use tmp_core::domain::token::{HistoryEntry, Initiator, LifecycleState, TokenStatus};
use tmp_core::ports::*;
use tmp_core::secret::{Pan, Secret};

use super::*;

const NOW: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);

fn key(request_id: &str) -> RequestKey {
    RequestKey {
        network: Network::Mastercard,
        operation: "notifyTokenUpdated",
        request_id: request_id.to_owned(),
    }
}

fn completion(request_id: &str, lease_id: &str) -> RequestCompletion {
    RequestCompletion {
        key: key(request_id),
        lease_id: lease_id.to_owned(),
        outcome_json: r#"{"ok":true}"#.to_owned(),
    }
}

fn history(request_id: &str, to: TokenStatus) -> HistoryEntry {
    HistoryEntry {
        at: NOW,
        operation: "notifyTokenUpdated".to_owned(),
        initiator: Initiator::Tsp,
        reason_code: None,
        source_request_id: request_id.to_owned(),
        from: None,
        to,
        suspenders: BTreeSet::new(),
        applied: true,
    }
}

fn event(event_id: &str) -> TokenEvent {
    TokenEvent {
        event_id: event_id.to_owned(),
        event_type: TokenEventType::TokenStatusChanged,
        schema_version: TOKEN_EVENT_SCHEMA_VERSION,
        occurred_at: "2026-11-26T10:00:00Z".to_owned(),
        network: Network::Mastercard,
        token_unique_reference: "T1".to_owned(),
        pan_unique_reference: None,
        pan_last4: None,
        token_requestor_id: None,
        wallet_id: None,
        status: None,
        previous_status: None,
        initiator: None,
        reason_code: None,
        source_request_id: None,
        language: None,
        details: serde_json::Value::Null,
    }
}

fn commit(expected_version: Option<u64>, live_delta: i8, request: &str) -> LifecycleCommit {
    LifecycleCommit {
        token_ref: "T1".to_owned(),
        network: Network::Mastercard,
        expected_version,
        state: LifecycleState {
            status: TokenStatus::Active,
            suspenders: BTreeSet::new(),
            last_event_at: Some(NOW),
        },
        live_delta,
        pan_fingerprint: Some("fp".to_owned()),
        history: history(request, TokenStatus::Active),
        attributes: TokenAttributes {
            language: Some("fr".to_owned()),
            ..TokenAttributes::default()
        },
        events: vec![event(&format!("ev-{request}"))],
        request: Some(completion(request, "lease")),
        now: NOW,
    }
}

fn write(token_ref: &str, request: &str, decision: Decision) -> AuthorizationWrite {
    AuthorizationWrite {
        network: Network::Mastercard,
        completion: completion(request, "lease"),
        token_ref: token_ref.to_owned(),
        pan_unique_reference: Some("PUR".to_owned()),
        pan_fingerprint: "fp".to_owned(),
        pan_last4: "4444".to_owned(),
        token_requestor_id: Some("TR".to_owned()),
        wallet_id: None,
        payment_app_instance_id: None,
        correlation_id: "corr".to_owned(),
        token_type: "CLOUD".to_owned(),
        device_name: None,
        issuer_card_id: None,
        product_category: None,
        record: DecisionRecord {
            decision,
            decided_by: RuleId::Approve,
            rules: Vec::new(),
            thresholds: DecisionRules::default(),
        },
        existing: None,
        live_token_limit: 2,
        now: NOW,
        contact_ciphertext: Some(b"sealed".to_vec()),
        history: history(request, TokenStatus::Inactive),
        event: Some(event(&format!("ev-{request}"))),
    }
}

fn code(expires_at: OffsetDateTime) -> StoredCode {
    StoredCode {
        issued: IssuedCode {
            mac: "mac".to_owned(),
            expires_at,
            attempts: 0,
            max_attempts: 2,
            used: false,
            source: CodeSource::Issuer,
        },
        ciphertext: b"code".to_vec(),
    }
}

async fn claimed(state: &MemoryTokenState, request: &str) {
    let claim = state.claim(&key(request), "sig", "lease", NOW).await;
    assert_eq!(claim.unwrap(), RequestClaim::Claimed);
}

#[tokio::test]
async fn claims_are_leased_replayed_and_released_only_by_their_holder() {
    let state = MemoryTokenState::default();
    claimed(&state, "r1").await;
    let again = state.claim(&key("r1"), "sig", "other", NOW).await.unwrap();
    assert_eq!(again, RequestClaim::InProgress);
    // someone else's release changes nothing
    state.release(&key("r1"), "other").await.unwrap();
    assert_eq!(state.ledger_entry(&key("r1")).unwrap().0, "IN_PROGRESS");
    // an abandoned claim is taken over after its lease
    let later = NOW + Duration::seconds(31);
    let taken = state.claim(&key("r1"), "sig", "other", later).await;
    assert_eq!(taken.unwrap(), RequestClaim::Claimed);
    // the first holder lost it
    let lost = state.complete(&completion("r1", "lease"), later).await;
    assert!(matches!(lost, Err(SaveError::Conflict)));
    state
        .complete(&completion("r1", "other"), later)
        .await
        .unwrap();
    let replay = state.claim(&key("r1"), "sig", "third", later).await;
    assert_eq!(
        replay.unwrap(),
        RequestClaim::Completed {
            signature: "sig".to_owned(),
            outcome_json: r#"{"ok":true}"#.to_owned(),
        }
    );
    // a completed entry cannot be released
    state.release(&key("r1"), "other").await.unwrap();
    assert_eq!(state.ledger_entry(&key("r1")).unwrap().0, "COMPLETED");
}

#[tokio::test]
async fn a_commit_applies_everything_or_nothing() {
    let state = MemoryTokenState::default();
    // WHEN the request was never claimed THEN nothing is written
    let refused = state.commit(&commit(None, 1, "r1")).await;
    assert!(matches!(refused, Err(SaveError::Conflict)));
    assert!(state.token_of("T1").is_none());
    assert!(state.history_of("T1").is_empty() && state.events_of("T1").is_empty());
    assert_eq!(state.live_tokens("fp"), 0);

    claimed(&state, "r1").await;
    state.commit(&commit(None, 1, "r1")).await.unwrap();
    let token = state.token("T1").await.unwrap().unwrap();
    assert_eq!(
        (token.version, token.state.status),
        (1, TokenStatus::Active)
    );
    assert_eq!(token.language.as_deref(), Some("fr"));
    assert_eq!(state.live_tokens("fp"), 1);
    assert_eq!(state.history_of("T1").len(), 1);
    assert_eq!(state.events_of("T1"), vec![(event("ev-r1"), false)]);
    assert_eq!(state.ledger_entry(&key("r1")).unwrap().0, "COMPLETED");

    // a stale version conflicts; the current one moves the version on
    claimed(&state, "r2").await;
    let exists = state.commit(&commit(None, 0, "r2")).await;
    assert!(matches!(exists, Err(SaveError::Conflict)));
    let mut next = commit(Some(1), -1, "r2");
    next.attributes = TokenAttributes::default();
    state.commit(&next).await.unwrap();
    let token = state.token_of("T1").unwrap();
    assert_eq!((token.version, token.language.as_deref()), (2, Some("fr")));
    assert_eq!(state.live_tokens("fp"), 0);
    claimed(&state, "r3").await;
    let stale = state.commit(&commit(Some(1), 0, "r3")).await;
    assert!(matches!(stale, Err(SaveError::Conflict)));
    assert_eq!(state.history_of("T1").len(), 2);
}

#[tokio::test]
async fn version_zero_means_a_token_without_version() {
    let state = MemoryTokenState::default();
    let mut record = TokenRecord {
        token_ref: "T1".to_owned(),
        network: Network::Mastercard,
        state: LifecycleState {
            status: TokenStatus::Inactive,
            suspenders: BTreeSet::new(),
            last_event_at: None,
        },
        version: 0,
        pan_fingerprint: Some("fp".to_owned()),
        pan_last4: Some("4444".to_owned()),
        pan_unique_reference: None,
        token_requestor_id: None,
        wallet_id: None,
        has_contact: false,
        language: None,
    };
    state.seed_token(record.clone(), None);
    let mut change = commit(Some(0), 0, "r1");
    change.request = None;
    state.commit(&change).await.unwrap();
    assert_eq!(state.token_of("T1").unwrap().version, 1);
    record.version = 5;
    state.seed_token(record, None);
    assert!(matches!(
        state.commit(&change).await,
        Err(SaveError::Conflict)
    ));
}

#[tokio::test]
async fn authorizations_respect_the_live_token_limit() {
    let state = MemoryTokenState::default();
    for (token, request) in [("T1", "r1"), ("T2", "r2")] {
        claimed(&state, request).await;
        let approved = write(token, request, Decision::Approved);
        state.save_authorization(&approved).await.unwrap();
    }
    assert_eq!(state.live_tokens("fp"), 2);
    let snapshot = state.find_token("T1").await.unwrap();
    assert_eq!(snapshot, Some(TokenSnapshot { live: true }));
    assert_eq!(
        state.attributes_of("T1").unwrap().pan_last4.as_deref(),
        Some("4444")
    );
    assert!(state.token_of("T1").unwrap().has_contact);
    assert_eq!(state.decisions_of("T1").len(), 1);

    // a third one is refused, and nothing of it is written
    claimed(&state, "r3").await;
    let third = state
        .save_authorization(&write("T3", "r3", Decision::Approved))
        .await;
    assert!(matches!(third, Err(SaveError::TokenLimitReached)));
    assert!(state.token_of("T3").is_none() && state.decisions_of("T3").is_empty());
    assert_eq!(state.ledger_entry(&key("r3")).unwrap().0, "IN_PROGRESS");
    // a decline is not counted
    let declined = write("T3", "r3", Decision::Declined);
    state.save_authorization(&declined).await.unwrap();
    let token = state.token_of("T3").unwrap();
    assert_eq!(token.state.status, TokenStatus::Declined);
    assert_eq!(state.live_tokens("fp"), 2);
    // a re-authorization must see the token as it is
    claimed(&state, "r4").await;
    let mut again = write("T3", "r4", Decision::Approved);
    again.existing = Some(TokenSnapshot { live: true });
    let changed = state.save_authorization(&again).await;
    assert!(matches!(changed, Err(SaveError::Conflict)));
}

#[tokio::test]
async fn velocity_counts_attempts_ranked_up_to_this_one_within_24_hours() {
    let state = MemoryTokenState::default();
    let count = |request: &'static str, at: OffsetDateTime| {
        let state = &state;
        async move { state.record_attempt("fp", "TR", request, at).await.unwrap() }
    };
    assert_eq!(count("b", NOW).await, 1);
    assert_eq!(count("a", NOW).await, 1); // same millisecond: ranked by request id
    assert_eq!(count("b", NOW).await, 2); // a retry keeps its first position
    assert_eq!(count("c", NOW + Duration::hours(1)).await, 3);
    assert_eq!(count("d", NOW + Duration::hours(25)).await, 2);
    assert_eq!(
        state.record_attempt("fp", "other", "x", NOW).await.unwrap(),
        1
    );
    assert_eq!(state.attempts_recorded("fp", "TR"), 4);
}

#[tokio::test]
async fn codes_are_issued_once_in_force_and_used_once() {
    let state = MemoryTokenState::default();
    let expiry = NOW + Duration::minutes(30);
    let issued = state.issue("T1", &code(expiry), NOW).await.unwrap();
    assert_eq!(issued, IssueOutcome::Issued);
    let mut other = code(expiry);
    other.issued.mac = "other".to_owned();
    let existing = state.issue("T1", &other, NOW).await.unwrap();
    assert_eq!(existing, IssueOutcome::Existing(code(expiry)));

    // two wrong attempts exhaust it; a third is refused
    for request in ["r1", "r2"] {
        claimed(&state, request).await;
        let failure = completion(request, "lease");
        state.record_failure("T1", &failure, NOW).await.unwrap();
    }
    claimed(&state, "r3").await;
    let exhausted = state
        .record_failure("T1", &completion("r3", "lease"), NOW)
        .await;
    assert!(matches!(exhausted, Err(SaveError::Conflict)));
    let refused = state.consume("T1", &completion("r3", "lease"), NOW).await;
    assert!(matches!(refused, Err(SaveError::Conflict)));
    assert_eq!(state.code_of("T1").unwrap().issued.attempts, 2);

    // an exhausted code is replaced; an expired one cannot be used
    let replaced = state.issue("T1", &other, NOW).await.unwrap();
    assert_eq!(replaced, IssueOutcome::Issued);
    let late = state
        .consume("T1", &completion("r3", "lease"), expiry)
        .await;
    assert!(matches!(late, Err(SaveError::Conflict)));
    state
        .consume("T1", &completion("r3", "lease"), NOW)
        .await
        .unwrap();
    let used = state.code_of("T1").unwrap();
    assert!(used.issued.used && used.ciphertext.is_empty());
    assert_eq!(state.ledger_entry(&key("r3")).unwrap().0, "COMPLETED");
}

#[tokio::test]
async fn the_outbox_keeps_events_until_published() {
    let state = MemoryTokenState::default();
    claimed(&state, "r1").await;
    state.commit(&commit(None, 0, "r1")).await.unwrap();
    assert_eq!(state.unpublished_events("T1").await.unwrap().len(), 1);
    state.mark_published("T1", "ev-r1", NOW).await.unwrap();
    assert!(state.unpublished_events("T1").await.unwrap().is_empty());
    assert_eq!(state.events_of("T1"), vec![(event("ev-r1"), true)]);
    assert!(state.mark_published("T1", "nope", NOW).await.is_err());
}

#[tokio::test]
async fn injected_failures_write_nothing() {
    let state = MemoryTokenState::default();
    claimed(&state, "r1").await;
    state.fail_next_commits(1);
    let failed = state.commit(&commit(None, 1, "r1")).await;
    assert!(matches!(
        failed,
        Err(SaveError::Store(StoreError::Unavailable(_)))
    ));
    assert!(state.token_of("T1").is_none());
    state.commit(&commit(None, 1, "r1")).await.unwrap();

    state.unavailable(true);
    assert!(state.token("T1").await.is_err());
    assert!(state.claim(&key("r2"), "s", "l", NOW).await.is_err());
    state.unavailable(false);
    assert!(state.token("T1").await.unwrap().is_some());
}

#[tokio::test]
async fn clock_and_ids_are_deterministic() {
    let clock = Arc::new(FixedClock::at(NOW));
    clock.sleep(std::time::Duration::from_secs(90)).await;
    assert_eq!(clock.now(), NOW + Duration::seconds(90));
    clock.advance(Duration::minutes(-1));
    assert_eq!(clock.now(), NOW + Duration::seconds(30));
    assert_eq!(clock.slept(), vec![std::time::Duration::from_secs(90)]);
    let ids = SequentialIds::default();
    assert_eq!((ids.new_id(), ids.new_id()), ("id-1".into(), "id-2".into()));
    assert_eq!(ids.jitter(100), 0);
}

#[tokio::test]
async fn keys_round_trip_and_macs_hide_their_input() {
    let vault = MemoryKeyVault::default();
    let context = BTreeMap::from([("purpose".to_owned(), "test".to_owned())]);
    let key = vault.generate_data_key(&context).await.unwrap();
    assert_eq!(key.plaintext.expose().len(), 32);
    let opened = vault.decrypt(&key.ciphertext, &context).await.unwrap();
    assert_eq!(opened, key.plaintext);
    let second = FakeVault.generate_data_key(&context).await.unwrap();
    assert_ne!(second.plaintext, key.plaintext);
    vault.fail(true);
    assert!(vault.decrypt(&key.ciphertext, &context).await.is_err());

    let mac = MemoryMac::default();
    let pan: Pan = "5555555555554444".parse().unwrap();
    let fingerprint = mac.fingerprint(&pan).await.unwrap();
    assert_eq!(fingerprint.len(), 64);
    assert!(!fingerprint.contains("5555555555554444"));
    assert_eq!(fingerprint, mac.fingerprint_of(&pan));
    assert_ne!(fingerprint, MemoryMac::with_key("k2").fingerprint_of(&pan));
    let message = Secret::new(b"activation-code|v1|T1|123456".to_vec());
    assert_ne!(mac.mac(&message).await.unwrap(), fingerprint);
}
