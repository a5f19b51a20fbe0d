//! One error type for every cryptographic failure. Messages are fixed and never
//! carry key material, plaintext or ciphertext.

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("no private key matches the public key fingerprint")]
    UnknownKeyFingerprint,
    #[error("field {0} is not valid hex")]
    MalformedHex(&'static str),
    #[error("the encrypted key could not be unwrapped")]
    KeyUnwrap,
    #[error("the encrypted data could not be decrypted")]
    Decryption,
    #[error("unsupported algorithm or key size")]
    UnsupportedAlgorithm,
    #[error("the initialization vector must be 16 bytes")]
    InvalidIvLength,
    #[error("the nonce must be 12 bytes")]
    InvalidNonceLength,
    #[error("the data key must be 32 bytes")]
    InvalidDataKeyLength,
    #[error("the private key is not a valid RSA PKCS#8 key")]
    InvalidPrivateKey,
    #[error("the public key is not a valid RSA SubjectPublicKeyInfo")]
    InvalidPublicKey,
    #[error("RSA key generation failed")]
    KeyGeneration,
    #[error("encryption failed")]
    Encryption,
    #[error("the operating system random number generator failed")]
    Randomness,
}

/// Fills `buf` from the operating system CSPRNG.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|_| CryptoError::Randomness)
}
