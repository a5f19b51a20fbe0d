//! Fields several Pre-Digitization operations share, checked in one place so
//! every operation answers the same code for the same mistake.

use crate::MdesError;
use crate::authorize_service::FundingAccountInfo;
use crate::fle::EncryptedPayload;
use crate::validate::{self, length, optional_length};

pub const DIGITIZATION: &str = "DIGITIZATION";
const TOKEN_TYPES: [&str; 3] = ["EMBEDDED_SE", "CLOUD", "STATIC"];

pub(crate) fn request_id(value: &str) -> Result<(), MdesError> {
    length("requestId", value, 1, 64)
}

pub(crate) fn correlation_id(value: &str) -> Result<(), MdesError> {
    length("correlationId", value, 1, 14)
}

pub(crate) fn token_unique_reference(field: &str, value: &str) -> Result<(), MdesError> {
    length(field, value, 1, 64)
}

/// `services`: a non-empty array whose only allowed value is `DIGITIZATION`.
pub(crate) fn services(services: &[String]) -> Result<(), MdesError> {
    if services.is_empty() {
        return Err(MdesError::missing("services"));
    }
    if services.iter().any(|s| s != DIGITIZATION) {
        return Err(MdesError::value("services"));
    }
    Ok(())
}

pub(crate) fn token_type(value: &str) -> Result<(), MdesError> {
    validate::one_of("tokenType", value, &TOKEN_TYPES)
}

/// `tokenRequestorId`: 11 digits.
pub(crate) fn token_requestor_id(value: &str) -> Result<(), MdesError> {
    length("tokenRequestorId", value, 11, 11)?;
    validate::digits("tokenRequestorId", value)
}

/// The optional wallet context fields AS and RAM share.
pub(crate) struct WalletContext<'a> {
    pub token_requestor_id: &'a Option<String>,
    pub wallet_id: &'a Option<String>,
    pub payment_app_instance_id: &'a Option<String>,
    pub account_id_hash: &'a Option<String>,
    pub mobile_number_suffix: &'a Option<String>,
    pub consumer_facing_entity_name: &'a Option<String>,
}

impl WalletContext<'_> {
    pub(crate) fn validate(&self) -> Result<(), MdesError> {
        if let Some(tr) = self.token_requestor_id {
            token_requestor_id(tr)?;
        }
        optional_length("walletId", self.wallet_id, 1, 3)?;
        optional_length("paymentAppInstanceId", self.payment_app_instance_id, 1, 48)?;
        optional_length("accountIdHash", self.account_id_hash, 1, 64)?;
        optional_length("mobileNumberSuffix", self.mobile_number_suffix, 4, 32)?;
        optional_length(
            "consumerFacingEntityName",
            self.consumer_facing_entity_name,
            1,
            100,
        )
    }
}

/// `fundingAccountInfo` of AS and RAM (the spec's `fundingAccountInfoSchema1`).
pub(crate) fn funding_account_info(fai: &FundingAccountInfo) -> Result<(), MdesError> {
    optional_length(
        "fundingAccountInfo.tokenUniqueReference",
        &fai.token_unique_reference,
        1,
        64,
    )?;
    optional_length(
        "fundingAccountInfo.panUniqueReference",
        &fai.pan_unique_reference,
        1,
        64,
    )?;
    encrypted_payload(
        "fundingAccountInfo.encryptedPayload",
        &fai.encrypted_payload,
    )
}

/// An inbound `encryptedPayload` at JSON path `prefix`: hex fields and their
/// lengths, the OAEP digest name. Decryption comes later, in the service.
pub(crate) fn encrypted_payload(prefix: &str, payload: &EncryptedPayload) -> Result<(), MdesError> {
    let fp = format!("{prefix}.publicKeyFingerprint");
    length(&fp, &payload.public_key_fingerprint, 32, 64)?;
    validate::hex(&fp, &payload.public_key_fingerprint)?;
    let key = format!("{prefix}.encryptedKey");
    length(&key, &payload.encrypted_key, 32, 512)?;
    validate::hex(&key, &payload.encrypted_key)?;
    if let Some(alg) = payload.oaep_hashing_algorithm.as_deref() {
        validate::one_of(
            &format!("{prefix}.oaepHashingAlgorithm"),
            alg,
            &["SHA256", "SHA512"],
        )?;
    }
    if let Some(iv) = payload.iv.as_deref() {
        length(&format!("{prefix}.iv"), iv, 32, 32)?;
        validate::hex(&format!("{prefix}.iv"), iv)?;
    }
    let data = format!("{prefix}.encryptedData");
    length(&data, &payload.encrypted_data, 32, 512 * 1024)?;
    validate::hex(&data, &payload.encrypted_data)
}
