//! Round trips of examples written from the 2.0.7 schemas, and how an
//! answer is read: confirmed, refused, retryable.

use serde_json::{Value, json};
use tmp_mdes::customer_service::search::*;
use tmp_mdes::customer_service::status_history::*;
use tmp_mdes::customer_service::suspend::*;
use tmp_mdes::customer_service::token::*;
use tmp_mdes::customer_service::{CsError, ErrorsResponse, read_answer};

use crate::support::*;

fn search_answer() -> Value {
    json!({"SearchResponse": {"Accounts": {"Account": [{
        "AccountPanSuffix": "1234", "AlternateAccountIdentifierSuffix": "4300", "ExpirationDate": "1225",
        "Tokens": {"Token": [{
            "TokenUniqueReference": TUR,
            "PrimaryAccountNumberUniqueReference": "FWSPMC0000000004793dac803f190a4dca4bad33c90a11d3",
            "TokenSuffix": "7890", "ExpirationDate": "1026", "AccountPanSequenceNumber": "59",
            "DigitizationRequestDateTime": "2015-01-21T00:04:35.000Z",
            "TokenActivatedDateTime": "2015-01-21T00:04:35.000Z",
            "ActivationCodeExpirationDateTime": "2015-01-21T00:04:35.000Z",
            "FinalTokenizationDecision": "R", "CorrelationId": "98765432101234",
            "CurrentStatusCode": "S", "CurrentStatusDateTime": "2015-01-21T00:04:35.000Z",
            "CurrentStatusDescription": "Suspended",
            "Suspenders": {"Suspender": ["I", "W", "C", "P", "M"]},
            "ProvisioningStatusCode": "S", "ProvisioningStatusDescription": "Provisioning successful",
            "TokenRequestorId": "50123456789", "TokenRequestorName": "Popular High Street Merchant",
            "TokenRequestorConsumerFacingEntityName": "Sunday Store", "WalletId": "123",
            "PaymentAppInstanceId": "645b532a245e4723d7a9c4f62b24f24a24ba98e27d43e34e",
            "TokenType": "C", "StorageTechnology": "E", "TokenAssuranceLevel": "1", "LastCommentId": "ABC123456",
            "Device": {"DeviceId": "C2ZBY14310005664", "DeviceName": "John's phone", "DeviceType": "14",
                       "SecureElementId": "92de9357a535b2c21a3566e446f43c532a46b54c46"},
            "TokenDeletedFromConsumerApp": "false"
        }, {"TokenUniqueReference": "DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45", "CurrentStatusCode": "D", "TokenType": "S", "StorageTechnology": "S"}]}
    }]}}})
}

#[test]
fn a_full_search_answer_reads_every_code_and_writes_back() {
    // GIVEN a search answer with every Token field, written from the schema
    let body = search_answer();
    // WHEN read as a 200
    let answer: SearchResponseSchema = read_answer(200, body.to_string().as_bytes()).unwrap();
    // THEN the codes are typed
    let token = &answer.response.accounts.account[0].tokens.token[0];
    assert_eq!(token.current_status_code, Some(TokenStatusCode::Suspended));
    assert_eq!(
        token.final_tokenization_decision,
        Some(FinalTokenizationDecision::ApprovedWithAuthentication)
    );
    assert_eq!(token.token_type, Some(TokenType::CloudBased));
    assert_eq!(
        token.storage_technology,
        Some(StorageTechnology::TrustedExecutionEnvironment)
    );
    assert_eq!(
        token.provisioning_status_code,
        Some(ProvisioningStatusCode::Successful)
    );
    assert_eq!(
        token.suspenders.as_ref().unwrap().suspender,
        [
            Party::Issuer,
            Party::TokenRequestor,
            Party::Cardholder,
            Party::MobilePinValidation,
            Party::MobilePinChangeValidation
        ]
    );
    assert_eq!(token.token_deleted_from_consumer_app, Some(false));
    // AND it writes back unchanged
    assert_eq!(serde_json::to_value(&answer).unwrap(), body);
}

#[test]
fn the_request_wraps_in_its_root_element_with_pascal_case_fields() {
    // GIVEN a suspend request
    let request = TokenSuspendRequestSchema {
        request: TokenSuspendRequest {
            token_unique_reference: TUR.into(),
            reason_code: SuspendReason::DeviceStolen,
            comment_text: None,
            audit_info: audit(),
        },
    };
    // THEN it is the spec's shape, and reads back
    let value = serde_json::to_value(&request).unwrap();
    assert_eq!(
        value,
        json!({"TokenSuspendRequest": {"TokenUniqueReference": TUR, "ReasonCode": "S",
        "AuditInfo": {"UserId": "A1435477", "UserName": "John Smith", "Organization": "Any Bank", "Phone": "5555551234"}}})
    );
    assert_eq!(
        serde_json::from_value::<TokenSuspendRequestSchema>(value).unwrap(),
        request
    );
}

#[test]
fn status_history_reads_initiators_and_reasons() {
    let body = json!({"TokenStatusHistoryResponse": {"Statuses": {"Status": [
        {"StatusCode": "D", "StatusDescription": "Deleted", "StatusDateTime": "2014-12-16T13:04:35-06:00", "Initiator": "C", "ReasonCode": "L"},
        {"StatusCode": "A", "StatusDateTime": "2014-12-15T11:05:35-06:00", "Initiator": "I", "ReasonCode": "A", "CommentId": "77",
         "AuditInfo": {"UserId": "AI145530", "UserName": "John Smith", "Organization": "Any Bank"}},
        {"StatusCode": "U", "ReasonCode": "Z"}
    ]}}});
    let answer: TokenStatusHistoryResponseSchema =
        read_answer(200, body.to_string().as_bytes()).unwrap();
    let statuses = &answer.response.statuses.status;
    assert_eq!(statuses[0].initiator, Some(Party::Cardholder));
    assert_eq!(statuses[2].status_code, TokenStatusCode::Unmapped);
    assert_eq!(statuses[1].audit_info.as_ref().unwrap().phone, None);
    assert_eq!(serde_json::to_value(&answer).unwrap(), body);
}

fn errors(reason: &str, recoverable: Value) -> Vec<u8> {
    json!({"Errors": {"Error": [{"Source": "TokenUniqueReference", "ReasonCode": reason,
        "Description": "Token 5412345678901234 not found", "Recoverable": recoverable, "ErrorCode": "TUR"}]}})
    .to_string()
    .into_bytes()
}

#[test]
fn an_answer_is_confirmed_refused_or_retryable() {
    let ok = json!({"TokenSuspendResponse": {"Token": {"TokenUniqueReference": TUR, "CommentId": "1234"}}}).to_string();
    // GIVEN a 200 with the operation's answer THEN confirmed
    let confirmed: TokenSuspendResponseSchema = read_answer(200, ok.as_bytes()).unwrap();
    assert_eq!(confirmed.response.token.comment_id.as_deref(), Some("1234"));
    // GIVEN MDES's answers that are not confirmations
    let cases: Vec<(&str, u16, Vec<u8>, CsError)> = vec![
        (
            "4xx with reason",
            400,
            errors("INVALID_TOKEN_STATUS", json!("false")),
            CsError::Refused {
                status: 400,
                reason_code: "INVALID_TOKEN_STATUS".into(),
                source_field: Some("TokenUniqueReference".into()),
                error_code: Some("TUR".into()),
            },
        ),
        (
            "4xx boolean recoverable false",
            404,
            errors("NOT_FOUND", json!(false)),
            CsError::Refused {
                status: 404,
                reason_code: "NOT_FOUND".into(),
                source_field: Some("TokenUniqueReference".into()),
                error_code: Some("TUR".into()),
            },
        ),
        (
            "4xx without a body",
            401,
            b"".to_vec(),
            CsError::Refused {
                status: 401,
                reason_code: "UNKNOWN".into(),
                source_field: None,
                error_code: None,
            },
        ),
        (
            "4xx recoverable",
            409,
            errors("SYSTEM_BUSY", json!("true")),
            CsError::Retryable {
                status: Some(409),
                reason_code: Some("SYSTEM_BUSY".into()),
            },
        ),
        (
            "5xx",
            503,
            errors("INTERNAL_SERVICE_FAILURE", json!("false")),
            CsError::Retryable {
                status: Some(503),
                reason_code: Some("INTERNAL_SERVICE_FAILURE".into()),
            },
        ),
        (
            "5xx html",
            502,
            b"<html>bad gateway</html>".to_vec(),
            CsError::Retryable {
                status: Some(502),
                reason_code: None,
            },
        ),
        (
            "200 with errors",
            200,
            errors("INVALID_WORKFLOW", json!("false")),
            CsError::Refused {
                status: 200,
                reason_code: "INVALID_WORKFLOW".into(),
                source_field: Some("TokenUniqueReference".into()),
                error_code: Some("TUR".into()),
            },
        ),
        (
            "200 unreadable",
            200,
            b"{\"Other\":1}".to_vec(),
            CsError::Unreadable { status: 200 },
        ),
        (
            "redirect",
            302,
            b"".to_vec(),
            CsError::Unreadable { status: 302 },
        ),
    ];
    for (name, status, body, want) in cases {
        // WHEN read THEN each is classified
        let got = read_answer::<TokenSuspendResponseSchema>(status, &body).unwrap_err();
        assert_eq!(got, want, "{name}");
        // AND the message never echoes the request or MDES's free text
        assert!(
            !got.to_string().contains("5412345678901234"),
            "{name}: {got}"
        );
    }
    assert!(CsError::timeout().is_retryable());
    // AND Details is read where ErrorCode is absent
    let details = br#"{"Errors":{"Error":[{"Source":"System","ReasonCode":"INVALID_REQUEST","Recoverable":"false","Details":"X"}]}}"#;
    let err = read_answer::<TokenSuspendResponseSchema>(400, details).unwrap_err();
    assert!(matches!(err, CsError::Refused { error_code: Some(ref c), .. } if c == "X"));
    let body: ErrorsResponse = serde_json::from_slice(details).unwrap();
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        serde_json::from_slice::<Value>(details).unwrap()
    );
}
