//! Customer service's look-ups beyond card and device: by the card's last
//! four and expiry, by the cardholder's phone number (keyed fingerprint) and
//! by creation day, with the wallet as a filter.

use tmp_core::domain::phone;
use tmp_core::domain::wallet::Wallet;
use tmp_core::ports::{PageRequest, TokenFilter};
use tmp_core::usecases::token_queries::SearchBy;

use crate::support::{
    PAN, PHONE, TOKEN, TestCardData, World, authorize_command, card_with_contact, green_wallet,
};

fn first_page() -> PageRequest {
    PageRequest {
        limit: 25,
        cursor: None,
    }
}

async fn found(world: &World, by: SearchBy<'_>, filter: &TokenFilter) -> Vec<String> {
    world
        .token_queries()
        .search(by, filter, &first_page())
        .await
        .unwrap()
        .tokens
        .into_iter()
        .map(|t| t.record.token_ref)
        .collect()
}

#[tokio::test]
async fn an_authorized_token_is_found_by_last_four_and_expiry_phone_and_day() {
    // GIVEN a card with the cardholder's phone on file, tokenized (expiry 12/29)
    let world = World::default().with_card(card_with_contact());
    world
        .authorize()
        .authorize(&authorize_command(
            "r1",
            TOKEN,
            green_wallet(),
            &TestCardData::entered(PAN),
        ))
        .await
        .unwrap();
    let none = TokenFilter::default();
    // WHEN customer service searches by last four and expiry THEN it is found
    let by_card = SearchBy::CardLast4 {
        last4: "4444",
        expiry: "12/29",
    };
    assert_eq!(found(&world, by_card, &none).await, [TOKEN]);
    // AND another expiry finds nothing
    let other_expiry = SearchBy::CardLast4 {
        last4: "4444",
        expiry: "11/29",
    };
    assert!(found(&world, other_expiry, &none).await.is_empty());
    // AND the phone number, however it is written, finds it; another does not
    let written_otherwise = phone::normalized("+44 (7700) 900-123").unwrap();
    assert_eq!(
        found(&world, SearchBy::Phone(&written_otherwise), &none).await,
        [TOKEN]
    );
    assert_eq!(PHONE.replace(' ', ""), *written_otherwise.expose());
    let other = phone::normalized("+44 7700 900999").unwrap();
    assert!(
        found(&world, SearchBy::Phone(&other), &none)
            .await
            .is_empty()
    );
    // AND its creation day lists it, a day before does not
    let today = world.now().date();
    let days = SearchBy::Created {
        from: today,
        to: today,
    };
    assert_eq!(found(&world, days, &none).await, [TOKEN]);
    let yesterday = today.previous_day().unwrap();
    let before = SearchBy::Created {
        from: yesterday,
        to: yesterday,
    };
    assert!(found(&world, before, &none).await.is_empty());
    // AND the wallet filter admits Apple Pay's token requestor only
    let apple = TokenFilter {
        wallet: Some(Wallet::ApplePay),
        ..TokenFilter::default()
    };
    let google = TokenFilter {
        wallet: Some(Wallet::GooglePay),
        ..TokenFilter::default()
    };
    let days = || SearchBy::Created {
        from: today,
        to: today,
    };
    assert_eq!(found(&world, days(), &apple).await, [TOKEN]);
    assert!(found(&world, days(), &google).await.is_empty());
}
