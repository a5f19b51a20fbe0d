//! Handler tests over the real use case and in-memory ports: eligible cards
//! answered with their product's metadata, every other card with 05 alone,
//! and nothing ever written.

use serde_json::{Value, json};
use tmp_testkit::memory::IssuerFault;

use crate::testing::*;

fn eligible() -> Value {
    json!({"actionCode": "00", "cardMetadataInfo": serde_json::to_value(debit_metadata()).unwrap()})
}

fn not_eligible() -> Value {
    json!({"actionCode": "05"})
}

#[tokio::test]
async fn an_active_card_is_eligible_with_its_products_metadata() {
    // GIVEN the issuer's active Visa debit card
    let fx = Fixture::new();
    let before = fx.snapshot(&[GREEN_TOKEN]);
    // WHEN VTS asks whether it may be tokenized
    let answer = fx
        .check(&provisioning(VISA_PAN, Some(VISA_CVV2), trusted()))
        .await;
    // THEN 00 with the debit product's card art, colours and terms
    answer.assert_ok(&eligible());
    assert_eq!(
        answer.json()["cardMetadataInfo"]["cardArtData"]["cardArtRefID"][0],
        "art-consumer-debit-0001"
    );
    // AND nothing was written or sent: the issuer was asked once
    assert_eq!(fx.cards.calls(), 1);
    let after = fx.snapshot(&[GREEN_TOKEN]);
    assert_eq!(
        (after.tokens, after.published, after.jobs),
        (before.tokens, before.published, before.jobs)
    );
    assert!(fx.committed_events().is_empty());
}

#[tokio::test]
async fn expiry_and_cvv2_are_optional_for_eligibility() {
    let fx = Fixture::new();
    let mut content = provisioning(VISA_PAN, None, trusted());
    content["cardholderInfo"]
        .as_object_mut()
        .unwrap()
        .remove("expirationDate");
    fx.check(&content).await.assert_ok(&eligible());
}

#[tokio::test]
async fn every_other_card_is_not_eligible_and_told_apart_from_none() {
    // GIVEN a lost card, a wrong CVV2, a card the issuer does not know, and
    // an eligible card of a product without metadata (PREPAID)
    let fx = Fixture::new();
    fx.cards.set_card(
        "4242424242424242",
        tmp_core::domain::card::VerifiedCard {
            product_category: "PREPAID".to_owned(),
            ..visa_card()
        },
    );
    for content in [
        provisioning(LOST_PAN, Some(VISA_CVV2), trusted()),
        provisioning(CVV2_MISMATCH_PAN, Some(WRONG_CVV2), trusted()),
        provisioning(UNKNOWN_PAN, Some(VISA_CVV2), trusted()),
        provisioning("4242424242424242", Some(VISA_CVV2), trusted()),
    ] {
        // WHEN VTS asks THEN 05 alone: no hint why
        fx.check(&content).await.assert_ok(&not_eligible());
    }
}

#[tokio::test]
async fn unusable_payloads_are_one_answer() {
    let fx = Fixture::new();
    let content = provisioning(VISA_PAN, Some(VISA_CVV2), trusted());
    let mut bad_pan = content.clone();
    bad_pan["cardholderInfo"]["primaryAccountNumber"] = json!("4111111111111112");
    for jwe in [
        tampered(&content),
        seal_for_kid(&content, "vts-0000000000000000"),
        seal(&bad_pan),
        seal(&json!("not the document")),
    ] {
        let answer = fx.call(CHECK, &Call::body(&check_body(&jwe))).await;
        assert_eq!(answer.status, 400);
        assert_eq!(answer.json(), cryptography_error());
    }
    assert_eq!(fx.cards.calls(), 0, "the issuer is never asked");
}

#[tokio::test]
async fn the_issuer_down_is_503() {
    let fx = Fixture::new();
    fx.cards.fail_with(Some(IssuerFault::Timeout));
    fx.check(&provisioning(VISA_PAN, Some(VISA_CVV2), trusted()))
        .await
        .assert_refused(503, "ISE40504");
}

#[tokio::test]
async fn hostile_bodies_are_refused_by_the_contract() {
    let fx = Fixture::new();
    let valid = Call::body(&check_body(&seal(&provisioning(
        VISA_PAN,
        Some(VISA_CVV2),
        trusted(),
    ))));
    assert_hostile_bodies(&fx, CHECK, &valid).await;
}
