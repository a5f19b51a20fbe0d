//! Our requests against the MDES Customer Service 2.0.7 YAML: every path we
//! call is in it, every request we serialise fits its request schema, and
//! every sample it gives reads into our types.

use serde_json::{Value, json};
use tmp_mdes::customer_service::activate::*;
use tmp_mdes::customer_service::delete::*;
use tmp_mdes::customer_service::search::*;
use tmp_mdes::customer_service::status_history::*;
use tmp_mdes::customer_service::suspend::*;
use tmp_mdes::customer_service::transactions::*;
use tmp_mdes::customer_service::unsuspend::*;
use tmp_mdes::customer_service::update::*;
use tmp_mdes::customer_service::{BASE_URL, CsOperation};

use crate::support::*;

const SPEC: &str = "../shared/specs/mastercard/mdes-customer-service-2.0.7.yaml";

/// Validates each instance against `#/components/schemas/<name>` (OAS 3.0
/// dialect); returns each instance's errors, then the spec's servers, the
/// request schema of each path and its x-samples.
const CHECK: &str = r##"
import json, sys, yaml
from openapi_schema_validator import OAS30Validator
spec = yaml.safe_load(open(sys.argv[1]))
errors = []
for name, instance in json.load(sys.stdin):
    schema = {"components": spec["components"], "$ref": "#/components/schemas/" + name}
    errors.append([e.message for e in OAS30Validator(schema).iter_errors(instance)])
paths = {}
for path, item in spec["paths"].items():
    op = next(iter(item.values()))
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    samples = [[json.loads(s["request"]["application/json"]), json.loads(s["response"]["application/json"])]
               for s in op.get("x-samples", [])]
    paths[path] = {"request": body.get("$ref", "").rsplit("/", 1)[-1], "samples": samples}
json.dump({"errors": errors, "servers": [s["url"] for s in spec["servers"]], "paths": paths}, sys.stdout)
"##;

fn check(cases: &[(&str, Value)]) -> Value {
    let spec = workspace_root().join(SPEC);
    let input = serde_json::to_vec(cases).unwrap();
    let out = run_python(&["-c", CHECK, spec.to_str().unwrap()], &input).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn to<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

/// Every request shape we can build, one per variant, named by its schema.
pub fn our_requests() -> Vec<(&'static str, &'static str, Value)> {
    let mut out = Vec::new();
    for reason in [
        SuspendReason::DeviceLost,
        SuspendReason::DeviceStolen,
        SuspendReason::FraudReported,
        SuspendReason::Other,
    ] {
        let r = TokenSuspendRequestSchema {
            request: TokenSuspendRequest {
                token_unique_reference: TUR.into(),
                reason_code: reason,
                comment_text: Some("Suspected fraud.".into()),
                audit_info: audit(),
            },
        };
        out.push((
            TokenSuspendRequestSchema::PATH,
            "TokenSuspendRequestSchema",
            to(&r),
        ));
    }
    for reason in [
        UnsuspendReason::DeviceFound,
        UnsuspendReason::NoFraud,
        UnsuspendReason::Other,
    ] {
        let r = TokenUnsuspendRequestSchema {
            request: TokenUnsuspendRequest {
                token_unique_reference: TUR.into(),
                reason_code: reason,
                comment_text: None,
                audit_info: audit(),
            },
        };
        out.push((
            TokenUnsuspendRequestSchema::PATH,
            "TokenUnsuspendRequestSchema",
            to(&r),
        ));
    }
    for reason in [
        DeleteReason::DeviceLost,
        DeleteReason::DeviceStolen,
        DeleteReason::FraudConfirmedDeprecated,
        DeleteReason::FraudConfirmed,
        DeleteReason::AccountClosed,
        DeleteReason::Other,
    ] {
        let r = TokenDeleteRequestSchema {
            request: TokenDeleteRequest {
                token_unique_reference: TUR.into(),
                reason_code: reason,
                comment_text: Some("Account closed.".into()),
                audit_info: audit(),
            },
        };
        out.push((
            TokenDeleteRequestSchema::PATH,
            "TokenDeleteRequestSchema",
            to(&r),
        ));
    }
    for (target, reason) in [
        (
            ActivateTarget::Token {
                token_unique_reference: TUR.into(),
            },
            ActivateReason::AuthenticatedByAgent,
        ),
        (
            ActivateTarget::AccountAndApp {
                account_pan: "5412345678901234".into(),
                payment_app_instance_id: "645b532a245e4723d7a9c4f62b24f24a24ba98e27d43e34e".into(),
            },
            ActivateReason::AuthenticatedInApp,
        ),
    ] {
        let r = TokenActivateRequestSchema {
            request: TokenActivateRequest {
                target,
                reason_code: reason,
                comment_text: Some("Confirmed cardholder identity.".into()),
                audit_info: audit(),
            },
        };
        out.push((
            TokenActivateRequestSchema::PATH,
            "TokenActivateRequestSchema",
            to(&r),
        ));
    }
    for (target, update, indicator) in [
        (
            UpdateTarget::Token {
                token_unique_reference: TUR.into(),
            },
            TokenUpdate::AccountMapping {
                new_account_pan: Some("5412345678908888".into()),
                expiration_date: Some("0130".into()),
                account_pan_sequence_number: Some("1".into()),
            },
            Some(UpdateWalletProvider::Pass),
        ),
        (
            UpdateTarget::AccountPan {
                current_account_pan: "5412345678901234".into(),
            },
            TokenUpdate::AccountMapping {
                new_account_pan: None,
                expiration_date: Some("0130".into()),
                account_pan_sequence_number: None,
            },
            Some(UpdateWalletProvider::DoNotPass),
        ),
        (
            UpdateTarget::Token {
                token_unique_reference: TUR.into(),
            },
            TokenUpdate::ProductConfiguration {
                issuer_product_configuration_id: "ANYGOLD101".into(),
            },
            None,
        ),
    ] {
        let r = TokenUpdateRequestSchema {
            request: TokenUpdateRequest {
                target,
                update,
                update_wallet_provider_indicator: indicator,
                comment_text: None,
                audit_info: audit(),
            },
        };
        out.push((
            TokenUpdateRequestSchema::PATH,
            "TokenUpdateRequestSchema",
            to(&r),
        ));
    }
    for (criterion, exclude) in [
        (
            SearchCriterion::AccountPan("5412345678901234".into()),
            Some(true),
        ),
        (
            SearchCriterion::TokenUniqueReference(TUR.into()),
            Some(false),
        ),
        (SearchCriterion::Token("5598765432109876".into()), None),
        (
            SearchCriterion::PaymentAppInstanceId(
                "645b532a245e4723d7a9c4f62b24f24a24ba98e27d43e34e".into(),
            ),
            None,
        ),
        (
            SearchCriterion::AlternateAccountIdentifier("NL91ABNA0417164300".into()),
            None,
        ),
    ] {
        let r = SearchRequestSchema {
            request: SearchRequest {
                criterion,
                exclude_deleted_indicator: exclude,
                audit_info: audit(),
            },
        };
        out.push((SearchRequestSchema::PATH, "SearchRequestSchema", to(&r)));
    }
    let r = TokenStatusHistoryRequestSchema {
        request: TokenStatusHistoryRequest {
            token_unique_reference: TUR.into(),
            audit_info: audit(),
        },
    };
    out.push((
        TokenStatusHistoryRequestSchema::PATH,
        "TokenStatusHistoryRequestSchema",
        to(&r),
    ));
    let r = TransactionsRequestSchema {
        request: TransactionsRequest {
            token_unique_reference: TUR.into(),
            audit_info: audit(),
        },
    };
    out.push((
        TransactionsRequestSchema::PATH,
        "TransactionsRequestSchema",
        to(&r),
    ));
    out
}

#[test]
fn every_request_we_serialise_fits_the_yaml() {
    // GIVEN every request shape we build
    let ours = our_requests();
    let cases: Vec<(&str, Value)> = ours
        .iter()
        .map(|(_, schema, v)| (*schema, v.clone()))
        .collect();
    // WHEN the YAML's schemas judge them
    let result = check(&cases);
    // THEN none has an error
    for ((_, instance), errors) in cases.iter().zip(result["errors"].as_array().unwrap()) {
        assert!(
            errors.as_array().unwrap().is_empty(),
            "{instance}: {errors}"
        );
    }
    // AND each path is the YAML's, taking that schema, under its server
    assert_eq!(result["servers"], json!([BASE_URL]));
    for (path, schema, _) in &ours {
        assert_eq!(result["paths"][path]["request"], *schema, "{path}");
    }
}

#[test]
fn the_yaml_refuses_a_comment_id_search_it_documents() {
    // GIVEN a search by CommentId, which the YAML's own sample makes
    let r = SearchRequestSchema {
        request: SearchRequest {
            criterion: SearchCriterion::CommentId("123456".into()),
            exclude_deleted_indicator: None,
            audit_info: audit(),
        },
    };
    // WHEN validated THEN the only complaint is the YAML's `maxLength: 0` on CommentId
    let result = check(&[("SearchRequestSchema", to(&r))]);
    let errors = result["errors"][0].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].as_str().unwrap().contains("expected to be empty"),
        "{errors:?}"
    );
}

/// Reads `value` as `T` and writes it back.
fn round<T: serde::Serialize + serde::de::DeserializeOwned>(value: &Value) -> Value {
    to(&serde_json::from_value::<T>(value.clone()).unwrap_or_else(|e| panic!("{e}: {value}")))
}

#[test]
fn every_sample_of_the_yaml_reads_into_our_types_and_back() {
    let result = check(&[]);
    let paths = &result["paths"];
    let samples = |path: &str| paths[path]["samples"].as_array().unwrap().clone();
    let mut seen = 0;
    for path in [
        "/token/suspend",
        "/token/unsuspend",
        "/token/delete",
        "/token/activate",
        "/token/update",
        "/search",
        "/token/statushistory",
        "/transactions",
    ] {
        for sample in samples(path) {
            let (request, response) = (&sample[0], &sample[1]);
            // GIVEN a sample request WHEN read and written by our types THEN it is unchanged
            let back = match path {
                "/token/suspend" => round::<TokenSuspendRequestSchema>(request),
                "/token/unsuspend" => round::<TokenUnsuspendRequestSchema>(request),
                "/token/delete" => round::<TokenDeleteRequestSchema>(request),
                "/token/activate" => round::<TokenActivateRequestSchema>(request),
                "/token/update" => round::<TokenUpdateRequestSchema>(request),
                "/search" => round::<SearchRequestSchema>(request),
                "/token/statushistory" => round::<TokenStatusHistoryRequestSchema>(request),
                _ => round::<TransactionsRequestSchema>(request),
            };
            assert_eq!(&back, request, "{path}");
            seen += 1;
            // AND a sample answer (the YAML leaves some `{}`) reads and writes back
            if response.as_object().unwrap().is_empty() {
                continue;
            }
            let back = match path {
                "/token/suspend" => round::<TokenSuspendResponseSchema>(response),
                "/token/unsuspend" => round::<TokenUnsuspendResponseSchema>(response),
                "/token/delete" => round::<TokenDeleteResponseSchema>(response),
                "/token/activate" => round::<TokenActivateResponseSchema>(response),
                "/token/update" => round::<TokenUpdateResponseSchema>(response),
                "/search" => round::<SearchResponseSchema>(response),
                "/token/statushistory" => round::<TokenStatusHistoryResponseSchema>(response),
                _ => round::<TransactionsResponseSchema>(response),
            };
            let mut expected = response.clone();
            // The sample sends a JSON boolean where the schema says a string; we write the schema's.
            if let Some(flag) = expected.pointer_mut(
                "/SearchResponse/Accounts/Account/0/Tokens/Token/0/TokenDeletedFromConsumerApp",
            ) {
                *flag = json!(flag.as_bool().unwrap().to_string());
            }
            assert_eq!(back, expected, "{path}");
        }
    }
    assert_eq!(seen, 16);
}
