use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::secret::{Pan, Secret};

#[derive(Debug, thiserror::Error)]
pub enum KeyVaultError {
    #[error("key service refused the operation")]
    Refused(String),
    #[error("key service is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A fresh data key: the plaintext for one use, the ciphertext to store.
#[derive(Debug)]
pub struct DataKey {
    pub plaintext: Secret<Vec<u8>>,
    pub ciphertext: Vec<u8>,
}

/// Envelope encryption root of trust (KMS): data keys and small secrets,
/// always bound to an encryption context.
#[async_trait]
pub trait KeyVault: Send + Sync {
    async fn generate_data_key(
        &self,
        context: &BTreeMap<String, String>,
    ) -> Result<DataKey, KeyVaultError>;

    async fn decrypt(
        &self,
        ciphertext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Secret<Vec<u8>>, KeyVaultError>;

    async fn encrypt(
        &self,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Vec<u8>, KeyVaultError>;
}

/// Keyed PAN fingerprint (HMAC-SHA256 under a KMS-held key), the only form in
/// which a PAN is ever stored or used as a lookup key.
#[async_trait]
pub trait PanFingerprinter: Send + Sync {
    async fn fingerprint(&self, pan: &Pan) -> Result<String, KeyVaultError>;
}

/// HMAC-SHA256 under the KMS-held HMAC key, for other secrets than PANs
/// (activation codes); callers domain-separate their messages.
#[async_trait]
pub trait KeyedMac: Send + Sync {
    async fn mac(&self, message: &Secret<Vec<u8>>) -> Result<String, KeyVaultError>;
}
