//! The implementation and `api/tmp-api.openapi.yaml` agree: the document is
//! valid OpenAPI 3.0.3, lists every path, secures every operation with its
//! scope, answers every error as problem+json; its schemas accept what we
//! answer and judge request bodies as our parser does.

use serde_json::{Value, json};
use time::macros::datetime;
use tmp_api::action::{ActionRequest, JobAccepted};
use tmp_api::card_event::CardEvent;
use tmp_api::ids::{CardId, Cursor, JobId, TokenId, TokenReference, TokenRequestorId};
use tmp_api::job::{ItemOutcome, JobItem, JobResponse};
use tmp_api::search::{SearchRequest, SearchResponse};
use tmp_api::token::*;
use tmp_api::{Problem, ProblemKind, validate};
use tmp_core::AppError;
use tmp_core::error::{CardDataRejection, InputProblem};

use crate::support::*;

const SPEC: &str = "api/tmp-api.openapi.yaml";

fn schema_errors(cases: &[(&str, Value)]) -> Vec<Vec<String>> {
    tmp_testkit::python::openapi_schema_errors(&workspace_root().join(SPEC), cases).unwrap()
}

fn spec() -> Value {
    let text = std::fs::read_to_string(workspace_root().join(SPEC)).unwrap();
    serde_norway::from_str(&text).unwrap()
}

fn id<T: TryFrom<String>>(value: &str) -> T
where
    T::Error: std::fmt::Debug,
{
    T::try_from(value.to_owned()).unwrap()
}

fn summary(status: TokenStatus, suspended_by: Vec<Suspender>) -> TokenSummary {
    TokenSummary {
        token_id: id::<TokenId>("tok_7Hq2vX9kLm3N"),
        network: Network::Mastercard,
        token_reference: id::<TokenReference>("DWSPMC000000000132d72d4fcb2f4136a0532d3093ff1a45"),
        status,
        suspended_by,
        token_requestor_id: Some(id::<TokenRequestorId>("50110030273")),
        wallet_id: Some("103".into()),
        wallet: tmp_core::domain::wallet::Wallet::ApplePay,
        device: Some(Device {
            name: Some("Jane's Phone".into()),
            kind: Some("PHONE".into()),
            os: Some("ANDROID".into()),
        }),
        card_id: Some(id::<CardId>("card-0001")),
        pan_last4: Some("4444".into()),
        created_at: datetime!(2026-05-01 10:00:00 UTC),
        updated_at: datetime!(2026-05-02 08:30:00.123 UTC),
    }
}

fn details(pending: bool) -> TokenDetails {
    TokenDetails {
        summary: summary(
            TokenStatus::Suspended,
            vec![Suspender::Issuer, Suspender::Cardholder],
        ),
        history: vec![
            HistoryEntry {
                status: TokenStatus::Active,
                initiator: Initiator::Tsp,
                reason_code: None,
                comment: None,
                operator: None,
                event_time: datetime!(2026-05-01 10:00:05 UTC),
                applied: true,
            },
            HistoryEntry {
                status: TokenStatus::Suspended,
                initiator: Initiator::Operator,
                reason_code: Some("DEVICE_LOST".into()),
                comment: Some("Cardholder called".into()),
                operator: Some("agent.17".into()),
                event_time: datetime!(2026-05-02 08:30:00 UTC),
                applied: true,
            },
            HistoryEntry {
                status: TokenStatus::Active,
                initiator: Initiator::Wallet,
                reason_code: None,
                comment: None,
                operator: None,
                event_time: datetime!(2026-05-01 09:00:00 UTC),
                applied: false,
            },
        ],
        decision: Some(TokenDecision {
            decision: DecisionOutcome::Approved,
            decided_by: "APPROVE".into(),
            rules: vec![
                RuleResult {
                    rule: "VELOCITY".into(),
                    inputs: [("attempts24h".to_owned(), "1".to_owned())].into(),
                    verdict: RuleVerdict::Pass,
                },
                RuleResult {
                    rule: "APPROVE".into(),
                    inputs: Default::default(),
                    verdict: RuleVerdict::Approve,
                },
            ],
        }),
        pending_network_action: pending.then_some(PendingNetworkAction {
            action: LifecycleAction::Suspend,
            requested_at: datetime!(2026-05-02 08:30:00 UTC),
        }),
    }
}

fn every_problem() -> Vec<Problem> {
    let mut problems: Vec<Problem> = ProblemKind::ALL
        .iter()
        .map(|k| Problem::new(*k, "d"))
        .collect();
    problems.extend([
        Problem::malformed_json(),
        Problem::wrong_type("limit"),
        Problem::bad_header("Idempotency-Key"),
        Problem::missing("reasonCode"),
        Problem::length("comment"),
        Problem::invalid("pan"),
        Problem::not_allowed("newPan"),
        Problem::unknown_field(),
        Problem::one_selector(),
        Problem::unauthorized(),
        Problem::forbidden(),
        Problem::not_found(),
        Problem::unavailable(),
    ]);
    for error in [
        AppError::invalid("x", InputProblem::Length { min: 1, max: 2 }),
        AppError::CardData(CardDataRejection::Expired),
        AppError::RequestIdReused,
        AppError::UnknownToken,
        AppError::NotAwaitingAuthentication,
        AppError::LimitReached("l"),
        AppError::Unavailable("u"),
    ] {
        problems.push(error.into());
    }
    problems
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

#[test]
fn the_document_lists_every_path_secures_every_operation_and_answers_problems() {
    let spec = spec();
    assert_eq!(spec["openapi"], "3.0.3");
    // GIVEN the operations of the issue, with their scopes
    let expected = [
        ("/api/v1/cards/{cardId}/events", "post", "tmp/tokens.write"),
        (
            "/api/v1/cards/{cardId}/tokens/{action}",
            "post",
            "tmp/tokens.write",
        ),
        (
            "/api/v1/devices/{deviceId}/tokens/{action}",
            "post",
            "tmp/tokens.write",
        ),
        ("/api/v1/jobs/{jobId}", "get", "tmp/tokens.read"),
        ("/api/v1/tokens/search", "post", "tmp/tokens.read"),
        ("/api/v1/tokens/{tokenId}", "get", "tmp/tokens.read"),
        (
            "/api/v1/tokens/{tokenId}/activate",
            "post",
            "tmp/tokens.write",
        ),
        (
            "/api/v1/tokens/{tokenId}/delete",
            "post",
            "tmp/tokens.write",
        ),
        (
            "/api/v1/tokens/{tokenId}/suspend",
            "post",
            "tmp/tokens.write",
        ),
        (
            "/api/v1/tokens/{tokenId}/unsuspend",
            "post",
            "tmp/tokens.write",
        ),
    ];
    let mut paths: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    paths.sort_unstable();
    assert_eq!(paths, expected.map(|e| e.0));
    let responses = &spec["components"]["responses"];
    for (path, method, scope) in expected {
        let op = &spec["paths"][path][method];
        // THEN each has its scope
        assert_eq!(op["security"], json!([{"issuerOAuth": [scope]}]), "{path}");
        // AND 401, 403, 429, 503, and every error, is problem+json
        let statuses = op["responses"].as_object().unwrap();
        for status in ["401", "403", "429", "503"] {
            assert!(statuses.contains_key(status), "{path} {status}");
        }
        for (status, response) in statuses {
            if status.starts_with('2') {
                continue;
            }
            let name = response["$ref"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap();
            let content = responses[name]["content"].as_object().unwrap();
            assert_eq!(
                content.keys().collect::<Vec<_>>(),
                ["application/problem+json"],
                "{path} {status}"
            );
        }
        // AND every write requires an Idempotency-Key
        let idempotent = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["$ref"] == "#/components/parameters/IdempotencyKey");
        assert_eq!(idempotent, scope == "tmp/tokens.write", "{path}");
    }
    // AND the problem types are exactly ours
    let types: Vec<String> = spec["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, ProblemKind::ALL.map(ProblemKind::type_uri));
    // AND the reason codes per action are the crate's
    for (schema, action) in [
        ("ActivateRequest", LifecycleAction::Activate),
        ("SuspendRequest", LifecycleAction::Suspend),
        ("UnsuspendRequest", LifecycleAction::Unsuspend),
        ("DeleteRequest", LifecycleAction::Delete),
    ] {
        let listed = &spec["components"]["schemas"][schema]["properties"]["reasonCode"]["enum"];
        assert_eq!(
            listed,
            &to_value(&tmp_api::action::ReasonCode::allowed_for(action)),
            "{schema}"
        );
    }
}

#[test]
fn every_answer_and_problem_fits_its_schema() {
    let mut cases: Vec<(&str, Value)> = every_problem()
        .iter()
        .map(|p| ("Problem", to_value(p)))
        .collect();
    let action = |status| TokenActionResponse {
        token: details(status == NetworkStatus::Pending),
        network_status: status,
    };
    cases.extend([
        ("TokenDetails", to_value(&details(true))),
        (
            "TokenDetails",
            to_value(&TokenDetails {
                summary: TokenSummary {
                    wallet_id: None,
                    device: None,
                    ..summary(TokenStatus::Active, vec![])
                },
                history: vec![],
                decision: None,
                pending_network_action: None,
            }),
        ),
        (
            "TokenActionResponse",
            to_value(&action(NetworkStatus::Confirmed)),
        ),
        (
            "TokenActionResponse",
            to_value(&action(NetworkStatus::Pending)),
        ),
        (
            "SearchResponse",
            to_value(&SearchResponse {
                tokens: vec![
                    summary(TokenStatus::Active, vec![]),
                    summary(TokenStatus::Deactivated, vec![]),
                ],
                next_cursor: Some(id::<Cursor>("eyJrIjoxfQ")),
            }),
        ),
        (
            "SearchResponse",
            to_value(&SearchResponse {
                tokens: vec![],
                next_cursor: None,
            }),
        ),
        (
            "JobAccepted",
            to_value(&JobAccepted {
                job_id: id::<JobId>("job_4f9a1c2e"),
            }),
        ),
        (
            "JobResponse",
            to_value(&JobResponse::from_items(
                id::<JobId>("job_4f9a1c2e"),
                vec![
                    JobItem {
                        token_id: id::<TokenId>("tok_00000001"),
                        outcome: ItemOutcome::Succeeded,
                        network_status: Some(NetworkStatus::Confirmed),
                        problem: None,
                    },
                    JobItem {
                        token_id: id::<TokenId>("tok_00000002"),
                        outcome: ItemOutcome::Failed,
                        network_status: None,
                        problem: Some(AppError::NotAwaitingAuthentication.into()),
                    },
                    JobItem {
                        token_id: id::<TokenId>("tok_00000003"),
                        outcome: ItemOutcome::Pending,
                        network_status: Some(NetworkStatus::Pending),
                        problem: None,
                    },
                ],
            )),
        ),
    ]);
    // WHEN each is validated against its schema THEN no errors
    for ((name, instance), errors) in cases.iter().zip(schema_errors(&cases)) {
        assert!(errors.is_empty(), "{name} {instance}: {errors:?}");
    }
}

#[test]
fn the_schemas_judge_request_bodies_as_we_do() {
    type Ours = fn(&[u8]) -> bool;
    let search: Ours = |b| validate::parse::<SearchRequest>(b).is_ok();
    let suspend: Ours = |b| ActionRequest::parse(LifecycleAction::Suspend, b).is_ok();
    let event: Ours = |b| validate::parse::<CardEvent>(b).is_ok();
    let long = "x".repeat(257);
    // GIVEN good bodies and bodies with one flaw each (Luhn is ours alone)
    let cases: Vec<(&str, Ours, Value)> = vec![
        (
            "SearchRequest",
            search,
            json!({"pan": "5555555555554444", "status": "ACTIVE", "limit": 100}),
        ),
        (
            "SearchRequest",
            search,
            json!({"cardId": "card-0001", "network": "VISA", "tokenRequestorId": "50110030273", "cursor": "eyJrIjoxfQ"}),
        ),
        (
            "SearchRequest",
            search,
            json!({"tokenReference": "DNITHE381305071414000049"}),
        ),
        (
            "SearchRequest",
            search,
            json!({"deviceId": "04A5B1C2D3E4F5", "limit": 1}),
        ),
        ("SearchRequest", search, json!({})),
        (
            "SearchRequest",
            search,
            json!({"pan": "5555555555554444", "cardId": "c"}),
        ),
        ("SearchRequest", search, json!({"cardId": "c", "limit": 0})),
        (
            "SearchRequest",
            search,
            json!({"cardId": "c", "limit": 101}),
        ),
        (
            "SearchRequest",
            search,
            json!({"cardId": "c", "status": "GONE"}),
        ),
        ("SearchRequest", search, json!({"cardId": "c", "extra": 1})),
        ("SearchRequest", search, json!({"cardId": "c d"})),
        ("SearchRequest", search, json!({"pan": "5555-5555-5555"})),
        (
            "SuspendRequest",
            suspend,
            json!({"reasonCode": "DEVICE_LOST", "comment": "Cardholder called", "operator": "agent.17"}),
        ),
        (
            "SuspendRequest",
            suspend,
            json!({"reasonCode": "SUSPECTED_FRAUD", "operator": "ops@bank"}),
        ),
        (
            "SuspendRequest",
            suspend,
            json!({"reasonCode": "FRAUD_CLEARED", "operator": "agent.17"}),
        ),
        (
            "SuspendRequest",
            suspend,
            json!({"reasonCode": "DEVICE_LOST"}),
        ),
        (
            "SuspendRequest",
            suspend,
            json!({"reasonCode": "DEVICE_LOST", "operator": "agent.17", "comment": long}),
        ),
        (
            "SuspendRequest",
            suspend,
            json!({"reasonCode": "DEVICE_LOST", "operator": "agent.17", "comment": "a\u{1}b"}),
        ),
        (
            "SuspendRequest",
            suspend,
            json!({"reasonCode": "DEVICE_LOST", "operator": "Jane Doe"}),
        ),
        (
            "SuspendRequest",
            suspend,
            json!({"reasonCode": "DEVICE_LOST", "operator": "o", "pan": "5555555555554444"}),
        ),
        ("CardEvent", event, json!({"type": "LOST"})),
        (
            "CardEvent",
            event,
            json!({"type": "REPLACED", "newPan": "5105105105105100", "newExpiry": "09/30"}),
        ),
        (
            "CardEvent",
            event,
            json!({"type": "STOLEN", "comment": "x"}),
        ),
        (
            "CardEvent",
            event,
            json!({"type": "RENEWED", "newExpiry": "13/30"}),
        ),
        ("CardEvent", event, json!({"type": "GONE"})),
    ];
    let instances: Vec<(&str, Value)> = cases.iter().map(|(n, _, b)| (*n, b.clone())).collect();
    // WHEN our parser and the schema judge each
    for ((_, ours, body), errors) in cases.iter().zip(schema_errors(&instances)) {
        // THEN they agree
        assert_eq!(
            ours(body.to_string().as_bytes()),
            errors.is_empty(),
            "{body}: schema {errors:?}"
        );
    }
}
