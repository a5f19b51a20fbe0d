//! approveProvisioning:
//! `POST /vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/approveProvisioning`.
//! VTS asks whether a token may be provisioned for the card inside
//! `encryptedData` (cardholderInfo + riskInformation).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::VtsError;
use crate::common::{
    self, ActionCode, DeviceInfo, Params, TokenPath, TokenType, WalletProviderMsgTracing,
};
use crate::operation::{self, VtsRequest, VtsResponse};
use crate::validate::{self, optional_digits, optional_length};

/// `tokenInfo` in the clear part of the request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningTokenInfo {
    pub token_type: TokenType,
    pub token_assurance_level: Option<String>,
    #[serde(rename = "numberOfActiveTokensForPAN")]
    pub number_of_active_tokens_for_pan: Option<String>,
    #[serde(rename = "numberOfInactiveTokensForPAN")]
    pub number_of_inactive_tokens_for_pan: Option<String>,
    #[serde(rename = "numberOfSuspendedTokensForPAN")]
    pub number_of_suspended_tokens_for_pan: Option<String>,
}

/// The body. Unknown members are ignored (Visa adds fields).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApproveProvisioningRequest {
    pub token_info: ProvisioningTokenInfo,
    #[serde(rename = "panReferenceID")]
    pub pan_reference_id: Option<String>,
    #[serde(rename = "lifeCycleTraceID")]
    pub life_cycle_trace_id: Option<String>,
    pub wallet_account_email_address_hash: Option<String>,
    #[serde(rename = "clientWalletAccountID")]
    pub client_wallet_account_id: Option<String>,
    pub pan_source: Option<String>,
    pub address_verification_result_code: Option<String>,
    pub cvv2_results_code: Option<String>,
    pub consumer_entry_mode: Option<String>,
    pub locale: Option<String>,
    pub device_info: Option<DeviceInfo>,
    pub wallet_provider_msg_tracing: Option<WalletProviderMsgTracing>,
    /// Compact JWE of `{"cardholderInfo", "riskInformation"}`.
    pub encrypted_data: String,
}

impl ApproveProvisioningRequest {
    pub fn validate(&self) -> Result<(), VtsError> {
        let info = &self.token_info;
        optional_digits(
            "tokenInfo.tokenAssuranceLevel",
            info.token_assurance_level.as_deref(),
            1,
            2,
        )?;
        for (field, count) in [
            (
                "tokenInfo.numberOfActiveTokensForPAN",
                &info.number_of_active_tokens_for_pan,
            ),
            (
                "tokenInfo.numberOfInactiveTokensForPAN",
                &info.number_of_inactive_tokens_for_pan,
            ),
            (
                "tokenInfo.numberOfSuspendedTokensForPAN",
                &info.number_of_suspended_tokens_for_pan,
            ),
        ] {
            optional_digits(field, count.as_deref(), 1, 4)?;
        }
        common::optional_reference_id("panReferenceID", self.pan_reference_id.as_deref())?;
        common::life_cycle_trace_id(self.life_cycle_trace_id.as_deref())?;
        common::wallet_account(
            self.wallet_account_email_address_hash.as_deref(),
            self.client_wallet_account_id.as_deref(),
        )?;
        common::pan_source(self.pan_source.as_deref())?;
        result_code(
            "addressVerificationResultCode",
            self.address_verification_result_code.as_deref(),
        )?;
        result_code("cvv2ResultsCode", self.cvv2_results_code.as_deref())?;
        optional_length(
            "consumerEntryMode",
            self.consumer_entry_mode.as_deref(),
            1,
            32,
        )?;
        validate::charset(
            "consumerEntryMode",
            self.consumer_entry_mode.as_deref(),
            |c| c.is_ascii_alphanumeric() || c == '_',
        )?;
        common::locale(self.locale.as_deref())?;
        if let Some(device) = &self.device_info {
            device.validate()?;
        }
        if let Some(tracing) = &self.wallet_provider_msg_tracing {
            tracing.validate()?;
        }
        common::encrypted_data(&self.encrypted_data)
    }
}

/// A one-letter result code (`addressVerificationResultCode`, `cvv2ResultsCode`).
fn result_code(field: &str, value: Option<&str>) -> Result<(), VtsError> {
    optional_length(field, value, 1, 1)?;
    validate::charset(field, value, |c| c.is_ascii_uppercase())
}

/// The whole checked request: path and body.
#[derive(Debug, Clone)]
pub struct ApproveProvisioning {
    pub path: TokenPath,
    pub body: ApproveProvisioningRequest,
}

impl VtsRequest for ApproveProvisioning {
    const OPERATION: &'static str = "approveProvisioning";

    fn from_parts(params: &Params, body: Value) -> Result<Self, VtsError> {
        let path = TokenPath::from_params(params)?;
        let body = operation::body(body, ApproveProvisioningRequest::validate)?;
        Ok(Self { path, body })
    }
}

/// `cvv2ResultsCode` in the answer: the issuer's CVV2 check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cvv2ResultsCode {
    /// Match.
    #[serde(rename = "M")]
    Match,
    /// No match.
    #[serde(rename = "N")]
    NoMatch,
    /// Not processed.
    #[serde(rename = "P")]
    NotProcessed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApproveProvisioningResponse {
    pub action_code: ActionCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvv2_results_code: Option<Cvv2ResultsCode>,
}

impl VtsResponse for ApproveProvisioningResponse {
    fn into_response(self) -> ::http::Response<Vec<u8>> {
        crate::http::ok(&self)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::VtsErrorCode;
    use crate::testing::{Violation, assert_violations, params};

    pub(crate) fn valid() -> Value {
        json!({
            "tokenInfo": {"tokenType": "SECURE_ELEMENT", "tokenAssuranceLevel": "20",
                          "numberOfActiveTokensForPAN": "1", "numberOfInactiveTokensForPAN": "0",
                          "numberOfSuspendedTokensForPAN": "0"},
            "panReferenceID": "V-PANREF-000001",
            "lifeCycleTraceID": "381234567890123",
            "walletAccountEmailAddressHash": "a1b2c3",
            "clientWalletAccountID": "wallet-account-1",
            "panSource": "01",
            "cvv2ResultsCode": "M",
            "consumerEntryMode": "KEY_ENTERED",
            "locale": "en_US",
            "deviceInfo": {"deviceID": "04A5B1C2D3E4F5", "deviceType": "MOBILE_PHONE",
                           "deviceName": "SmFuZSdzIFBob25l", "osType": "ANDROID",
                           "deviceLanguageCode": "eng", "deviceIPAddressV4": "192.0.2.10"},
            "walletProviderMsgTracing": {"tokenRequestorID": "40010030273", "wpRequestId": "wp-1"},
            "encryptedData": "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d"
        })
    }

    fn parse(body: Value) -> Result<ApproveProvisioning, VtsError> {
        ApproveProvisioning::from_parts(&params("40010030273", "DNITHE381305071414000049"), body)
    }

    #[test]
    fn a_full_request_parses() {
        let request = parse(valid()).unwrap();
        assert_eq!(request.body.token_info.token_type, TokenType::SecureElement);
        assert_eq!(request.path.token_requestor_id, "40010030273");
        assert_eq!(
            request.body.device_info.unwrap().decoded_name().as_deref(),
            Some("Jane's Phone")
        );
    }

    #[test]
    fn each_violation_gets_its_ise_code() {
        let long = "x".repeat(33);
        let cases: Vec<Violation<'_>> = vec![
            (
                "/encryptedData",
                None,
                VtsErrorCode::MissingField,
                "encryptedData",
            ),
            (
                "/tokenInfo/tokenType",
                None,
                VtsErrorCode::MissingField,
                "tokenInfo.tokenType",
            ),
            ("/tokenInfo", None, VtsErrorCode::MissingField, "tokenInfo"),
            (
                "/panReferenceID",
                Some(json!(long)),
                VtsErrorCode::InvalidLength,
                "panReferenceID",
            ),
            (
                "/lifeCycleTraceID",
                Some(json!("1234567890123456")),
                VtsErrorCode::InvalidLength,
                "lifeCycleTraceID",
            ),
            (
                "/deviceInfo/deviceID",
                Some(json!("d".repeat(49))),
                VtsErrorCode::InvalidLength,
                "deviceInfo.deviceID",
            ),
            (
                "/tokenInfo/numberOfActiveTokensForPAN",
                Some(json!("12345")),
                VtsErrorCode::InvalidLength,
                "tokenInfo.numberOfActiveTokensForPAN",
            ),
            (
                "/panReferenceID",
                Some(json!(12)),
                VtsErrorCode::InvalidType,
                "panReferenceID",
            ),
            (
                "/tokenInfo",
                Some(json!("SECURE_ELEMENT")),
                VtsErrorCode::InvalidType,
                "tokenInfo",
            ),
            (
                "/deviceInfo/deviceType",
                Some(json!(3)),
                VtsErrorCode::InvalidType,
                "deviceInfo.deviceType",
            ),
            (
                "/encryptedData",
                Some(json!({"jwe": 1})),
                VtsErrorCode::InvalidType,
                "encryptedData",
            ),
            (
                "/tokenInfo/tokenType",
                Some(json!("PLASTIC")),
                VtsErrorCode::InvalidValue,
                "tokenInfo.tokenType",
            ),
            (
                "/deviceInfo/osType",
                Some(json!("PALM")),
                VtsErrorCode::InvalidValue,
                "deviceInfo.osType",
            ),
            (
                "/panSource",
                Some(json!("09")),
                VtsErrorCode::InvalidValue,
                "panSource",
            ),
            (
                "/locale",
                Some(json!("english")),
                VtsErrorCode::InvalidLength,
                "locale",
            ),
            (
                "/locale",
                Some(json!("EN_us")),
                VtsErrorCode::InvalidValue,
                "locale",
            ),
            (
                "/cvv2ResultsCode",
                Some(json!("m")),
                VtsErrorCode::InvalidValue,
                "cvv2ResultsCode",
            ),
            (
                "/tokenInfo/tokenAssuranceLevel",
                Some(json!("A1")),
                VtsErrorCode::InvalidValue,
                "tokenInfo.tokenAssuranceLevel",
            ),
            (
                "/deviceInfo/deviceName",
                Some(json!("not base64!")),
                VtsErrorCode::InvalidValue,
                "deviceInfo.deviceName",
            ),
            (
                "/deviceInfo/deviceIPAddressV4",
                Some(json!("999.0.0.1")),
                VtsErrorCode::InvalidValue,
                "deviceInfo.deviceIPAddressV4",
            ),
            (
                "/encryptedData",
                Some(json!("")),
                VtsErrorCode::InvalidLength,
                "encryptedData",
            ),
            (
                "/walletProviderMsgTracing/tokenRequestorID",
                Some(json!("4001003027X")),
                VtsErrorCode::InvalidValue,
                "walletProviderMsgTracing.tokenRequestorID",
            ),
            (
                "/walletProviderMsgTracing/wpRequestId",
                None,
                VtsErrorCode::MissingField,
                "walletProviderMsgTracing.wpRequestId",
            ),
        ];
        assert_violations(valid, parse, &cases);
    }

    #[test]
    fn path_parameters_are_checked() {
        // GIVEN bad path parameters
        for (tr, token_ref, code, field) in [
            (
                "400100302731",
                "DNITHE381305071414000049",
                VtsErrorCode::InvalidLength,
                "tokenRequestorID",
            ),
            (
                "4001003027A",
                "DNITHE381305071414000049",
                VtsErrorCode::InvalidValue,
                "tokenRequestorID",
            ),
            (
                "40010030273",
                &"D".repeat(33),
                VtsErrorCode::InvalidLength,
                "tokenReferenceID",
            ),
            (
                "40010030273",
                "DNI/THE",
                VtsErrorCode::InvalidValue,
                "tokenReferenceID",
            ),
        ] {
            // WHEN parsed THEN the path is refused first
            let err = ApproveProvisioning::from_parts(&params(tr, token_ref), valid()).unwrap_err();
            assert_eq!(err.code, code, "{tr} {token_ref}");
            assert!(err.description.contains(field));
        }
        let err = ApproveProvisioning::from_parts(&Params::default(), valid()).unwrap_err();
        assert_eq!(err.code, VtsErrorCode::MissingField);
    }

    #[test]
    fn response_uses_visa_names() {
        let response = ApproveProvisioningResponse {
            action_code: ActionCode::ApproveWithVerification,
            cvv2_results_code: Some(Cvv2ResultsCode::Match),
        };
        assert_eq!(
            serde_json::to_value(&response).unwrap(),
            json!({"actionCode": "85", "cvv2ResultsCode": "M"})
        );
    }
}
