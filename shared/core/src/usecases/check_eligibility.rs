//! May this card be provisioned at all (Visa checkEligibility)? The issuer
//! is asked about the card; an active card whose entered data matches is
//! eligible, with its product category (which the wire crate turns into the
//! card's metadata: art, colours, terms). Nothing is written. An ineligible
//! card is told apart from nothing else: unknown, blocked, lost and
//! mismatching cards all get the same "not eligible".

use std::sync::Arc;

use crate::AppError;
use crate::clock::Clock;
use crate::domain::card::{
    CardStatus, CardVerification, CardVerificationRequest, CvcResult, SealedCardData,
};
use crate::error::unavailable;
use crate::ports::CardVerifier;

pub struct CheckEligibilityCommand {
    pub card_data: Box<dyn SealedCardData>,
}

/// The answer: eligible cards carry their product category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eligibility {
    Eligible { product_category: String },
    NotEligible,
}

pub struct CheckEligibility {
    pub verifier: Arc<dyn CardVerifier>,
    pub clock: Arc<dyn Clock>,
}

impl CheckEligibility {
    #[tracing::instrument(skip_all)]
    pub async fn check(&self, command: &CheckEligibilityCommand) -> Result<Eligibility, AppError> {
        let card = command
            .card_data
            .open(self.clock.now())?
            .card
            .map_err(AppError::CardData)?;
        let verification = self
            .verifier
            .verify(&CardVerificationRequest {
                pan: card.pan.clone(),
                expiry: card.expiry,
                cvc: card.cvc.clone(),
            })
            .await
            .map_err(unavailable("issuer card verification failed"))?;
        let eligibility = match verification {
            CardVerification::Known(known)
                if known.status == CardStatus::Active
                    && (card.expiry.is_none() || known.expiry_match)
                    && !(card.cvc.is_some() && known.cvc_result == CvcResult::Mismatch) =>
            {
                Eligibility::Eligible {
                    product_category: known.product_category,
                }
            }
            _ => Eligibility::NotEligible,
        };
        tracing::info!(
            pan = %card.pan,
            eligible = matches!(eligibility, Eligibility::Eligible { .. }),
            "eligibility checked"
        );
        Ok(eligibility)
    }
}
