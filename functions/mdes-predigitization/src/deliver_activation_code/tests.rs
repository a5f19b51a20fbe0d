//! Handler tests over the real use case and in-memory ports: issuer and
//! MDES codes, re-sends, retries, unknown tokens, and the shared refusals.

use serde_json::json;
use time::macros::datetime;
use tmp_core::domain::activation_code::{CodeSource, mac_message};
use tmp_core::domain::delivery::DeliveryChannel;
use tmp_core::usecases::deliver_activation_code::OPERATION;

use tmp_core::domain::activation_code::IssuedCode;
use tmp_core::ports::StoredCode;

use crate::testing::{
    AUTHORIZE, DELIVER, Fixture, FunctionUnderTest, YELLOW_TOKEN, assert_answers, assert_refusals,
    retarget, sample_body, sample_token,
};

#[tokio::test]
async fn an_sms_delivery_issues_our_code_and_queues_it_sealed() {
    // GIVEN the yellow path's token, authorized through authorizeService
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    // WHEN MDES asks for an SMS with an issuer-generated code THEN it is acknowledged
    let handler = fx.deliver_activation_code_handler();
    let body = json!({"responseId": "sample-dac-0001"});
    assert_answers(&handler, DELIVER, "yellow-sms-issuer-code", body).await;
    // AND one SMS job for the token is queued, the code only as ciphertext
    let jobs = fx.otp_queue.jobs();
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(job.token_unique_reference, YELLOW_TOKEN);
    assert_eq!(job.channel, DeliveryChannel::Sms);
    assert_eq!(job.expires_at, "2026-11-26T10:30:00Z");
    assert_eq!(job.source_request_id.as_deref(), Some("sample-dac-0001"));
    let code = fx.open_job_code(job).await;
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "numeric code");
    // AND the stored code is its MAC, bound to the token, 3 attempts, 30 minutes
    let stored = fx.state.code_of(YELLOW_TOKEN).unwrap();
    let mac = fx.mac.mac_of(mac_message(YELLOW_TOKEN, &code).expose());
    assert_eq!(stored.issued.mac, mac);
    assert_eq!(stored.issued.source, CodeSource::Issuer);
    assert_eq!(stored.issued.attempts, 0);
    assert_eq!(stored.issued.max_attempts, 3);
    assert_eq!(stored.issued.expires_at, datetime!(2026-11-26 10:30 UTC));
    assert!(!stored.issued.used);
    // AND the request is completed
    let (state, _, _) = fx.ledger_entry(OPERATION, "sample-dac-0001").unwrap();
    assert_eq!(state, "COMPLETED");
}

#[tokio::test]
async fn an_mdes_generated_code_is_delivered_as_given() {
    // GIVEN the authorized token
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    // WHEN MDES hands over its own code and expiry THEN it is acknowledged
    let handler = fx.deliver_activation_code_handler();
    let body = json!({"responseId": "sample-dac-0002"});
    assert_answers(&handler, DELIVER, "yellow-mdes-generated-code", body).await;
    // AND that very code goes out by SMS, valid until MDES's expiry
    let jobs = fx.otp_queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].channel, DeliveryChannel::Sms);
    assert_eq!(jobs[0].expires_at, "2026-11-26T10:30:00Z");
    assert_eq!(
        jobs[0].source_request_id.as_deref(),
        Some("sample-dac-0002")
    );
    assert_eq!(fx.open_job_code(&jobs[0]).await, "482913");
    let stored = fx.state.code_of(YELLOW_TOKEN).unwrap();
    assert_eq!(stored.issued.source, CodeSource::Network);
    assert_eq!(
        stored.issued.mac,
        fx.mac.mac_of(mac_message(YELLOW_TOKEN, "482913").expose())
    );
    assert_eq!((stored.issued.generation, stored.issued.sends), (1, 1));
}

#[tokio::test]
async fn a_code_still_in_force_is_resent_not_regenerated() {
    // GIVEN a code delivered at 10:00
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    fx.expect_ok(DELIVER, "yellow-sms-issuer-code").await;
    let first = fx.state.code_of(YELLOW_TOKEN).unwrap();
    // WHEN the cardholder asks again at 10:10 (a new request)
    fx.clock.set(datetime!(2026-11-26 10:10 UTC));
    let mut again = sample_body(DELIVER, "yellow-sms-issuer-code");
    again["requestId"] = json!("sample-dac-0011");
    let (status, body) = fx
        .send_body(DELIVER, "yellow-sms-issuer-code", &again)
        .await;
    // THEN it is acknowledged and the same code, with the same expiry, is sent again
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"responseId": "sample-dac-0011"}));
    let jobs = fx.otp_queue.jobs();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[1].encrypted_code, jobs[0].encrypted_code);
    assert_eq!(jobs[1].expires_at, "2026-11-26T10:30:00Z");
    // AND the stored code is unchanged but for its second send
    let resent = StoredCode {
        issued: IssuedCode {
            sends: 2,
            ..first.issued.clone()
        },
        ..first.clone()
    };
    assert_eq!(fx.state.code_of(YELLOW_TOKEN).unwrap(), resent);
}

#[tokio::test]
async fn a_code_is_resent_at_most_three_times() {
    // GIVEN a code delivered, then re-sent twice
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    fx.expect_ok(DELIVER, "yellow-sms-issuer-code").await;
    let mut again = sample_body(DELIVER, "yellow-sms-issuer-code");
    for request_id in ["sample-dac-0011", "sample-dac-0012"] {
        again["requestId"] = json!(request_id);
        let (status, body) = fx
            .send_body(DELIVER, "yellow-sms-issuer-code", &again)
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let third = fx.state.code_of(YELLOW_TOKEN).unwrap();
    assert_eq!(third.issued.sends, 3);
    // WHEN a fourth is asked for
    again["requestId"] = json!("sample-dac-0013");
    let (status, body) = fx
        .send_body(DELIVER, "yellow-sms-issuer-code", &again)
        .await;
    // THEN 400 naming the limit, nothing queued or counted, the claim released
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body,
        json!({
            "responseId": "sample-dac-0013",
            "errorCode": "INVALID_FIELD_VALUE",
            "errorDescription": "tokenUniqueReference has reached its limit of activation code resends",
        })
    );
    assert_eq!(fx.otp_queue.jobs().len(), 3);
    assert_eq!(fx.state.code_of(YELLOW_TOKEN).unwrap(), third);
    assert_eq!(fx.ledger_entry(OPERATION, "sample-dac-0013"), None);
}

#[tokio::test]
async fn a_token_approved_green_is_refused_a_code() {
    // GIVEN a token authorizeService approved outright (no authentication asked)
    let fx = Fixture::new();
    fx.expect_ok(AUTHORIZE, "green-approved").await;
    let green = sample_token(AUTHORIZE, "green-approved");
    let before = fx.snapshot(&[green.as_str()]);
    // WHEN MDES asks for an activation code for it
    let mut body = sample_body(DELIVER, "yellow-sms-issuer-code");
    retarget(&mut body, &green);
    let (status, answer) = fx.send_body(DELIVER, "yellow-sms-issuer-code", &body).await;
    // THEN 400: the token is not awaiting authentication
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer,
        json!({
            "responseId": "sample-dac-0001",
            "errorCode": "INVALID_FIELD_VALUE",
            "errorDescription": "tokenUniqueReference (not awaiting authentication) has an invalid value",
        })
    );
    // AND no code is issued or queued, the claim is released
    assert_eq!(fx.snapshot(&[green.as_str()]), before);
    assert!(fx.otp_queue.jobs().is_empty());
    assert_eq!(fx.state.code_of(&green), None);
    assert_eq!(fx.ledger_entry(OPERATION, "sample-dac-0001"), None);
}

#[tokio::test]
async fn an_activated_token_is_refused_a_code() {
    // GIVEN the yellow token, activated since
    let fx = Fixture::new();
    fx.activate_yellow().await;
    // WHEN MDES asks for a code THEN 400, nothing issued or queued
    let (status, body) = fx.send_sample(DELIVER, "yellow-sms-issuer-code").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["errorDescription"],
        "tokenUniqueReference (not awaiting authentication) has an invalid value"
    );
    assert!(fx.otp_queue.jobs().is_empty());
    assert_eq!(fx.state.code_of(YELLOW_TOKEN), None);
    assert_eq!(fx.ledger_entry(OPERATION, "sample-dac-0001"), None);
}

#[tokio::test]
async fn a_retried_delivery_is_answered_without_sending_again() {
    // GIVEN a delivered code
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    let first = fx.expect_ok(DELIVER, "yellow-sms-issuer-code").await;
    // WHEN MDES retries the same request THEN the same answer, and no second SMS
    let retried = fx.expect_ok(DELIVER, "yellow-sms-issuer-code").await;
    assert_eq!(retried, first);
    assert_eq!(fx.otp_queue.jobs().len(), 1);
}

#[tokio::test]
async fn a_token_we_do_not_hold_is_refused() {
    // GIVEN no authorization for the token
    let fx = Fixture::new();
    // WHEN MDES asks for a delivery THEN 400 naming tokenUniqueReference
    let (status, body) = fx.send_sample(DELIVER, "yellow-sms-issuer-code").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body,
        json!({
            "responseId": "sample-dac-0001",
            "errorCode": "INVALID_FIELD_VALUE",
            "errorDescription": "tokenUniqueReference (unknown token) has an invalid value",
        })
    );
    // AND nothing is queued or stored, and the claim is released
    assert!(fx.otp_queue.jobs().is_empty());
    assert_eq!(fx.state.code_of(YELLOW_TOKEN), None);
    assert_eq!(fx.state.token_of(YELLOW_TOKEN), None);
    assert_eq!(fx.ledger_entry(OPERATION, "sample-dac-0001"), None);
}

#[tokio::test]
async fn refusals_follow_the_spec() {
    // GIVEN the yellow path's token, authorized
    let fx = Fixture::new();
    fx.authorize_yellow().await;
    assert_refusals(
        FunctionUnderTest {
            make: Fixture::deliver_activation_code_handler,
            function: DELIVER,
            valid_event: "yellow-sms-issuer-code",
            missing_event: "error-missing-activation-method",
            missing_field: "activationMethod",
            operation: Some(OPERATION),
        },
        &fx,
    )
    .await;
}
