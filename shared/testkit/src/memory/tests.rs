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
use tmp_core::domain::velocity::Attempt;
use tmp_core::ports::*;
use tmp_core::secret::{Pan, Secret};

use super::*;

const NOW: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);

fn key(request_id: &str) -> RequestKey {
    RequestKey {
        origin: Network::Mastercard.into(),
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
        event_time: None,
        comment: None,
        operator: None,
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
        clear_pending: false,
        card_move: None,
        now: NOW,
    }
}

fn write(token_ref: &str, request: &str, decision: Decision) -> AuthorizationWrite {
    AuthorizationWrite {
        network: Network::Mastercard,
        answer: RequestAnswer {
            key: key(request),
            signature: "sig".to_owned(),
            outcome_json: "{}".to_owned(),
        },
        token_ref: token_ref.to_owned(),
        pan_unique_reference: Some("PUR".to_owned()),
        pan_fingerprint: "fp".to_owned(),
        pan_last4: "4444".to_owned(),
        pan_expiry: Some("12/29".to_owned()),
        phone_fingerprint: None,
        token_requestor_id: Some("TR".to_owned()),
        wallet_id: None,
        payment_app_instance_id: None,
        correlation_id: "corr".to_owned(),
        token_type: "CLOUD".to_owned(),
        device_name: None,
        device_type: None,
        device_os: None,
        issuer_card_id: None,
        product_category: None,
        path: tmp_core::domain::report::DecisionPath::Green,
        record: DecisionRecord {
            decision,
            decided_by: RuleId::Approve,
            rules: Vec::new(),
            thresholds: DecisionRules::default(),
        },
        existing: None,
        card_version: 0,
        attempts: vec![attempt(request, "TR")],
        live_delta: u8::from(decision != Decision::Declined),
        writes_token: true,
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
            sends: 1,
            generation: 1,
        },
        ciphertext: b"code".to_vec(),
    }
}

fn attempt(request_id: &str, token_requestor_id: &str) -> Attempt {
    Attempt {
        request_id: request_id.to_owned(),
        token_requestor_id: token_requestor_id.to_owned(),
        at: NOW,
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
        pan_expiry: None,
        pan_unique_reference: None,
        token_requestor_id: None,
        wallet_id: None,
        has_contact: false,
        language: None,
        authorization_decision: None,
        pending: None,
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
async fn authorizations_are_conditional_on_the_card_version() {
    // GIVEN two approved tokens saved one after the other (versions 0 then 1)
    let state = MemoryTokenState::default();
    for (version, (token, request)) in [("T1", "r1"), ("T2", "r2")].into_iter().enumerate() {
        claimed(&state, request).await;
        let mut approved = write(token, request, Decision::Approved);
        approved.card_version = version as u64;
        state.save_authorization(&approved).await.unwrap();
    }
    // THEN the aggregate counts both, and one read gives card and token
    assert_eq!(state.live_tokens("fp"), 2);
    let snapshot = state.snapshot(&key("r-read"), "fp", "T1").await.unwrap();
    assert_eq!(snapshot.card.version, 2);
    assert_eq!(snapshot.card.live_tokens, 2);
    assert_eq!(snapshot.card.attempts, vec![attempt("r2", "TR")]);
    assert_eq!(
        snapshot.token,
        Some(TokenSnapshot {
            status: TokenStatus::Inactive,
            live: true,
            pan_fingerprint: Some("fp".to_owned()),
            suspenders: BTreeSet::new(),
        })
    );
    assert_eq!(
        state
            .snapshot(&key("r-read"), "fp", "nope")
            .await
            .unwrap()
            .token,
        None
    );
    assert_eq!(
        state.attributes_of("T1").unwrap().pan_last4.as_deref(),
        Some("4444")
    );
    assert!(state.token_of("T1").unwrap().has_contact);
    assert_eq!(
        state.token_of("T1").unwrap().authorization_decision,
        Some(Decision::Approved)
    );
    assert_eq!(state.decisions_of("T1").len(), 1);

    // WHEN a third is saved on a stale card version
    claimed(&state, "r3").await;
    let mut stale = write("T3", "r3", Decision::Approved);
    stale.card_version = 1;
    let third = state.save_authorization(&stale).await;
    // THEN it conflicts and nothing of it is written
    assert!(matches!(third, Err(SaveError::Conflict)));
    assert!(state.token_of("T3").is_none() && state.decisions_of("T3").is_empty());
    assert!(state.history_of("T3").is_empty() && state.events_of("T3").is_empty());
    assert_eq!(state.live_tokens("fp"), 2);
    assert_eq!(
        state
            .snapshot(&key("r-read"), "fp", "T3")
            .await
            .unwrap()
            .card
            .version,
        2
    );
    assert_eq!(state.ledger_entry(&key("r3")).unwrap().0, "IN_PROGRESS");

    // a decline on the current version is written, not counted
    let mut declined = write("T3", "r3", Decision::Declined);
    declined.card_version = 2;
    state.save_authorization(&declined).await.unwrap();
    let token = state.token_of("T3").unwrap();
    assert_eq!(token.state.status, TokenStatus::Declined);
    assert_eq!(state.live_tokens("fp"), 2);
    // a live-counter change elsewhere (the lifecycle, a seed) moves the version
    state.set_live_tokens("fp", 2);
    assert_eq!(
        state
            .snapshot(&key("r-read"), "fp", "T3")
            .await
            .unwrap()
            .card
            .version,
        4
    );

    // a re-authorization must see the token as it is
    claimed(&state, "r4").await;
    let mut again = write("T3", "r4", Decision::Approved);
    again.card_version = 4;
    again.existing = Some(TokenSnapshot {
        status: TokenStatus::Inactive,
        live: true,
        pan_fingerprint: Some("fp".to_owned()),
        suspenders: BTreeSet::new(),
    });
    let changed = state.save_authorization(&again).await;
    assert!(matches!(changed, Err(SaveError::Conflict)));
    // and one that does writes its decision and history, never the token
    again.existing = Some(TokenSnapshot {
        status: TokenStatus::Declined,
        live: false,
        pan_fingerprint: Some("fp".to_owned()),
        suspenders: BTreeSet::new(),
    });
    again.live_delta = 0;
    state.save_authorization(&again).await.unwrap();
    assert_eq!(state.token_of("T3").unwrap(), token);
    assert_eq!(state.decisions_of("T3").len(), 2);
    assert_eq!(state.history_of("T3").len(), 2);
}

#[tokio::test]
async fn a_refusal_that_spares_the_token_writes_only_the_card_and_the_ledger() {
    // GIVEN a token of another card
    let state = MemoryTokenState::default();
    claimed(&state, "r1").await;
    let mut theirs = write("T1", "r1", Decision::Approved);
    theirs.pan_fingerprint = "other".to_owned();
    state.save_authorization(&theirs).await.unwrap();
    let before = (
        state.token_of("T1"),
        state.history_of("T1"),
        state.events_of("T1"),
        state.decisions_of("T1"),
    );
    // WHEN our card's request for that reference is refused without the token
    claimed(&state, "r2").await;
    let mut refused = write("T1", "r2", Decision::Declined);
    refused.live_delta = 0;
    refused.writes_token = false;
    refused.existing = Some(TokenSnapshot {
        status: TokenStatus::Inactive,
        live: true,
        pan_fingerprint: Some("other".to_owned()),
        suspenders: BTreeSet::new(),
    });
    state.save_authorization(&refused).await.unwrap();
    // THEN the other card's token is as it was; our card counts the attempt
    let after = (
        state.token_of("T1"),
        state.history_of("T1"),
        state.events_of("T1"),
        state.decisions_of("T1"),
    );
    assert_eq!(after, before);
    assert_eq!(state.attempts_recorded("fp", "TR"), 1);
    assert_eq!(state.attempts_recorded("fp", "another"), 0);
    assert_eq!(state.attempts_recorded("other", "TR"), 1);
    assert_eq!(state.live_tokens("fp"), 0);
    assert_eq!(
        state
            .snapshot(&key("r-read"), "fp", "T1")
            .await
            .unwrap()
            .card
            .version,
        1
    );
    assert_eq!(state.ledger_entry(&key("r2")).unwrap().0, "COMPLETED");
}

#[tokio::test]
async fn attempts_are_the_aggregate_s_as_last_written() {
    // GIVEN attempts by two requestors written with a decision
    let state = MemoryTokenState::default();
    claimed(&state, "r1").await;
    let mut first = write("T1", "r1", Decision::Approved);
    first.attempts = vec![
        attempt("a", "TR"),
        attempt("b", "other"),
        attempt("r1", "TR"),
    ];
    state.save_authorization(&first).await.unwrap();
    // THEN they are counted per requestor, and read back in order
    assert_eq!(state.attempts_recorded("fp", "TR"), 2);
    assert_eq!(state.attempts_recorded("fp", "other"), 1);
    assert_eq!(state.attempts_recorded("nope", "TR"), 0);
    let read = state
        .snapshot(&key("r-read"), "fp", "T1")
        .await
        .unwrap()
        .card
        .attempts;
    assert_eq!(read, first.attempts);
    // WHEN the next decision writes the window without them
    claimed(&state, "r2").await;
    let mut next = write("T2", "r2", Decision::Declined);
    next.card_version = 1;
    next.attempts = vec![attempt("r2", "TR")];
    state.save_authorization(&next).await.unwrap();
    // THEN the aggregate holds what was written, no more
    assert_eq!(state.attempts_recorded("fp", "TR"), 1);
    assert_eq!(state.attempts_recorded("fp", "other"), 0);
}

#[tokio::test]
async fn codes_replace_their_generation_count_sends_and_are_used_once() {
    let state = MemoryTokenState::default();
    let expiry = NOW + Duration::minutes(30);
    // generation 1 needs no code; a second generation 1 conflicts
    state.issue("T1", &code(expiry), NOW).await.unwrap();
    assert_eq!(state.code_of("T1").unwrap(), code(expiry));
    let mut other = code(expiry);
    other.issued.mac = "other".to_owned();
    let twice = state.issue("T1", &other, NOW).await;
    assert!(matches!(twice, Err(SaveError::Conflict)));
    // generation 3 skips one: conflicts too
    other.issued.generation = 3;
    let skipped = state.issue("T1", &other, NOW).await;
    assert!(matches!(skipped, Err(SaveError::Conflict)));
    assert_eq!(state.code_of("T1").unwrap(), code(expiry));

    // a send is counted on the count as read, once
    state.record_send("T1", 1, NOW).await.unwrap();
    let raced = state.record_send("T1", 1, NOW).await;
    assert!(matches!(raced, Err(SaveError::Conflict)));
    assert_eq!(state.code_of("T1").unwrap().issued.sends, 2);
    let none = state.record_send("T2", 0, NOW).await;
    assert!(matches!(none, Err(SaveError::Conflict)));

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

    // generation 2 replaces it afresh; an expired one cannot be used
    other.issued.generation = 2;
    state.issue("T1", &other, NOW).await.unwrap();
    let replaced = state.code_of("T1").unwrap();
    assert_eq!(
        (
            replaced.issued.mac.as_str(),
            replaced.issued.attempts,
            replaced.issued.sends,
            replaced.issued.generation
        ),
        ("other", 0, 1, 2)
    );
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
    // a used code is not re-sent
    let resend = state.record_send("T1", 1, NOW).await;
    assert!(matches!(resend, Err(SaveError::Conflict)));
}

#[tokio::test]
async fn the_outbox_keeps_events_until_published() {
    let state = MemoryTokenState::default();
    claimed(&state, "r1").await;
    state.commit(&commit(None, 0, "r1")).await.unwrap();
    let ev = OutboxKey {
        token_ref: "T1".to_owned(),
        event_id: "ev-r1".to_owned(),
    };
    let nope = OutboxKey {
        event_id: "nope".to_owned(),
        ..ev.clone()
    };
    assert!(
        state
            .published_among(std::slice::from_ref(&ev))
            .await
            .unwrap()
            .is_empty()
    );
    state.mark_published(&ev, NOW).await.unwrap();
    let published = state
        .published_among(&[ev.clone(), nope.clone()])
        .await
        .unwrap();
    assert_eq!(
        published.into_iter().collect::<Vec<_>>(),
        vec!["ev-r1".to_owned()]
    );
    assert_eq!(state.events_of("T1"), vec![(event("ev-r1"), true)]);
    assert_eq!(state.committed_events(), vec![event("ev-r1")]);
    assert!(state.mark_published(&nope, NOW).await.is_err());
}

#[tokio::test]
async fn an_answered_request_is_read_with_the_card_and_cannot_be_answered_twice() {
    // GIVEN a decision saved for r1
    let state = MemoryTokenState::default();
    state
        .save_authorization(&write("T1", "r1", Decision::Approved))
        .await
        .unwrap();
    // THEN the snapshot of r1 carries its answer
    let snapshot = state.snapshot(&key("r1"), "fp", "T1").await.unwrap();
    assert_eq!(
        snapshot.request,
        RequestState::Completed {
            signature: "sig".to_owned(),
            outcome_json: "{}".to_owned()
        }
    );
    // AND a second answer to r1 (a concurrent duplicate) is refused whole
    let mut duplicate = write("T2", "r1", Decision::Approved);
    duplicate.card_version = 1;
    assert!(matches!(
        state.save_authorization(&duplicate).await,
        Err(SaveError::Conflict)
    ));
    assert!(state.token_of("T2").is_none());
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
