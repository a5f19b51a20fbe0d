#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Value, json};

use super::*;

fn suspend() -> LifecycleRequest {
    LifecycleRequest {
        request_id: "6f1c2b9e-5d1a-4c1e-9a51-0c4a3e2b7d10".into(),
        operator_id: "cs-agent-42".into(),
        message_reason_code: MessageReasonCode::Suspend,
        token_reference_id: "DNITHE381305071414000049".into(),
        token_requestor_id: "40010030273".into(),
        pan_reference_id: Some("V-PANREF-000001".into()),
        request_reason: Some("Cardholder reported the phone lost".into()),
        activation_code: None,
        operation_type: OperationType::Update,
        cardholder_info: None,
    }
}

#[test]
fn a_lifecycle_request_travels_under_visas_names_and_back() {
    // GIVEN a suspension and a PAN update
    let mut update = suspend();
    update.message_reason_code = MessageReasonCode::PanUpdate;
    update.cardholder_info = Some(LifecycleCardholderInfo {
        encrypted_data: "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d".into(),
    });
    update.activation_code = Some("482913".into());
    // WHEN serialised
    let wire = serde_json::to_value(&update).unwrap();
    // THEN every member has Visa's spelling, codes as strings
    assert_eq!(
        wire,
        json!({
            "requestID": "6f1c2b9e-5d1a-4c1e-9a51-0c4a3e2b7d10",
            "operatorID": "cs-agent-42",
            "messageReasonCode": "3721",
            "tokenReferenceID": "DNITHE381305071414000049",
            "tokenRequestorID": "40010030273",
            "panReferenceID": "V-PANREF-000001",
            "requestReason": "Cardholder reported the phone lost",
            "activationCode": "482913",
            "operationType": "UPDATE",
            "cardholderInfo": {"encryptedData": "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d"}
        })
    );
    // AND it reads back unchanged
    assert_eq!(
        serde_json::from_value::<LifecycleRequest>(wire).unwrap(),
        update
    );
    // AND absent options are left out
    let wire = serde_json::to_value(LifecycleRequest {
        pan_reference_id: None,
        request_reason: None,
        ..suspend()
    })
    .unwrap();
    let keys: Vec<&str> = wire
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "messageReasonCode",
            "operationType",
            "operatorID",
            "requestID",
            "tokenReferenceID",
            "tokenRequestorID"
        ]
    );
}

#[test]
fn each_reason_code_has_its_string_and_operation_type() {
    let expected = [
        ("3701", "DELETE"),
        ("3702", "UPDATE"),
        ("3703", "UPDATE"),
        ("3713", "UPDATE"),
        ("3720", "UPDATE"),
        ("3721", "UPDATE"),
    ];
    for (code, (text, operation)) in MessageReasonCode::ALL.into_iter().zip(expected) {
        assert_eq!(serde_json::to_value(code).unwrap(), text);
        assert_eq!(code.as_str(), text);
        assert_eq!(
            serde_json::to_value(code.operation_type()).unwrap(),
            operation
        );
        assert_eq!(
            serde_json::from_value::<MessageReasonCode>(json!(text)).unwrap(),
            code
        );
    }
    // AND a code outside the table, or a number, is not read
    assert!(serde_json::from_value::<MessageReasonCode>(json!("3700")).is_err());
    assert!(serde_json::from_value::<MessageReasonCode>(json!(3702)).is_err());
}

#[test]
fn an_inquiry_and_its_answer_travel_under_visas_names() {
    // GIVEN an inquiry by token
    let inquiry = InquiryRequest {
        request_id: "req-1".into(),
        operator_id: "cs-agent-42".into(),
        token_reference_id: Some("DNITHE381305071414000049".into()),
        token_requestor_id: Some("40010030273".into()),
        pan_reference_id: None,
    };
    let wire = serde_json::to_value(&inquiry).unwrap();
    assert_eq!(
        wire,
        json!({"requestID": "req-1", "operatorID": "cs-agent-42",
               "tokenReferenceID": "DNITHE381305071414000049", "tokenRequestorID": "40010030273"})
    );
    assert_eq!(
        serde_json::from_value::<InquiryRequest>(wire).unwrap(),
        inquiry
    );
    // WHEN VTS answers with members we do not read
    let answer = json!({"tokenDetails": [{
        "tokenReferenceID": "DNITHE381305071414000049", "tokenRequestorID": "40010030273",
        "panReferenceID": "V-PANREF-000001", "tokenState": "SUSPENDED",
        "lastTokenStatusUpdatedTime": "2026-02-03T14:00:00.000Z", "entityOfLastAction": "ISSUER",
        "lastFourOfPAN": "1111", "tokenExpiration": "0330", "tokenType": "SECURE_ELEMENT"
    }]});
    let read: InquiryResponse = serde_json::from_value(answer).unwrap();
    // THEN the ones we know are read, under their names
    let detail = &read.token_details[0];
    assert_eq!(detail.token_state, TokenState::Suspended);
    assert_eq!(detail.last_four_of_pan.as_deref(), Some("1111"));
    assert_eq!(detail.entity_of_last_action.as_deref(), Some("ISSUER"));
    let back = serde_json::to_value(&read).unwrap();
    assert_eq!(back["tokenDetails"][0]["lastFourOfPAN"], "1111");
    assert_eq!(
        back["tokenDetails"][0]["tokenReferenceID"],
        detail.token_reference_id
    );
    assert!(back["tokenDetails"][0].get("tokenType").is_none());
    // AND each state has its name, others are refused
    for (state, text) in [
        (TokenState::Active, "ACTIVE"),
        (TokenState::Inactive, "INACTIVE"),
        (TokenState::Suspended, "SUSPENDED"),
        (TokenState::Deactivated, "DEACTIVATED"),
    ] {
        assert_eq!(serde_json::to_value(state).unwrap(), text);
    }
    assert!(serde_json::from_value::<TokenState>(json!("LOST")).is_err());
}

fn error_body(status: u16, reason: &str, message: &str) -> Vec<u8> {
    serde_json::to_vec(&ErrorResponse {
        error_response: ErrorBody {
            status: Some(status.to_string()),
            message: message.into(),
            reason: reason.into(),
            details: vec![message.into()],
        },
    })
    .unwrap()
}

#[test]
fn answers_are_classified_by_status_and_reason() {
    // 200 with the request id, and an empty 200: done
    let done: LifecycleResponse = read_answer(200, br#"{"requestID":"req-1"}"#).unwrap();
    assert_eq!(done.request_id.as_deref(), Some("req-1"));
    let empty: LifecycleResponse = read_answer(200, b"").unwrap();
    assert_eq!(empty, LifecycleResponse::default());
    // 4xx: refused, with Visa's reason code
    assert_eq!(
        read_answer::<LifecycleResponse>(400, &error_body(400, "invalidParameter", "bad"))
            .unwrap_err(),
        LifecycleError::Refused {
            status: 400,
            reason: "invalidParameter".into()
        }
    );
    assert_eq!(
        read_answer::<LifecycleResponse>(409, b"not json").unwrap_err(),
        LifecycleError::Refused {
            status: 409,
            reason: "UNKNOWN".into()
        }
    );
    // 404 TOKEN_NOT_FOUND: VTS does not know the token; another 404 is a refusal
    assert_eq!(
        read_answer::<InquiryResponse>(404, &error_body(404, TOKEN_NOT_FOUND, "no")).unwrap_err(),
        LifecycleError::NotFound
    );
    assert_eq!(
        read_answer::<InquiryResponse>(404, b"<html>Not Found</html>").unwrap_err(),
        LifecycleError::Refused {
            status: 404,
            reason: "UNKNOWN".into()
        }
    );
    // 5xx: retryable, whatever the body
    for status in [500, 502, 503, 504] {
        let err =
            read_answer::<LifecycleResponse>(status, &error_body(status, "serviceError", "x"))
                .unwrap_err();
        assert_eq!(
            err,
            LifecycleError::Retryable {
                status: Some(status)
            }
        );
        assert!(err.is_retryable());
    }
    assert!(LifecycleError::timeout().is_retryable());
    // a garbage 200, an error under 200, an inquiry without tokenDetails, a 3xx: unreadable
    assert_eq!(
        read_answer::<LifecycleResponse>(200, b"<html>ok</html>").unwrap_err(),
        LifecycleError::Unreadable { status: 200 }
    );
    assert_eq!(
        read_answer::<LifecycleResponse>(200, &error_body(400, "invalidParameter", "x"))
            .unwrap_err(),
        LifecycleError::Unreadable { status: 200 }
    );
    assert_eq!(
        read_answer::<InquiryResponse>(200, b"{}").unwrap_err(),
        LifecycleError::Unreadable { status: 200 }
    );
    assert_eq!(
        read_answer::<InquiryResponse>(200, br#"{"tokenDetails":[{"tokenState":"LOST"}]}"#)
            .unwrap_err(),
        LifecycleError::Unreadable { status: 200 }
    );
    assert_eq!(
        read_answer::<LifecycleResponse>(302, b"").unwrap_err(),
        LifecycleError::Unreadable { status: 302 }
    );
}

#[test]
fn error_messages_never_echo_the_body() {
    // GIVEN answers whose free text quotes a PAN, and a reason that is free text
    let pan = "4111111111111111";
    let message = format!("PAN {pan} is blocked for cardholder Alex Example");
    let cases = [
        read_answer::<LifecycleResponse>(400, &error_body(400, "invalidParameter", &message)),
        read_answer::<LifecycleResponse>(400, &error_body(400, &message, &message)),
        read_answer::<LifecycleResponse>(404, &error_body(404, TOKEN_NOT_FOUND, &message)),
        read_answer::<LifecycleResponse>(503, &error_body(503, &message, &message)),
        read_answer::<LifecycleResponse>(200, message.as_bytes()),
    ];
    for result in cases {
        let err = result.unwrap_err();
        // THEN neither the message, the debug form nor the reason carries it
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains(pan), "{text}");
            assert!(!text.contains("Alex"), "{text}");
        }
    }
    // AND a free-text reason is read as UNKNOWN
    assert_eq!(
        read_answer::<LifecycleResponse>(400, &error_body(400, "bad card 4111", "x")).unwrap_err(),
        LifecycleError::Refused {
            status: 400,
            reason: "UNKNOWN".into()
        }
    );
}

#[test]
fn error_bodies_use_visas_names_and_read_a_numeric_status() {
    let body: Value =
        serde_json::from_slice(&error_body(404, TOKEN_NOT_FOUND, "Unknown token")).unwrap();
    assert_eq!(
        body,
        json!({"errorResponse": {"status": "404", "message": "Unknown token",
                                 "reason": "TOKEN_NOT_FOUND", "details": ["Unknown token"]}})
    );
    let read: ErrorResponse = serde_json::from_value(
        json!({"errorResponse": {"status": 400, "reason": "invalidRequest"}}),
    )
    .unwrap();
    assert_eq!(read.error_response.status.as_deref(), Some("400"));
    assert_eq!(read.error_response.reason, "invalidRequest");
    assert!(read.error_response.details.is_empty());
}

#[test]
fn the_paths_are_relative_to_the_visa_base_url() {
    for path in [LIFECYCLE_PATH, INQUIRY_PATH] {
        assert!(path.starts_with("rsrv_VNTSTokenUpdateService/"), "{path}");
        assert!(!path.starts_with('/') && !path.ends_with('/'));
    }
}
