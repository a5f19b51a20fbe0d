//! The MDES Customer Service OAuth 1.0a signing key: an RSA-2048 key made in
//! memory, whose PKCS#8 DER only ever leaves it as KMS ciphertext under the
//! `SecretsKey` (encryption context `purpose=mdes-oauth-signing-key`, the
//! `MdesOAuthSigningKeyCiphertext` parameter the functions unwrap at a cold
//! start). What the issuer registers with Mastercard Developers comes out in
//! clear: the public key (PEM and SHA-256 fingerprint) and a PKCS#10 CSR
//! signed with the key, never the private key.
//!
//! The `mdes-oauth-key` tool runs [`generate`] and [`show`]; the local
//! platform can seed its key with [`generate_private_key`] and
//! [`encrypt_private_key`].

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::PrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use rsa::signature::{SignatureEncoding as _, Signer as _};
use rsa::traits::PublicKeyParts as _;
use sha2::Sha256;
use tmp_core::ports::KeyVault;
use tmp_core::secret::Secret;
use tmp_mdes::fle::{spki_fingerprint, spki_pem};
use tmp_mdes::oauth1::OAuthSigner;

use crate::config_secret::{self, ConfigSecretError, MDES_OAUTH_SIGNING_KEY};

mod csr;

/// Modulus of the keys we make (Mastercard's minimum, as the functions check).
pub const KEY_BITS: usize = 2048;
/// The CSR's subject CN unless the operator names one (Mastercard requires a CN).
pub const DEFAULT_COMMON_NAME: &str = "tmp-mdes-customer-service";
/// The deploy parameter that carries the ciphertext.
pub const CIPHERTEXT_PARAMETER: &str = "MdesOAuthSigningKeyCiphertext";
/// The deploy parameter that carries the consumer key Mastercard gives.
pub const CONSUMER_KEY_PARAMETER: &str = "MdesOAuthConsumerKey";

#[derive(Debug, thiserror::Error)]
pub enum MdesOAuthKeyError {
    #[error("RSA key generation failed")]
    Generation,
    #[error("the key could not be encoded")]
    Encoding,
    #[error("the ciphertext does not hold an RSA PKCS#8 key of at least 2048 bits")]
    NotASigningKey,
    #[error("the common name must be 1 to 64 printable ASCII characters")]
    CommonName,
    #[error("the signing key could not be encrypted or decrypted")]
    Secret(#[from] ConfigSecretError),
}

/// What the issuer registers with Mastercard Developers for its consumer key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthPublicKeyInfo {
    /// Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER.
    pub fingerprint: String,
    /// The SubjectPublicKeyInfo as a `PUBLIC KEY` PEM block.
    pub pem: String,
    /// A PKCS#10 request (sha256WithRSAEncryption), `CERTIFICATE REQUEST` PEM.
    pub csr_pem: String,
}

/// A new key: its ciphertext for the deployment and its public half.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedOAuthKey {
    /// Base64 KMS ciphertext of the PKCS#8 DER (the deploy parameter).
    pub ciphertext: String,
    pub public: OAuthPublicKeyInfo,
}

/// The encryption context the key is bound to (the functions' policy and
/// `compose::issuer` decrypt under exactly this).
pub fn encryption_context() -> BTreeMap<String, String> {
    BTreeMap::from([("purpose".to_owned(), MDES_OAUTH_SIGNING_KEY.to_owned())])
}

/// A fresh RSA-2048 key from the OS RNG, made off the async workers.
pub async fn generate_private_key() -> Result<PrivateKey, MdesOAuthKeyError> {
    tokio::task::spawn_blocking(|| PrivateKey::new(&mut getrandom::SysRng, KEY_BITS))
        .await
        .map_err(|_| MdesOAuthKeyError::Generation)?
        .map_err(|_| MdesOAuthKeyError::Generation)
}

/// The key's PKCS#8 DER encrypted under the vault's key for its purpose,
/// base64. The DER exists only in a zeroizing buffer for the call.
pub async fn encrypt_private_key(
    vault: &dyn KeyVault,
    key: &PrivateKey,
) -> Result<String, MdesOAuthKeyError> {
    let der = key
        .to_pkcs8_der()
        .map_err(|_| MdesOAuthKeyError::Encoding)?;
    let ciphertext = vault
        .encrypt(der.as_bytes(), &encryption_context())
        .await
        .map_err(ConfigSecretError::from)?;
    Ok(STANDARD.encode(ciphertext))
}

/// A new signing key, encrypted for the deployment, and what to register.
pub async fn generate(
    vault: &dyn KeyVault,
    common_name: &str,
) -> Result<GeneratedOAuthKey, MdesOAuthKeyError> {
    csr::check_common_name(common_name)?;
    let key = generate_private_key().await?;
    let ciphertext = encrypt_private_key(vault, &key).await?;
    Ok(GeneratedOAuthKey {
        ciphertext,
        public: public_info(&key, common_name)?,
    })
}

/// The public half (and a CSR) of a configured ciphertext, after checking
/// that the functions will accept the key it holds.
pub async fn show(
    vault: &dyn KeyVault,
    ciphertext_b64: &str,
    common_name: &str,
) -> Result<OAuthPublicKeyInfo, MdesOAuthKeyError> {
    csr::check_common_name(common_name)?;
    let der = config_secret::decrypt_key(vault, ciphertext_b64, MDES_OAUTH_SIGNING_KEY).await?;
    let key = signing_key(&der)?;
    public_info(&key, common_name)
}

/// The key a PKCS#8 DER holds, refused unless [`OAuthSigner`] (what the
/// functions build at a cold start) accepts it too.
fn signing_key(der: &Secret<Vec<u8>>) -> Result<PrivateKey, MdesOAuthKeyError> {
    OAuthSigner::from_pkcs8_der("check", der).map_err(|_| MdesOAuthKeyError::NotASigningKey)?;
    let key =
        PrivateKey::from_pkcs8_der(der.expose()).map_err(|_| MdesOAuthKeyError::NotASigningKey)?;
    if key.size() * 8 < KEY_BITS {
        return Err(MdesOAuthKeyError::NotASigningKey);
    }
    Ok(key)
}

/// The public key, its fingerprint and a CSR for `common_name`.
pub fn public_info(
    key: &PrivateKey,
    common_name: &str,
) -> Result<OAuthPublicKeyInfo, MdesOAuthKeyError> {
    let spki = key
        .to_public_key()
        .to_public_key_der()
        .map_err(|_| MdesOAuthKeyError::Encoding)?;
    let spki = spki.as_bytes();
    let signer = SigningKey::<Sha256>::new(key.clone());
    let request = csr::certification_request(spki, common_name, |info| {
        signer
            .try_sign(info)
            .map(|s| s.to_vec())
            .map_err(|_| MdesOAuthKeyError::Encoding)
    })?;
    Ok(OAuthPublicKeyInfo {
        fingerprint: spki_fingerprint(spki),
        pem: spki_pem(spki),
        csr_pem: csr::pem("CERTIFICATE REQUEST", &request),
    })
}

/// What `mdes-oauth-key show` prints (and `generate` after the ciphertext).
pub fn render_public(info: &OAuthPublicKeyInfo) -> String {
    format!(
        "Public key fingerprint (SHA-256 of the SubjectPublicKeyInfo): {}\n\
         Public key (SubjectPublicKeyInfo):\n{}\
         Certificate signing request (PKCS#10, upload it at Mastercard Developers):\n{}",
        info.fingerprint, info.pem, info.csr_pem
    )
}

/// What `mdes-oauth-key generate` prints.
pub fn render_generated(key: &GeneratedOAuthKey) -> String {
    format!(
        "{CIPHERTEXT_PARAMETER} (set it at sam deploy; KMS ciphertext, context purpose={MDES_OAUTH_SIGNING_KEY}):\n{}\n\n{}\n\
         Register the CSR (or the public key) with Mastercard Developers; set the consumer key it gives as {CONSUMER_KEY_PARAMETER}.\n",
        key.ciphertext,
        render_public(&key.public)
    )
}

#[cfg(test)]
mod tests;
