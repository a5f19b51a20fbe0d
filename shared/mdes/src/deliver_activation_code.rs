//! deliverActivationCode (DAC) request (MDES Pre-Digitization 2.0.21): send
//! the cardholder an activation code over the chosen method. When MDES sends
//! no `activationCode`, the issuer generates the code itself.

use serde::Deserialize;

use crate::MdesError;
use crate::activation_method::ActivationMethod;
use crate::common;
use crate::operation::{Acknowledgement, MdesRequest};
use crate::validate::{self, optional_length};
use tmp_core::secret::Secret;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliverActivationCodeRequest {
    pub request_id: String,
    pub token_unique_reference: String,
    pub correlation_id: String,
    pub activation_method: ActivationMethod,
    /// Present only when MDES generated the code; an OTP, so never printed.
    pub activation_code: Option<Secret<String>>,
    /// When an MDES-generated code stops being valid (ISO 8601).
    pub expiration_date_time: Option<String>,
    /// `ADD_CARD`, `VERIFY_ACCOUNT`, `OTHER`; new codes must not fail the request.
    #[serde(default)]
    pub reason_codes: Vec<String>,
    pub consumer_facing_entity_name: Option<String>,
}

impl MdesRequest for DeliverActivationCodeRequest {
    const OPERATION: &'static str = "deliverActivationCode";

    fn validate(&self) -> Result<(), MdesError> {
        common::request_id(&self.request_id)?;
        common::token_unique_reference("tokenUniqueReference", &self.token_unique_reference)?;
        common::correlation_id(&self.correlation_id)?;
        self.activation_method.validate("activationMethod")?;
        if let Some(code) = &self.activation_code {
            validate::length("activationCode", code.expose(), 1, 32)?;
        }
        if let Some(expiry) = &self.expiration_date_time {
            validate::date_time("expirationDateTime", expiry)?;
        }
        optional_length(
            "consumerFacingEntityName",
            &self.consumer_facing_entity_name,
            1,
            100,
        )
    }
}

pub type DeliverActivationCodeResponse = Acknowledgement;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::MdesErrorCode;
    use crate::activation_method::ActivationMethodType;
    use crate::testing::{assert_violations, parse};

    fn valid() -> serde_json::Value {
        json!({
            "requestId": "123456",
            "tokenUniqueReference": "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45",
            "correlationId": "D98765432104",
            "activationCode": "A1B2C3D4",
            "expirationDateTime": "2026-07-04T12:08:56.123-07:00",
            "activationMethod": {"type": "TEXT_TO_CARDHOLDER_NUMBER", "value": "12X-XXX-XX32"},
            "reasonCodes": ["ADD_CARD"],
            "consumerFacingEntityName": "My Merchant"
        })
    }

    #[test]
    fn spec_example_parses_and_hides_the_code() {
        // GIVEN the spec's example WHEN parsed
        let req = parse::<DeliverActivationCodeRequest>(valid()).unwrap();
        // THEN the method is typed and the code never shows in Debug output
        assert_eq!(
            req.activation_method.method_type,
            ActivationMethodType::TextToCardholderNumber
        );
        assert_eq!(req.activation_code.as_ref().unwrap().expose(), "A1B2C3D4");
        assert!(!format!("{req:?}").contains("A1B2C3D4"));
    }

    #[test]
    fn issuer_generated_code_needs_no_code_fields() {
        let mut body = valid();
        let map = body.as_object_mut().unwrap();
        map.remove("activationCode");
        map.remove("expirationDateTime");
        map.remove("reasonCodes");
        let req = parse::<DeliverActivationCodeRequest>(body).unwrap();
        assert!(req.activation_code.is_none() && req.reason_codes.is_empty());
    }

    #[test]
    fn each_violation_gets_its_spec_code() {
        assert_violations::<DeliverActivationCodeRequest>(
            valid,
            &[
                (
                    "/tokenUniqueReference",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "tokenUniqueReference",
                ),
                (
                    "/activationMethod",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "activationMethod",
                ),
                (
                    "/activationMethod/value",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "activationMethod.value",
                ),
                (
                    "/activationMethod/type",
                    Some(json!("CARRIER_PIGEON")),
                    MdesErrorCode::InvalidFieldValue,
                    "activationMethod.type",
                ),
                (
                    "/activationMethod/value",
                    Some(json!("x".repeat(65))),
                    MdesErrorCode::InvalidFieldLength,
                    "activationMethod.value",
                ),
                (
                    "/tokenUniqueReference",
                    Some(json!("D".repeat(65))),
                    MdesErrorCode::InvalidFieldLength,
                    "tokenUniqueReference",
                ),
                (
                    "/correlationId",
                    Some(json!("")),
                    MdesErrorCode::InvalidFieldLength,
                    "correlationId",
                ),
                (
                    "/activationCode",
                    Some(json!("1".repeat(33))),
                    MdesErrorCode::InvalidFieldLength,
                    "activationCode",
                ),
                (
                    "/activationCode",
                    Some(json!(123456)),
                    MdesErrorCode::InvalidFieldFormat,
                    "activationCode",
                ),
                (
                    "/expirationDateTime",
                    Some(json!("2026-07-04 12:08:56.123Z")),
                    MdesErrorCode::InvalidFieldFormat,
                    "expirationDateTime",
                ),
                (
                    "/expirationDateTime",
                    Some(json!("2026-07-04T12:08:56.123456Z")),
                    MdesErrorCode::InvalidFieldFormat,
                    "expirationDateTime",
                ),
                (
                    "/expirationDateTime",
                    Some(json!("2026-07-04")),
                    MdesErrorCode::InvalidFieldLength,
                    "expirationDateTime",
                ),
                (
                    "/consumerFacingEntityName",
                    Some(json!("")),
                    MdesErrorCode::InvalidFieldLength,
                    "consumerFacingEntityName",
                ),
            ],
        );
    }
}
