//! Handler tests over the real use case and in-memory ports: Visa's passcode
//! queued once for delivery, duplicates answered without a second delivery,
//! and the tokens and identifiers it is refused for.

use serde_json::json;
use tmp_core::domain::delivery::DeliveryChannel;
use tmp_core::usecases::deliver_activation_code::OPERATION;

use crate::testing::*;

fn accepted() -> serde_json::Value {
    json!({"actionCode": "00"})
}

#[tokio::test]
async fn visas_passcode_is_queued_once_for_the_chosen_method() {
    // GIVEN a stepped-up token whose methods VTS was given
    let fx = Fixture::new();
    fx.approve_yellow().await;
    fx.methods(YELLOW_TOKEN).await;
    // WHEN VTS sends its passcode for the SMS method
    let answer = fx.send_passcode(YELLOW_TOKEN, "wp-otp-1", "cvm-sms").await;
    // THEN 00, and one SMS job carrying Visa's code (sealed), expiring with it
    answer.assert_ok(&accepted());
    let jobs = fx.otp_queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].channel, DeliveryChannel::Sms);
    assert_eq!(jobs[0].token_unique_reference, YELLOW_TOKEN);
    assert_eq!(jobs[0].expires_at, "2026-12-01T10:30:00Z");
    assert_eq!(jobs[0].source_request_id.as_deref(), Some("wp-otp-1"));
    assert!(!jobs[0].encrypted_code.contains(OTP_CODE));
    assert_eq!(fx.open_job_code(&jobs[0]).await, OTP_CODE);
    // AND the code is kept only as a MAC and ciphertext
    let stored = fx.state.code_of(YELLOW_TOKEN).unwrap();
    assert_eq!(stored.issued.mac, fx.code_mac(YELLOW_TOKEN, OTP_CODE));
    assert_eq!(
        fx.visa_ledger_state(OPERATION, "wp-otp-1").as_deref(),
        Some("COMPLETED")
    );
}

#[tokio::test]
async fn a_duplicate_passcode_is_answered_and_not_delivered_twice() {
    // GIVEN Visa's passcode delivered once
    let fx = Fixture::new();
    fx.approve_yellow().await;
    fx.send_passcode(YELLOW_TOKEN, "wp-otp-1", "cvm-sms")
        .await
        .assert_ok(&accepted());
    // WHEN VTS retries the same message
    let retried = fx.send_passcode(YELLOW_TOKEN, "wp-otp-1", "cvm-sms").await;
    // AND sends the same code again as a new message
    let again = fx.send_passcode(YELLOW_TOKEN, "wp-otp-2", "cvm-sms").await;
    // THEN both are answered 00, and the cardholder gets the code once
    retried.assert_ok(&accepted());
    again.assert_ok(&accepted());
    assert_eq!(fx.otp_queue.jobs().len(), 1);
    assert_eq!(fx.state.code_of(YELLOW_TOKEN).unwrap().issued.sends, 1);
}

#[tokio::test]
async fn the_email_and_call_centre_methods_reach_their_channels() {
    for (identifier, channel) in [
        ("cvm-email", DeliveryChannel::Email),
        ("cvm-call", DeliveryChannel::Issuer),
    ] {
        let fx = Fixture::new();
        fx.approve_yellow().await;
        fx.send_passcode(YELLOW_TOKEN, "wp-otp-1", identifier)
            .await
            .assert_ok(&accepted());
        let jobs = fx.otp_queue.jobs();
        assert_eq!(jobs.len(), 1, "{identifier}");
        assert_eq!(jobs[0].channel, channel, "{identifier}");
    }
}

#[tokio::test]
async fn an_identifier_we_never_gave_out_is_ise40501() {
    // GIVEN a stepped-up token
    let fx = Fixture::new();
    fx.approve_yellow().await;
    // WHEN VTS names a method we did not offer THEN 400 ISE40501, nothing queued
    let answer = fx.send_passcode(YELLOW_TOKEN, "wp-otp-1", "bank_app").await;
    answer.assert_ok_status_and_body(
        400,
        &json!({"errorCode": "ISE40501", "errorDescription": "otpMethodIdentifier is not valid"}),
    );
    assert!(fx.otp_queue.jobs().is_empty());
}

#[tokio::test]
async fn unknown_and_unverifiable_tokens_are_refused() {
    let fx = Fixture::new();
    // GIVEN no token WHEN VTS sends a passcode for it THEN 404 ISE40500
    fx.send_passcode(OTHER_TOKEN, "wp-otp-1", "cvm-sms")
        .await
        .assert_refused(404, "ISE40500");
    // GIVEN an approved token (00) WHEN VTS sends one THEN 400 ISE40011
    fx.approve(
        GREEN_TOKEN,
        &provisioning(VISA_PAN, Some(VISA_CVV2), trusted()),
    )
    .await;
    fx.send_passcode(GREEN_TOKEN, "wp-otp-2", "cvm-sms")
        .await
        .assert_refused(400, "ISE40011");
    // AND nothing was queued
    assert!(fx.otp_queue.jobs().is_empty());
}

#[tokio::test]
async fn a_passcode_visa_says_expired_is_refused_and_not_sent() {
    // GIVEN a passcode whose OTPCodeExp has passed
    let fx = Fixture::new();
    fx.approve_yellow().await;
    let mut body = passcode_body(YELLOW_TOKEN, "wp-otp-1", "cvm-sms");
    body["OTPCodeExp"] = json!("2026-12-01T09:00:00.000+00:00");
    // WHEN sent THEN it is refused as an invalid value, and nothing is queued
    fx.call(PASSCODE, &Call::body(&body))
        .await
        .assert_refused(400, "ISE40011");
    assert!(fx.otp_queue.jobs().is_empty());
}

#[tokio::test]
async fn a_passcode_travels_with_visas_expiry() {
    // GIVEN a passcode valid for a while
    let fx = Fixture::new();
    fx.approve_yellow().await;
    let mut body = passcode_body(YELLOW_TOKEN, "wp-otp-2", "cvm-sms");
    body["OTPCodeExp"] = json!("2099-12-01T09:00:00.000+00:00");
    // WHEN sent THEN its job carries Visa's expiry
    fx.call(PASSCODE, &Call::body(&body))
        .await
        .assert_ok(&accepted());
    let jobs = fx.otp_queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].expires_at, "2099-12-01T09:00:00Z");
}

#[tokio::test]
async fn hostile_bodies_are_refused_by_the_contract() {
    let fx = Fixture::new();
    fx.approve_yellow().await;
    let valid = Call::body(&passcode_body(OTHER_TOKEN, "wp-otp-9", "cvm-sms"));
    assert_hostile_bodies(&fx, PASSCODE, &valid).await;
    // AND the passcode itself never appears in a refusal
    let mut body = passcode_body(YELLOW_TOKEN, "wp-otp-8", "cvm-sms");
    body["OTPCode"] = json!("48 913");
    let answer = fx.call(PASSCODE, &Call::body(&body)).await;
    answer.assert_refused(400, "ISE40011");
    assert!(!answer.text().contains("48 913"));
    assert!(fx.otp_queue.jobs().is_empty());
}
