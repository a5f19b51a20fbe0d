//! Hostile requests through `operation::respond`: each ISE code from a bad
//! body, path or query, never a 500, and never an answer that echoes input.

use std::sync::Arc;

use serde_json::{Value, json};
use time::OffsetDateTime;
use tmp_core::AppError;
use tmp_core::domain::card::SealedCardData;
use tmp_core::domain::verification::{ActivationMethod, ActivationMethodKind};
use tmp_vts::card_data::VtsCardData;
use tmp_vts::cardholder_verification_methods::{
    GetCardholderVerificationMethodsRequest, GetCardholderVerificationMethodsResponse,
};
use tmp_vts::check_eligibility::{
    CardArtData, CardMetadataInfo, CheckEligibilityRequest, CheckEligibilityResponse,
};
use tmp_vts::common::Params;
use tmp_vts::jwe::VtsKeyRing;
use tmp_vts::operation::VtsOperation;
use tmp_vts::payload::DecryptedData;
use tmp_vts::send_passcode::{SendPasscodeRequest, SendPasscodeResponse};
use tmp_vts::token_changed::{EventType, TokenChanged, TokenChangedResponse};
use tmp_vts::{VtsError, translate};

use crate::support::*;

/// What must never come back: the marker, markup, the PAN.
const MARKER: &str = "PWNED<script>alert(1)</script>";
const NEVER: [&str; 4] = ["PWNED", "<script", "4111111111111111", "1111"];

pub fn metadata() -> CardMetadataInfo {
    CardMetadataInfo {
        card_issuer: "Example Bank".into(),
        foreground_color: "FFFFFF".into(),
        background_color: "1A1F71".into(),
        label_color: "F7B600".into(),
        short_description: "Example Visa Debit".into(),
        long_description: Some("Example Bank Visa Debit card".into()),
        profile_id: Some("PROFILE-1".into()),
        terms_and_conditions_id: "TC-2026-01".into(),
        privacy_policy_url: "https://bank.example/privacy".into(),
        terms_and_conditions_url: "https://bank.example/terms".into(),
        card_art_data: CardArtData {
            card_art_ref_id: vec!["a1b2c3d4e5f60718293a4b5c6d7e8f90".into()],
        },
    }
}

struct Eligibility(Arc<VtsKeyRing>);

#[async_trait::async_trait]
impl VtsOperation for Eligibility {
    type Request = CheckEligibilityRequest;
    type Response = CheckEligibilityResponse;

    async fn call(&self, request: Self::Request) -> Result<Self::Response, VtsError> {
        VtsCardData::for_eligibility(&request.encrypted_data, &self.0)
            .open(OffsetDateTime::now_utc())?;
        Ok(CheckEligibilityResponse::eligible(metadata()))
    }
}

struct Methods;

#[async_trait::async_trait]
impl VtsOperation for Methods {
    type Request = GetCardholderVerificationMethodsRequest;
    type Response = GetCardholderVerificationMethodsResponse;

    async fn call(&self, request: Self::Request) -> Result<Self::Response, VtsError> {
        if request.token_reference_id != TOKEN_REF {
            return Err(AppError::UnknownToken.into());
        }
        Ok(translate::cardholder_verification_methods(&[
            ActivationMethod {
                kind: ActivationMethodKind::Sms,
                value: "***-***-0123".into(),
            },
        ]))
    }
}

struct Passcode;

#[async_trait::async_trait]
impl VtsOperation for Passcode {
    type Request = SendPasscodeRequest;
    type Response = SendPasscodeResponse;

    async fn call(&self, request: Self::Request) -> Result<Self::Response, VtsError> {
        translate::send_passcode_command(&request)?;
        Ok(SendPasscodeResponse::accepted())
    }
}

struct Changed(Arc<VtsKeyRing>);

#[async_trait::async_trait]
impl VtsOperation for Changed {
    type Request = TokenChanged;
    type Response = TokenChangedResponse;

    async fn call(&self, request: Self::Request) -> Result<Self::Response, VtsError> {
        DecryptedData::open(&self.0, &request.body.encrypted_data)?
            .for_token_changed(request.event_type == EventType::TokenCreated)?;
        Ok(TokenChangedResponse)
    }
}

struct Down;

#[async_trait::async_trait]
impl VtsOperation for Down {
    type Request = SendPasscodeRequest;
    type Response = SendPasscodeResponse;

    async fn call(&self, _: Self::Request) -> Result<Self::Response, VtsError> {
        Err(AppError::Unavailable("store throttled").into())
    }
}

fn cvm_body() -> Value {
    json!({"tokenReferenceID": TOKEN_REF, "walletProviderMsgTracing": {"wpRequestId": "wp-req-1"}})
}

fn passcode_body() -> Value {
    json!({
        "tokenReferenceID": TOKEN_REF,
        "walletProviderMsgTracing": {"wpRequestId": "wp-req-2"},
        "otpMethodIdentifier": "cvm-sms",
        "OTPCode": "482913",
        "OTPCodeExp": "2026-12-01T10:25:30.000Z"
    })
}

fn token_changed_body() -> Value {
    json!({
        "messageReasonCode": "3702",
        "dateTimeOfEvent": "2026-12-01T10:15:30.123Z",
        "encryptedData": sealed(KID_A, &token_changed_content())
    })
}

/// Applies a JSON-pointer edit: `None` removes the member.
fn edit(mut body: Value, pointer: &str, value: Option<Value>) -> Value {
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    let map = body.pointer_mut(parent).unwrap().as_object_mut().unwrap();
    match value {
        Some(v) => map.insert(last.to_owned(), v),
        None => map.remove(last),
    };
    body
}

/// One hostile request: its answer's status and code, and no echo.
fn check(response: &http::Response<Vec<u8>>, status: u16, code: &str, what: &str) {
    assert_eq!(response.status().as_u16(), status, "{what}");
    let text = String::from_utf8(response.body().clone()).unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["errorCode"], code, "{what}: {text}");
    assert_eq!(body.as_object().unwrap().len(), 2, "{what}: {text}");
    for never in NEVER {
        assert!(!text.contains(never), "{what}: echoes {never}: {text}");
    }
}

#[test]
fn each_ise_code_from_a_hostile_approve_provisioning() {
    let keys = ring();
    let op = FakeApprove { keys: keys.clone() };
    let good = || approve_body(&sealed(KID_A, &provisioning_content()));
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "missing tokenInfo.tokenType",
            edit(good(), "/tokenInfo/tokenType", None),
            400,
            "ISE40000",
        ),
        (
            "missing encryptedData",
            edit(good(), "/encryptedData", None),
            400,
            "ISE40000",
        ),
        (
            "too long panReferenceID",
            edit(
                good(),
                "/panReferenceID",
                Some(json!(format!("{MARKER}{MARKER}"))),
            ),
            400,
            "ISE40005",
        ),
        (
            "too long encryptedData",
            edit(good(), "/encryptedData", Some(json!("A".repeat(16_385)))),
            400,
            "ISE40005",
        ),
        (
            "number for a string",
            edit(
                good(),
                "/lifeCycleTraceID",
                Some(json!(4_111_111_111_111_111_u64)),
            ),
            400,
            "ISE40006",
        ),
        (
            "object for a string",
            edit(good(), "/locale", Some(json!({"x": MARKER}))),
            400,
            "ISE40006",
        ),
        (
            "bad enum",
            edit(good(), "/tokenInfo/tokenType", Some(json!(MARKER))),
            400,
            "ISE40011",
        ),
        (
            "bad nested enum",
            edit(good(), "/deviceInfo/osType", Some(json!(MARKER))),
            400,
            "ISE40011",
        ),
        (
            "bad pattern",
            edit(good(), "/deviceInfo/deviceName", Some(json!(MARKER))),
            400,
            "ISE40011",
        ),
        (
            "bad crypto",
            edit(good(), "/encryptedData", Some(json!(MARKER))),
            400,
            "ISE40010",
        ),
    ];
    for (what, body, status, code) in cases {
        // GIVEN a hostile body WHEN answered THEN its code, nothing of what was sent
        let response = respond(&op, &token_params(), body.to_string().as_bytes());
        check(&response, status, code, what);
    }
    // AND hostile path parameters
    for (value, code) in [
        (MARKER.to_owned(), "ISE40011"),
        (MARKER.repeat(2), "ISE40005"),
    ] {
        let mut params = token_params();
        params.path.insert("tokenReferenceID".into(), value);
        check(
            &respond(&op, &params, good().to_string().as_bytes()),
            400,
            code,
            "path",
        );
    }
    check(
        &respond(&op, &Params::default(), good().to_string().as_bytes()),
        400,
        "ISE40000",
        "no path",
    );
    // AND unknown members are ignored, not echoed
    let response = respond(
        &op,
        &token_params(),
        edit(good(), "/unknownField", Some(json!(MARKER)))
            .to_string()
            .as_bytes(),
    );
    assert_eq!(response.status().as_u16(), 200);
    assert!(!String::from_utf8_lossy(response.body()).contains("PWNED"));
}

#[test]
fn bodies_that_are_not_json_objects_are_a_type_error() {
    let op = FakeApprove { keys: ring() };
    for body in [
        &b""[..],
        b"not json PWNED",
        b"[\"PWNED\"]",
        b"\"PWNED\"",
        b"null",
        b"{\"tokenInfo\": ",
    ] {
        let response = respond(&op, &token_params(), body);
        check(&response, 400, "ISE40006", &String::from_utf8_lossy(body));
    }
}

#[test]
fn each_operation_refuses_and_answers_by_the_contract() {
    let keys = ring();
    let eligibility_body = || json!({"encryptedData": sealed(KID_A, &provisioning_content())});
    // checkEligibility
    let op = Eligibility(keys.clone());
    let ok = respond(
        &op,
        &Params::default(),
        eligibility_body().to_string().as_bytes(),
    );
    assert_eq!(ok.status().as_u16(), 200);
    check(
        &respond(
            &op,
            &Params::default(),
            edit(eligibility_body(), "/panSource", Some(json!(MARKER)))
                .to_string()
                .as_bytes(),
        ),
        400,
        "ISE40011",
        "checkEligibility panSource",
    );
    // getCardholderVerificationMethods
    let ok = respond(
        &Methods,
        &Params::default(),
        cvm_body().to_string().as_bytes(),
    );
    assert_eq!(ok.status().as_u16(), 200);
    check(
        &respond(
            &Methods,
            &Params::default(),
            edit(cvm_body(), "/walletProviderMsgTracing", None)
                .to_string()
                .as_bytes(),
        ),
        400,
        "ISE40000",
        "getCVM tracing",
    );
    check(
        &respond(
            &Methods,
            &Params::default(),
            edit(cvm_body(), "/tokenReferenceID", Some(json!("UNKNOWN0001")))
                .to_string()
                .as_bytes(),
        ),
        404,
        "ISE40500",
        "getCVM unknown token",
    );
    // sendPasscode
    let ok = respond(
        &Passcode,
        &Params::default(),
        passcode_body().to_string().as_bytes(),
    );
    assert_eq!(ok.status().as_u16(), 200);
    check(
        &respond(
            &Passcode,
            &Params::default(),
            edit(
                passcode_body(),
                "/otpMethodIdentifier",
                Some(json!("cvm-pigeon")),
            )
            .to_string()
            .as_bytes(),
        ),
        400,
        "ISE40501",
        "sendPasscode identifier",
    );
    check(
        &respond(
            &Passcode,
            &Params::default(),
            edit(passcode_body(), "/OTPCode", Some(json!(MARKER)))
                .to_string()
                .as_bytes(),
        ),
        400,
        "ISE40005",
        "sendPasscode code",
    );
    check(
        &respond(
            &Down,
            &Params::default(),
            passcode_body().to_string().as_bytes(),
        ),
        503,
        "ISE40504",
        "our fault",
    );
    // tokenChanged
    let changed = Changed(keys.clone());
    let ok = respond(
        &changed,
        &token_changed_params("TOKEN_STATUS_UPDATED", "evt-0001"),
        token_changed_body().to_string().as_bytes(),
    );
    assert_eq!(ok.status().as_u16(), 200);
    assert!(ok.body().is_empty());
    check(
        &respond(
            &changed,
            &token_changed_params(MARKER, "evt-0001"),
            token_changed_body().to_string().as_bytes(),
        ),
        400,
        "ISE40011",
        "tokenChanged eventType",
    );
    check(
        &respond(
            &changed,
            &token_changed_params("TOKEN_CREATED", &"e".repeat(33)),
            token_changed_body().to_string().as_bytes(),
        ),
        400,
        "ISE40005",
        "tokenChanged eventID",
    );
    let no_card = json!({"tokenInfo": token_changed_content()["tokenInfo"].clone()});
    check(
        &respond(
            &changed,
            &token_changed_params("TOKEN_CREATED", "evt-0002"),
            edit(
                token_changed_body(),
                "/encryptedData",
                Some(json!(sealed(KID_A, &no_card))),
            )
            .to_string()
            .as_bytes(),
        ),
        400,
        "ISE40010",
        "TOKEN_CREATED without the card",
    );
}
