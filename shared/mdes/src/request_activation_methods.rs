//! requestActivationMethods (RAM) request and response (MDES Pre-Digitization
//! 2.0.21): the ways a cardholder can receive an activation code.

use serde::{Deserialize, Serialize};

use crate::MdesError;
use crate::activation_method::ActivationMethod;
use crate::authorize_service::FundingAccountInfo;
use crate::common::{self, WalletContext};
use crate::operation::MdesRequest;

/// Unknown fields are ignored: the spec says clients must tolerate new ones.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestActivationMethodsRequest {
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
    /// `ADD_CARD`, `VERIFY_ACCOUNT`, `OTHER`; the spec says new codes may come
    /// at any time and must not fail the request, so they are not checked.
    #[serde(default)]
    pub reason_codes: Vec<String>,
    pub consumer_facing_entity_name: Option<String>,
}

impl MdesRequest for RequestActivationMethodsRequest {
    const OPERATION: &'static str = "requestActivationMethods";

    fn validate(&self) -> Result<(), MdesError> {
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
        common::funding_account_info(&self.funding_account_info)
    }
}

/// `activationMethods` is always present: an empty array when the issuer
/// offers none (or the card check failed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestActivationMethodsResponse {
    pub response_id: String,
    pub activation_methods: Vec<ActivationMethod>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::MdesErrorCode;
    use crate::activation_method::ActivationMethodType;
    use crate::testing::assert_violations;

    fn valid() -> serde_json::Value {
        json!({
            "requestId": "123456",
            "services": ["DIGITIZATION"],
            "correlationId": "D98765432104",
            "tokenType": "CLOUD",
            "tokenRequestorId": "12345678901",
            "walletId": "123",
            "paymentAppInstanceId": "1b24f24a24ba98e27d43e345b532a245e4723d7a9c4f624e",
            "accountIdHash": "5ae9c9890b326bd23bfa9db9672298ae3b10a9388e56ec17a001e191f24572aa",
            "mobileNumberSuffix": "1234",
            "reasonCodes": ["ADD_CARD", "A_FUTURE_REASON"],
            "consumerFacingEntityName": "My Merchant",
            "aFieldFromANewerSpec": true,
            "fundingAccountInfo": {
                "tokenUniqueReference": "DWSPMC000000000fcb2f4136b2f4136a0532d2f4136a0532",
                "panUniqueReference": "FWSPMC000000000159f71f703d2141efaf04dd26803f922b",
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
        // GIVEN the spec's example with an unknown reason code and an unknown field
        // WHEN it is read and validated
        let req = crate::testing::parse::<RequestActivationMethodsRequest>(valid()).unwrap();
        // THEN both are tolerated
        assert_eq!(req.reason_codes, ["ADD_CARD", "A_FUTURE_REASON"]);
        assert_eq!(req.correlation_id, "D98765432104");
    }

    #[test]
    fn each_violation_gets_its_spec_code() {
        assert_violations::<RequestActivationMethodsRequest>(
            valid,
            &[
                (
                    "/requestId",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "requestId",
                ),
                (
                    "/fundingAccountInfo",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "fundingAccountInfo",
                ),
                (
                    "/services",
                    Some(json!([])),
                    MdesErrorCode::MissingRequiredField,
                    "services",
                ),
                (
                    "/services",
                    Some(json!(["PAYMENT"])),
                    MdesErrorCode::InvalidFieldValue,
                    "services",
                ),
                (
                    "/correlationId",
                    Some(json!("123456789012345")),
                    MdesErrorCode::InvalidFieldLength,
                    "correlationId",
                ),
                (
                    "/tokenType",
                    Some(json!("PLASTIC")),
                    MdesErrorCode::InvalidFieldValue,
                    "tokenType",
                ),
                (
                    "/tokenRequestorId",
                    Some(json!("1234567890X")),
                    MdesErrorCode::InvalidFieldFormat,
                    "tokenRequestorId",
                ),
                (
                    "/walletId",
                    Some(json!("1234")),
                    MdesErrorCode::InvalidFieldLength,
                    "walletId",
                ),
                (
                    "/mobileNumberSuffix",
                    Some(json!("123")),
                    MdesErrorCode::InvalidFieldLength,
                    "mobileNumberSuffix",
                ),
                (
                    "/reasonCodes",
                    Some(json!("ADD_CARD")),
                    MdesErrorCode::InvalidFieldFormat,
                    "reasonCodes",
                ),
                (
                    "/fundingAccountInfo/encryptedPayload/iv",
                    Some(json!("00")),
                    MdesErrorCode::InvalidFieldLength,
                    "fundingAccountInfo.encryptedPayload.iv",
                ),
                (
                    "/fundingAccountInfo/encryptedPayload/encryptedKey",
                    Some(json!("zz".repeat(16))),
                    MdesErrorCode::InvalidFieldFormat,
                    "fundingAccountInfo.encryptedPayload.encryptedKey",
                ),
            ],
        );
    }

    #[test]
    fn response_always_carries_the_methods_array() {
        let empty = RequestActivationMethodsResponse {
            response_id: "1".into(),
            activation_methods: vec![],
        };
        assert_eq!(
            serde_json::to_value(&empty).unwrap(),
            json!({"responseId": "1", "activationMethods": []})
        );
        let one = RequestActivationMethodsResponse {
            response_id: "2".into(),
            activation_methods: vec![ActivationMethod {
                method_type: ActivationMethodType::TextToCardholderNumber,
                value: "***-***-1234".into(),
            }],
        };
        assert_eq!(
            serde_json::to_value(&one).unwrap(),
            json!({"responseId": "2", "activationMethods": [{"type": "TEXT_TO_CARDHOLDER_NUMBER", "value": "***-***-1234"}]})
        );
    }
}
