//! searchTokens over its samples: a card's tokens by PAN (never echoed), one
//! token by its reference, pages, and the searches refused before any look-up.

use serde_json::{Value, json};

use crate::testing::*;

#[test]
fn every_sample_has_its_test() {
    assert_samples(
        SEARCH,
        &[
            "by-pan",
            "by-token-reference",
            "error-two-selectors",
            "error-invalid-pan",
            "error-malformed-json",
            "error-no-access-token",
        ],
    );
}

#[tokio::test]
async fn a_pan_search_lists_the_cards_active_tokens_without_the_pan() {
    // GIVEN three Mastercard tokens on Jane's card: ACTIVE, SUSPENDED, INACTIVE
    let fx = Fixture::new();
    // WHEN the back office searches her PAN for ACTIVE tokens
    let body = fx.play(SEARCH, "by-pan").await.assert_ok();
    // THEN the active one only, by its last four digits, on one page
    let tokens = body["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1, "{body}");
    let token = &tokens[0];
    assert_eq!(token["tokenId"], ACTIVE_TOKEN);
    assert_eq!(token["tokenReference"], ACTIVE_TOKEN);
    assert_eq!(
        (&token["network"], &token["status"], &token["panLast4"]),
        (&json!("MASTERCARD"), &json!("ACTIVE"), &json!("4444"))
    );
    assert_eq!(token["tokenRequestorId"], "50110030273");
    assert_eq!(token["suspendedBy"], json!([]));
    assert_eq!(body["nextCursor"], Value::Null);
    // AND no network was asked
    assert!(fx.networks.calls().is_empty());
}

#[tokio::test]
async fn a_reference_search_finds_the_one_token_and_who_suspended_it() {
    // GIVEN the token the issuer suspended
    let fx = Fixture::new();
    // WHEN searched by its reference
    let body = fx.play(SEARCH, "by-token-reference").await.assert_ok();
    // THEN it alone, SUSPENDED by the issuer
    let tokens = body["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1, "{body}");
    assert_eq!(tokens[0]["tokenId"], SUSPENDED_TOKEN);
    assert_eq!(tokens[0]["status"], "SUSPENDED");
    assert_eq!(tokens[0]["suspendedBy"], json!(["ISSUER"]));
}

#[tokio::test]
async fn a_card_with_more_tokens_than_the_limit_comes_in_pages() {
    // GIVEN the PAN sample without its status filter, two tokens a page
    let fx = Fixture::new();
    let (event, _) = sample(SEARCH, "by-pan");
    let first = fx
        .send(SEARCH, with_body(&event, &json!({"pan": PAN, "limit": 2})))
        .await
        .assert_ok();
    // THEN two of the card's three tokens and a cursor
    assert_eq!(first["tokens"].as_array().unwrap().len(), 2, "{first}");
    let cursor = first["nextCursor"].as_str().unwrap();
    // WHEN the next page is asked for THEN the third, and no cursor
    let next = fx
        .send(
            SEARCH,
            with_body(&event, &json!({"pan": PAN, "limit": 2, "cursor": cursor})),
        )
        .await
        .assert_ok();
    assert_eq!(next["tokens"].as_array().unwrap().len(), 1, "{next}");
    assert_eq!(next["nextCursor"], Value::Null);
    let mut ids: Vec<Value> = first["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .chain(next["tokens"].as_array().unwrap())
        .map(|t| t["tokenId"].clone())
        .collect();
    ids.sort_by_key(|v| v.as_str().unwrap().to_owned());
    assert_eq!(
        ids,
        json!([ACTIVE_TOKEN, SUSPENDED_TOKEN, INACTIVE_TOKEN])
            .as_array()
            .unwrap()
            .clone()
    );
    // AND the Visa card's token is not among them
    assert!(!first.to_string().contains(VISA_TOKEN) && !next.to_string().contains(VISA_TOKEN));
}

#[tokio::test]
async fn searches_that_break_the_contract_are_refused_before_any_look_up() {
    assert_refusals(
        SEARCH,
        &[
            (
                "error-two-selectors",
                422,
                "Exactly one of pan, cardId, tokenReference and deviceId is required",
            ),
            ("error-invalid-pan", 422, "pan is not valid"),
            (
                "error-malformed-json",
                400,
                "The request body is not a valid JSON object",
            ),
            ("error-no-access-token", 401, UNAUTHORIZED),
        ],
    )
    .await;
}
