//! The `encryptedData` of checkEligibility and approveProvisioning as core
//! card data: decrypted with our key ring only when the use case opens it.
//! Every failure, from the JWE to a field inside, is one
//! `AppError::CardData`, which Visa sees as `ISE40010`.

use std::sync::Arc;

use time::OffsetDateTime;
use tmp_core::AppError;
use tmp_core::domain::card::{CardData, SealedCardData};

use crate::jwe::VtsKeyRing;
use crate::payload::DecryptedData;

/// A compact JWE and the keys that may open it.
pub struct VtsCardData {
    encrypted_data: String,
    keys: Arc<VtsKeyRing>,
    /// approveProvisioning requires `cardholderInfo.expirationDate`.
    expiry_required: bool,
}

impl VtsCardData {
    /// approveProvisioning's card: PAN and expiry required, CVV2 if sent.
    pub fn for_provisioning(encrypted_data: &str, keys: &Arc<VtsKeyRing>) -> Self {
        Self {
            encrypted_data: encrypted_data.to_owned(),
            keys: Arc::clone(keys),
            expiry_required: true,
        }
    }

    /// checkEligibility's card: PAN required, expiry and CVV2 if sent.
    pub fn for_eligibility(encrypted_data: &str, keys: &Arc<VtsKeyRing>) -> Self {
        Self {
            expiry_required: false,
            ..Self::for_provisioning(encrypted_data, keys)
        }
    }

    pub fn sealed(self) -> Box<dyn SealedCardData> {
        Box::new(self)
    }

    fn decrypt(&self) -> Result<DecryptedData, AppError> {
        DecryptedData::open(&self.keys, &self.encrypted_data)
    }
}

impl SealedCardData for VtsCardData {
    fn open(&self, _now: OffsetDateTime) -> Result<CardData, AppError> {
        // Visa's payload carries no validity limit of its own.
        let (card, risk) = self.decrypt()?.for_card(self.expiry_required)?;
        Ok(CardData {
            account_number: Some(card.pan.clone()),
            card: Ok(card),
            token_number: None,
            wallet: Some(crate::translate::wallet_advice(&risk)),
        })
    }
}
