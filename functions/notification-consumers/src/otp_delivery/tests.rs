//! Handler tests over in-memory ports: batch outcomes, channels, languages.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use base64::Engine as _;
use serde_json::json;
use tmp_core::domain::delivery_log::{DeliveryKind, DeliveryResult, LoggedChannel};
use tmp_core::ports::TokenSummary;
use tmp_core::usecases::otp_delivery::{OtpDeliveryService, activation_code_context};
use tmp_testkit::memory::{FakeContacts, FakeVault, RecordingNotifier, RecordingSms};

const TOKEN: &str = "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45";
const NO_CONTACT_TOKEN: &str = "DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c";
const PHONE: &str = "+447700900123";
const DOWN_PHONE: &str = "+447700900999";
const DOWN_TOKEN: &str = "DWSPMC0000000002aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

struct World {
    sms: Arc<RecordingSms>,
    issuer: Arc<RecordingNotifier>,
    log: Arc<tmp_testkit::memory::MemoryTokenState>,
    handler: tmp_runtime::lambda::SqsHandler,
}

fn world() -> World {
    let sms = Arc::new(RecordingSms {
        transient_failures: vec![DOWN_PHONE.to_owned()],
        ..Default::default()
    });
    let issuer = Arc::new(RecordingNotifier::default());
    let contacts = FakeContacts::default()
        .with(
            TOKEN,
            Some(PHONE),
            Some("jane@example.com"),
            TokenSummary::default(),
        )
        .with(NO_CONTACT_TOKEN, None, None, TokenSummary::default())
        .with(DOWN_TOKEN, Some(DOWN_PHONE), None, TokenSummary::default());
    let log = Arc::new(tmp_testkit::memory::MemoryTokenState::default());
    let handler = super::handler(OtpDeliveryService {
        vault: Arc::new(FakeVault),
        contacts: Arc::new(contacts),
        sms: sms.clone(),
        issuer: issuer.clone(),
        issuer_name: "Example Bank".to_owned(),
        log: log.clone(),
    });
    World {
        sms,
        issuer,
        log,
        handler,
    }
}

fn job(id: &str, token: &str, channel: &str, language: Option<&str>, expires_in_s: i64) -> String {
    let sealed = FakeVault::seal(b"123456", &activation_code_context(token));
    let expires = time::OffsetDateTime::now_utc() + time::Duration::seconds(expires_in_s);
    let mut job = json!({
        "jobId": id,
        "tokenUniqueReference": token,
        "channel": channel,
        "encryptedCode": base64::engine::general_purpose::STANDARD.encode(sealed),
        "expiresAt": expires.format(&time::format_description::well_known::Rfc3339).unwrap(),
    });
    if let Some(language) = language {
        job["language"] = json!(language);
    }
    job.to_string()
}

fn event(records: &[(&str, &str)]) -> SqsEvent {
    let records: Vec<_> = records
        .iter()
        .map(|(id, body)| {
            json!({
                "messageId": id, "receiptHandle": format!("rh-{id}"), "body": body,
                "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:OtpDeliveryQueue",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

fn failed(response: &SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

#[tokio::test]
async fn sms_job_sends_the_code_in_the_default_template() {
    // GIVEN an SMS job with 10 minutes left and no language
    let w = world();
    let body = job("job-1", TOKEN, "SMS", None, 600);
    // WHEN handled
    let response = (w.handler)(event(&[("m1", &body)])).await.unwrap();
    // THEN one SMS to the phone on file, English, with the code and minutes
    assert!(failed(&response).is_empty());
    let sent = w.sms.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, PHONE);
    assert_eq!(
        sent[0].1,
        "Your Example Bank verification code is 123456. It expires in 10 minutes. Never share it."
    );
    // AND the token records the delivery: kind, channel, result, never the code
    let recorded = w.log.deliveries_of(TOKEN);
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        (recorded[0].kind, recorded[0].channel, recorded[0].result),
        (
            DeliveryKind::ActivationCode,
            LoggedChannel::Sms,
            DeliveryResult::Delivered
        )
    );
    assert_eq!(recorded[0].id, "job-1");
}

#[tokio::test]
async fn one_bad_record_does_not_hold_back_the_others() {
    // GIVEN a good job, a job whose SMS gateway is down, a poison body and a
    // job for a token without contact details
    let w = world();
    let good = job("job-ok", TOKEN, "SMS", None, 300);
    let down = job("job-down", DOWN_TOKEN, "SMS", None, 300);
    let no_phone = job("job-nophone", NO_CONTACT_TOKEN, "SMS", None, 300);
    let batch = event(&[
        ("m-ok", &good),
        ("m-down", &down),
        ("m-poison", r#"{"jobId": 42"#),
        ("m-nophone", &no_phone),
    ]);
    // WHEN handled
    let response = (w.handler)(batch).await.unwrap();
    // THEN only the good one was sent; the others are reported for retry / DLQ
    assert_eq!(failed(&response), ["m-down", "m-poison", "m-nophone"]);
    assert_eq!(w.sms.sent().len(), 1);
    // AND the refused one is recorded as failed; the one to retry is not recorded yet
    let refused = w.log.deliveries_of(NO_CONTACT_TOKEN);
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].result, DeliveryResult::Failed);
    assert!(w.log.deliveries_of(DOWN_TOKEN).is_empty());
}

#[tokio::test]
async fn expired_job_is_dropped_not_retried() {
    // GIVEN a job that expired a minute ago
    let w = world();
    let body = job("job-old", TOKEN, "SMS", None, -60);
    // WHEN handled
    let response = (w.handler)(event(&[("m1", &body)])).await.unwrap();
    // THEN nothing is sent and the record is not reported (deleted)
    assert!(failed(&response).is_empty());
    assert!(w.sms.sent().is_empty());
    assert!(w.issuer.sent().is_empty());
    // AND the token records that the code expired unsent
    let recorded = w.log.deliveries_of(TOKEN);
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].result, DeliveryResult::Expired);
}

#[tokio::test]
async fn code_sealed_for_another_token_is_refused() {
    // GIVEN a job whose ciphertext is bound to a different token
    let w = world();
    let mut body: serde_json::Value =
        serde_json::from_str(&job("job-x", DOWN_TOKEN, "SMS", None, 300)).unwrap();
    body["tokenUniqueReference"] = json!(TOKEN);
    // WHEN handled
    let response = (w.handler)(event(&[("m1", &body.to_string())]))
        .await
        .unwrap();
    // THEN nothing is sent and the record goes back (towards the DLQ)
    assert_eq!(failed(&response), ["m1"]);
    assert!(w.sms.sent().is_empty());
}

#[tokio::test]
async fn email_job_is_handed_to_the_issuer_in_the_cardholders_language() {
    // GIVEN an e-mail job in French (regional tag)
    let w = world();
    let body = job("job-mail", TOKEN, "EMAIL", Some("fr-CA"), 300);
    // WHEN handled
    let response = (w.handler)(event(&[("m1", &body)])).await.unwrap();
    // THEN the issuer gets the recipient, a French subject and text with the code
    assert!(failed(&response).is_empty());
    let sent = w.issuer.sent();
    assert_eq!(sent.len(), 1);
    let (event_id, doc) = &sent[0];
    assert_eq!(event_id, "job-mail");
    assert_eq!(doc["type"], "ACTIVATION_CODE_DELIVERY");
    assert_eq!(doc["channel"], "EMAIL");
    assert_eq!(doc["eventId"], "job-mail");
    assert_eq!(doc["tokenUniqueReference"], TOKEN);
    assert_eq!(doc["recipient"], "jane@example.com");
    assert_eq!(doc["language"], "fr");
    assert_eq!(doc["subject"], "Votre code de vérification Example Bank");
    assert!(
        doc["text"]
            .as_str()
            .unwrap()
            .starts_with("Votre code de vérification Example Bank est 123456.")
    );
    assert!(doc.get("activationCode").is_none());
    assert!(w.sms.sent().is_empty());
}

#[tokio::test]
async fn issuer_channel_hands_over_the_code_and_unknown_languages_fall_back() {
    // GIVEN an ISSUER-channel job in a language without templates
    let w = world();
    let body = job("job-iss", NO_CONTACT_TOKEN, "ISSUER", Some("ja"), 300);
    // WHEN handled
    let response = (w.handler)(event(&[("m1", &body)])).await.unwrap();
    // THEN the issuer gets the code itself (no contact details needed), English
    assert!(failed(&response).is_empty());
    let (_, doc) = &w.issuer.sent()[0];
    assert_eq!(doc["channel"], "ISSUER");
    assert_eq!(doc["activationCode"], "123456");
    assert_eq!(doc["language"], "en");
    assert!(doc.get("recipient").is_none());
}

#[tokio::test]
async fn german_and_polish_sms_templates_are_used() {
    for (language, start) in [
        ("de", "Ihr Example Bank Bestätigungscode lautet 123456."),
        ("pl", "Twój kod weryfikacyjny Example Bank to 123456."),
    ] {
        // GIVEN an SMS job in the language
        let w = world();
        let body = job("job-l", TOKEN, "SMS", Some(language), 300);
        // WHEN handled
        (w.handler)(event(&[("m1", &body)])).await.unwrap();
        // THEN the text is in that language
        let sent = w.sms.sent();
        assert!(sent[0].1.starts_with(start), "{language}: {}", sent[0].1);
    }
}

#[tokio::test]
async fn sample_events_are_lambda_shaped_and_the_poison_one_is_reported() {
    // GIVEN the sample batch (one job, one unparseable body)
    let w = world();
    let batch: SqsEvent = serde_json::from_str(include_str!(
        "../../../../events/otp-delivery/batch-with-poison.json"
    ))
    .unwrap();
    // WHEN handled (its code is not a real ciphertext, so the job fails too)
    let response = (w.handler)(batch).await.unwrap();
    // THEN both records are reported and nothing is sent
    assert_eq!(response.batch_item_failures.len(), 2);
    assert!(w.sms.sent().is_empty());
    // AND the expired sample is dropped quietly
    let expired: SqsEvent = serde_json::from_str(include_str!(
        "../../../../events/otp-delivery/expired-job.json"
    ))
    .unwrap();
    assert!(
        (w.handler)(expired)
            .await
            .unwrap()
            .batch_item_failures
            .is_empty()
    );
}
