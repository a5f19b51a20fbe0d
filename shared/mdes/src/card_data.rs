//! MDES `encryptedPayload` as core card data: decrypted with the issuer's
//! key ring only when the use case opens it.

use std::sync::Arc;

use time::OffsetDateTime;
use tmp_core::AppError;
use tmp_core::crypto::CryptoError;
use tmp_core::domain::card::{CardData, SealedCardData};
use tmp_core::error::CardDataRejection;

use crate::fle::{EncryptedPayload, MdesKeyRing};
use crate::funding_account::FundingAccountData;

/// An `encryptedPayload` and the keys that may open it.
pub struct MdesCardData {
    pub payload: EncryptedPayload,
    pub keys: Arc<MdesKeyRing>,
}

impl MdesCardData {
    pub fn sealed(payload: &EncryptedPayload, keys: &Arc<MdesKeyRing>) -> Box<dyn SealedCardData> {
        Box::new(Self {
            payload: payload.clone(),
            keys: Arc::clone(keys),
        })
    }
}

impl SealedCardData for MdesCardData {
    fn open(&self, now: OffsetDateTime) -> Result<CardData, AppError> {
        let plaintext = self.keys.decrypt(&self.payload).map_err(|err| {
            tracing::warn!(error = %err, "payload decryption failed");
            AppError::CardData(match err {
                CryptoError::UnknownKeyFingerprint => CardDataRejection::UnknownKey,
                _ => CardDataRejection::Undecryptable,
            })
        })?;
        let data = FundingAccountData::from_decrypted(&plaintext)?;
        data.check_validity(now)?;
        let card = data.entered_card().map_err(|invalid| {
            // The field's path only, never its value.
            tracing::warn!(field = %invalid.field, problem = ?invalid.problem, "card data inside the payload is unusable");
            CardDataRejection::InvalidCardData
        });
        // A card that is there but unusable is refused whatever the operation
        // (the same answer everywhere: no oracle); an absent card is for the
        // operation to judge (an activation may carry only the token).
        if data.card_account_data.is_some() && card.is_err() {
            return Err(AppError::CardData(CardDataRejection::InvalidCardData));
        }
        Ok(CardData {
            card,
            account_number: data.account_number(),
            token_number: data.token_data.map(|t| t.token),
            // MDES sends the wallet's advice in the clear request.
            wallet: None,
        })
    }
}
