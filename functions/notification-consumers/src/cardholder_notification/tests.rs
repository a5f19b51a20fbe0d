//! Handler tests over in-memory ports: templates per language, fallback,
//! channels, configuration.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use serde_json::{Value, json};
use tmp_core::ports::TokenSummary;
use tmp_core::usecases::cardholder_notification::{
    CardholderNotificationService, EnabledNotifications,
};
use tmp_runtime::lambda::SqsHandler;
use tmp_testkit::memory::{FakeContacts, RecordingNotifier, RecordingSms};

const PHONE_TOKEN: &str = "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45";
const EMAIL_TOKEN: &str = "DWSPMC00000000010906a349d9ca4eb1a4d53e3c90a11d9c";
const SILENT_TOKEN: &str = "DWSPMC0000000003bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const PHONE: &str = "+33612345678";

struct World {
    sms: Arc<RecordingSms>,
    issuer: Arc<RecordingNotifier>,
    handler: SqsHandler,
}

fn world(enabled: Option<&str>) -> World {
    let sms = Arc::new(RecordingSms::default());
    let issuer = Arc::new(RecordingNotifier::default());
    let stored = TokenSummary {
        pan_last4: Some("0123".to_owned()),
        token_requestor_id: Some("50120834693".to_owned()),
        wallet_id: Some("216".to_owned()),
    };
    let contacts = FakeContacts::default()
        .with(
            PHONE_TOKEN,
            Some(PHONE),
            Some("jean@example.fr"),
            stored.clone(),
        )
        .with(EMAIL_TOKEN, None, Some("jean@example.fr"), stored)
        .with(SILENT_TOKEN, None, None, TokenSummary::default());
    let handler = super::handler(CardholderNotificationService {
        contacts: Arc::new(contacts),
        sms: sms.clone(),
        issuer: issuer.clone(),
        issuer_name: "Example Bank".to_owned(),
        enabled: EnabledNotifications::parse(enabled).unwrap(),
        idempotency: tmp_testkit::world::World::default().idempotency(),
        log: Arc::new(tmp_testkit::memory::MemoryTokenState::default()),
    });
    World {
        sms,
        issuer,
        handler,
    }
}

fn token_event(id: &str, kind: &str, token: &str, extra: Value) -> String {
    let mut e = json!({
        "eventId": id, "eventType": kind, "schemaVersion": 1,
        "occurredAt": "2026-03-01T10:00:00Z", "network": "MDES", "tokenUniqueReference": token
    });
    for (k, v) in extra.as_object().unwrap() {
        e[k] = v.clone();
    }
    e.to_string()
}

fn event(records: &[(&str, String)]) -> SqsEvent {
    let records: Vec<_> = records
        .iter()
        .map(|(id, body)| {
            json!({"messageId": id, "receiptHandle": "rh", "body": body,
            "attributes": {}, "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:CardholderNotificationQueue"})
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

async fn sms_text(kind: &str, extra: Value) -> String {
    let w = world(None);
    let response = (w.handler)(event(&[(
        "m1",
        token_event("e1", kind, PHONE_TOKEN, extra),
    )]))
    .await
    .unwrap();
    assert!(failed(&response).is_empty());
    let sent = w.sms.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, PHONE);
    sent[0].1.clone()
}

#[tokio::test]
async fn card_added_in_english_names_the_wallet_and_last4_from_the_event() {
    // GIVEN an activation event with last 4 and Apple's token requestor id
    let extra = json!({"panLast4": "4444", "tokenRequestorId": "50110030273"});
    // WHEN handled, THEN the SMS says which card went into which wallet
    assert_eq!(
        sms_text("TOKEN_ACTIVATED", extra).await,
        "Your Example Bank card ending 4444 was added to Apple Pay. Not you? Call us right away."
    );
}

#[tokio::test]
async fn card_removed_uses_each_language_and_stored_token_facts() {
    // GIVEN deletion events without last 4 or wallet: the token item has them
    for (language, expected) in [
        (
            "fr",
            "Votre carte Example Bank se terminant par 0123 a été retirée du portefeuille Google Pay.",
        ),
        (
            "de-AT",
            "Ihre Example Bank Karte mit der Endung 0123 wurde aus Google Pay entfernt.",
        ),
        (
            "pl",
            "Karta Example Bank zakończona cyframi 0123 została usunięta z portfela Google Pay.",
        ),
        (
            "es",
            "Your Example Bank card ending 0123 was removed from Google Pay.",
        ),
    ] {
        // WHEN handled, THEN the text is in that language (English fallback)
        let text = sms_text("TOKEN_DELETED", json!({"language": language})).await;
        assert_eq!(text, expected, "{language}");
    }
}

#[tokio::test]
async fn unknown_wallets_get_the_generic_wording() {
    // GIVEN an event from a token requestor we cannot name (overrides the stored one)
    let extra = json!({"language": "fr", "tokenRequestorId": "50199999999", "walletId": "999"});
    // THEN the sentence still reads
    assert_eq!(
        sms_text("TOKEN_DELETED", extra).await,
        "Votre carte Example Bank se terminant par 0123 a été retirée du portefeuille numérique."
    );
}

#[tokio::test]
async fn email_only_cardholders_are_reached_through_the_issuer() {
    // GIVEN a token whose cardholder only has an e-mail address
    let w = world(None);
    let body = token_event(
        "evt-7",
        "TOKEN_ACTIVATED",
        EMAIL_TOKEN,
        json!({"language": "de"}),
    );
    // WHEN handled
    let response = (w.handler)(event(&[("m1", body)])).await.unwrap();
    // THEN the issuer gets an e-mail hand-off under its own event id
    assert!(failed(&response).is_empty());
    assert!(w.sms.sent().is_empty());
    let (event_id, doc) = &w.issuer.sent()[0];
    assert_eq!(event_id, "evt-7:cardholder");
    assert_eq!(doc["type"], "CARDHOLDER_NOTIFICATION");
    assert_eq!(doc["channel"], "EMAIL");
    assert_eq!(doc["tokenEventId"], "evt-7");
    assert_eq!(doc["eventType"], "TOKEN_ACTIVATED");
    assert_eq!(doc["recipient"], "jean@example.fr");
    assert_eq!(doc["subject"], "Ihre Karte wurde zu Google Pay hinzugefügt");
    assert_eq!(doc["language"], "de");
}

#[tokio::test]
async fn disabled_other_and_contactless_events_send_nothing_and_are_not_retried() {
    // GIVEN only TOKEN_ACTIVATED enabled
    let w = world(Some("TOKEN_ACTIVATED"));
    let batch = event(&[
        (
            "m-deleted",
            token_event("e1", "TOKEN_DELETED", PHONE_TOKEN, json!({})),
        ),
        (
            "m-other",
            token_event("e2", "TOKEN_AUTHORIZED", PHONE_TOKEN, json!({})),
        ),
        (
            "m-silent",
            token_event("e3", "TOKEN_ACTIVATED", SILENT_TOKEN, json!({})),
        ),
        (
            "m-unknown",
            token_event("e4", "TOKEN_ACTIVATED", "DWSPMC000000000unknown", json!({})),
        ),
        ("m-poison", "{}".to_owned()),
    ]);
    // WHEN handled
    let response = (w.handler)(batch).await.unwrap();
    // THEN nothing is sent; only the unknown token and the poison record come back
    assert!(w.sms.sent().is_empty());
    assert!(w.issuer.sent().is_empty());
    assert_eq!(failed(&response), ["m-unknown", "m-poison"]);
}

#[test]
fn notification_switches_parse_strictly() {
    let all = EnabledNotifications::parse(None).unwrap();
    assert_eq!(
        all,
        EnabledNotifications::parse(Some("TOKEN_DELETED, TOKEN_ACTIVATED")).unwrap()
    );
    let none = EnabledNotifications::parse(Some("NONE")).unwrap();
    assert!(!none.contains(tmp_core::domain::events::TokenEventType::TokenActivated));
    assert!(EnabledNotifications::parse(Some("TOKEN_AUTHORIZED")).is_err());
    assert!(EnabledNotifications::parse(Some("TOKEN_ACTIVATD")).is_err());
}

#[tokio::test]
async fn sample_events_notify_the_cardholder() {
    // GIVEN the sample events, for the token that has a phone on file
    let w = world(None);
    for sample in [
        include_str!("../../../../events/cardholder-notification/token-activated-fr.json"),
        include_str!("../../../../events/cardholder-notification/token-deleted-en.json"),
        include_str!(
            "../../../../events/cardholder-notification/token-deleted-pl-sns-envelope.json"
        ),
    ] {
        // WHEN handled
        let response = (w.handler)(serde_json::from_str(sample).unwrap())
            .await
            .unwrap();
        assert!(response.batch_item_failures.is_empty());
    }
    // THEN three texts went out, each in the event's language
    let texts: Vec<_> = w.sms.sent().into_iter().map(|(_, text)| text).collect();
    assert_eq!(texts.len(), 3);
    assert!(texts[0].starts_with(
        "Votre carte Example Bank se terminant par 4444 a été ajoutée au portefeuille Apple Pay."
    ));
    assert!(texts[1].starts_with("Your Example Bank card ending 4444 was removed from Apple Pay."));
    assert!(texts[2].starts_with(
        "Karta Example Bank zakończona cyframi 4444 została usunięta z portfela Apple Pay."
    ));
}

#[tokio::test]
async fn a_redelivered_event_is_told_once() {
    // GIVEN one token event delivered twice (SNS and SQS deliver at least once)
    let w = world(None);
    let body = token_event("e-dup", "TOKEN_ACTIVATED", PHONE_TOKEN, json!({}));
    // WHEN both deliveries are consumed, in one batch and then again
    let first = (w.handler)(event(&[("m1", body.clone()), ("m2", body.clone())]))
        .await
        .unwrap();
    let again = (w.handler)(event(&[("m3", body)])).await.unwrap();
    // THEN the cardholder got one text, and no delivery is retried
    assert!(failed(&first).is_empty() && failed(&again).is_empty());
    assert_eq!(w.sms.sent().len(), 1, "{:?}", w.sms.sent());
}
