//! Envelope encryption of small secrets under a KMS data key: AES-256-GCM with a
//! random 96-bit nonce and associated data that binds the ciphertext to its
//! record (so a sealed value cannot be moved to another record).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

use super::{CryptoError, random_bytes};
use crate::secret::Secret;

pub const NONCE_LEN: usize = 12;
pub const DATA_KEY_LEN: usize = 32;

/// A sealed secret: the nonce and the ciphertext with its 16-byte tag appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// Encrypts `plaintext` under a 256-bit data key, authenticating `aad` with it.
pub fn seal(
    data_key: &Secret<Vec<u8>>,
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Sealed, CryptoError> {
    let cipher = cipher(data_key)?;
    let mut nonce = [0u8; NONCE_LEN];
    random_bytes(&mut nonce)?;
    let ciphertext = cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| CryptoError::Encryption)?;
    Ok(Sealed {
        nonce: nonce.to_vec(),
        ciphertext,
    })
}

/// Decrypts a [`Sealed`] value; fails if the key, nonce, ciphertext or `aad`
/// differ from those used to seal it.
pub fn open(
    data_key: &Secret<Vec<u8>>,
    sealed: &Sealed,
    aad: &[u8],
) -> Result<Secret<Vec<u8>>, CryptoError> {
    let cipher = cipher(data_key)?;
    let nonce: [u8; NONCE_LEN] = sealed
        .nonce
        .as_slice()
        .try_into()
        .map_err(|_| CryptoError::InvalidNonceLength)?;
    cipher
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &sealed.ciphertext,
                aad,
            },
        )
        .map(Secret::new)
        .map_err(|_| CryptoError::Decryption)
}

fn cipher(data_key: &Secret<Vec<u8>>) -> Result<Aes256Gcm, CryptoError> {
    if data_key.expose().len() != DATA_KEY_LEN {
        return Err(CryptoError::InvalidDataKeyLength);
    }
    Aes256Gcm::new_from_slice(data_key.expose()).map_err(|_| CryptoError::InvalidDataKeyLength)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Secret<Vec<u8>> {
        Secret::new(vec![byte; DATA_KEY_LEN])
    }

    const AAD: &[u8] = b"fingerprint-abc";

    #[test]
    fn sealed_secret_opens_with_the_same_key_and_aad() {
        // GIVEN a secret sealed under a data key
        let sealed = seal(&key(1), b"pkcs8 bytes", AAD).unwrap();
        // THEN the ciphertext hides it and carries a 16-byte tag
        assert_eq!(sealed.nonce.len(), NONCE_LEN);
        assert_eq!(sealed.ciphertext.len(), b"pkcs8 bytes".len() + 16);
        assert!(!sealed.ciphertext.starts_with(b"pkcs8"));
        // WHEN opened with the same key and AAD THEN the secret comes back
        assert_eq!(
            open(&key(1), &sealed, AAD).unwrap().expose(),
            b"pkcs8 bytes"
        );
    }

    #[test]
    fn nonces_are_fresh_for_every_seal() {
        let a = seal(&key(1), b"same", AAD).unwrap();
        let b = seal(&key(1), b"same", AAD).unwrap();
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.ciphertext, b.ciphertext);
    }

    #[test]
    fn tampering_is_detected() {
        let sealed = seal(&key(1), b"secret", AAD).unwrap();
        let mut flipped_ct = sealed.clone();
        flipped_ct.ciphertext[0] ^= 1;
        let mut flipped_tag = sealed.clone();
        *flipped_tag.ciphertext.last_mut().unwrap() ^= 1;
        let mut other_nonce = sealed.clone();
        other_nonce.nonce[0] ^= 1;
        let mut short_nonce = sealed.clone();
        short_nonce.nonce.pop();
        let mut truncated = sealed.clone();
        truncated.ciphertext.truncate(4);

        // WHEN any part changes THEN opening fails with a fixed error
        assert_eq!(
            open(&key(1), &sealed, b"other record").unwrap_err(),
            CryptoError::Decryption
        );
        assert_eq!(
            open(&key(2), &sealed, AAD).unwrap_err(),
            CryptoError::Decryption
        );
        assert_eq!(
            open(&key(1), &flipped_ct, AAD).unwrap_err(),
            CryptoError::Decryption
        );
        assert_eq!(
            open(&key(1), &flipped_tag, AAD).unwrap_err(),
            CryptoError::Decryption
        );
        assert_eq!(
            open(&key(1), &other_nonce, AAD).unwrap_err(),
            CryptoError::Decryption
        );
        assert_eq!(
            open(&key(1), &truncated, AAD).unwrap_err(),
            CryptoError::Decryption
        );
        assert_eq!(
            open(&key(1), &short_nonce, AAD).unwrap_err(),
            CryptoError::InvalidNonceLength
        );
    }

    #[test]
    fn data_key_must_be_256_bits() {
        let short = Secret::new(vec![0u8; 16]);
        assert_eq!(
            seal(&short, b"x", AAD).unwrap_err(),
            CryptoError::InvalidDataKeyLength
        );
    }
}
