//! Our requests against our own statement of the MDES Customer Service API
//! 2.0.7, `api/mdes-customer-service.openapi.yaml` (the authority is
//! Mastercard's specification; the file says what we assume where it is
//! silent or wrong): the file is valid OpenAPI 3.0.3 and names exactly the
//! operations we call, every request we serialise fits its request schema,
//! its request schemas refuse what our types refuse or cannot hold, and every
//! example in it fits its schema and reads into our types and back.

use std::any::type_name;

use serde_json::{Value, json};
use tmp_mdes::customer_service::activate::*;
use tmp_mdes::customer_service::delete::*;
use tmp_mdes::customer_service::search::*;
use tmp_mdes::customer_service::status_history::*;
use tmp_mdes::customer_service::suspend::*;
use tmp_mdes::customer_service::token::*;
use tmp_mdes::customer_service::transactions::*;
use tmp_mdes::customer_service::unsuspend::*;
use tmp_mdes::customer_service::update::*;
use tmp_mdes::customer_service::{BASE_URL, CsError, CsOperation, ErrorsResponse, read_answer};

use crate::support::*;

/// Our statement of the API, inside the repository.
const SPEC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../api/mdes-customer-service.openapi.yaml"
);

/// Validates the document (openapi-spec-validator), then each instance
/// against `#/components/schemas/<name>` (openapi-schema-validator, OAS 3.0
/// dialect). Returns each instance's errors, the document's header, servers
/// and schemas, and per path its methods, statuses, and for the request, the
/// 200 answer and the error answer: the schema's name and each example with
/// its own errors against that schema.
const CHECK: &str = r##"
import json, sys, yaml
from openapi_spec_validator import validate
from openapi_schema_validator import OAS30Validator
spec = yaml.safe_load(open(sys.argv[1]))
validate(spec)
def check(ref, instance):
    schema = {"components": spec["components"], "$ref": ref}
    return ["/".join(map(str, e.absolute_path)) + ": " + e.message
            for e in OAS30Validator(schema).iter_errors(instance)]
def resolve(obj):
    while "$ref" in obj:
        target = spec
        for part in obj["$ref"].lstrip("#/").split("/"):
            target = target[part]
        obj = target
    return obj
def media(obj):
    m = resolve(obj)["content"]["application/json"]
    ref = m["schema"]["$ref"]
    return {"schema": ref.rsplit("/", 1)[-1],
            "examples": [[k, v["value"], check(ref, v["value"])] for k, v in m.get("examples", {}).items()]}
paths = {}
for path, item in spec["paths"].items():
    op = item["post"]
    paths[path] = {"methods": sorted(item), "statuses": sorted(op["responses"]),
                   "request": media(op["requestBody"]), "ok": media(op["responses"]["200"]),
                   "errors": media(op["responses"]["default"])}
errors = [check("#/components/schemas/" + name, instance) for name, instance in json.load(sys.stdin)]
json.dump({"errors": errors, "openapi": spec["openapi"], "info": spec["info"],
           "servers": [s["url"] for s in spec["servers"]], "schemas": spec["components"]["schemas"],
           "paths": paths}, sys.stdout)
"##;

fn check(cases: &[(&str, Value)]) -> Value {
    let input = serde_json::to_vec(cases).unwrap();
    let out = run_python(&["-c", CHECK, SPEC], &input).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn to<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

/// The last segment of a type's path: our types carry the schemas' names.
fn short<T: ?Sized>() -> &'static str {
    type_name::<T>().rsplit("::").next().unwrap()
}

/// Path, request schema and answer schema of one operation, from our types.
fn op<T: CsOperation>() -> (&'static str, &'static str, &'static str) {
    (T::PATH, short::<T>(), short::<T::Response>())
}

/// The eight operations we call.
fn operations() -> [(&'static str, &'static str, &'static str); 8] {
    [
        op::<TokenSuspendRequestSchema>(),
        op::<TokenUnsuspendRequestSchema>(),
        op::<TokenDeleteRequestSchema>(),
        op::<TokenActivateRequestSchema>(),
        op::<TokenUpdateRequestSchema>(),
        op::<SearchRequestSchema>(),
        op::<TokenStatusHistoryRequestSchema>(),
        op::<TransactionsRequestSchema>(),
    ]
}

/// Reads `value` as `T` and writes it back.
fn round<T: serde::Serialize + serde::de::DeserializeOwned>(
    value: &Value,
) -> Result<Value, String> {
    serde_json::from_value::<T>(value.clone())
        .map(|t| to(&t))
        .map_err(|e| e.to_string())
}

/// Reads a value into one of our types and writes it back.
type Reader = fn(&Value) -> Result<Value, String>;

/// Reads `value` as our type named `schema` and writes it back.
fn round_trip(schema: &str, value: &Value) -> Result<Value, String> {
    match schema {
        "TokenSuspendRequestSchema" => round::<TokenSuspendRequestSchema>(value),
        "TokenSuspendResponseSchema" => round::<TokenSuspendResponseSchema>(value),
        "TokenUnsuspendRequestSchema" => round::<TokenUnsuspendRequestSchema>(value),
        "TokenUnsuspendResponseSchema" => round::<TokenUnsuspendResponseSchema>(value),
        "TokenDeleteRequestSchema" => round::<TokenDeleteRequestSchema>(value),
        "TokenDeleteResponseSchema" => round::<TokenDeleteResponseSchema>(value),
        "TokenActivateRequestSchema" => round::<TokenActivateRequestSchema>(value),
        "TokenActivateResponseSchema" => round::<TokenActivateResponseSchema>(value),
        "TokenUpdateRequestSchema" => round::<TokenUpdateRequestSchema>(value),
        "TokenUpdateResponseSchema" => round::<TokenUpdateResponseSchema>(value),
        "SearchRequestSchema" => round::<SearchRequestSchema>(value),
        "SearchResponseSchema" => round::<SearchResponseSchema>(value),
        "TokenStatusHistoryRequestSchema" => round::<TokenStatusHistoryRequestSchema>(value),
        "TokenStatusHistoryResponseSchema" => round::<TokenStatusHistoryResponseSchema>(value),
        "TransactionsRequestSchema" => round::<TransactionsRequestSchema>(value),
        "TransactionsResponseSchema" => round::<TransactionsResponseSchema>(value),
        "ErrorsResponse" => round::<ErrorsResponse>(value),
        other => panic!("no type of ours is named {other}"),
    }
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
        (SearchCriterion::CommentId("880011".into()), None),
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
fn our_file_is_valid_openapi_and_names_exactly_the_operations_we_call() {
    // GIVEN our statement of the API (validated as OpenAPI by the check itself)
    let result = check(&[]);
    assert_eq!(result["openapi"], "3.0.3");
    // THEN it names the API and version it restates, and its authority
    assert_eq!(result["info"]["version"], "2.0.7");
    let description = result["info"]["description"].as_str().unwrap();
    assert!(
        description.contains(
            "Our statement of the part of Mastercard's MDES Customer Service API 2.0.7 that the TMP\n\
             calls; the authority is Mastercard's specification"
        ),
        "{description}"
    );
    // AND its server is ours
    assert_eq!(result["servers"], json!([BASE_URL]));
    // AND its paths are exactly the eight we call
    let paths = result["paths"].as_object().unwrap();
    let mut listed: Vec<&str> = paths.keys().map(String::as_str).collect();
    let mut ours: Vec<&str> = operations().iter().map(|(path, _, _)| *path).collect();
    listed.sort_unstable();
    ours.sort_unstable();
    assert_eq!(listed, ours);
    // AND each is a POST taking our request type, answering our response type or Errors
    for (path, request, response) in operations() {
        let item = &paths[path];
        assert_eq!(item["methods"], json!(["post"]), "{path}");
        assert_eq!(item["statuses"], json!(["200", "default"]), "{path}");
        assert_eq!(item["request"]["schema"], request, "{path}");
        assert_eq!(item["ok"]["schema"], response, "{path}");
        assert_eq!(
            item["errors"]["schema"],
            short::<ErrorsResponse>(),
            "{path}"
        );
    }
}

#[test]
fn every_request_we_serialise_fits_our_schemas() {
    // GIVEN every request shape we build
    let ours = our_requests();
    let cases: Vec<(&str, Value)> = ours
        .iter()
        .map(|(_, schema, v)| (*schema, v.clone()))
        .collect();
    // WHEN our file's schemas judge them
    let result = check(&cases);
    // THEN none has an error
    for ((_, instance), errors) in cases.iter().zip(result["errors"].as_array().unwrap()) {
        assert!(
            errors.as_array().unwrap().is_empty(),
            "{instance}: {errors}"
        );
    }
    // AND each goes to the path that takes that schema
    for (path, schema, _) in &ours {
        assert_eq!(
            result["paths"][path]["request"]["schema"], *schema,
            "{path}"
        );
    }
    // AND each operation's reason codes in the file are exactly the ones our types write
    let schemas = &result["schemas"];
    for (schema, inner) in [
        ("TokenSuspendRequestSchema", "TokenSuspendRequest"),
        ("TokenUnsuspendRequestSchema", "TokenUnsuspendRequest"),
        ("TokenDeleteRequestSchema", "TokenDeleteRequest"),
        ("TokenActivateRequestSchema", "TokenActivateRequest"),
    ] {
        let mut written: Vec<&str> = ours
            .iter()
            .filter(|(_, s, _)| *s == schema)
            .map(|(_, _, v)| v[inner]["ReasonCode"].as_str().unwrap())
            .collect();
        written.sort_unstable();
        written.dedup();
        let mut listed: Vec<&str> = schemas[inner]["properties"]["ReasonCode"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        listed.sort_unstable();
        assert_eq!(written, listed, "{inner}");
    }
}

/// Sets (or with `None` removes) the member at `pointer`'s last segment.
fn with(mut value: Value, pointer: &str, member: Option<Value>) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let object = value.pointer_mut(parent).unwrap().as_object_mut().unwrap();
    match member {
        Some(m) => object.insert(key.to_owned(), m),
        None => object.remove(key),
    };
    value
}

/// Our first serialised request of `schema`, and of the variant whose root holds `member`.
fn request(schema: &str, member: &str) -> Value {
    our_requests()
        .into_iter()
        .map(|(_, s, v)| (s, v))
        .find(|(s, v)| {
            *s == schema
                && v.as_object()
                    .unwrap()
                    .values()
                    .next()
                    .unwrap()
                    .get(member)
                    .is_some()
        })
        .unwrap_or_else(|| panic!("{schema} with {member}"))
        .1
}

#[test]
fn our_request_schemas_refuse_what_our_types_refuse() {
    let search = request("SearchRequestSchema", "AccountPan");
    let suspend = request("TokenSuspendRequestSchema", "TokenUniqueReference");
    let by_token = request("TokenActivateRequestSchema", "TokenUniqueReference");
    let by_app = request("TokenActivateRequestSchema", "AccountPan");
    let mapping = request("TokenUpdateRequestSchema", "NewAccountPan");
    let configuration = request("TokenUpdateRequestSchema", "IssuerProductConfigurationId");
    let history = request("TokenStatusHistoryRequestSchema", "TokenUniqueReference");
    let transactions = request("TransactionsRequestSchema", "TokenUniqueReference");
    // GIVEN requests our types refuse to read, or cannot hold (reading them loses a member)
    let cases: Vec<(&str, &str, Value)> = vec![
        (
            "a search with two criteria",
            "SearchRequestSchema",
            with(
                search.clone(),
                "/SearchRequest/TokenUniqueReference",
                Some(json!(TUR)),
            ),
        ),
        (
            "a search with no criterion",
            "SearchRequestSchema",
            with(search.clone(), "/SearchRequest/AccountPan", None),
        ),
        (
            "a search whose indicator is not a string boolean",
            "SearchRequestSchema",
            with(
                search.clone(),
                "/SearchRequest/ExcludeDeletedIndicator",
                Some(json!("yes")),
            ),
        ),
        (
            "a suspend with an unsuspend's reason code",
            "TokenSuspendRequestSchema",
            with(
                suspend.clone(),
                "/TokenSuspendRequest/ReasonCode",
                Some(json!("F")),
            ),
        ),
        (
            "an unsuspend with a suspend's reason code",
            "TokenUnsuspendRequestSchema",
            with(
                request("TokenUnsuspendRequestSchema", "ReasonCode"),
                "/TokenUnsuspendRequest/ReasonCode",
                Some(json!("L")),
            ),
        ),
        (
            "a delete with an unknown reason code",
            "TokenDeleteRequestSchema",
            with(
                request("TokenDeleteRequestSchema", "ReasonCode"),
                "/TokenDeleteRequest/ReasonCode",
                Some(json!("X")),
            ),
        ),
        (
            "an activate with reason code Z",
            "TokenActivateRequestSchema",
            with(
                by_token.clone(),
                "/TokenActivateRequest/ReasonCode",
                Some(json!("Z")),
            ),
        ),
        (
            "a suspend without AuditInfo",
            "TokenSuspendRequestSchema",
            with(suspend.clone(), "/TokenSuspendRequest/AuditInfo", None),
        ),
        (
            "a suspend without a token",
            "TokenSuspendRequestSchema",
            with(
                suspend.clone(),
                "/TokenSuspendRequest/TokenUniqueReference",
                None,
            ),
        ),
        (
            "a suspend outside its root element",
            "TokenSuspendRequestSchema",
            suspend["TokenSuspendRequest"].clone(),
        ),
        (
            "an AuditInfo without UserId",
            "TransactionsRequestSchema",
            with(transactions, "/TransactionsRequest/AuditInfo/UserId", None),
        ),
        (
            "a status history without AuditInfo",
            "TokenStatusHistoryRequestSchema",
            with(history, "/TokenStatusHistoryRequest/AuditInfo", None),
        ),
        (
            "an activate naming the token both ways",
            "TokenActivateRequestSchema",
            with(
                by_app.clone(),
                "/TokenActivateRequest/TokenUniqueReference",
                Some(json!(TUR)),
            ),
        ),
        (
            "an activate by Account PAN without the app",
            "TokenActivateRequestSchema",
            with(by_app, "/TokenActivateRequest/PaymentAppInstanceId", None),
        ),
        (
            "an update of one token and of an Account PAN",
            "TokenUpdateRequestSchema",
            with(
                mapping.clone(),
                "/TokenUpdateRequest/CurrentAccountPan",
                Some(json!("5412345678901234")),
            ),
        ),
        (
            "an update of the product configuration and the PAN",
            "TokenUpdateRequestSchema",
            with(
                configuration,
                "/TokenUpdateRequest/NewAccountPan",
                Some(json!("5412345678908888")),
            ),
        ),
        (
            "an update with a wallet provider indicator of 2",
            "TokenUpdateRequestSchema",
            with(
                mapping,
                "/TokenUpdateRequest/UpdateWalletProviderIndicator",
                Some(json!("2")),
            ),
        ),
    ];
    // WHEN our file's schemas judge them
    let input: Vec<(&str, Value)> = cases.iter().map(|(_, s, v)| (*s, v.clone())).collect();
    let result = check(&input);
    for ((name, schema, value), errors) in cases.iter().zip(result["errors"].as_array().unwrap()) {
        // THEN our types refuse each, or read it into something else
        match round_trip(schema, value) {
            Err(_) => {}
            Ok(back) => assert_ne!(&back, value, "{name}: our types hold it"),
        }
        // AND so does our file
        assert!(!errors.as_array().unwrap().is_empty(), "{name}: {value}");
    }
}

#[test]
fn the_token_codes_of_our_file_are_those_of_our_types() {
    let schemas = check(&[])["schemas"].clone();
    let codes = |pointer: &str| -> Vec<Value> {
        schemas
            .pointer(pointer)
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{pointer}"))
            .clone()
    };
    // GIVEN each code list of the file and the type of ours that reads it
    let lists: [(&str, &str, Reader); 6] = [
        (
            "TokenStatusCode",
            "/TokenStatusCode/enum",
            round::<TokenStatusCode>,
        ),
        ("Party", "/Party/enum", round::<Party>),
        (
            "ProvisioningStatusCode",
            "/Token/properties/ProvisioningStatusCode/enum",
            round::<ProvisioningStatusCode>,
        ),
        (
            "FinalTokenizationDecision",
            "/Token/properties/FinalTokenizationDecision/enum",
            round::<FinalTokenizationDecision>,
        ),
        (
            "TokenType",
            "/Token/properties/TokenType/enum",
            round::<TokenType>,
        ),
        (
            "StorageTechnology",
            "/Token/properties/StorageTechnology/enum",
            round::<StorageTechnology>,
        ),
    ];
    for (name, pointer, read) in lists {
        // THEN every code listed reads into our type and back
        let listed = codes(pointer);
        for code in &listed {
            assert_eq!(read(code).as_ref(), Ok(code), "{name}");
        }
        // AND a code outside the list is refused by our type too
        assert!(!listed.contains(&json!("X")));
        assert!(read(&json!("X")).is_err(), "{name}");
    }
}

#[test]
fn every_example_of_our_file_fits_its_schema_and_reads_into_our_types_and_back() {
    let result = check(&[]);
    let mut seen = [0; 3];
    for (path, _, _) in operations() {
        for (i, part) in ["request", "ok", "errors"].into_iter().enumerate() {
            let media = &result["paths"][path][part];
            let schema = media["schema"].as_str().unwrap();
            let examples = media["examples"].as_array().unwrap();
            // GIVEN at least one example for each request, answer and error answer
            assert!(!examples.is_empty(), "{path} {part}");
            for example in examples {
                let (name, value, errors) = (&example[0], &example[1], &example[2]);
                // THEN it fits its schema
                assert_eq!(errors, &json!([]), "{path} {part} {name}");
                // AND reads into our type and writes back unchanged
                let back = round_trip(schema, value)
                    .unwrap_or_else(|e| panic!("{path} {part} {name}: {e}"));
                assert_eq!(&back, value, "{path} {part} {name}");
                seen[i] += 1;
            }
        }
    }
    // 18 requests, 12 answers, and the 3 shared error answers under each of the 8 paths
    assert_eq!(seen, [18, 12, 24]);
}

#[test]
fn the_error_examples_of_our_file_read_as_refusals_or_retries() {
    let result = check(&[]);
    let examples = result["paths"]["/token/suspend"]["errors"]["examples"]
        .as_array()
        .unwrap();
    let body = |name: &str| -> Vec<u8> {
        let example = examples.iter().find(|e| e[0] == name).unwrap();
        serde_json::to_vec(&example[1]).unwrap()
    };
    // GIVEN each error example WHEN read as MDES's answer THEN it is classified
    for status in [200, 400] {
        assert_eq!(
            read_answer::<TokenSuspendResponseSchema>(status, &body("wrongStatus")).unwrap_err(),
            CsError::Refused {
                status,
                reason_code: "INVALID_TOKEN_STATUS".into(),
                source_field: Some("TokenUniqueReference".into()),
                error_code: Some("TOKEN_DELETED".into()),
            }
        );
    }
    assert_eq!(
        read_answer::<TokenSuspendResponseSchema>(503, &body("busy")).unwrap_err(),
        CsError::Retryable {
            status: Some(503),
            reason_code: Some("SYSTEM_UNAVAILABLE".into()),
        }
    );
    assert!(
        read_answer::<TokenSuspendResponseSchema>(400, &body("busy"))
            .unwrap_err()
            .is_retryable()
    );
    assert!(matches!(
        read_answer::<TokenSuspendResponseSchema>(400, &body("withDetails")).unwrap_err(),
        CsError::Refused { error_code: Some(ref c), .. } if c == "More than one search criterion."
    ));
}
