//! notifyServiceActivated (NSA) request (MDES Pre-Digitization 2.0.21): the
//! token is provisioned and active. Its encrypted payload carries the card
//! and the token (`tokenData`).

use serde::{Deserialize, Serialize};

use crate::MdesError;
use crate::authorize_service::DeviceInfo;
use crate::common;
use crate::fle::EncryptedPayload;
use crate::operation::{Acknowledgement, MdesRequest};
use crate::validate::{self, length, optional_length};

/// The spec's `fundingAccountInfoSchema2`: `tokenUniqueReference` is required in NSA.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivatedFundingAccountInfo {
    pub token_unique_reference: String,
    pub pan_unique_reference: Option<String>,
    pub encrypted_payload: EncryptedPayload,
}

/// The final decision of the provisioning (never DECLINED: the token exists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivatedDecision {
    Approved,
    RequireAdditionalAuthentication,
}

/// The process that made the final decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DecisionMadeBy {
    EligibilityRequest,
    AuthorizationRequest,
    Rules,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyServiceActivatedRequest {
    pub request_id: String,
    pub services: Vec<String>,
    pub funding_account_info: ActivatedFundingAccountInfo,
    pub device_info: Option<DeviceInfo>,
    pub correlation_id: String,
    pub token_requestor_id: String,
    pub wallet_id: Option<String>,
    pub payment_app_instance_id: Option<String>,
    pub token_type: String,
    pub secure_element_id: Option<String>,
    /// The last 4 to 8 digits of the funding PAN.
    pub account_pan_suffix: String,
    pub service_request_date_time: String,
    pub terms_and_conditions_asset_id: Option<String>,
    pub terms_and_conditions_accepted_timestamp: Option<String>,
    pub product_configuration_id: Option<String>,
    /// ISO 639-1 two-letter language code.
    pub consumer_language: Option<String>,
    pub decision: ActivatedDecision,
    pub decision_made_by: Option<DecisionMadeBy>,
    pub token_activated_date_time: String,
    /// Activation codes received to activate the token (one digit).
    pub number_of_activation_attempts: Option<u32>,
    /// Active tokens of the funding account, 0 to 99 (99 means 99 or more).
    pub number_of_active_tokens: Option<u32>,
    pub token_assurance_level: Option<u32>,
    pub consumer_facing_entity_name: Option<String>,
}

impl MdesRequest for NotifyServiceActivatedRequest {
    const OPERATION: &'static str = "notifyServiceActivated";

    fn validate(&self) -> Result<(), MdesError> {
        common::request_id(&self.request_id)?;
        common::services(&self.services)?;
        common::correlation_id(&self.correlation_id)?;
        common::token_requestor_id(&self.token_requestor_id)?;
        common::token_type(&self.token_type)?;
        optional_length("walletId", &self.wallet_id, 1, 3)?;
        optional_length("paymentAppInstanceId", &self.payment_app_instance_id, 1, 48)?;
        optional_length("secureElementId", &self.secure_element_id, 1, 128)?;
        length("accountPanSuffix", &self.account_pan_suffix, 4, 8)?;
        validate::digits("accountPanSuffix", &self.account_pan_suffix)?;
        validate::date_time("serviceRequestDateTime", &self.service_request_date_time)?;
        validate::date_time("tokenActivatedDateTime", &self.token_activated_date_time)?;
        optional_length(
            "termsAndConditionsAssetId",
            &self.terms_and_conditions_asset_id,
            1,
            64,
        )?;
        if let Some(at) = &self.terms_and_conditions_accepted_timestamp {
            validate::date_time("termsAndConditionsAcceptedTimestamp", at)?;
        }
        optional_length(
            "productConfigurationId",
            &self.product_configuration_id,
            1,
            64,
        )?;
        if let Some(language) = &self.consumer_language {
            length("consumerLanguage", language, 2, 2)?;
            if !language.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(MdesError::format("consumerLanguage"));
            }
        }
        at_most(
            "numberOfActivationAttempts",
            self.number_of_activation_attempts,
            9,
        )?;
        at_most("numberOfActiveTokens", self.number_of_active_tokens, 99)?;
        at_most("tokenAssuranceLevel", self.token_assurance_level, 99)?;
        optional_length(
            "consumerFacingEntityName",
            &self.consumer_facing_entity_name,
            1,
            100,
        )?;
        let fai = &self.funding_account_info;
        common::token_unique_reference(
            "fundingAccountInfo.tokenUniqueReference",
            &fai.token_unique_reference,
        )?;
        optional_length(
            "fundingAccountInfo.panUniqueReference",
            &fai.pan_unique_reference,
            1,
            64,
        )?;
        common::encrypted_payload(
            "fundingAccountInfo.encryptedPayload",
            &fai.encrypted_payload,
        )
    }
}

/// Integers the spec bounds by their digit count (1 digit: 0–9, 2: 0–99).
fn at_most(field: &str, value: Option<u32>, max: u32) -> Result<(), MdesError> {
    match value {
        Some(n) if n > max => Err(MdesError::value(field)),
        _ => Ok(()),
    }
}

pub type NotifyServiceActivatedResponse = Acknowledgement;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::MdesErrorCode;
    use crate::testing::{assert_violations, parse};

    fn valid() -> serde_json::Value {
        json!({
            "requestId": "123456",
            "services": ["DIGITIZATION"],
            "correlationId": "D98765432104",
            "tokenRequestorId": "12345678901",
            "walletId": "123",
            "paymentAppInstanceId": "1b24f24a24ba98e27d43e345b532a245e4723d7a9c4f624e",
            "tokenType": "CLOUD",
            "secureElementId": "1b24f24a24ba98e27d43e345b532a245e4723d7a9c4f624e93452c",
            "accountPanSuffix": "1234",
            "serviceRequestDateTime": "2023-07-04T12:08:56.123-07:00",
            "termsAndConditionsAssetId": "a9f027e5-629d-11e3-949a-0800200c9a66",
            "termsAndConditionsAcceptedTimestamp": "2023-07-04T12:09:56.123-07:00",
            "productConfigurationId": "1234",
            "consumerLanguage": "en",
            "decision": "REQUIRE_ADDITIONAL_AUTHENTICATION",
            "decisionMadeBy": "RULES",
            "tokenActivatedDateTime": "2026-07-04T12:09:57.123-07:00",
            "numberOfActivationAttempts": 1,
            "numberOfActiveTokens": 2,
            "tokenAssuranceLevel": 1,
            "consumerFacingEntityName": "My Merchant",
            "deviceInfo": {"deviceName": "My Phone", "formFactor": "PHONE", "osName": "ANDROID"},
            "fundingAccountInfo": {
                "panUniqueReference": "FWSPMC000000000159f71f703d2141efaf04dd26803f922b",
                "tokenUniqueReference": "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45",
                "encryptedPayload": {
                    "publicKeyFingerprint": "4c4ead5927f0df8117f178eea9308daa58e27c2b",
                    "encryptedKey": "A1B2C3D4E5F611223344556678965434",
                    "oaepHashingAlgorithm": "SHA512",
                    "iv": "31323334353637383930313233343536",
                    "encryptedData": "4545433044323232363739304532433610DE1D1461475BEB6D815F31764DDC20"
                }
            }
        })
    }

    #[test]
    fn spec_example_parses() {
        let req = parse::<NotifyServiceActivatedRequest>(valid()).unwrap();
        assert_eq!(
            req.decision,
            ActivatedDecision::RequireAdditionalAuthentication
        );
        assert_eq!(req.decision_made_by, Some(DecisionMadeBy::Rules));
        assert_eq!(req.number_of_active_tokens, Some(2));
    }

    #[test]
    fn each_violation_gets_its_spec_code() {
        assert_violations::<NotifyServiceActivatedRequest>(
            valid,
            &[
                (
                    "/accountPanSuffix",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "accountPanSuffix",
                ),
                (
                    "/tokenRequestorId",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "tokenRequestorId",
                ),
                (
                    "/tokenActivatedDateTime",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "tokenActivatedDateTime",
                ),
                (
                    "/fundingAccountInfo/tokenUniqueReference",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "fundingAccountInfo.tokenUniqueReference",
                ),
                (
                    "/fundingAccountInfo/encryptedPayload",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "fundingAccountInfo.encryptedPayload",
                ),
                (
                    "/decision",
                    Some(json!("DECLINED")),
                    MdesErrorCode::InvalidFieldValue,
                    "decision",
                ),
                (
                    "/decisionMadeBy",
                    Some(json!("ORACLE")),
                    MdesErrorCode::InvalidFieldValue,
                    "decisionMadeBy",
                ),
                (
                    "/accountPanSuffix",
                    Some(json!("123")),
                    MdesErrorCode::InvalidFieldLength,
                    "accountPanSuffix",
                ),
                (
                    "/accountPanSuffix",
                    Some(json!("123456789")),
                    MdesErrorCode::InvalidFieldLength,
                    "accountPanSuffix",
                ),
                (
                    "/accountPanSuffix",
                    Some(json!("12a4")),
                    MdesErrorCode::InvalidFieldFormat,
                    "accountPanSuffix",
                ),
                (
                    "/consumerLanguage",
                    Some(json!("eng")),
                    MdesErrorCode::InvalidFieldLength,
                    "consumerLanguage",
                ),
                (
                    "/consumerLanguage",
                    Some(json!("e1")),
                    MdesErrorCode::InvalidFieldFormat,
                    "consumerLanguage",
                ),
                (
                    "/numberOfActiveTokens",
                    Some(json!(100)),
                    MdesErrorCode::InvalidFieldValue,
                    "numberOfActiveTokens",
                ),
                (
                    "/numberOfActiveTokens",
                    Some(json!(-1)),
                    MdesErrorCode::InvalidFieldFormat,
                    "numberOfActiveTokens",
                ),
                (
                    "/numberOfActiveTokens",
                    Some(json!("2")),
                    MdesErrorCode::InvalidFieldFormat,
                    "numberOfActiveTokens",
                ),
                (
                    "/numberOfActivationAttempts",
                    Some(json!(10)),
                    MdesErrorCode::InvalidFieldValue,
                    "numberOfActivationAttempts",
                ),
                (
                    "/serviceRequestDateTime",
                    Some(json!("2023-07-04T12:08:56")),
                    MdesErrorCode::InvalidFieldLength,
                    "serviceRequestDateTime",
                ),
                (
                    "/serviceRequestDateTime",
                    Some(json!("2023-13-04T12:08:56.123Z")),
                    MdesErrorCode::InvalidFieldFormat,
                    "serviceRequestDateTime",
                ),
                (
                    "/secureElementId",
                    Some(json!("e".repeat(129))),
                    MdesErrorCode::InvalidFieldLength,
                    "secureElementId",
                ),
                (
                    "/services",
                    Some(json!(["PAYMENT"])),
                    MdesErrorCode::InvalidFieldValue,
                    "services",
                ),
                (
                    "/tokenType",
                    Some(json!("PLASTIC")),
                    MdesErrorCode::InvalidFieldValue,
                    "tokenType",
                ),
                (
                    "/fundingAccountInfo/encryptedPayload/oaepHashingAlgorithm",
                    Some(json!("SHA1")),
                    MdesErrorCode::InvalidFieldValue,
                    "fundingAccountInfo.encryptedPayload.oaepHashingAlgorithm",
                ),
            ],
        );
    }
}
