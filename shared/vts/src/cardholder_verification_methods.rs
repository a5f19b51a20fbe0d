//! getCardholderVerificationMethods: `POST /vts/v1/getCardholderVerificationMethods`.
//! VTS asks how the cardholder of a token awaiting verification can receive
//! a passcode; we answer the masked phone and e-mail on file and the call
//! centre, each with an opaque identifier sendPasscode names it by.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::VtsError;
use crate::common::{self, ActionCode, DeviceInfo, Params, WalletProviderMsgTracing};
use crate::operation::{self, VtsRequest, VtsResponse};
use crate::validate::{self, optional_length};

/// The body. Unknown members are ignored.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetCardholderVerificationMethodsRequest {
    #[serde(rename = "tokenReferenceID")]
    pub token_reference_id: String,
    pub wallet_provider_msg_tracing: WalletProviderMsgTracing,
    #[serde(rename = "panReferenceID")]
    pub pan_reference_id: Option<String>,
    #[serde(rename = "lifeCycleTraceID")]
    pub life_cycle_trace_id: Option<String>,
    /// `01` first request, `02` a re-request.
    pub otp_reason: Option<String>,
    pub otp_max_reached: Option<bool>,
    #[serde(rename = "walletAccountID")]
    pub wallet_account_id: Option<String>,
    pub issuer_special_condition_codes: Option<String>,
    pub device_info: Option<DeviceInfo>,
}

impl GetCardholderVerificationMethodsRequest {
    pub fn validate(&self) -> Result<(), VtsError> {
        common::reference_id("tokenReferenceID", &self.token_reference_id)?;
        self.wallet_provider_msg_tracing.validate()?;
        common::optional_reference_id("panReferenceID", self.pan_reference_id.as_deref())?;
        common::life_cycle_trace_id(self.life_cycle_trace_id.as_deref())?;
        validate::one_of("otpReason", self.otp_reason.as_deref(), &["01", "02"])?;
        optional_length("walletAccountID", self.wallet_account_id.as_deref(), 1, 32)?;
        validate::charset(
            "walletAccountID",
            self.wallet_account_id.as_deref(),
            validate::printable,
        )?;
        optional_length(
            "issuerSpecialConditionCodes",
            self.issuer_special_condition_codes.as_deref(),
            1,
            100,
        )?;
        validate::charset(
            "issuerSpecialConditionCodes",
            self.issuer_special_condition_codes.as_deref(),
            validate::printable,
        )?;
        if let Some(device) = &self.device_info {
            device.validate()?;
        }
        Ok(())
    }
}

impl VtsRequest for GetCardholderVerificationMethodsRequest {
    const OPERATION: &'static str = "getCardholderVerificationMethods";

    fn from_parts(_: &Params, body: Value) -> Result<Self, VtsError> {
        operation::body(body, Self::validate)
    }
}

/// The kinds of method we offer (Visa's list also has `bank_app` and
/// `outbound_call`, which we do not offer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardholderVerificationMethodType {
    CellPhone,
    Email,
    CustomerService,
}

/// One method: `value` is what the cardholder is shown (masked phone or
/// e-mail, the call centre's number), `identifier` what sendPasscode names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardholderVerificationMethod {
    #[serde(rename = "type")]
    pub method_type: CardholderVerificationMethodType,
    pub value: String,
    pub identifier: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetCardholderVerificationMethodsResponse {
    pub action_code: ActionCode,
    pub cardholder_verification_method: Vec<CardholderVerificationMethod>,
}

impl VtsResponse for GetCardholderVerificationMethodsResponse {
    fn into_response(self) -> ::http::Response<Vec<u8>> {
        crate::http::ok(&self)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::VtsErrorCode;
    use crate::testing::{Violation, assert_violations};

    fn valid() -> Value {
        json!({
            "tokenReferenceID": "DNITHE381305071414000049",
            "walletProviderMsgTracing": {"tokenRequestorID": "40010030273", "wpRequestId": "wp-req-1",
                                         "wpConversationId": "wp-conv-1"},
            "otpReason": "01",
            "otpMaxReached": false
        })
    }

    fn parse(body: Value) -> Result<GetCardholderVerificationMethodsRequest, VtsError> {
        GetCardholderVerificationMethodsRequest::from_parts(&Params::default(), body)
    }

    #[test]
    fn each_violation_gets_its_ise_code() {
        let cases: Vec<Violation<'_>> = vec![
            (
                "/tokenReferenceID",
                None,
                VtsErrorCode::MissingField,
                "tokenReferenceID",
            ),
            (
                "/walletProviderMsgTracing",
                None,
                VtsErrorCode::MissingField,
                "walletProviderMsgTracing",
            ),
            (
                "/tokenReferenceID",
                Some(json!("D".repeat(33))),
                VtsErrorCode::InvalidLength,
                "tokenReferenceID",
            ),
            (
                "/walletProviderMsgTracing/wpRequestId",
                Some(json!("w".repeat(65))),
                VtsErrorCode::InvalidLength,
                "walletProviderMsgTracing.wpRequestId",
            ),
            (
                "/otpMaxReached",
                Some(json!("no")),
                VtsErrorCode::InvalidType,
                "otpMaxReached",
            ),
            (
                "/tokenReferenceID",
                Some(json!(["DNITHE"])),
                VtsErrorCode::InvalidType,
                "tokenReferenceID",
            ),
            (
                "/otpReason",
                Some(json!("03")),
                VtsErrorCode::InvalidValue,
                "otpReason",
            ),
        ];
        assert_violations(valid, parse, &cases);
    }

    #[test]
    fn response_uses_visa_names() {
        let response = GetCardholderVerificationMethodsResponse {
            action_code: ActionCode::Approve,
            cardholder_verification_method: vec![CardholderVerificationMethod {
                method_type: CardholderVerificationMethodType::CellPhone,
                value: "***-***-0123".into(),
                identifier: "cvm-sms".into(),
            }],
        };
        assert_eq!(
            serde_json::to_value(&response).unwrap(),
            json!({"actionCode": "00", "cardholderVerificationMethod": [
                {"type": "cell_phone", "value": "***-***-0123", "identifier": "cvm-sms"}]})
        );
    }
}
