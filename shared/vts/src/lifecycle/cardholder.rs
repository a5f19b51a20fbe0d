//! `cardholderInfo` of the card updates (3720 expiry, 3721 PAN): the card's
//! new details encrypted for Visa, so that neither travels in clear beyond
//! TLS. The plaintext uses the VTS issuer API's Cardholder Information names
//! (`primaryAccountNumber`, `expirationDate{month, year}`) and is zeroized
//! once encrypted.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::PublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use serde::Serialize;
use zeroize::Zeroizing;

use super::LifecycleCardholderInfo;
use crate::jwe::{MIN_KEY_BITS, VtsKeyError, encrypt_for_recipient};

/// Visa's RSA public key for the lifecycle calls' `cardholderInfo`, and the
/// `kid` Visa gave it (both exchanged at onboarding).
#[derive(Clone)]
pub struct VisaEncryptionKey {
    kid: String,
    spki_der: Vec<u8>,
}

impl std::fmt::Debug for VisaEncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VisaEncryptionKey({})", self.kid)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExpirationDate {
    month: String,
    year: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CardUpdate<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_account_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration_date: Option<ExpirationDate>,
}

impl VisaEncryptionKey {
    /// `spki_base64`: the key's SubjectPublicKeyInfo DER, base64; RSA of at
    /// least 2048 bits.
    pub fn from_base64_der(kid: &str, spki_base64: &str) -> Result<Self, VtsKeyError> {
        let der = STANDARD
            .decode(spki_base64.trim())
            .map_err(|_| VtsKeyError::InvalidPublicKey)?;
        Self::from_der(kid, der)
    }

    pub fn from_der(kid: &str, spki_der: Vec<u8>) -> Result<Self, VtsKeyError> {
        let key =
            PublicKey::from_public_key_der(&spki_der).map_err(|_| VtsKeyError::InvalidPublicKey)?;
        if key.size() * 8 < MIN_KEY_BITS {
            return Err(VtsKeyError::InvalidPublicKey);
        }
        let printable = kid.bytes().all(|b| b.is_ascii_graphic());
        if kid.is_empty() || kid.len() > crate::jwe::MAX_KID_LEN || !printable {
            return Err(VtsKeyError::InvalidKid);
        }
        Ok(Self {
            kid: kid.to_owned(),
            spki_der,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The `cardholderInfo` carrying the new PAN and / or expiry (`month`
    /// 1-12, four-digit `year`).
    pub fn cardholder_info(
        &self,
        pan: Option<&str>,
        expiry: Option<(u8, u16)>,
    ) -> Result<LifecycleCardholderInfo, VtsKeyError> {
        let update = CardUpdate {
            primary_account_number: pan,
            expiration_date: expiry.map(|(month, year)| ExpirationDate {
                month: format!("{month:02}"),
                year: format!("{year:04}"),
            }),
        };
        let plaintext =
            Zeroizing::new(serde_json::to_vec(&update).map_err(|_| VtsKeyError::Encryption)?);
        Ok(LifecycleCardholderInfo {
            encrypted_data: encrypt_for_recipient(&self.spki_der, &self.kid, &plaintext)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwe::{VtsKeyRing, VtsPrivateKey};

    #[test]
    fn the_new_card_details_open_only_with_visas_key() {
        // GIVEN Visa's key pair and its public half as configured
        let visa = VtsPrivateKey::generate("visa-lifecycle-1", 2048).unwrap();
        let public = STANDARD.encode(visa.public_key_der());
        let key = VisaEncryptionKey::from_base64_der("visa-lifecycle-1", &public).unwrap();
        // WHEN a PAN update is encrypted
        let info = key
            .cardholder_info(Some("5105105105105100"), Some((9, 2030)))
            .unwrap();
        // THEN nothing of it is in clear, and Visa's key opens it
        assert!(!info.encrypted_data.contains("5105105105105100"));
        let ring = VtsKeyRing::new(vec![visa]).unwrap();
        let opened: serde_json::Value =
            serde_json::from_slice(ring.decrypt(&info.encrypted_data).unwrap().expose()).unwrap();
        assert_eq!(
            opened,
            serde_json::json!({
                "primaryAccountNumber": "5105105105105100",
                "expirationDate": {"month": "09", "year": "2030"}
            })
        );
        // AND an expiry update carries no PAN
        let expiry = key.cardholder_info(None, Some((11, 2031))).unwrap();
        let opened: serde_json::Value =
            serde_json::from_slice(ring.decrypt(&expiry.encrypted_data).unwrap().expose()).unwrap();
        assert!(opened.get("primaryAccountNumber").is_none());
    }

    #[test]
    fn a_key_that_is_not_rsa_2048_or_a_bad_kid_is_refused() {
        assert!(VisaEncryptionKey::from_base64_der("kid", "bm90IGEga2V5").is_err());
        let small = VtsPrivateKey::generate("k", 1024);
        if let Ok(small) = small {
            assert!(VisaEncryptionKey::from_der("k", small.public_key_der().to_vec()).is_err());
        }
        let visa = VtsPrivateKey::generate("k", 2048).unwrap();
        assert!(VisaEncryptionKey::from_der("bad kid", visa.public_key_der().to_vec()).is_err());
    }
}
