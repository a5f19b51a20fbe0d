//! `RequestActivationMethods`: the methods on file, only for the card the
//! token was authorized for, only while the token is live.

use tmp_core::AppError;
use tmp_core::domain::token::TokenStatus;
use tmp_core::domain::verification::{ActivationMethod, ActivationMethodKind};
use tmp_core::error::CardDataRejection;
use tmp_core::usecases::request_activation_methods::RequestActivationMethodsCommand;

use crate::support::{
    CALL_CENTRE, EMAIL, OTHER_PAN, PAN, PHONE, TOKEN, TestCardData, World, sealed_contact,
    token_record,
};

fn command(token_ref: Option<&str>, card: &TestCardData) -> RequestActivationMethodsCommand {
    RequestActivationMethodsCommand {
        token_ref: token_ref.map(str::to_owned),
        card_data: card.sealed(),
    }
}

/// [`TOKEN`] for [`PAN`] in `status`, with phone and e-mail sealed on it.
fn world_with_token(status: TokenStatus) -> World {
    let world = World::default();
    let record = token_record(TOKEN, status, Some(world.fingerprint(PAN)));
    world.state.seed_token(
        record,
        Some(sealed_contact(TOKEN, Some(PHONE), Some(EMAIL))),
    );
    world
}

fn call_centre() -> ActivationMethod {
    ActivationMethod {
        kind: ActivationMethodKind::CallCentre,
        value: CALL_CENTRE.to_owned(),
    }
}

#[tokio::test]
async fn the_matching_card_of_a_live_token_gets_the_methods_on_file() {
    // GIVEN a token awaiting authentication with phone and e-mail on file
    let world = world_with_token(TokenStatus::Inactive);
    // WHEN the cardholder enters the same card
    let methods = world
        .request_activation_methods()
        .methods(&command(Some(TOKEN), &TestCardData::entered(PAN)))
        .await
        .unwrap();
    // THEN masked SMS and e-mail, then the call centre
    assert_eq!(
        methods,
        vec![
            ActivationMethod {
                kind: ActivationMethodKind::Sms,
                value: "***-***-0123".to_owned(),
            },
            ActivationMethod {
                kind: ActivationMethodKind::Email,
                value: "j***@e***.com".to_owned(),
            },
            call_centre(),
        ]
    );
}

#[tokio::test]
async fn an_active_or_suspended_token_still_gets_its_methods() {
    for status in [TokenStatus::Active, TokenStatus::Suspended] {
        let world = world_with_token(status);
        let methods = world
            .request_activation_methods()
            .methods(&command(Some(TOKEN), &TestCardData::entered(PAN)))
            .await
            .unwrap();
        assert_eq!(methods.len(), 3, "{status:?}");
    }
}

#[tokio::test]
async fn a_token_without_contact_details_offers_the_call_centre_only() {
    let world = World::default();
    let record = token_record(TOKEN, TokenStatus::Inactive, Some(world.fingerprint(PAN)));
    world.state.seed_token(record, None);
    let methods = world
        .request_activation_methods()
        .methods(&command(Some(TOKEN), &TestCardData::entered(PAN)))
        .await
        .unwrap();
    assert_eq!(methods, vec![call_centre()]);
}

#[tokio::test]
async fn a_phone_only_contact_offers_sms_and_call_centre() {
    let world = World::default();
    let record = token_record(TOKEN, TokenStatus::Inactive, Some(world.fingerprint(PAN)));
    world
        .state
        .seed_token(record, Some(sealed_contact(TOKEN, Some(PHONE), None)));
    let methods = world
        .request_activation_methods()
        .methods(&command(Some(TOKEN), &TestCardData::entered(PAN)))
        .await
        .unwrap();
    let kinds: Vec<_> = methods.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        vec![ActivationMethodKind::Sms, ActivationMethodKind::CallCentre]
    );
}

#[tokio::test]
async fn another_card_gets_nothing() {
    // GIVEN a token of one card WHEN another card is entered THEN nothing
    let world = world_with_token(TokenStatus::Inactive);
    let methods = world
        .request_activation_methods()
        .methods(&command(Some(TOKEN), &TestCardData::entered(OTHER_PAN)))
        .await
        .unwrap();
    assert!(methods.is_empty());
}

#[tokio::test]
async fn a_token_without_a_card_fingerprint_gets_nothing() {
    let world = World::default();
    world.state.seed_token(
        token_record(TOKEN, TokenStatus::Inactive, None),
        Some(sealed_contact(TOKEN, Some(PHONE), Some(EMAIL))),
    );
    let methods = world
        .request_activation_methods()
        .methods(&command(Some(TOKEN), &TestCardData::entered(PAN)))
        .await
        .unwrap();
    assert!(methods.is_empty());
}

#[tokio::test]
async fn an_unknown_or_missing_token_gets_nothing() {
    let world = world_with_token(TokenStatus::Inactive);
    let use_case = world.request_activation_methods();
    let card = TestCardData::entered(PAN);
    let unknown = use_case
        .methods(&command(Some("unknown-token"), &card))
        .await
        .unwrap();
    assert!(unknown.is_empty());
    let missing = use_case.methods(&command(None, &card)).await.unwrap();
    assert!(missing.is_empty());
}

#[tokio::test]
async fn a_deleted_or_declined_token_gets_nothing() {
    for status in [TokenStatus::Deactivated, TokenStatus::Declined] {
        let world = world_with_token(status);
        let methods = world
            .request_activation_methods()
            .methods(&command(Some(TOKEN), &TestCardData::entered(PAN)))
            .await
            .unwrap();
        assert!(methods.is_empty(), "{status:?}");
    }
}

#[tokio::test]
async fn unusable_card_fields_are_the_card_data_error_not_an_empty_list() {
    // GIVEN a token awaiting authentication, and card data that decrypts but
    // holds an invalid field
    let world = world_with_token(TokenStatus::Inactive);
    let use_case = world.request_activation_methods();
    let card = TestCardData::invalid_card_fields();
    let before = world.snapshot(&[TOKEN]);
    // WHEN the methods are asked for, for the token or for one we do not hold
    for token_ref in [Some(TOKEN), Some("unknown-token"), None] {
        let result = use_case.methods(&command(token_ref, &card)).await;
        // THEN refused like data that cannot be decrypted: an empty answer
        // would tell the caller its ciphertext opened
        assert_eq!(
            result,
            Err(AppError::CardData(CardDataRejection::InvalidCardData)),
            "{token_ref:?}"
        );
    }
    assert_eq!(card.opened(), 3);
    assert_eq!(world.snapshot(&[TOKEN]), before);
}

#[tokio::test]
async fn card_data_that_cannot_be_opened_is_the_card_data_error() {
    let world = world_with_token(TokenStatus::Inactive);
    let result = world
        .request_activation_methods()
        .methods(&command(
            Some(TOKEN),
            &TestCardData::rejected(CardDataRejection::UnknownKey),
        ))
        .await;
    assert_eq!(
        result,
        Err(AppError::CardData(CardDataRejection::UnknownKey))
    );
    // AND so is it for a token we do not hold
    let unknown = world
        .request_activation_methods()
        .methods(&command(
            Some("unknown-token"),
            &TestCardData::rejected(CardDataRejection::UnknownKey),
        ))
        .await;
    assert_eq!(
        unknown,
        Err(AppError::CardData(CardDataRejection::UnknownKey))
    );
}

#[tokio::test]
async fn a_contact_sealed_for_another_token_is_not_opened() {
    // GIVEN contact details sealed under another token's context
    let world = World::default();
    let record = token_record(TOKEN, TokenStatus::Inactive, Some(world.fingerprint(PAN)));
    world.state.seed_token(
        record,
        Some(sealed_contact("another-token", Some(PHONE), Some(EMAIL))),
    );
    // THEN they are refused by the key service: Unavailable, never shown
    let result = world
        .request_activation_methods()
        .methods(&command(Some(TOKEN), &TestCardData::entered(PAN)))
        .await;
    assert!(matches!(result, Err(AppError::Unavailable(_))));
}

#[tokio::test]
async fn a_store_outage_is_unavailable() {
    let world = world_with_token(TokenStatus::Inactive);
    world.state.unavailable(true);
    let result = world
        .request_activation_methods()
        .methods(&command(Some(TOKEN), &TestCardData::entered(PAN)))
        .await;
    assert!(matches!(result, Err(AppError::Unavailable(_))));
}

#[tokio::test]
async fn by_reference_alone_only_a_token_of_that_network_awaiting_authentication_gets_methods() {
    use tmp_core::domain::Network;
    use tmp_core::domain::decision::Decision;
    // GIVEN a Mastercard token awaiting authentication, phone and e-mail on file
    let world = World::default();
    let mut record = token_record(TOKEN, TokenStatus::Inactive, Some(world.fingerprint(PAN)));
    record.authorization_decision = Some(Decision::RequireAdditionalAuthentication);
    world.state.seed_token(
        record.clone(),
        Some(sealed_contact(TOKEN, Some(PHONE), Some(EMAIL))),
    );
    let methods = world.token_activation_methods();
    // WHEN its network asks by reference, THEN the masked methods on file
    let offered = methods
        .methods_for_token(Network::Mastercard, TOKEN)
        .await
        .unwrap();
    assert_eq!(offered.len(), 3);
    assert_eq!(offered[0].value, "***-***-0123");
    // WHEN another network names it, or an unknown reference is named, THEN unknown
    assert_eq!(
        methods.methods_for_token(Network::Visa, TOKEN).await,
        Err(AppError::UnknownToken)
    );
    assert_eq!(
        methods.methods_for_token(Network::Mastercard, "nope").await,
        Err(AppError::UnknownToken)
    );
    // WHEN the token is no longer awaiting authentication, THEN nothing to offer
    world.state.seed_token(
        token_record(TOKEN, TokenStatus::Active, Some(world.fingerprint(PAN))),
        None,
    );
    assert_eq!(
        methods.methods_for_token(Network::Mastercard, TOKEN).await,
        Err(AppError::NotAwaitingAuthentication)
    );
}
