//! The TMP API's part of the workspace template: IssuerApi's edge (allow-list,
//! Cognito authorizer, throttling, access log, problem+json gateway
//! responses), the issuer's user pool and back-office client, and the ten
//! functions on it (token look-ups and actions, card events, bulk actions,
//! jobs) with exactly the environment and permissions of the spec.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_norway::Value;
use tmp_api::{PROBLEM_TYPE_BASE, Problem, ProblemKind};

use super::*;
use crate::routes::RouteAuth;

const API: &str = "IssuerApi";
const AUTHORIZER: &str = "IssuerCognitoAuthorizer";
const BOTH_SCOPES: [&str; 2] = ["tmp/tokens.read", "tmp/tokens.write"];

fn template() -> Template {
    Template::from_path(&crate::workspace_root().join("template.yaml")).unwrap()
}

/// The raw template, normalised (for what [`Template`] does not model).
fn raw() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
    crate::intrinsics::normalize(
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap(),
    )
}

fn yaml(text: &str) -> Value {
    serde_norway::from_str(text).unwrap()
}

fn number(v: &Value) -> u64 {
    scalar_string(v).unwrap().parse().unwrap()
}

/// The ten functions: id, binary, method, path, and what kind of operation.
const FUNCTIONS: [(&str, &str, &str, &str, Kind); 10] = [
    (
        "TmpSearchTokensFunction",
        "tmp-search-tokens",
        "post",
        "/api/v1/tokens/search",
        Kind::Search,
    ),
    (
        "TmpGetTokenFunction",
        "tmp-get-token",
        "get",
        "/api/v1/tokens/{tokenId}",
        Kind::Get,
    ),
    (
        "TmpActivateTokenFunction",
        "tmp-activate-token",
        "post",
        "/api/v1/tokens/{tokenId}/activate",
        Kind::Action,
    ),
    (
        "TmpSuspendTokenFunction",
        "tmp-suspend-token",
        "post",
        "/api/v1/tokens/{tokenId}/suspend",
        Kind::Action,
    ),
    (
        "TmpUnsuspendTokenFunction",
        "tmp-unsuspend-token",
        "post",
        "/api/v1/tokens/{tokenId}/unsuspend",
        Kind::Action,
    ),
    (
        "TmpDeleteTokenFunction",
        "tmp-delete-token",
        "post",
        "/api/v1/tokens/{tokenId}/delete",
        Kind::Action,
    ),
    (
        "TmpPostCardEventFunction",
        "tmp-post-card-event",
        "post",
        "/api/v1/cards/{cardId}/events",
        Kind::StartJob(Target::CardEvent),
    ),
    (
        "TmpBulkCardTokensFunction",
        "tmp-bulk-card-tokens",
        "post",
        "/api/v1/cards/{cardId}/tokens/{action}",
        Kind::StartJob(Target::Card),
    ),
    (
        "TmpBulkDeviceTokensFunction",
        "tmp-bulk-device-tokens",
        "post",
        "/api/v1/devices/{deviceId}/tokens/{action}",
        Kind::StartJob(Target::Device),
    ),
    (
        "TmpGetJobFunction",
        "tmp-get-job",
        "get",
        "/api/v1/jobs/{jobId}",
        Kind::GetJob,
    ),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Search,
    Get,
    Action,
    /// Writes a job and queues its items; never calls a network.
    StartJob(Target),
    GetJob,
}

/// Whose tokens a job starter lists.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    CardEvent,
    Card,
    Device,
}

impl Kind {
    /// A read: held no tighter than the stage.
    fn reads(self) -> bool {
        matches!(self, Self::Get | Self::GetJob)
    }
}

#[test]
fn the_issuer_api_admits_only_the_issuers_networks_behind_the_cognito_authorizer() {
    let t = template();
    let api = t.api(API).unwrap();
    // THEN its resource policy's allow-list is AllowedIssuerCidrs, a list failing closed
    assert_eq!(
        api.source_ip_parameter.as_deref(),
        Some("AllowedIssuerCidrs")
    );
    let cidrs = &t.parameters["AllowedIssuerCidrs"];
    assert_eq!(cidrs.kind, "CommaDelimitedList");
    assert_eq!(cidrs.default.as_deref(), Some("192.0.2.0/24"));
    let p = Value::Mapping(t.resources[API].properties.clone());
    let statements = p["Auth"]["ResourcePolicy"]["CustomStatements"]
        .as_sequence()
        .unwrap();
    let deny = statements.iter().find(|s| s["Effect"] == "Deny").unwrap();
    assert_eq!(
        deny["Condition"]["NotIpAddress"]["aws:SourceIp"],
        yaml("{Ref: AllowedIssuerCidrs}")
    );
    assert_eq!(deny["Resource"], "execute-api:/*");
    // AND every route is behind the user pool's authorizer, by default too
    assert_eq!(api.auth.default_authorizer.as_deref(), Some(AUTHORIZER));
    assert_eq!(api.auth.authorizers[AUTHORIZER].kind, "Cognito");
    assert_eq!(
        p["Auth"]["Authorizers"][AUTHORIZER]["UserPoolArn"],
        yaml(r#"{"Fn::GetAtt": [IssuerUserPool, Arn]}"#)
    );
    assert_eq!(p["EndpointConfiguration"]["Type"], "REGIONAL");
    assert_eq!(p["StageName"], "v1");
}

#[test]
fn every_error_the_issuer_api_gateway_produces_is_a_problem_of_the_contract() {
    let t = template();
    let responses = &t.api(API).unwrap().gateway_responses;
    // GIVEN every response type API Gateway has, and the problem kind each must be
    let expected: BTreeMap<&str, ProblemKind> = [
        ("DEFAULT_4XX", ProblemKind::MalformedRequest),
        ("BAD_REQUEST_BODY", ProblemKind::MalformedRequest),
        ("BAD_REQUEST_PARAMETERS", ProblemKind::MalformedRequest),
        ("UNSUPPORTED_MEDIA_TYPE", ProblemKind::MalformedRequest),
        ("REQUEST_TOO_LARGE", ProblemKind::MalformedRequest),
        ("UNAUTHORIZED", ProblemKind::Unauthorized),
        ("ACCESS_DENIED", ProblemKind::Forbidden),
        ("WAF_FILTERED", ProblemKind::Forbidden),
        ("INVALID_API_KEY", ProblemKind::Forbidden),
        ("MISSING_AUTHENTICATION_TOKEN", ProblemKind::NotFound),
        ("RESOURCE_NOT_FOUND", ProblemKind::NotFound),
        ("INVALID_SIGNATURE", ProblemKind::NotFound),
        ("EXPIRED_TOKEN", ProblemKind::NotFound),
        ("THROTTLED", ProblemKind::TooManyRequests),
        ("QUOTA_EXCEEDED", ProblemKind::TooManyRequests),
        ("DEFAULT_5XX", ProblemKind::ServiceUnavailable),
        ("INTEGRATION_FAILURE", ProblemKind::ServiceUnavailable),
        ("INTEGRATION_TIMEOUT", ProblemKind::ServiceUnavailable),
        ("API_CONFIGURATION_ERROR", ProblemKind::ServiceUnavailable),
        ("AUTHORIZER_FAILURE", ProblemKind::ServiceUnavailable),
        (
            "AUTHORIZER_CONFIGURATION_ERROR",
            ProblemKind::ServiceUnavailable,
        ),
    ]
    .into();
    // THEN the API customises exactly those
    let customised: BTreeSet<&str> = responses.keys().map(String::as_str).collect();
    assert_eq!(customised, expected.keys().copied().collect());
    for (kind, problem) in expected {
        let r = &responses[kind];
        // AND each is problem+json with its own status (a DEFAULT_4XX status would leak otherwise)
        assert!(
            r.headers
                .contains(&("Content-Type".to_owned(), tmp_api::PROBLEM_JSON.to_owned())),
            "{kind}"
        );
        assert_eq!(r.status_code, Some(problem.status()), "{kind}");
        // AND the body is exactly the kind's type, title and status, with a fixed detail
        let body: serde_json::Value =
            serde_json::from_str(&r.templates["application/json"]).unwrap();
        let members: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(members, ["detail", "status", "title", "type"], "{kind}");
        assert_eq!(
            body["type"],
            format!("{PROBLEM_TYPE_BASE}{}", problem.slug()),
            "{kind}"
        );
        assert_eq!(body["title"], problem.title(), "{kind}");
        assert_eq!(body["status"], problem.status(), "{kind}");
        let detail = body["detail"].as_str().unwrap();
        assert!(
            !detail.is_empty() && !detail.contains('$'),
            "{kind}: {detail}"
        );
    }
    // AND a refused token and our own faults answer exactly what the functions answer
    let body = |kind: &str| -> serde_json::Value {
        serde_json::from_str(&responses[kind].templates["application/json"]).unwrap()
    };
    assert_eq!(
        body("UNAUTHORIZED"),
        serde_json::to_value(Problem::unauthorized()).unwrap()
    );
    assert_eq!(
        body("DEFAULT_5XX"),
        serde_json::to_value(Problem::unavailable()).unwrap()
    );
    // AND a 401 says how to authenticate (RFC 6750 §3), as the functions' do
    assert!(responses["UNAUTHORIZED"].headers.contains(&(
        "WWW-Authenticate".to_owned(),
        "Bearer realm=\"tmp\"".to_owned()
    )));
}

#[test]
fn the_ten_functions_are_routed_on_the_issuer_api_with_exactly_their_permissions() {
    let t = template();
    let raw = raw();
    let api = t.api(API);
    let served: Vec<_> = t
        .functions
        .iter()
        .flat_map(|f| f.events.iter())
        .filter(|(_, e)| matches!(e, FunctionEvent::Api { api, .. } if api.as_deref() == Some(API)))
        .collect();
    // THEN the API serves these ten routes and no other
    assert_eq!(served.len(), FUNCTIONS.len());
    for (id, binary, method, path, kind) in FUNCTIONS {
        let f = t.function(id).unwrap_or_else(|| panic!("no {id}"));
        assert_eq!(f.binary, binary);
        // AND its one route is on IssuerApi behind the authorizer, both scopes listed
        let [
            (
                _,
                FunctionEvent::Api {
                    path: p,
                    method: m,
                    api: a,
                    auth,
                },
            ),
        ] = f.events.as_slice()
        else {
            panic!("{id} has not exactly one Api event: {:?}", f.events)
        };
        assert_eq!(
            (p.as_str(), m.as_str(), a.as_deref()),
            (path, method, Some(API)),
            "{id}"
        );
        assert_eq!(
            route_auth(api, auth),
            RouteAuth {
                authorizer: Some(AUTHORIZER.to_owned()),
                authorization_scopes: BOTH_SCOPES.map(str::to_owned).to_vec(),
            },
            "{id}"
        );
        // AND its environment is exactly the spec's
        let mut wanted = vec![
            "RUST_LOG",
            "TOKEN_STATE_TABLE",
            "TMP_API_TOKEN_ISSUER",
            "TMP_API_CLIENT_IDS",
        ];
        wanted.extend(match kind {
            Kind::Search => vec!["SECRETS_KEY_ID", "PAN_FINGERPRINT_SECRET_CIPHERTEXT"],
            Kind::Get | Kind::GetJob => vec![],
            // A replaced card's new PAN is fingerprinted and sealed with its job.
            Kind::StartJob(Target::CardEvent) => vec![
                "JOB_QUEUE_URL",
                "LOST_OR_STOLEN_CARD_ACTION",
                "SECRETS_KEY_ID",
                "PAN_FINGERPRINT_SECRET_CIPHERTEXT",
                "DATA_SEALING_KEY_CIPHERTEXT",
            ],
            Kind::StartJob(Target::Card | Target::Device) => vec!["JOB_QUEUE_URL"],
            Kind::Action => vec![
                "SECRETS_KEY_ID",
                "MDES_CS_BASE_URL",
                "MDES_OAUTH_CONSUMER_KEY",
                "MDES_OAUTH_SIGNING_KEY_CIPHERTEXT",
                "VTS_LIFECYCLE_BASE_URL",
                "NETWORK_TIMEOUT_MS",
                "ISSUER_NAME",
            ],
        });
        let names: BTreeSet<&str> = f.environment.keys().map(String::as_str).collect();
        assert_eq!(names, wanted.into_iter().collect(), "{id}");
        assert_eq!(
            f.environment["TMP_API_TOKEN_ISSUER"].0,
            yaml(
                r#"{"Fn::If": [HasIssuerTokenIssuerUrl, {Ref: IssuerTokenIssuerUrl}, {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${IssuerUserPool}"}]}"#
            ),
        );
        assert_eq!(
            f.environment["TMP_API_CLIENT_IDS"].0,
            yaml(
                r#"{"Fn::If": [HasIssuerTokenClientIds, {Ref: IssuerTokenClientIds}, {Ref: IssuerBackofficeClient}]}"#
            ),
        );
        // AND a job starter queues on the job queue, and a card event follows the policy
        if let Kind::StartJob(target) = kind {
            assert_eq!(
                f.environment["JOB_QUEUE_URL"].0,
                yaml("{Ref: TokenJobQueue}"),
                "{id}"
            );
            if target == Target::CardEvent {
                assert_eq!(
                    f.environment["LOST_OR_STOLEN_CARD_ACTION"].references(),
                    vec!["LostOrStolenCardAction"]
                );
            }
        }
        // AND its statements grant exactly the spec's actions, each under its condition
        let statements = raw["Resources"][id]["Properties"]["Policies"][0]["Statement"]
            .as_sequence()
            .unwrap();
        let wanted: BTreeSet<Grant> = match kind {
            Kind::Search => [
                grant(
                    "table",
                    &[
                        "dynamodb:GetItem",
                        "dynamodb:BatchGetItem",
                        "dynamodb:Query",
                    ],
                    "",
                ),
                grant("index", &["dynamodb:Query"], ""),
                grant("key", &["kms:Decrypt"], "purpose=pan-fingerprint-secret"),
            ]
            .concat(),
            // Reads only, the token's partition in one Query.
            Kind::Get => [
                grant("table", &["dynamodb:Query"], ""),
                grant("index", &["dynamodb:Query"], ""),
            ]
            .concat(),
            // The job's partition in one Query, nothing else.
            Kind::GetJob => grant("table", &["dynamodb:Query"], ""),
            Kind::Action => [
                grant("table", ACTION_TABLE, ""),
                grant("index", &["dynamodb:Query"], ""),
                grant("key", &["kms:Decrypt"], "purpose=mdes-oauth-signing-key"),
            ]
            .concat(),
            // The ledger and the job like an action's; the card's tokens from gsi1, the
            // device's from its partition and one batch read; one message per item, on
            // an encrypted queue; never a network, so never the MDES signing key.
            Kind::StartJob(target) => [
                grant("table", ACTION_TABLE, ""),
                match target {
                    Target::CardEvent | Target::Card => grant("index", &["dynamodb:Query"], ""),
                    Target::Device => grant("table", &["dynamodb:BatchGetItem"], ""),
                },
                grant("job-queue", &["sqs:SendMessage"], ""),
                grant("key", &["kms:GenerateDataKey", "kms:Decrypt"], "via=sqs"),
                // Only the card events open keys: the PAN fingerprint and the sealing key.
                if target == Target::CardEvent {
                    grant(
                        "key",
                        &["kms:Decrypt"],
                        "purpose=pan-fingerprint-secret,data-sealing-key",
                    )
                } else {
                    Vec::new()
                },
            ]
            .concat(),
        }
        .into_iter()
        .collect();
        assert_eq!(grants(statements), wanted, "{id}");
    }
}

/// What the TMP API's actions may do on the table (the worker too): the
/// ledger entry, the token, its pending-list entry and its event.
pub(super) const ACTION_TABLE: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
];

/// One granted `(action, resource, condition)`: the resource as
/// [`resource_name`] names it, the condition as [`condition_name`] does.
pub(super) type Grant = (String, String, String);

pub(super) fn grant(resource: &str, actions: &[&str], condition: &str) -> Vec<Grant> {
    actions
        .iter()
        .map(|a| ((*a).to_owned(), resource.to_owned(), condition.to_owned()))
        .collect()
}

/// Every `(action, resource, condition)` the statements allow; a Deny or an
/// unknown resource or condition fails the test.
pub(super) fn grants(statements: &[Value]) -> BTreeSet<Grant> {
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::Sequence(items) => items
                .iter()
                .map(|i| i.as_str().unwrap().to_owned())
                .collect(),
            one => vec![one.as_str().unwrap().to_owned()],
        }
    };
    let mut out = BTreeSet::new();
    for s in statements {
        assert_eq!(s["Effect"], "Allow", "{s:?}");
        let condition = condition_name(s.get("Condition"));
        let resources: Vec<String> = match &s["Resource"] {
            Value::Sequence(r) => r.iter().map(resource_name).collect(),
            r => vec![resource_name(r)],
        };
        for action in strings(&s["Action"]) {
            for resource in &resources {
                out.insert((action.clone(), resource.clone(), condition.clone()));
            }
        }
    }
    out
}

/// `""` (none), `purpose=<a>,<b>` (the key's encryption context) or `via=sqs`
/// (the key through SQS only, in this region).
fn condition_name(condition: Option<&Value>) -> String {
    let Some(condition) = condition else {
        return String::new();
    };
    let equals = condition["StringEquals"].as_mapping().unwrap();
    assert_eq!(condition.as_mapping().unwrap().len(), 1, "{condition:?}");
    assert_eq!(equals.len(), 1, "{condition:?}");
    if let Some(purposes) = equals.get("kms:EncryptionContext:purpose") {
        let purposes: Vec<&str> = purposes
            .as_sequence()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        format!("purpose={}", purposes.join(","))
    } else if equals.get("kms:ViaService")
        == Some(&yaml(r#"{"Fn::Sub": "sqs.${AWS::Region}.amazonaws.com"}"#))
    {
        "via=sqs".to_owned()
    } else {
        panic!("unexpected condition {condition:?}")
    }
}

/// A route's path as MethodSettings names it (`/~1api~1v1~1jobs~1{jobId}`).
fn resource_path(path: &str) -> String {
    path.replace('/', "~1").replacen("~1", "/~1", 1)
}

/// `table`, `index`, `key` or `job-queue`: what a policy resource of
/// TokenStateTable, SecretsKey or TokenJobQueue names.
fn resource_name(r: &Value) -> String {
    if r == &yaml(r#"{"Fn::GetAtt": [TokenStateTable, Arn]}"#) {
        "table".to_owned()
    } else if r == &yaml(r#"{"Fn::Sub": "${TokenStateTable.Arn}/index/*"}"#) {
        "index".to_owned()
    } else if r == &yaml(r#"{"Fn::GetAtt": [SecretsKey, Arn]}"#) {
        "key".to_owned()
    } else if r == &yaml(r#"{"Fn::GetAtt": [TokenJobQueue, Arn]}"#) {
        "job-queue".to_owned()
    } else {
        panic!("unexpected resource {r:?}")
    }
}

#[test]
fn the_back_office_is_a_client_credentials_client_of_a_pool_without_users() {
    let raw = raw();
    let r = &raw["Resources"];
    // THEN the pool admits no self sign-up and cannot be deleted by accident
    let pool = &r["IssuerUserPool"]["Properties"];
    assert_eq!(
        pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"],
        Value::Bool(true)
    );
    assert_eq!(pool["DeletionProtection"], "ACTIVE");
    assert_eq!(r["IssuerUserPool"]["DeletionPolicy"], "Retain");
    // AND the resource server is `tmp` with exactly the scopes tmp-api knows
    let server = &r["IssuerResourceServer"]["Properties"];
    assert_eq!(server["Identifier"], "tmp");
    let scopes: Vec<String> = server["Scopes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|s| format!("tmp/{}", s["ScopeName"].as_str().unwrap()))
        .collect();
    let known: Vec<String> = tmp_api::auth::Scope::ALL
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    assert_eq!(scopes, known);
    // AND the client is confidential, client-credentials only, short-lived, revocable
    let client = &r["IssuerBackofficeClient"];
    assert_eq!(client["DependsOn"], "IssuerResourceServer");
    let c = &client["Properties"];
    assert_eq!(c["UserPoolId"], yaml("{Ref: IssuerUserPool}"));
    assert_eq!(c["GenerateSecret"], Value::Bool(true));
    assert_eq!(c["AllowedOAuthFlowsUserPoolClient"], Value::Bool(true));
    assert_eq!(c["AllowedOAuthFlows"], yaml("[client_credentials]"));
    assert_eq!(
        c["AllowedOAuthScopes"],
        yaml(&format!("[{}]", known.join(", ")))
    );
    assert_eq!(c["EnableTokenRevocation"], Value::Bool(true));
    assert_eq!(c["TokenValidityUnits"]["AccessToken"], "minutes");
    assert!(number(&c["AccessTokenValidity"]) <= 60);
    // AND the domain serving /oauth2/token belongs to the pool
    assert_eq!(
        r["IssuerUserPoolDomain"]["Properties"]["UserPoolId"],
        yaml("{Ref: IssuerUserPool}")
    );
    // AND the outputs tell the back office where to call and where to get tokens
    let outputs = &raw["Outputs"];
    for name in [
        "IssuerApiUrl",
        "IssuerUserPoolId",
        "IssuerBackofficeClientId",
        "IssuerTokenUrl",
    ] {
        assert!(outputs.get(name).is_some(), "no output {name}");
    }
    let token_url = outputs["IssuerTokenUrl"]["Value"]["Fn::Sub"]
        .as_str()
        .unwrap();
    assert!(token_url.contains("${IssuerUserPoolDomain}") && token_url.ends_with("/oauth2/token"));
}

#[test]
fn the_issuer_api_throttles_each_operation_and_logs_every_access_encrypted() {
    let t = template();
    let api = Value::Mapping(t.resources[API].properties.clone());
    let settings = api["MethodSettings"].as_sequence().unwrap();
    let setting = |path: &str| {
        settings
            .iter()
            .find(|s| s["ResourcePath"] == path)
            .unwrap_or_else(|| panic!("no MethodSettings for {path}"))
    };
    let stage = setting("/*");
    let rate = number(&stage["ThrottlingRateLimit"]);
    let own = |path: &str| number(&setting(&resource_path(path))["ThrottlingRateLimit"]);
    // THEN every operation has its own setting, its method's, the search and actions tighter
    for (id, _, method, path, kind) in FUNCTIONS {
        let s = setting(&resource_path(path));
        assert_eq!(
            s["HttpMethod"],
            method.to_ascii_uppercase().as_str(),
            "{id}"
        );
        assert!(own(path) <= rate, "{id}");
        if !kind.reads() {
            assert!(own(path) < rate, "{id} is not held tighter");
        }
        // AND a job, one network call per token, tighter than one token's action
        if let Kind::StartJob(_) = kind {
            assert!(
                own(path) < own("/api/v1/tokens/{tokenId}/suspend"),
                "{id} is not held tighter than an action"
            );
        }
    }
    // AND the stage holds no setting for a path no function serves
    assert_eq!(settings.len(), FUNCTIONS.len() + 1);
    // AND nothing logs bodies
    for s in settings {
        assert_eq!(s["LoggingLevel"], "OFF");
        assert_eq!(s["DataTraceEnabled"], Value::Bool(false));
    }
    // AND the access log is its own group, a year at least, under SecretsKey, which grants exactly it
    assert_eq!(
        api["AccessLogSetting"]["DestinationArn"],
        yaml(r#"{"Fn::GetAtt": [IssuerApiAccessLogGroup, Arn]}"#)
    );
    let group = Value::Mapping(t.resources["IssuerApiAccessLogGroup"].properties.clone());
    assert_eq!(
        group["KmsKeyId"],
        yaml(r#"{"Fn::GetAtt": [SecretsKey, Arn]}"#)
    );
    let retention = &t.parameters[group["RetentionInDays"]["Ref"].as_str().unwrap()];
    assert!(
        retention
            .default
            .as_deref()
            .unwrap()
            .parse::<u32>()
            .unwrap()
            >= 365
    );
    let name = group["LogGroupName"]["Fn::Sub"].as_str().unwrap();
    assert_eq!(name, "/aws/apigateway/${AWS::StackName}/issuer-access");
    let key = Value::Mapping(t.resources["SecretsKey"].properties.clone());
    let wanted = format!(
        "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{name}"
    );
    assert!(
        key["KeyPolicy"]["Statement"]
            .as_sequence()
            .unwrap()
            .iter()
            .any(|s| {
                s["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]["Fn::Sub"]
                    .as_str()
                    == Some(&wanted)
            })
    );
}
