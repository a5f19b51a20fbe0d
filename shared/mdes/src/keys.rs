//! The issuer's MDES private keys at rest: each PKCS#8 key sealed with AES-GCM
//! under its own KMS data key (encryption context
//! `{"purpose":"mdes-private-key","fingerprint":<fp>}`, AAD = fingerprint).

use std::collections::BTreeMap;

use crate::fle::{MdesKeyRing, MdesPrivateKey, spki_fingerprint, spki_pem};
use tmp_core::crypto::CryptoError;
use tmp_core::crypto::sealed_key::{self, SealedKeyError};
use tmp_core::ports::key_material::{
    KeyMaterial, KeyMaterialStatus, KeyMaterialStore, KeyMaterialStoreError,
};
use tmp_core::ports::key_vault::{KeyVault, KeyVaultError};

/// Value of the `purpose` encryption-context entry for MDES key data keys.
pub const PURPOSE: &str = "mdes-private-key";

#[derive(Debug, thiserror::Error)]
pub enum MdesKeyError {
    #[error("key vault operation failed")]
    Vault(#[from] KeyVaultError),
    #[error("key material store operation failed")]
    Store(#[from] KeyMaterialStoreError),
    #[error("key material cryptography failed")]
    Crypto(#[from] CryptoError),
    #[error("stored key material does not match its fingerprint")]
    FingerprintMismatch,
}

impl From<SealedKeyError> for MdesKeyError {
    fn from(err: SealedKeyError) -> Self {
        match err {
            SealedKeyError::Vault(e) => Self::Vault(e),
            SealedKeyError::Crypto(e) => Self::Crypto(e),
        }
    }
}

/// What Mastercard onboarding needs: the public key and its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdesPublicKeyInfo {
    pub fingerprint: String,
    pub pem: String,
}

/// The KMS encryption context binding a data key to one MDES key.
pub fn encryption_context(fingerprint: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("purpose".to_owned(), PURPOSE.to_owned()),
        ("fingerprint".to_owned(), fingerprint.to_owned()),
    ])
}

/// Generates an RSA key pair, seals the private key under a fresh data key
/// and stores it as ACTIVE.
pub async fn generate_and_store(
    vault: &dyn KeyVault,
    store: &dyn KeyMaterialStore,
    bits: usize,
) -> Result<MdesPublicKeyInfo, MdesKeyError> {
    // Key generation takes 20 ms to 0.5 s of CPU: keep it off the async workers.
    let key = tokio::task::spawn_blocking(move || MdesPrivateKey::generate(bits))
        .await
        .map_err(|_| CryptoError::KeyGeneration)??;
    seal_and_store(vault, store, &key).await
}

/// Seals an existing private key (an import, or a freshly generated one) under
/// a fresh data key and stores it as ACTIVE.
pub async fn seal_and_store(
    vault: &dyn KeyVault,
    store: &dyn KeyMaterialStore,
    key: &MdesPrivateKey,
) -> Result<MdesPublicKeyInfo, MdesKeyError> {
    let fingerprint = key.fingerprint().to_owned();

    let material = sealed_key::seal(
        vault,
        &encryption_context(&fingerprint),
        &fingerprint,
        key.public_key_der(),
        &key.to_pkcs8_der()?,
    )
    .await?;
    store.put(&material).await?;
    Ok(MdesPublicKeyInfo {
        pem: key.public_key_pem(),
        fingerprint,
    })
}

/// Decrypts every ACTIVE key once (at cold start). Any key that fails to
/// open fails the whole load: a half-loaded ring would reject payloads silently.
pub async fn load_keyring(
    vault: &dyn KeyVault,
    store: &dyn KeyMaterialStore,
) -> Result<MdesKeyRing, MdesKeyError> {
    let active: Vec<_> = store
        .list()
        .await?
        .into_iter()
        .filter(|m| m.status == KeyMaterialStatus::Active)
        .collect();
    // One KMS round trip for all keys, not one per key, at cold start.
    let opened = futures::future::try_join_all(active.iter().map(|m| open_key(vault, m))).await?;
    let mut ring = MdesKeyRing::default();
    for key in opened {
        ring.insert(key);
    }
    Ok(ring)
}

/// Public keys and fingerprints of the ACTIVE keys; no decryption involved.
pub async fn public_keys(
    store: &dyn KeyMaterialStore,
) -> Result<Vec<MdesPublicKeyInfo>, MdesKeyError> {
    let mut keys = Vec::new();
    for material in store.list().await? {
        if material.status != KeyMaterialStatus::Active {
            continue;
        }
        if spki_fingerprint(&material.public_key_der) != material.fingerprint {
            return Err(MdesKeyError::FingerprintMismatch);
        }
        keys.push(MdesPublicKeyInfo {
            pem: spki_pem(&material.public_key_der),
            fingerprint: material.fingerprint,
        });
    }
    Ok(keys)
}

async fn open_key(
    vault: &dyn KeyVault,
    material: &KeyMaterial,
) -> Result<MdesPrivateKey, MdesKeyError> {
    let der = sealed_key::open(vault, &encryption_context(&material.fingerprint), material).await?;
    let key = MdesPrivateKey::from_pkcs8_der(&der)?;
    // The AAD already binds the fingerprint; this also catches a swapped public key.
    if key.fingerprint() != material.fingerprint || key.public_key_der() != material.public_key_der
    {
        return Err(MdesKeyError::FingerprintMismatch);
    }
    Ok(key)
}
