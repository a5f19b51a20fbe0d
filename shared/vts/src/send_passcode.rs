//! sendPasscode: `POST /vts/v1/sendPasscode`. Visa generated a one-time
//! passcode and asks us to deliver it by the method the cardholder chose
//! (`otpMethodIdentifier`, one we offered in getCardholderVerificationMethods).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use tmp_core::secret::Secret;

use crate::VtsError;
use crate::common::{self, ActionCode, DeviceInfo, Params, WalletProviderMsgTracing};
use crate::operation::{self, VtsRequest, VtsResponse};
use crate::validate::{self, length};

/// The body. `OTPCode` is a `Secret` from the moment it is read.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPasscodeRequest {
    #[serde(rename = "tokenReferenceID")]
    pub token_reference_id: String,
    pub wallet_provider_msg_tracing: WalletProviderMsgTracing,
    pub otp_method_identifier: String,
    #[serde(rename = "OTPCode")]
    pub otp_code: Secret<String>,
    /// `yyyy-MM-dd'T'HH:mm:ss.SSSX`.
    #[serde(rename = "OTPCodeExp")]
    pub otp_code_exp: String,
    #[serde(rename = "panReferenceID")]
    pub pan_reference_id: Option<String>,
    #[serde(rename = "lifeCycleTraceID")]
    pub life_cycle_trace_id: Option<String>,
    pub device_info: Option<DeviceInfo>,
}

impl SendPasscodeRequest {
    pub fn validate(&self) -> Result<(), VtsError> {
        common::reference_id("tokenReferenceID", &self.token_reference_id)?;
        self.wallet_provider_msg_tracing.validate()?;
        length("otpMethodIdentifier", &self.otp_method_identifier, 1, 32)?;
        validate::charset(
            "otpMethodIdentifier",
            Some(&self.otp_method_identifier),
            validate::base64url_char,
        )?;
        let code = self.otp_code.expose();
        length("OTPCode", code, 1, 8)?;
        validate::charset("OTPCode", Some(code), |c| c.is_ascii_alphanumeric())?;
        self.expires_at()?;
        common::optional_reference_id("panReferenceID", self.pan_reference_id.as_deref())?;
        common::life_cycle_trace_id(self.life_cycle_trace_id.as_deref())?;
        if let Some(device) = &self.device_info {
            device.validate()?;
        }
        Ok(())
    }

    /// `OTPCodeExp` as an instant.
    pub fn expires_at(&self) -> Result<OffsetDateTime, VtsError> {
        validate::visa_date_time("OTPCodeExp", &self.otp_code_exp)
    }
}

impl VtsRequest for SendPasscodeRequest {
    const OPERATION: &'static str = "sendPasscode";

    fn from_parts(_: &Params, body: Value) -> Result<Self, VtsError> {
        operation::body(body, Self::validate)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPasscodeResponse {
    pub action_code: ActionCode,
}

impl SendPasscodeResponse {
    pub fn accepted() -> Self {
        Self {
            action_code: ActionCode::Approve,
        }
    }
}

impl VtsResponse for SendPasscodeResponse {
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
            "walletProviderMsgTracing": {"wpRequestId": "wp-req-2"},
            "otpMethodIdentifier": "cvm-sms",
            "OTPCode": "482913",
            "OTPCodeExp": "2026-12-01T10:25:30.000Z"
        })
    }

    fn parse(body: Value) -> Result<SendPasscodeRequest, VtsError> {
        SendPasscodeRequest::from_parts(&Params::default(), body)
    }

    #[test]
    fn the_code_is_secret_and_the_expiry_an_instant() {
        let request = parse(valid()).unwrap();
        assert!(!format!("{request:?}").contains("482913"));
        assert_eq!(
            request.expires_at().unwrap().unix_timestamp(),
            1_796_120_730
        );
    }

    #[test]
    fn each_violation_gets_its_ise_code() {
        let cases: Vec<Violation<'_>> = vec![
            ("/OTPCode", None, VtsErrorCode::MissingField, "OTPCode"),
            (
                "/OTPCodeExp",
                None,
                VtsErrorCode::MissingField,
                "OTPCodeExp",
            ),
            (
                "/otpMethodIdentifier",
                None,
                VtsErrorCode::MissingField,
                "otpMethodIdentifier",
            ),
            (
                "/OTPCode",
                Some(json!("123456789")),
                VtsErrorCode::InvalidLength,
                "OTPCode",
            ),
            (
                "/otpMethodIdentifier",
                Some(json!("m".repeat(33))),
                VtsErrorCode::InvalidLength,
                "otpMethodIdentifier",
            ),
            (
                "/OTPCode",
                Some(json!(482913)),
                VtsErrorCode::InvalidType,
                "OTPCode",
            ),
            (
                "/OTPCode",
                Some(json!("48 913")),
                VtsErrorCode::InvalidValue,
                "OTPCode",
            ),
            (
                "/OTPCodeExp",
                Some(json!("2026-12-01T10:25:30.000 PST")),
                VtsErrorCode::InvalidValue,
                "OTPCodeExp",
            ),
        ];
        assert_violations(valid, parse, &cases);
    }

    #[test]
    fn response_is_action_code_00() {
        assert_eq!(
            serde_json::to_value(SendPasscodeResponse::accepted()).unwrap(),
            json!({"actionCode": "00"})
        );
    }
}
