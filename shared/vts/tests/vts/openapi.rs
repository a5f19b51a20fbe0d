//! The implementation and `api/vts-issuer.openapi.yaml` agree: the document is
//! valid OpenAPI 3.0.3, names every path and code we implement, and its
//! schemas accept what we answer and refuse what we refuse.

use serde_json::{Value, json};
use tmp_core::AppError;
use tmp_core::domain::card::CvcResponse;
use tmp_core::domain::decision::Decision;
use tmp_core::domain::verification::{ActivationMethod, ActivationMethodKind};
use tmp_core::error::{CardDataRejection, InputProblem};
use tmp_core::usecases::authorize::AuthorizationOutcome;
use tmp_vts::approve_provisioning::ApproveProvisioning;
use tmp_vts::check_eligibility::CheckEligibilityResponse;
use tmp_vts::operation::VtsRequest;
use tmp_vts::send_passcode::SendPasscodeResponse;
use tmp_vts::{VtsError, VtsErrorCode, translate};

use crate::hostile::metadata;
use crate::support::*;

const SPEC: &str = "api/vts-issuer.openapi.yaml";

fn schema_errors(cases: &[(&str, Value)]) -> Vec<Vec<String>> {
    tmp_testkit::python::openapi_schema_errors(&workspace_root().join(SPEC), cases).unwrap()
}

fn spec() -> Value {
    let text = std::fs::read_to_string(workspace_root().join(SPEC)).unwrap();
    serde_norway::from_str(&text).unwrap()
}

fn every_error() -> Vec<VtsError> {
    vec![
        VtsError::missing("tokenInfo.tokenType"),
        VtsError::length("panReferenceID"),
        VtsError::invalid_type("tokenInfo"),
        VtsError::not_a_json_object(),
        VtsError::cryptography(),
        VtsError::value("deviceInfo.osType"),
        VtsError::unknown_token_reference(),
        VtsError::unknown_method_identifier(),
        VtsError::internal(),
        AppError::RequestIdReused.into(),
        AppError::NotAwaitingAuthentication.into(),
        AppError::LimitReached("codes").into(),
        AppError::invalid("x", InputProblem::Length { min: 1, max: 2 }).into(),
        AppError::CardData(CardDataRejection::Expired).into(),
    ]
}

#[test]
fn the_document_lists_every_path_and_code_we_implement() {
    let spec = spec();
    assert_eq!(spec["openapi"], "3.0.3");
    // GIVEN the five operations of the issue
    let mut paths: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "/vts/v1/checkEligibility",
            "/vts/v1/getCardholderVerificationMethods",
            "/vts/v1/sendPasscode",
            "/vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/approveProvisioning",
            "/vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/tokenChanged",
        ]
    );
    // THEN the error codes are exactly ours, in order
    let codes: Vec<&str> = spec["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let ours: Vec<&str> = VtsErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes, ours);
    // AND each operation documents the statuses its codes use, never 500
    for (path, item) in spec["paths"].as_object().unwrap() {
        let responses = item["post"]["responses"].as_object().unwrap();
        let statuses: Vec<&str> = responses.keys().map(String::as_str).collect();
        assert!(
            statuses.contains(&"200") && statuses.contains(&"400") && statuses.contains(&"503"),
            "{path}"
        );
        assert!(!statuses.contains(&"500"), "{path}");
        let by_token = path.contains("tokenChanged")
            || path.contains("Passcode")
            || path.contains("Verification");
        assert_eq!(statuses.contains(&"404"), by_token, "{path}");
    }
    for code in VtsErrorCode::ALL {
        assert!([400, 404, 503].contains(&code.http_status()));
    }
}

#[test]
fn what_we_answer_and_read_fits_the_schemas() {
    let outcome = |decision, cvc| AuthorizationOutcome {
        decision,
        activation_methods: Vec::new(),
        cvc_response: cvc,
        replayed: false,
    };
    let to = |v: &dyn Erased| v.json();
    let mut cases: Vec<(&str, Value)> = every_error()
        .iter()
        .map(|e| ("ErrorResponse", serde_json::to_value(e.body()).unwrap()))
        .collect();
    for (decision, cvc) in [
        (Decision::Approved, Some(CvcResponse::Match)),
        (
            Decision::RequireAdditionalAuthentication,
            Some(CvcResponse::NotProcessed),
        ),
        (Decision::Declined, Some(CvcResponse::Invalid)),
        (Decision::Declined, None),
    ] {
        cases.push((
            "ApproveProvisioningResponse",
            to(&translate::approve_provisioning_response(&outcome(
                decision, cvc,
            ))),
        ));
    }
    cases.extend([
        (
            "CheckEligibilityResponse",
            to(&CheckEligibilityResponse::eligible(metadata())),
        ),
        (
            "CheckEligibilityResponse",
            to(&CheckEligibilityResponse::ineligible()),
        ),
        (
            "SendPasscodeResponse",
            to(&SendPasscodeResponse::accepted()),
        ),
        (
            "GetCardholderVerificationMethodsResponse",
            to(&translate::cardholder_verification_methods(&[
                ActivationMethod {
                    kind: ActivationMethodKind::Sms,
                    value: "***-***-0123".into(),
                },
                ActivationMethod {
                    kind: ActivationMethodKind::Email,
                    value: "j***@e***.com".into(),
                },
                ActivationMethod {
                    kind: ActivationMethodKind::CallCentre,
                    value: "+44 20 7946 0999".into(),
                },
            ])),
        ),
        (
            "GetCardholderVerificationMethodsResponse",
            to(&translate::cardholder_verification_methods(&[])),
        ),
        // What we read: the fixtures our parsers accept.
        (
            "ApproveProvisioningRequest",
            approve_body(&sealed(KID_A, &provisioning_content())),
        ),
        ("ProvisioningEncryptedContent", provisioning_content()),
        ("TokenChangedEncryptedContent", token_changed_content()),
        (
            "JweProtectedHeader",
            jwe_header(&sealed(KID_A, &provisioning_content())),
        ),
    ]);
    // WHEN each is validated against its schema THEN no errors
    for ((name, instance), errors) in cases.iter().zip(schema_errors(&cases)) {
        assert!(errors.is_empty(), "{name} {instance}: {errors:?}");
    }
}

/// Serialises any answer (a small object-safe stand-in for `Serialize`).
trait Erased {
    fn json(&self) -> Value;
}

impl<T: serde::Serialize> Erased for T {
    fn json(&self) -> Value {
        serde_json::to_value(self).unwrap()
    }
}

fn jwe_header(jwe: &str) -> Value {
    use base64::Engine as _;
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jwe.split('.').next().unwrap())
        .unwrap();
    serde_json::from_slice(&header).unwrap()
}

#[test]
fn the_schema_refuses_what_we_refuse() {
    let good = || approve_body(&sealed(KID_A, &provisioning_content()));
    let edit = |pointer: &str, value: Option<Value>| {
        let mut body = good();
        let (parent, last) = pointer.rsplit_once('/').unwrap();
        let map = body.pointer_mut(parent).unwrap().as_object_mut().unwrap();
        match value {
            Some(v) => map.insert(last.to_owned(), v),
            None => map.remove(last),
        };
        body
    };
    // GIVEN approveProvisioning bodies, one good and each with one flaw
    let bodies = vec![
        good(),
        edit("/tokenInfo/tokenType", None),
        edit("/tokenInfo/tokenType", Some(json!("PLASTIC"))),
        edit(
            "/tokenInfo/numberOfActiveTokensForPAN",
            Some(json!("12345")),
        ),
        edit("/tokenInfo/tokenAssuranceLevel", Some(json!("A"))),
        edit("/panReferenceID", Some(json!("x".repeat(33)))),
        edit("/panReferenceID", Some(json!("a/b"))),
        edit("/lifeCycleTraceID", Some(json!("1234567890123456"))),
        edit("/lifeCycleTraceID", Some(json!(12))),
        edit("/locale", Some(json!("en_us"))),
        edit("/panSource", Some(json!("04"))),
        edit("/cvv2ResultsCode", Some(json!("MM"))),
        edit("/walletAccountEmailAddressHash", Some(json!("not-hex"))),
        edit("/consumerEntryMode", Some(json!("KEY ENTERED"))),
        edit("/deviceInfo/deviceType", Some(json!("PHONE"))),
        edit("/deviceInfo/deviceLanguageCode", Some(json!("en"))),
        edit("/deviceInfo/deviceName", Some(json!("a=b"))),
        edit("/deviceInfo/deviceName", Some(json!("SmFuZQ=="))),
        edit("/deviceInfo/deviceIPAddressV4", Some(json!("10.0.0.256"))),
        edit("/deviceInfo/deviceIndex", Some(json!("123"))),
        edit("/walletProviderMsgTracing/wpRequestId", None),
        edit(
            "/walletProviderMsgTracing/tokenRequestorID",
            Some(json!("123456789012")),
        ),
        edit("/encryptedData", None),
        edit("/encryptedData", Some(json!(""))),
        edit("/deviceInfo/osVersion", Some(json!("14\u{7}"))),
    ];
    let cases: Vec<(&str, Value)> = bodies
        .iter()
        .map(|b| ("ApproveProvisioningRequest", b.clone()))
        .collect();
    // WHEN our parser and the schema judge each
    for ((_, body), errors) in cases.iter().zip(schema_errors(&cases)) {
        let ours = ApproveProvisioning::from_parts(&token_params(), body.clone());
        // THEN they agree
        assert_eq!(
            ours.is_ok(),
            errors.is_empty(),
            "{body}: ours {:?}, schema {errors:?}",
            ours.err()
        );
    }
    // AND the same holds for the JWE header and the decrypted content
    let header = |h: Value| ("JweProtectedHeader", h);
    let mut content_bad_score = provisioning_content();
    content_bad_score["riskInformation"]["walletProviderDeviceScore"] = json!("6");
    let mut content_bad_month = provisioning_content();
    content_bad_month["cardholderInfo"]["expirationDate"]["month"] = json!("13");
    let refused = vec![
        header(json!({"alg": "RSA1_5", "enc": "A256GCM", "kid": "k"})),
        header(json!({"alg": "RSA-OAEP-256", "enc": "A128GCM", "kid": "k"})),
        header(json!({"alg": "RSA-OAEP-256", "enc": "A256GCM"})),
        header(json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "k", "zip": "DEF"})),
        header(json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "k", "crit": ["x"]})),
        ("ProvisioningEncryptedContent", content_bad_score),
        ("ProvisioningEncryptedContent", content_bad_month),
        (
            "ProvisioningEncryptedContent",
            json!({"riskInformation": {}}),
        ),
    ];
    for ((name, instance), errors) in refused.iter().zip(schema_errors(&refused)) {
        assert!(!errors.is_empty(), "{name} accepted {instance}");
    }
}
