//! validateActivationCode (VAC) request and response (MDES Pre-Digitization
//! 2.0.21): the issuer checks the code the cardholder entered.

use serde::{Deserialize, Serialize};

use crate::MdesError;
use crate::common;
use crate::operation::MdesRequest;
use crate::validate;
use tmp_core::secret::Secret;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateActivationCodeRequest {
    pub request_id: String,
    pub token_unique_reference: String,
    pub correlation_id: String,
    /// The code as the cardholder entered it; an OTP, so never printed.
    pub activation_code: Secret<String>,
}

impl MdesRequest for ValidateActivationCodeRequest {
    const OPERATION: &'static str = "validateActivationCode";

    fn validate(&self) -> Result<(), MdesError> {
        common::request_id(&self.request_id)?;
        common::token_unique_reference("tokenUniqueReference", &self.token_unique_reference)?;
        common::correlation_id(&self.correlation_id)?;
        validate::length("activationCode", self.activation_code.expose(), 1, 32)
    }
}

/// The spec's `result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ValidationResult {
    Success,
    /// Wrong code; the cardholder may retry.
    IncorrectCode,
    /// Wrong code and no retries left.
    IncorrectCodeRetriesExceeded,
    /// The code expired or was invalidated.
    ExpiredCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateActivationCodeResponse {
    pub response_id: String,
    pub result: ValidationResult,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::MdesErrorCode;
    use crate::testing::{assert_violations, parse};

    fn valid() -> serde_json::Value {
        json!({
            "requestId": "123456",
            "tokenUniqueReference": "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45",
            "correlationId": "D98765432104",
            "activationCode": "A1B2C3D4"
        })
    }

    #[test]
    fn spec_example_parses_and_hides_the_code() {
        let req = parse::<ValidateActivationCodeRequest>(valid()).unwrap();
        assert_eq!(req.activation_code.expose(), "A1B2C3D4");
        assert!(!format!("{req:?}").contains("A1B2C3D4"));
    }

    #[test]
    fn each_violation_gets_its_spec_code() {
        assert_violations::<ValidateActivationCodeRequest>(
            valid,
            &[
                (
                    "/activationCode",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "activationCode",
                ),
                (
                    "/correlationId",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "correlationId",
                ),
                (
                    "/activationCode",
                    Some(json!("")),
                    MdesErrorCode::InvalidFieldLength,
                    "activationCode",
                ),
                (
                    "/activationCode",
                    Some(json!("9".repeat(33))),
                    MdesErrorCode::InvalidFieldLength,
                    "activationCode",
                ),
                (
                    "/tokenUniqueReference",
                    Some(json!(42)),
                    MdesErrorCode::InvalidFieldFormat,
                    "tokenUniqueReference",
                ),
                (
                    "/correlationId",
                    Some(json!("123456789012345")),
                    MdesErrorCode::InvalidFieldLength,
                    "correlationId",
                ),
            ],
        );
    }

    #[test]
    fn results_use_the_spec_names() {
        let cases = [
            (ValidationResult::Success, "SUCCESS"),
            (ValidationResult::IncorrectCode, "INCORRECT_CODE"),
            (
                ValidationResult::IncorrectCodeRetriesExceeded,
                "INCORRECT_CODE_RETRIES_EXCEEDED",
            ),
            (ValidationResult::ExpiredCode, "EXPIRED_CODE"),
        ];
        for (result, name) in cases {
            let response = ValidateActivationCodeResponse {
                response_id: "1".into(),
                result,
            };
            assert_eq!(
                serde_json::to_value(&response).unwrap(),
                json!({"responseId": "1", "result": name})
            );
        }
    }
}
