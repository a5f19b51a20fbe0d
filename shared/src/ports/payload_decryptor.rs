use crate::crypto::mdes_fle::{CryptoError, EncryptedPayload};
use crate::secret::Secret;

/// Decrypts MDES `encryptedPayload`s with the issuer's private key(s).
pub trait PayloadDecryptor: Send + Sync {
    fn decrypt(&self, payload: &EncryptedPayload) -> Result<Secret<Vec<u8>>, CryptoError>;
}
