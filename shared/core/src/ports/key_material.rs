use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum KeyMaterialStoreError {
    #[error("key material for this fingerprint already exists")]
    AlreadyExists,
    #[error("stored key material is malformed (attribute {0})")]
    Corrupt(&'static str),
    #[error("key material store is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMaterialStatus {
    /// Used to decrypt inbound payloads.
    Active,
    /// Kept for audit; never loaded.
    Retired,
}

impl KeyMaterialStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Retired => "RETIRED",
        }
    }
}

impl FromStr for KeyMaterialStatus {
    type Err = KeyMaterialStoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ACTIVE" => Ok(Self::Active),
            "RETIRED" => Ok(Self::Retired),
            _ => Err(KeyMaterialStoreError::Corrupt("status")),
        }
    }
}

impl fmt::Display for KeyMaterialStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One network private key (MDES today), envelope-encrypted: only ciphertexts and public data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMaterial {
    /// Lowercase hex SHA-256 of `public_key_der`.
    pub fingerprint: String,
    /// SubjectPublicKeyInfo DER.
    pub public_key_der: Vec<u8>,
    /// KMS ciphertext blob of the AES-256 data key.
    pub encrypted_data_key: Vec<u8>,
    /// AES-GCM nonce used to seal the private key.
    pub nonce: Vec<u8>,
    /// AES-GCM ciphertext (with tag) of the PKCS#8 DER private key.
    pub sealed_private_key: Vec<u8>,
    /// RFC 3339.
    pub created_at: String,
    pub status: KeyMaterialStatus,
}

/// Storage of network key material (DynamoDB `MDES_KEY_MATERIAL_TABLE`).
#[async_trait]
pub trait KeyMaterialStore: Send + Sync {
    /// Stores new key material; refuses to overwrite an existing fingerprint.
    async fn put(&self, material: &KeyMaterial) -> Result<(), KeyMaterialStoreError>;

    /// Every stored key, whatever its status.
    async fn list(&self) -> Result<Vec<KeyMaterial>, KeyMaterialStoreError>;
}
