//! tokenChanged:
//! `POST /vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/tokenChanged?eventType=…&eventID=…`.
//! VTS tells us a token was created (`TOKEN_CREATED`) or changed status
//! (`TOKEN_STATUS_UPDATED`). The token itself and its status are inside
//! `encryptedData` (`{"tokenInfo", "cardholderInfo"}`). Success is HTTP 200
//! with an empty body.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::VtsError;
use crate::common::{self, ActionCode, DeviceInfo, Params, TokenPath};
use crate::operation::{self, VtsRequest, VtsResponse};
use crate::validate::{self, length, optional_digits, optional_length};

/// The `eventType` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventType {
    TokenCreated,
    TokenStatusUpdated,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TokenCreated => "TOKEN_CREATED",
            Self::TokenStatusUpdated => "TOKEN_STATUS_UPDATED",
        }
    }

    fn parse(value: &str) -> Result<Self, VtsError> {
        [Self::TokenCreated, Self::TokenStatusUpdated]
            .into_iter()
            .find(|e| e.as_str() == value)
            .ok_or_else(|| VtsError::value("eventType"))
    }
}

/// `termsAndConditions`: which terms the cardholder accepted, and when.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TermsAndConditions {
    pub id: Option<String>,
    pub date: Option<String>,
}

/// The body of both event types. Unknown members are ignored.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenChangedRequest {
    pub message_reason: Option<String>,
    pub message_reason_code: Option<String>,
    /// `yyyy-MM-dd'T'HH:mm:ss.SSSX`.
    pub date_time_of_event: String,
    #[serde(rename = "panReferenceID")]
    pub pan_reference_id: Option<String>,
    pub wallet_account_email_address_hash: Option<String>,
    #[serde(rename = "clientWalletAccountID")]
    pub client_wallet_account_id: Option<String>,
    pub visa_token_score: Option<String>,
    pub visa_token_decisioning: Option<String>,
    pub pan_source: Option<String>,
    pub address_verification_result_code: Option<String>,
    pub cvv2_results_code: Option<String>,
    pub consumer_entry_mode: Option<String>,
    pub locale: Option<String>,
    pub device_info: Option<DeviceInfo>,
    #[serde(rename = "deviceID")]
    pub device_id: Option<String>,
    pub terms_and_conditions: Option<TermsAndConditions>,
    pub issuer_special_condition_codes: Option<String>,
    pub action_code: Option<ActionCode>,
    pub activation_verification_result: Option<String>,
    /// Compact JWE of `{"tokenInfo", "cardholderInfo"}`.
    pub encrypted_data: String,
}

impl TokenChangedRequest {
    pub fn validate(&self, event_type: EventType) -> Result<(), VtsError> {
        optional_length("messageReason", self.message_reason.as_deref(), 1, 64)?;
        validate::charset(
            "messageReason",
            self.message_reason.as_deref(),
            validate::printable,
        )?;
        if event_type == EventType::TokenStatusUpdated {
            validate::required("messageReasonCode", &self.message_reason_code)?;
        }
        optional_digits(
            "messageReasonCode",
            self.message_reason_code.as_deref(),
            1,
            4,
        )?;
        self.event_time()?;
        common::optional_reference_id("panReferenceID", self.pan_reference_id.as_deref())?;
        common::wallet_account(
            self.wallet_account_email_address_hash.as_deref(),
            self.client_wallet_account_id.as_deref(),
        )?;
        optional_digits("visaTokenScore", self.visa_token_score.as_deref(), 2, 2)?;
        validate::one_of(
            "visaTokenDecisioning",
            self.visa_token_decisioning.as_deref(),
            &["00", "05", "85"],
        )?;
        common::pan_source(self.pan_source.as_deref())?;
        for (field, code) in [
            (
                "addressVerificationResultCode",
                &self.address_verification_result_code,
            ),
            ("cvv2ResultsCode", &self.cvv2_results_code),
        ] {
            optional_length(field, code.as_deref(), 1, 1)?;
            validate::charset(field, code.as_deref(), |c| c.is_ascii_uppercase())?;
        }
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
        optional_length("deviceID", self.device_id.as_deref(), 1, 48)?;
        validate::charset("deviceID", self.device_id.as_deref(), validate::printable)?;
        if let Some(terms) = &self.terms_and_conditions {
            optional_length("termsAndConditions.id", terms.id.as_deref(), 1, 32)?;
            validate::charset(
                "termsAndConditions.id",
                terms.id.as_deref(),
                validate::printable,
            )?;
            if let Some(date) = terms.date.as_deref() {
                validate::visa_date_time("termsAndConditions.date", date)?;
            }
        }
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
        optional_length(
            "activationVerificationResult",
            self.activation_verification_result.as_deref(),
            1,
            32,
        )?;
        validate::charset(
            "activationVerificationResult",
            self.activation_verification_result.as_deref(),
            validate::printable,
        )?;
        common::encrypted_data(&self.encrypted_data)
    }

    /// `dateTimeOfEvent` as an instant.
    pub fn event_time(&self) -> Result<OffsetDateTime, VtsError> {
        validate::visa_date_time("dateTimeOfEvent", &self.date_time_of_event)
    }

    /// The device: `deviceInfo.deviceID`, else the status update's `deviceID`.
    pub fn device_id(&self) -> Option<&str> {
        self.device_info
            .as_ref()
            .and_then(|d| d.device_id.as_deref())
            .or(self.device_id.as_deref())
    }
}

/// The whole checked request: path, query and body.
#[derive(Debug, Clone)]
pub struct TokenChanged {
    pub path: TokenPath,
    pub event_type: EventType,
    /// Unique per notification (1 to 32 characters): the idempotency key.
    pub event_id: String,
    pub body: TokenChangedRequest,
}

impl VtsRequest for TokenChanged {
    const OPERATION: &'static str = "tokenChanged";

    fn from_parts(params: &Params, body: Value) -> Result<Self, VtsError> {
        let path = TokenPath::from_params(params)?;
        let event_type = EventType::parse(params.query("eventType")?)?;
        let event_id = params.query("eventID")?;
        length("eventID", event_id, 1, 32)?;
        validate::charset("eventID", Some(event_id), validate::base64url_char)?;
        let body = operation::body(body, |b: &TokenChangedRequest| b.validate(event_type))?;
        Ok(Self {
            path,
            event_type,
            event_id: event_id.to_owned(),
            body,
        })
    }
}

/// HTTP 200 with an empty body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenChangedResponse;

impl VtsResponse for TokenChangedResponse {
    fn into_response(self) -> ::http::Response<Vec<u8>> {
        crate::http::empty_ok()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::VtsErrorCode;
    use crate::testing::{Violation, assert_violations, params};

    fn query(event_type: &str, event_id: &str) -> Params {
        let mut params = params("40010030273", "DNITHE381305071414000049");
        params.query.insert("eventType".into(), event_type.into());
        params.query.insert("eventID".into(), event_id.into());
        params
    }

    fn valid() -> Value {
        json!({
            "messageReason": "Token status updated",
            "messageReasonCode": "3702",
            "dateTimeOfEvent": "2026-12-01T10:15:30.123Z",
            "panReferenceID": "V-PANREF-000001",
            "deviceID": "04A5B1C2D3E4F5",
            "termsAndConditions": {"id": "TC-2026-01", "date": "2026-12-01T10:00:00.000Z"},
            "encryptedData": "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d"
        })
    }

    fn parse(body: Value) -> Result<TokenChanged, VtsError> {
        TokenChanged::from_parts(&query("TOKEN_STATUS_UPDATED", "evt-0001"), body)
    }

    #[test]
    fn a_status_update_parses() {
        let request = parse(valid()).unwrap();
        assert_eq!(request.event_type, EventType::TokenStatusUpdated);
        assert_eq!(request.event_id, "evt-0001");
        assert_eq!(request.body.device_id(), Some("04A5B1C2D3E4F5"));
        assert_eq!(
            request.body.event_time().unwrap().unix_timestamp(),
            1_796_120_130
        );
    }

    #[test]
    fn each_violation_gets_its_ise_code() {
        let cases: Vec<Violation<'_>> = vec![
            (
                "/dateTimeOfEvent",
                None,
                VtsErrorCode::MissingField,
                "dateTimeOfEvent",
            ),
            (
                "/messageReasonCode",
                None,
                VtsErrorCode::MissingField,
                "messageReasonCode",
            ),
            (
                "/encryptedData",
                None,
                VtsErrorCode::MissingField,
                "encryptedData",
            ),
            (
                "/messageReasonCode",
                Some(json!("37021")),
                VtsErrorCode::InvalidLength,
                "messageReasonCode",
            ),
            (
                "/deviceID",
                Some(json!("d".repeat(49))),
                VtsErrorCode::InvalidLength,
                "deviceID",
            ),
            (
                "/messageReasonCode",
                Some(json!(3702)),
                VtsErrorCode::InvalidType,
                "messageReasonCode",
            ),
            (
                "/termsAndConditions",
                Some(json!(["TC"])),
                VtsErrorCode::InvalidType,
                "termsAndConditions",
            ),
            (
                "/dateTimeOfEvent",
                Some(json!("2026-12-01T10:15:30.123+25")),
                VtsErrorCode::InvalidValue,
                "dateTimeOfEvent",
            ),
            (
                "/actionCode",
                Some(json!("01")),
                VtsErrorCode::InvalidValue,
                "actionCode",
            ),
            (
                "/visaTokenDecisioning",
                Some(json!("99")),
                VtsErrorCode::InvalidValue,
                "visaTokenDecisioning",
            ),
        ];
        assert_violations(valid, parse, &cases);
    }

    #[test]
    fn query_parameters_are_checked() {
        for (event_type, event_id, code, field) in [
            (
                "TOKEN_DELETED",
                "evt-1",
                VtsErrorCode::InvalidValue,
                "eventType",
            ),
            (
                "TOKEN_CREATED",
                &"e".repeat(33),
                VtsErrorCode::InvalidLength,
                "eventID",
            ),
            (
                "TOKEN_CREATED",
                "evt 1",
                VtsErrorCode::InvalidValue,
                "eventID",
            ),
        ] {
            let err = TokenChanged::from_parts(&query(event_type, event_id), valid()).unwrap_err();
            assert_eq!(err.code, code, "{event_type} {event_id}");
            assert!(err.description.contains(field));
        }
        let mut no_event = query("TOKEN_CREATED", "evt-1");
        no_event.query.remove("eventID");
        let err = TokenChanged::from_parts(&no_event, valid()).unwrap_err();
        assert_eq!(
            (err.code, err.description.as_str()),
            (VtsErrorCode::MissingField, "eventID is required")
        );
    }

    #[test]
    fn token_created_needs_no_reason_code() {
        let mut body = valid();
        body.as_object_mut().unwrap().remove("messageReasonCode");
        assert!(TokenChanged::from_parts(&query("TOKEN_CREATED", "evt-2"), body).is_ok());
    }
}
