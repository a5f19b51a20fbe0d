use crate::crypto::{CryptoError, EncryptedPayload, MdesKeyRing};
use crate::secret::Secret;

/// Decrypts MDES `encryptedPayload`s with the issuer's private key(s).
pub trait PayloadDecryptor: Send + Sync {
    fn decrypt(&self, payload: &EncryptedPayload) -> Result<Secret<Vec<u8>>, CryptoError>;
}

impl PayloadDecryptor for MdesKeyRing {
    fn decrypt(&self, payload: &EncryptedPayload) -> Result<Secret<Vec<u8>>, CryptoError> {
        MdesKeyRing::decrypt(self, payload)
    }
}
