//! Small configuration secrets (the issuer OAuth client secret) travel as KMS
//! ciphertext, base64, bound to their purpose by the encryption context; they
//! are decrypted once per cold start and never sit in clear in configuration.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use tmp_core::ports::{KeyVault, KeyVaultError};
use tmp_core::secret::Secret;

/// Encryption context purpose of the issuer OAuth2 client secret.
pub const ISSUER_OAUTH_CLIENT_SECRET: &str = "issuer-oauth-client-secret";
/// Encryption context purpose of the issuer webhook signing secret.
pub const ISSUER_WEBHOOK_SECRET: &str = "issuer-webhook-secret";

/// Encryption context purpose of the PAN-fingerprint HMAC secret (256 bits).
pub const PAN_FINGERPRINT_SECRET: &str = "pan-fingerprint-secret";
/// Encryption context purpose of the MDES Customer Service OAuth 1.0a signing
/// key (PKCS#8 DER of an RSA key, at least 2048 bits).
pub const MDES_OAUTH_SIGNING_KEY: &str = "mdes-oauth-signing-key";
/// Encryption context purpose of the data key sealing contacts and codes (256 bits).
pub const DATA_SEALING_KEY: &str = "data-sealing-key";

#[derive(Debug, thiserror::Error)]
pub enum ConfigSecretError {
    #[error("secret ciphertext is not base64")]
    NotBase64,
    #[error("decrypted secret is not UTF-8 text")]
    NotText,
    #[error("key service refused the secret")]
    Vault(#[from] KeyVaultError),
}

fn context(purpose: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("purpose".to_owned(), purpose.to_owned())])
}

pub async fn encrypt(
    vault: &dyn KeyVault,
    secret: &str,
    purpose: &str,
) -> Result<String, ConfigSecretError> {
    let ciphertext = vault.encrypt(secret.as_bytes(), &context(purpose)).await?;
    Ok(STANDARD.encode(ciphertext))
}

/// A binary key (a KMS `GenerateDataKey` ciphertext, base64), unwrapped.
pub async fn decrypt_key(
    vault: &dyn KeyVault,
    ciphertext_b64: &str,
    purpose: &str,
) -> Result<Secret<Vec<u8>>, ConfigSecretError> {
    let ciphertext = STANDARD
        .decode(ciphertext_b64.trim())
        .map_err(|_| ConfigSecretError::NotBase64)?;
    Ok(vault.decrypt(&ciphertext, &context(purpose)).await?)
}

/// A new 256-bit key for `purpose`: its KMS ciphertext (base64) to configure.
pub async fn generate_key(
    vault: &dyn KeyVault,
    purpose: &str,
) -> Result<String, ConfigSecretError> {
    let key = vault.generate_data_key(&context(purpose)).await?;
    Ok(STANDARD.encode(key.ciphertext))
}

pub async fn decrypt(
    vault: &dyn KeyVault,
    ciphertext_b64: &str,
    purpose: &str,
) -> Result<Secret<String>, ConfigSecretError> {
    let ciphertext = STANDARD
        .decode(ciphertext_b64.trim())
        .map_err(|_| ConfigSecretError::NotBase64)?;
    let plaintext = vault.decrypt(&ciphertext, &context(purpose)).await?;
    let text = std::str::from_utf8(plaintext.expose()).map_err(|_| ConfigSecretError::NotText)?;
    Ok(Secret::new(text.to_owned()))
}
