//! `CheckEligibility` (Visa checkEligibility): the issuer decides, nothing is
//! written, and every ineligible card looks the same.

use tmp_core::AppError;
use tmp_core::domain::card::{CardStatus, CvcResult};
use tmp_core::error::CardDataRejection;
use tmp_core::usecases::check_eligibility::{CheckEligibilityCommand, Eligibility};

use crate::support::{OTHER_PAN, PAN, TestCardData, World, active_card};

fn command(card: &TestCardData) -> CheckEligibilityCommand {
    CheckEligibilityCommand {
        card_data: card.sealed(),
    }
}

#[tokio::test]
async fn an_active_matching_card_is_eligible_with_its_product() {
    let world = World::default().with_card(active_card());
    let eligibility = world
        .check_eligibility()
        .check(&command(&TestCardData::entered(PAN)))
        .await
        .unwrap();
    assert_eq!(
        eligibility,
        Eligibility::Eligible {
            product_category: "CONSUMER".to_owned()
        }
    );
    assert_eq!(world.cards.calls(), 1);
    assert!(world.committed_events().is_empty());
}

#[tokio::test]
async fn unknown_blocked_or_mismatching_cards_are_not_eligible() {
    for (card, pan) in [
        (None, OTHER_PAN),
        (
            Some(tmp_core::domain::card::VerifiedCard {
                status: CardStatus::Lost,
                ..active_card()
            }),
            PAN,
        ),
        (
            Some(tmp_core::domain::card::VerifiedCard {
                cvc_result: CvcResult::Mismatch,
                ..active_card()
            }),
            PAN,
        ),
        (
            Some(tmp_core::domain::card::VerifiedCard {
                expiry_match: false,
                ..active_card()
            }),
            PAN,
        ),
    ] {
        // GIVEN the issuer's view of the card
        let world = World::default();
        if let Some(card) = card {
            world.cards.set_card(PAN, card);
        }
        // WHEN asked with a CVV2 and an expiry
        let entered = TestCardData::entered(pan);
        let eligibility = world
            .check_eligibility()
            .check(&command(&entered))
            .await
            .unwrap();
        // THEN not eligible, whatever the reason
        assert_eq!(eligibility, Eligibility::NotEligible);
    }
}

#[tokio::test]
async fn unusable_card_data_is_a_card_data_error_and_the_issuer_is_not_asked() {
    let world = World::default().with_card(active_card());
    let result = world
        .check_eligibility()
        .check(&command(&TestCardData::rejected(
            CardDataRejection::Undecryptable,
        )))
        .await;
    assert_eq!(
        result,
        Err(AppError::CardData(CardDataRejection::Undecryptable))
    );
    assert_eq!(world.cards.calls(), 0);
}
