//! Handler tests over the real lifecycle engine and in-memory ports: the
//! step-up path to an active token, duplicates applied once, stand-in tokens
//! created and counted on their card, and the notices that are refused.

use serde_json::json;
use tmp_core::domain::Network;
use tmp_core::domain::delivery::DeliveryChannel;
use tmp_core::domain::events::TokenEventType;
use tmp_core::domain::token::{Initiator, Suspender, TokenStatus};
use tmp_core::usecases::token_changed::OPERATION;

use crate::testing::*;

#[tokio::test]
async fn the_step_up_path_ends_with_an_active_token() {
    // GIVEN VTS provisioned a token inactive, pending verification (85)
    let fx = Fixture::new();
    fx.approve_yellow().await;
    // WHEN VTS asks for the methods THEN the masked ones come back
    let methods = fx.methods(YELLOW_TOKEN).await.json();
    assert_eq!(
        methods["cardholderVerificationMethod"][0],
        json!({"type": "cell_phone", "value": "***-***-0222", "identifier": "cvm-sms"})
    );
    // WHEN VTS sends its passcode for the SMS method THEN one job is queued
    fx.send_passcode(YELLOW_TOKEN, "wp-otp-1", "cvm-sms")
        .await
        .assert_ok(&json!({"actionCode": "00"}));
    let jobs = fx.otp_queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].channel, DeliveryChannel::Sms);
    assert_eq!(fx.open_job_code(&jobs[0]).await, OTP_CODE);
    // AND VTS's duplicate is not queued again
    fx.send_passcode(YELLOW_TOKEN, "wp-otp-2", "cvm-sms")
        .await
        .assert_ok(&json!({"actionCode": "00"}));
    assert_eq!(fx.otp_queue.jobs().len(), 1);
    // WHEN the cardholder entered it at Visa and VTS says the token is ACTIVE
    let answer = fx
        .token_changed(
            YELLOW_TOKEN,
            "TOKEN_STATUS_UPDATED",
            "evt-active-1",
            &token_content("ACTIVE", None),
        )
        .await;
    // THEN 200 with an empty body, and the token is ACTIVE
    answer.assert_empty_ok();
    let token = fx.state.token_of(YELLOW_TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Active);
    assert_eq!(token.network, Network::Visa);
    // AND its history says Visa did it, when, for which event
    let history = fx.state.history_of(YELLOW_TOKEN);
    let last = history.last().unwrap();
    assert_eq!(last.operation, OPERATION);
    assert_eq!(last.initiator, Initiator::Tsp);
    assert_eq!(last.reason_code.as_deref(), Some("3701"));
    assert_eq!(last.source_request_id, "evt-active-1");
    assert_eq!(
        (last.from, last.to, last.applied),
        (Some(TokenStatus::Inactive), TokenStatus::Active, true)
    );
    assert_eq!(
        last.event_time,
        Some(time::macros::datetime!(2026-12-01 09:59:30 UTC))
    );
    // AND the change is in the outbox as a Visa event, with the token's details
    let event = fx.committed_events().pop().unwrap();
    assert_eq!(event.network, Network::Visa);
    assert_eq!(event.token_unique_reference, YELLOW_TOKEN);
    assert_eq!(event.status, Some(TokenStatus::Active));
    assert_eq!(event.previous_status, Some(TokenStatus::Inactive));
    let attributes = fx.state.attributes_of(YELLOW_TOKEN).unwrap();
    assert_eq!(attributes.token_last4.as_deref(), Some("3478"));
    assert_eq!(attributes.token_expiry.as_deref(), Some("0330"));
    assert_eq!(
        attributes.payment_app_instance_id.as_deref(),
        Some("04A5B1C2D3E4F5")
    );
}

#[tokio::test]
async fn a_duplicate_event_id_is_answered_the_same_and_applied_once() {
    // GIVEN a status update applied
    let fx = Fixture::new();
    fx.approve_yellow().await;
    let content = token_content("ACTIVE", None);
    fx.token_changed(YELLOW_TOKEN, "TOKEN_STATUS_UPDATED", "evt-1", &content)
        .await
        .assert_empty_ok();
    let after = fx.snapshot(&[YELLOW_TOKEN]);
    // WHEN VTS sends it again (re-encrypted)
    let answer = fx
        .token_changed(YELLOW_TOKEN, "TOKEN_STATUS_UPDATED", "evt-1", &content)
        .await;
    // THEN the same empty 200, and nothing more: one history line, one event
    answer.assert_empty_ok();
    assert_eq!(fx.snapshot(&[YELLOW_TOKEN]), after);
    assert_eq!(
        fx.visa_ledger_state(OPERATION, "evt-1").as_deref(),
        Some("COMPLETED")
    );
    // AND the event id reused for another status is refused
    fx.token_changed(
        YELLOW_TOKEN,
        "TOKEN_STATUS_UPDATED",
        "evt-1",
        &token_content("SUSPENDED", None),
    )
    .await
    .assert_refused(400, "ISE40011");
    assert_eq!(fx.snapshot(&[YELLOW_TOKEN]), after);
}

#[tokio::test]
async fn a_token_created_in_stand_in_is_created_and_counted_on_its_card() {
    // GIVEN a token we never approved (Visa decided in stand-in)
    let fx = Fixture::new();
    assert_eq!(fx.state.token_of(OTHER_TOKEN), None);
    // WHEN VTS says it was created, ACTIVE, for the Visa card
    let answer = fx
        .token_changed(
            OTHER_TOKEN,
            "TOKEN_CREATED",
            "evt-created-1",
            &token_content("ACTIVE", Some(VISA_PAN)),
        )
        .await;
    // THEN 200 empty, and the token exists, ACTIVE, Visa's, on the card
    answer.assert_empty_ok();
    let fingerprint = fx.fingerprint(VISA_PAN);
    let token = fx.state.token_of(OTHER_TOKEN).unwrap();
    assert_eq!(token.network, Network::Visa);
    assert_eq!(token.state.status, TokenStatus::Active);
    assert_eq!(token.pan_fingerprint.as_deref(), Some(fingerprint.as_str()));
    assert_eq!(token.pan_last4.as_deref(), Some("1111"));
    // AND it counts as a live token of that card
    assert_eq!(fx.state.live_tokens(&fingerprint), 1);
    // AND TOKEN_ACTIVATED goes out for it, as a Visa event
    let events = fx.committed_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, TokenEventType::TokenActivated);
    assert_eq!(events[0].network, Network::Visa);
    assert!(
        !serde_json::to_string(&events[0])
            .unwrap()
            .contains(VISA_PAN)
    );
}

#[tokio::test]
async fn a_created_notice_activates_the_token_we_approved() {
    // GIVEN a token we approved (00), inactive until Visa provisions it
    let fx = Fixture::new();
    fx.approve(
        GREEN_TOKEN,
        &provisioning(VISA_PAN, Some(VISA_CVV2), trusted()),
    )
    .await;
    // WHEN VTS says it was created ACTIVE
    fx.token_changed(
        GREEN_TOKEN,
        "TOKEN_CREATED",
        "evt-created-2",
        &token_content("ACTIVE", Some(VISA_PAN)),
    )
    .await
    .assert_empty_ok();
    // THEN the token is ACTIVE, still one live token on the card, and activated once
    assert_eq!(
        fx.state.token_of(GREEN_TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
    assert_eq!(fx.state.live_tokens(&fx.fingerprint(VISA_PAN)), 1);
    let types: Vec<TokenEventType> = fx.committed_events().iter().map(|e| e.event_type).collect();
    assert_eq!(
        types,
        [
            TokenEventType::TokenAuthorized,
            TokenEventType::TokenActivated
        ]
    );
}

#[tokio::test]
async fn a_status_update_for_a_token_we_do_not_hold_is_404() {
    // GIVEN no token WHEN VTS updates its status THEN 404 ISE40500, nothing created
    let fx = Fixture::new();
    let answer = fx
        .token_changed(
            OTHER_TOKEN,
            "TOKEN_STATUS_UPDATED",
            "evt-unknown-1",
            &token_content("SUSPENDED", None),
        )
        .await;
    answer.assert_ok_status_and_body(
        404,
        &json!({"errorCode": "ISE40500", "errorDescription": "tokenReferenceID is not valid"}),
    );
    assert_eq!(fx.state.token_of(OTHER_TOKEN), None);
    assert!(fx.committed_events().is_empty());
}

#[tokio::test]
async fn a_suspension_is_visas_and_lifted_by_visa() {
    // GIVEN an active token
    let fx = Fixture::new();
    fx.approve_yellow().await;
    fx.token_changed(
        YELLOW_TOKEN,
        "TOKEN_STATUS_UPDATED",
        "evt-1",
        &token_content("ACTIVE", None),
    )
    .await
    .assert_empty_ok();
    // WHEN VTS suspends it THEN it is suspended by the network
    fx.token_changed(
        YELLOW_TOKEN,
        "TOKEN_STATUS_UPDATED",
        "evt-2",
        &token_content("SUSPENDED", None),
    )
    .await
    .assert_empty_ok();
    let token = fx.state.token_of(YELLOW_TOKEN).unwrap();
    assert_eq!(token.state.status, TokenStatus::Suspended);
    assert!(token.state.suspenders.contains(&Suspender::Network));
    // WHEN VTS resumes it THEN it is ACTIVE again
    fx.token_changed(
        YELLOW_TOKEN,
        "TOKEN_STATUS_UPDATED",
        "evt-3",
        &token_content("ACTIVE", None),
    )
    .await
    .assert_empty_ok();
    assert_eq!(
        fx.state.token_of(YELLOW_TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
}

#[tokio::test]
async fn unusable_payloads_and_future_events_are_refused_and_leave_no_trace() {
    // GIVEN a token awaiting verification
    let fx = Fixture::new();
    fx.approve_yellow().await;
    let before = fx.snapshot(&[YELLOW_TOKEN, OTHER_TOKEN]);
    let content = token_content("ACTIVE", Some(VISA_PAN));
    // WHEN VTS sends a tampered JWE, one for a kid we do not hold, or a
    // TOKEN_CREATED without the card
    let answers = [
        ("TOKEN_STATUS_UPDATED", YELLOW_TOKEN, tampered(&content)),
        (
            "TOKEN_STATUS_UPDATED",
            YELLOW_TOKEN,
            seal_for_kid(&content, "vts-ffffffffffffffff"),
        ),
        (
            "TOKEN_CREATED",
            OTHER_TOKEN,
            seal(&token_content("ACTIVE", None)),
        ),
    ];
    for (i, (event_type, token, jwe)) in answers.into_iter().enumerate() {
        let answer = fx
            .call(
                CHANGED,
                &changed_call(token, event_type, &format!("evt-bad-{i}"), &jwe),
            )
            .await;
        // THEN the one identical ISE40010
        assert_eq!(answer.status, 400);
        assert_eq!(answer.json(), cryptography_error());
    }
    // GIVEN an event dated more than five minutes ahead of our clock THEN refused by name
    let mut body = changed_body("3701", &seal(&content));
    body["dateTimeOfEvent"] = json!("2026-12-01T10:30:00.000Z");
    let call = Call::body(&body)
        .token(YELLOW_TOKEN)
        .query("eventType", "TOKEN_STATUS_UPDATED")
        .query("eventID", "evt-future");
    let answer = fx.call(CHANGED, &call).await;
    answer.assert_refused(400, "ISE40011");
    assert!(
        answer.text().contains("dateTimeOfEvent"),
        "{}",
        answer.text()
    );
    // AND nothing was written
    assert_eq!(fx.snapshot(&[YELLOW_TOKEN, OTHER_TOKEN]), before);
}

#[tokio::test]
async fn our_own_outage_is_503_and_the_retry_applies() {
    let fx = Fixture::new();
    fx.approve_yellow().await;
    let content = token_content("ACTIVE", None);
    fx.state.unavailable(true);
    let answer = fx
        .token_changed(YELLOW_TOKEN, "TOKEN_STATUS_UPDATED", "evt-1", &content)
        .await;
    fx.state.unavailable(false);
    answer.assert_refused(503, "ISE40504");
    assert_eq!(fx.visa_ledger_state(OPERATION, "evt-1"), None);
    fx.token_changed(YELLOW_TOKEN, "TOKEN_STATUS_UPDATED", "evt-1", &content)
        .await
        .assert_empty_ok();
    assert_eq!(
        fx.state.token_of(YELLOW_TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
}

#[tokio::test]
async fn hostile_bodies_and_queries_are_refused_by_the_contract() {
    let fx = Fixture::new();
    fx.approve_yellow().await;
    let valid = changed_call(
        OTHER_TOKEN,
        "TOKEN_STATUS_UPDATED",
        "evt-hostile",
        &seal(&token_content("ACTIVE", None)),
    );
    assert_hostile_bodies(&fx, CHANGED, &valid).await;
    // AND hostile query parameters: missing, unknown, repeated, the marker
    let base = Call {
        query: Vec::new(),
        ..valid.clone()
    };
    for (call, code) in [
        (base.clone().query("eventType", "TOKEN_CREATED"), "ISE40000"),
        (
            base.clone()
                .query("eventType", MARKER)
                .query("eventID", "e1"),
            "ISE40011",
        ),
        (
            base.clone()
                .query("eventType", "TOKEN_CREATED")
                .query("eventID", MARKER),
            "ISE40011",
        ),
        (
            base.clone()
                .query("eventType", "TOKEN_CREATED")
                .query("eventID", "e1")
                .query("eventID", "e2"),
            "ISE40011",
        ),
    ] {
        let answer = fx.call(CHANGED, &call).await;
        answer.assert_refused(400, code);
        assert!(!answer.text().contains("PWNED"), "{}", answer.text());
    }
    assert_eq!(
        fx.state.token_of(YELLOW_TOKEN).unwrap().state.status,
        TokenStatus::Inactive
    );
}
