//! authorizeService request and response (MDES Pre-Digitization 2.0.21).

use serde::{Deserialize, Serialize};

use crate::MdesError;
use crate::activation_method::ActivationMethod;
use crate::common::{self, WalletContext};
use crate::fle::EncryptedPayload;
use crate::operation::MdesRequest;
use crate::validate::{self, optional_length};
use tmp_core::domain::decision::{Decision, WalletAdvice};

pub use crate::common::DIGITIZATION;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FundingAccountInfo {
    pub token_unique_reference: Option<String>,
    pub pan_unique_reference: Option<String>,
    pub encrypted_payload: EncryptedPayload,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletProviderDecisioningInfo {
    pub recommended_decision: Option<String>,
    pub recommendation_standard_version: Option<String>,
    pub device_score: Option<String>,
    pub account_score: Option<String>,
    pub phone_number_score: Option<String>,
    pub account_life_time: Option<String>,
    #[serde(default)]
    pub recommendation_reasons: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    pub device_name: Option<String>,
    pub serial_number: Option<String>,
    pub form_factor: Option<String>,
    pub iso_device_type: Option<String>,
    pub os_name: Option<String>,
    pub os_version: Option<String>,
    pub imei: Option<String>,
    pub msisdn: Option<String>,
    pub storage_technology: Option<String>,
}

/// Unknown fields are ignored: the spec says clients must tolerate new ones.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizeServiceRequest {
    pub request_id: String,
    pub services: Vec<String>,
    pub funding_account_info: FundingAccountInfo,
    pub correlation_id: String,
    pub token_type: String,
    pub token_requestor_id: Option<String>,
    pub wallet_id: Option<String>,
    pub payment_app_instance_id: Option<String>,
    pub account_id_hash: Option<String>,
    pub mobile_number_suffix: Option<String>,
    pub active_token_count: Option<String>,
    pub device_info: Option<DeviceInfo>,
    pub wallet_provider_decisioning_info: Option<WalletProviderDecisioningInfo>,
    pub consumer_facing_entity_name: Option<String>,
    pub pan_sequence_number: Option<String>,
}

impl AuthorizeServiceRequest {
    /// Lengths, formats and enums of the spec, field by field.
    pub fn validate(&self) -> Result<(), MdesError> {
        common::request_id(&self.request_id)?;
        common::services(&self.services)?;
        common::correlation_id(&self.correlation_id)?;
        common::token_type(&self.token_type)?;
        WalletContext {
            token_requestor_id: &self.token_requestor_id,
            wallet_id: &self.wallet_id,
            payment_app_instance_id: &self.payment_app_instance_id,
            account_id_hash: &self.account_id_hash,
            mobile_number_suffix: &self.mobile_number_suffix,
            consumer_facing_entity_name: &self.consumer_facing_entity_name,
        }
        .validate()?;
        optional_length("activeTokenCount", &self.active_token_count, 1, 2)?;
        optional_length("panSequenceNumber", &self.pan_sequence_number, 3, 3)?;
        common::funding_account_info(&self.funding_account_info)?;
        self.wallet_advice().map(|_| ())
    }

    /// The wallet provider's recommendation, scores parsed (1–5).
    pub fn wallet_advice(&self) -> Result<WalletAdvice, MdesError> {
        let Some(info) = &self.wallet_provider_decisioning_info else {
            return Ok(WalletAdvice::default());
        };
        const P: &str = "walletProviderDecisioningInfo";
        let recommended_decision = match info.recommended_decision.as_deref() {
            None => None,
            Some("APPROVED") => Some(Decision::Approved),
            Some("DECLINED") => Some(Decision::Declined),
            Some("REQUIRE_ADDITIONAL_AUTHENTICATION") => {
                Some(Decision::RequireAdditionalAuthentication)
            }
            Some(_) => return Err(MdesError::value(&format!("{P}.recommendedDecision"))),
        };
        Ok(WalletAdvice {
            recommended_decision,
            device_score: validate::score(&format!("{P}.deviceScore"), &info.device_score)?,
            account_score: validate::score(&format!("{P}.accountScore"), &info.account_score)?,
            ..WalletAdvice::default()
        })
    }
}

impl MdesRequest for AuthorizeServiceRequest {
    const OPERATION: &'static str = "authorizeService";

    fn validate(&self) -> Result<(), MdesError> {
        AuthorizeServiceRequest::validate(self)
    }
}

/// `cvcResponse`: the issuer's CVC2 check, in the spec's words.
pub use tmp_core::domain::card::CvcResponse;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizeServiceResponse {
    pub response_id: String,
    pub services: Vec<String>,
    pub decision: Decision,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_methods: Option<Vec<ActivationMethod>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pan_sequence_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvc_response: Option<CvcResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_requestor_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::MdesErrorCode;

    fn valid() -> serde_json::Value {
        json!({
            "requestId": "123456",
            "services": ["DIGITIZATION"],
            "correlationId": "D98765432104",
            "tokenType": "CLOUD",
            "tokenRequestorId": "50110030273",
            "fundingAccountInfo": {
                "tokenUniqueReference": "DWSPMC000000000fcb2f4136b2f4136a0532d2f4136a0532",
                "encryptedPayload": {
                    "publicKeyFingerprint": "4c4ead5927f0df8117f178eea9308daa58e27c2b",
                    "encryptedKey": "A1B2C3D4E5F611223344556678965434",
                    "oaepHashingAlgorithm": "SHA512",
                    "iv": "31323334353637383930313233343536",
                    "encryptedData": "4545433044323232363739304532433610DE1D1461475BEB6D815F31764DDC20298BD779FBE37EE5AB3CBDA9F9825E1D"
                }
            },
            "walletProviderDecisioningInfo": {"recommendedDecision": "APPROVED", "deviceScore": "4", "accountScore": "5"}
        })
    }

    fn parse(v: serde_json::Value) -> Result<AuthorizeServiceRequest, MdesError> {
        let req: AuthorizeServiceRequest = validate::from_value(v)?;
        req.validate()?;
        Ok(req)
    }

    #[test]
    fn spec_example_parses() {
        let req = parse(valid()).unwrap();
        assert_eq!(req.wallet_advice().unwrap().device_score, Some(4));
    }

    #[test]
    fn each_violation_gets_its_spec_code() {
        type Case = (fn(&mut serde_json::Value), MdesErrorCode, &'static str);
        let cases: Vec<Case> = vec![
            (
                |v| {
                    v.as_object_mut().unwrap().remove("requestId");
                },
                MdesErrorCode::MissingRequiredField,
                "requestId",
            ),
            (
                |v| {
                    v["fundingAccountInfo"]["encryptedPayload"]
                        .as_object_mut()
                        .unwrap()
                        .remove("encryptedKey");
                },
                MdesErrorCode::MissingRequiredField,
                "fundingAccountInfo.encryptedPayload.encryptedKey",
            ),
            (
                |v| v["services"] = json!("DIGITIZATION"),
                MdesErrorCode::InvalidFieldFormat,
                "services",
            ),
            (
                |v| v["services"] = json!(["PAYMENT"]),
                MdesErrorCode::InvalidFieldValue,
                "services",
            ),
            (
                |v| v["correlationId"] = json!("123456789012345"),
                MdesErrorCode::InvalidFieldLength,
                "correlationId",
            ),
            (
                |v| v["tokenType"] = json!("PLASTIC"),
                MdesErrorCode::InvalidFieldValue,
                "tokenType",
            ),
            (
                |v| v["tokenRequestorId"] = json!("5011003027X"),
                MdesErrorCode::InvalidFieldFormat,
                "tokenRequestorId",
            ),
            (
                |v| v["fundingAccountInfo"]["encryptedPayload"]["iv"] = json!("00"),
                MdesErrorCode::InvalidFieldLength,
                "iv",
            ),
            (
                |v| {
                    v["fundingAccountInfo"]["encryptedPayload"]["oaepHashingAlgorithm"] =
                        json!("SHA1")
                },
                MdesErrorCode::InvalidFieldValue,
                "oaepHashingAlgorithm",
            ),
            (
                |v| v["walletProviderDecisioningInfo"]["deviceScore"] = json!("9"),
                MdesErrorCode::InvalidFieldValue,
                "deviceScore",
            ),
            (
                |v| v["walletProviderDecisioningInfo"]["accountScore"] = json!("high"),
                MdesErrorCode::InvalidFieldFormat,
                "accountScore",
            ),
        ];
        for (mutate, code, field) in cases {
            let mut v = valid();
            mutate(&mut v);
            let err = parse(v).unwrap_err();
            assert_eq!(err.code, code, "{field}: {err}");
            assert!(
                err.description.contains(field),
                "{field}: {}",
                err.description
            );
        }
    }

    #[test]
    fn response_serialises_with_spec_names() {
        let response = AuthorizeServiceResponse {
            response_id: "1".into(),
            services: vec![DIGITIZATION.into()],
            decision: Decision::RequireAdditionalAuthentication,
            activation_methods: Some(vec![]),
            pan_sequence_number: None,
            cvc_response: Some(CvcResponse::Match),
            token_requestor_id: None,
        };
        assert_eq!(
            serde_json::to_value(&response).unwrap(),
            json!({"responseId":"1","services":["DIGITIZATION"],"decision":"REQUIRE_ADDITIONAL_AUTHENTICATION","activationMethods":[],"cvcResponse":"MATCH"})
        );
    }
}
