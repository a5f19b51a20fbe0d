//! Activation-code delivery jobs (the OTP queue's messages) and the
//! cardholder contact details they are delivered to.

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// How a code reaches the cardholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryChannel {
    /// Text message through SNS to the cardholder's phone.
    Sms,
    /// E-mail: handed to the issuer's notification webhook, which sends it.
    Email,
    /// The issuer delivers by its own means (app push, call): we notify it.
    Issuer,
}

/// One message on the OTP queue. The code travels only as KMS ciphertext
/// (encryption context `purpose=activation-code`, `token=<tokenUniqueReference>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpDeliveryJob {
    pub job_id: String,
    pub token_unique_reference: String,
    pub channel: DeliveryChannel,
    /// base64 KMS ciphertext of the activation code.
    pub encrypted_code: String,
    /// RFC 3339; a job delivered after this is dropped (the code is useless).
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The MDES requestId of deliverActivationCode, for tracing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_request_id: Option<String>,
}

/// Cardholder contact details from the issuer (Card Verification API), kept on
/// the token only as KMS ciphertext (context `purpose=cardholder-contact`,
/// `token=<tokenUniqueReference>`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactDetails {
    #[serde(serialize_with = "expose_opt")]
    pub phone_number: Option<Secret<String>>,
    #[serde(serialize_with = "expose_opt")]
    pub email: Option<Secret<String>>,
}

/// Only for sealing contact details under KMS: `Secret` has no `Serialize`.
fn expose_opt<S: serde::Serializer>(
    value: &Option<Secret<String>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(secret) => serializer.serialize_some(secret.expose()),
        None => serializer.serialize_none(),
    }
}

/// Encryption-context purposes used with the KMS `SecretsKey`.
pub mod purpose {
    pub const ACTIVATION_CODE: &str = "activation-code";
    pub const CARDHOLDER_CONTACT: &str = "cardholder-contact";
    /// A card update job's new PAN (context `job=<jobId>`).
    pub const CARD_UPDATE: &str = "card-update";
}

/// The key-service encryption context that binds a sealed value (contact
/// details, an activation code) to its purpose and its token.
pub fn sealing_context(
    purpose: &str,
    token_unique_reference: &str,
) -> std::collections::BTreeMap<String, String> {
    std::collections::BTreeMap::from([
        ("purpose".to_owned(), purpose.to_owned()),
        ("token".to_owned(), token_unique_reference.to_owned()),
    ])
}
