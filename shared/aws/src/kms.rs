//! AWS KMS adapters: envelope-encryption root of trust and keyed PAN fingerprints.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_kms::Client;
use aws_sdk_kms::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{DataKeySpec, MacAlgorithmSpec};

use super::aws_error::AwsFailure;
use tmp_core::ports::key_vault::{DataKey, KeyVault, KeyVaultError, PanFingerprinter};
use tmp_core::secret::{Pan, Secret};

/// [`KeyVault`] on a KMS symmetric key; every call carries an encryption context.
#[derive(Debug, Clone)]
pub struct KmsKeyVault {
    client: Client,
    key_id: String,
}

impl KmsKeyVault {
    pub fn new(client: Client, key_id: impl Into<String>) -> Self {
        Self {
            client,
            key_id: key_id.into(),
        }
    }
}

#[async_trait]
impl KeyVault for KmsKeyVault {
    async fn generate_data_key(
        &self,
        context: &BTreeMap<String, String>,
    ) -> Result<DataKey, KeyVaultError> {
        let out = self
            .client
            .generate_data_key()
            .key_id(&self.key_id)
            .key_spec(DataKeySpec::Aes256)
            .set_encryption_context(Some(to_context(context)))
            .send()
            .await
            .map_err(vault_error)?;
        match (out.plaintext, out.ciphertext_blob) {
            (Some(plaintext), Some(ciphertext)) => Ok(DataKey {
                plaintext: Secret::new(plaintext.into_inner()),
                ciphertext: ciphertext.into_inner(),
            }),
            _ => Err(missing("GenerateDataKey")),
        }
    }

    async fn decrypt(
        &self,
        ciphertext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Secret<Vec<u8>>, KeyVaultError> {
        // Naming the key stops a ciphertext made under another key being accepted.
        let out = self
            .client
            .decrypt()
            .key_id(&self.key_id)
            .ciphertext_blob(Blob::new(ciphertext))
            .set_encryption_context(Some(to_context(context)))
            .send()
            .await
            .map_err(vault_error)?;
        out.plaintext
            .map(|p| Secret::new(p.into_inner()))
            .ok_or_else(|| missing("Decrypt"))
    }

    async fn encrypt(
        &self,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Vec<u8>, KeyVaultError> {
        let out = self
            .client
            .encrypt()
            .key_id(&self.key_id)
            .plaintext(Blob::new(plaintext))
            .set_encryption_context(Some(to_context(context)))
            .send()
            .await
            .map_err(vault_error)?;
        out.ciphertext_blob
            .map(Blob::into_inner)
            .ok_or_else(|| missing("Encrypt"))
    }
}

/// [`PanFingerprinter`] on a KMS `HMAC_256` key: HMAC-SHA256 of the PAN digits,
/// lowercase hex. The HMAC key never leaves KMS.
#[derive(Debug, Clone)]
pub struct KmsPanFingerprinter {
    client: Client,
    key_id: String,
}

impl KmsPanFingerprinter {
    pub fn new(client: Client, key_id: impl Into<String>) -> Self {
        Self {
            client,
            key_id: key_id.into(),
        }
    }
}

impl KmsPanFingerprinter {
    /// HMAC-SHA256 of `message` under the KMS key, lowercase hex.
    async fn generate_mac(&self, message: &[u8]) -> Result<String, KeyVaultError> {
        let out = self
            .client
            .generate_mac()
            .key_id(&self.key_id)
            .mac_algorithm(MacAlgorithmSpec::HmacSha256)
            .message(Blob::new(message))
            .send()
            .await
            .map_err(vault_error)?;
        out.mac
            .map(|mac| hex::encode(mac.as_ref()))
            .ok_or_else(|| missing("GenerateMac"))
    }
}

#[async_trait]
impl PanFingerprinter for KmsPanFingerprinter {
    async fn fingerprint(&self, pan: &Pan) -> Result<String, KeyVaultError> {
        self.generate_mac(pan.expose().as_bytes()).await
    }
}

#[async_trait]
impl tmp_core::ports::KeyedMac for KmsPanFingerprinter {
    async fn mac(
        &self,
        message: &tmp_core::secret::Secret<Vec<u8>>,
    ) -> Result<String, KeyVaultError> {
        self.generate_mac(message.expose()).await
    }
}

fn to_context(context: &BTreeMap<String, String>) -> HashMap<String, String> {
    context
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Transient failures are `Unavailable` (retry), refusals carry only the KMS error code.
fn vault_error<E: ProvideErrorMetadata, R>(err: SdkError<E, R>) -> KeyVaultError {
    let failure = AwsFailure::new(&err);
    if failure.is_transient() {
        KeyVaultError::Unavailable(Box::new(failure))
    } else {
        KeyVaultError::Refused(failure.code.unwrap_or_else(|| "UnknownError".to_owned()))
    }
}

fn missing(operation: &str) -> KeyVaultError {
    KeyVaultError::Refused(format!("{operation} answered without its result"))
}
