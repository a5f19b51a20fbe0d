//! TEMPORARY STUB until the crypto branch lands.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptedPayload {
    pub public_key_fingerprint: String,
    pub encrypted_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oaep_hashing_algorithm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iv: Option<String>,
    pub encrypted_data: String,
}

#[derive(Debug, thiserror::Error)]
#[error("stub")]
pub struct CryptoError;
