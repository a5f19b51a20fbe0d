//! The lifecycle types and `api/vts-lifecycle.openapi.yaml` agree: the
//! document is valid OpenAPI 3.0.3 with the two calls, its schemas accept
//! every request we build and every answer we read, refuse what our types
//! cannot carry, and each of its examples reads into our types.

use serde_json::{Value, json};
use tmp_vts::lifecycle::{
    ErrorBody, ErrorResponse, INQUIRY_PATH, InquiryRequest, InquiryResponse, LIFECYCLE_PATH,
    LifecycleCardholderInfo, LifecycleRequest, LifecycleResponse, MessageReasonCode,
    TOKEN_NOT_FOUND, TokenDetail, TokenState,
};

use crate::support::{TOKEN_REF, TOKEN_REQUESTOR, workspace_root};

const SPEC: &str = "api/vts-lifecycle.openapi.yaml";

fn schema_errors(cases: &[(&str, Value)]) -> Vec<Vec<String>> {
    tmp_testkit::python::openapi_schema_errors(&workspace_root().join(SPEC), cases).unwrap()
}

fn spec() -> Value {
    let text = std::fs::read_to_string(workspace_root().join(SPEC)).unwrap();
    serde_norway::from_str(&text).unwrap()
}

fn request(code: MessageReasonCode) -> LifecycleRequest {
    let update = matches!(
        code,
        MessageReasonCode::ExpiryUpdate | MessageReasonCode::PanUpdate
    );
    LifecycleRequest {
        request_id: uuid_like(code.as_str()),
        operator_id: "cs-agent-42".into(),
        message_reason_code: code,
        token_reference_id: TOKEN_REF.into(),
        token_requestor_id: TOKEN_REQUESTOR.into(),
        pan_reference_id: Some("V-PANREF-000001".into()),
        request_reason: Some("Issuer customer service".into()),
        activation_code: (code == MessageReasonCode::Activate).then(|| "482913".into()),
        operation_type: code.operation_type(),
        cardholder_info: update.then(|| LifecycleCardholderInfo {
            encrypted_data: "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d".into(),
        }),
    }
}

/// A 36-character id ending in `tail`.
fn uuid_like(tail: &str) -> String {
    format!("6f1c2b9e-5d1a-4c1e-9a51-0c4a3e2b{tail:0>4}")
}

fn error(status: u16, reason: &str) -> Value {
    serde_json::to_value(ErrorResponse {
        error_response: ErrorBody {
            status: Some(status.to_string()),
            message: "A fixed text".into(),
            reason: reason.into(),
            details: vec!["tokenState".into()],
        },
    })
    .unwrap()
}

fn json_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

#[test]
fn the_document_describes_the_two_calls() {
    let spec = spec();
    assert_eq!(spec["openapi"], "3.0.3");
    let mut paths: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [format!("/{INQUIRY_PATH}"), format!("/{LIFECYCLE_PATH}")]
    );
    // AND the reason codes are exactly ours
    let codes = spec["components"]["schemas"]["MessageReasonCode"]["enum"].clone();
    let ours: Vec<&str> = MessageReasonCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes, json!(ours));
    // AND the document names its basis and its assumptions
    let description = spec["info"]["description"].as_str().unwrap();
    assert!(description.contains("What this is based on"));
    assert!(description.contains("TOKEN_NOT_FOUND"));
}

#[test]
fn what_we_send_and_read_fits_the_schemas() {
    let mut cases: Vec<(&str, Value)> = MessageReasonCode::ALL
        .into_iter()
        .map(|code| ("LifecycleRequest", json_of(&request(code))))
        .collect();
    let by_token = InquiryRequest {
        request_id: uuid_like("1"),
        operator_id: "cs-agent-42".into(),
        token_reference_id: Some(TOKEN_REF.into()),
        token_requestor_id: Some(TOKEN_REQUESTOR.into()),
        pan_reference_id: None,
    };
    let by_card = InquiryRequest {
        token_reference_id: None,
        token_requestor_id: None,
        pan_reference_id: Some("V-PANREF-000001".into()),
        ..by_token.clone()
    };
    let answer = InquiryResponse {
        token_details: vec![TokenDetail {
            token_reference_id: TOKEN_REF.into(),
            token_requestor_id: Some(TOKEN_REQUESTOR.into()),
            pan_reference_id: Some("V-PANREF-000001".into()),
            token_state: TokenState::Suspended,
            last_token_status_updated_time: Some("2026-02-03T14:00:00.000Z".into()),
            entity_of_last_action: Some("ISSUER".into()),
            last_four_of_pan: Some("1111".into()),
            token_expiration: Some("0330".into()),
        }],
    };
    cases.extend([
        ("InquiryRequest", json_of(&by_token)),
        ("InquiryRequest", json_of(&by_card)),
        ("InquiryResponse", json_of(&answer)),
        (
            "InquiryResponse",
            json_of(&InquiryResponse {
                token_details: vec![],
            }),
        ),
        (
            "LifecycleResponse",
            json_of(&LifecycleResponse {
                request_id: Some(uuid_like("2")),
            }),
        ),
        ("ErrorResponse", error(400, "invalidRequest")),
        ("ErrorResponse", error(404, TOKEN_NOT_FOUND)),
        ("ErrorResponse", error(500, "serviceError")),
    ]);
    // WHEN each is validated against its schema THEN no errors
    for ((name, instance), errors) in cases.iter().zip(schema_errors(&cases)) {
        assert!(errors.is_empty(), "{name} {instance}: {errors:?}");
    }
}

#[test]
fn the_schemas_refuse_what_our_types_cannot_carry() {
    let valid = json_of(&request(MessageReasonCode::Suspend));
    let with = |key: &str, value: Value| {
        let mut v = valid.clone();
        v[key] = value;
        v
    };
    let without = |key: &str| {
        let mut v = valid.clone();
        v.as_object_mut().unwrap().remove(key);
        v
    };
    let cases: Vec<(&str, Value)> = vec![
        ("LifecycleRequest", without("requestID")),
        ("LifecycleRequest", without("operationType")),
        ("LifecycleRequest", with("messageReasonCode", json!("3700"))),
        ("LifecycleRequest", with("messageReasonCode", json!(3702))),
        ("LifecycleRequest", with("requestID", json!("r".repeat(37)))),
        (
            "LifecycleRequest",
            with("tokenRequestorID", json!("4001003027")),
        ),
        ("LifecycleRequest", with("operationType", json!("SUSPEND"))),
        ("LifecycleRequest", with("unexpected", json!("x"))),
        (
            "InquiryRequest",
            json!({"requestID": "r-1", "operatorID": "op", "tokenReferenceID": TOKEN_REF}),
        ),
        (
            "InquiryResponse",
            json!({"tokenDetails": [{"tokenReferenceID": TOKEN_REF, "tokenState": "LOST"}]}),
        ),
        ("InquiryResponse", json!({})),
        ("ErrorResponse", error(400, "free text with spaces")),
    ];
    for ((name, instance), errors) in cases.iter().zip(schema_errors(&cases)) {
        assert!(!errors.is_empty(), "{name} accepted {instance}");
    }
}

#[test]
fn every_example_reads_into_our_types() {
    let spec = spec();
    let mut read = 0;
    for item in spec["paths"].as_object().unwrap().values() {
        let op = &item["post"];
        for example in op["requestBody"]["content"]["application/json"]["examples"]
            .as_object()
            .unwrap()
            .values()
        {
            let value = example["value"].clone();
            if value.get("messageReasonCode").is_some() {
                let typed: LifecycleRequest = serde_json::from_value(value.clone()).unwrap();
                assert_eq!(json_of(&typed), value);
                assert_eq!(
                    typed.operation_type,
                    typed.message_reason_code.operation_type()
                );
            } else {
                let typed: InquiryRequest = serde_json::from_value(value.clone()).unwrap();
                assert_eq!(json_of(&typed), value);
            }
            read += 1;
        }
        if let Some(examples) =
            op["responses"]["200"]["content"]["application/json"]["examples"].as_object()
        {
            for example in examples.values() {
                let typed: InquiryResponse =
                    serde_json::from_value(example["value"].clone()).unwrap();
                assert_eq!(json_of(&typed), example["value"]);
                read += 1;
            }
        }
    }
    for response in spec["components"]["responses"]
        .as_object()
        .unwrap()
        .values()
    {
        if let Some(examples) = response["content"]["application/json"]["examples"].as_object() {
            for example in examples.values() {
                let typed: ErrorResponse =
                    serde_json::from_value(example["value"].clone()).unwrap();
                assert_eq!(json_of(&typed), example["value"]);
                read += 1;
            }
        }
    }
    assert_eq!(read, 6);
}
