//! A network private key at rest (MDES, VTS): its PKCS#8 DER sealed with
//! AES-256-GCM under a KMS data key of its own, the key's id as associated
//! data, bound by the encryption context each network's key crate chooses.
//! Only ciphertexts and public data are stored; the key opens in memory.

use std::collections::BTreeMap;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::crypto::CryptoError;
use crate::crypto::envelope::{self, Sealed};
use crate::ports::key_material::{KeyMaterial, KeyMaterialStatus};
use crate::ports::key_vault::{KeyVault, KeyVaultError};
use crate::secret::Secret;

#[derive(Debug, thiserror::Error)]
pub enum SealedKeyError {
    #[error("key vault operation failed")]
    Vault(#[from] KeyVaultError),
    #[error("key material cryptography failed")]
    Crypto(#[from] CryptoError),
}

/// Seals `pkcs8_der` under a fresh data key: ACTIVE key material named `id`.
pub async fn seal(
    vault: &dyn KeyVault,
    context: &BTreeMap<String, String>,
    id: &str,
    public_key_der: &[u8],
    pkcs8_der: &Secret<Vec<u8>>,
) -> Result<KeyMaterial, SealedKeyError> {
    let data_key = vault.generate_data_key(context).await?;
    let sealed = envelope::seal(&data_key.plaintext, pkcs8_der.expose(), id.as_bytes())?;
    let created_at = OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .map_err(|_| CryptoError::KeyGeneration)?;
    Ok(KeyMaterial {
        fingerprint: id.to_owned(),
        public_key_der: public_key_der.to_vec(),
        encrypted_data_key: data_key.ciphertext,
        nonce: sealed.nonce,
        sealed_private_key: sealed.ciphertext,
        created_at,
        status: KeyMaterialStatus::Active,
    })
}

/// The PKCS#8 DER of stored key material (the caller checks it against the
/// stored public key).
pub async fn open(
    vault: &dyn KeyVault,
    context: &BTreeMap<String, String>,
    material: &KeyMaterial,
) -> Result<Secret<Vec<u8>>, SealedKeyError> {
    let data_key = vault.decrypt(&material.encrypted_data_key, context).await?;
    let sealed = Sealed {
        nonce: material.nonce.clone(),
        ciphertext: material.sealed_private_key.clone(),
    };
    Ok(envelope::open(
        &data_key,
        &sealed,
        material.fingerprint.as_bytes(),
    )?)
}
