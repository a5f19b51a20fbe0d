//! The TMP API's edge on the local platform, from the real template and moto:
//! the ten routes on `IssuerApi` with their authorizer recorded, its
//! allow-list and problem+json gateway responses answering before any
//! function runs, and the local token issuer (`/_local/auth`) through the
//! gateway, its tokens accepted by the verifier the functions build from
//! their own environment. What the ten functions answer is tested with them.

use serde_json::{Value, json};
use tmp_api::auth::{AccessTokenVerifier, Jwks, Scope};
use tmp_local::emulator::EmulatorSource;
use tmp_local::gateway::cidr::AllowList;
use tmp_local::issuer_simulator::CardBook;
use tmp_local::local_auth::{LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET};
use tmp_local::seed::{self, MdesKeySource, VtsKeySource};
use tmp_local::template::Template;
use tmp_local::{LocalPlatform, PlatformOptions, RunningPlatform, workspace_root};

const API: &str = "IssuerApi";
const PROBLEM_JSON: &str = "application/problem+json";

/// The ten operations: function, method, route, and a path that matches it.
const ROUTES: [(&str, &str, &str, &str); 10] = [
    (
        "TmpSearchTokensFunction",
        "POST",
        "/api/v1/tokens/search",
        "/api/v1/tokens/search",
    ),
    (
        "TmpGetTokenFunction",
        "GET",
        "/api/v1/tokens/{tokenId}",
        "/api/v1/tokens/tok_0000000001",
    ),
    (
        "TmpActivateTokenFunction",
        "POST",
        "/api/v1/tokens/{tokenId}/activate",
        "/api/v1/tokens/tok_0000000001/activate",
    ),
    (
        "TmpSuspendTokenFunction",
        "POST",
        "/api/v1/tokens/{tokenId}/suspend",
        "/api/v1/tokens/tok_0000000001/suspend",
    ),
    (
        "TmpUnsuspendTokenFunction",
        "POST",
        "/api/v1/tokens/{tokenId}/unsuspend",
        "/api/v1/tokens/tok_0000000001/unsuspend",
    ),
    (
        "TmpDeleteTokenFunction",
        "POST",
        "/api/v1/tokens/{tokenId}/delete",
        "/api/v1/tokens/tok_0000000001/delete",
    ),
    (
        "TmpPostCardEventFunction",
        "POST",
        "/api/v1/cards/{cardId}/events",
        "/api/v1/cards/card-0001/events",
    ),
    (
        "TmpBulkCardTokensFunction",
        "POST",
        "/api/v1/cards/{cardId}/tokens/{action}",
        "/api/v1/cards/card-0001/tokens/suspend",
    ),
    (
        "TmpBulkDeviceTokensFunction",
        "POST",
        "/api/v1/devices/{deviceId}/tokens/{action}",
        "/api/v1/devices/jane-phone-1/tokens/delete",
    ),
    (
        "TmpGetJobFunction",
        "GET",
        "/api/v1/jobs/{jobId}",
        "/api/v1/jobs/job_000000000000000000000000",
    ),
];

fn options() -> PlatformOptions {
    PlatformOptions {
        template_path: workspace_root().join("template.yaml"),
        port: 0,
        prefix: format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]),
        emulator: EmulatorSource::default(),
        ..PlatformOptions::default()
    }
}

/// The platform as `make run` builds it.
fn platform(p: LocalPlatform) -> LocalPlatform {
    seed::standard_with(
        p,
        CardBook::load(workspace_root().join("infra/local/cards.json")).unwrap(),
        MdesKeySource::GenerateIfMissing,
        VtsKeySource::GenerateIfMissing,
    )
}

/// The body IssuerApi's gateway response `kind` has in the template.
fn templates_answer(kind: &str) -> Value {
    let t = Template::from_path(&workspace_root().join("template.yaml")).unwrap();
    serde_json::from_str(&t.api(API).unwrap().gateway_responses[kind].templates["application/json"])
        .unwrap()
}

/// A token of the local issuer, asked for through the gateway.
async fn access_token(p: &RunningPlatform) -> String {
    let r = reqwest::Client::new()
        .post(format!("{}/_local/auth/token", p.base_url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", LOCAL_CLIENT_ID),
            ("client_secret", LOCAL_CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `(status, content-type, x-amzn-requestid, JSON body)` of `method path`
/// with a bearer token and a JSON body.
async fn call(
    p: &RunningPlatform,
    method: &str,
    path: &str,
    token: &str,
) -> (u16, String, String, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = reqwest::Client::new()
        .request(method.clone(), format!("{}{path}", p.base_url))
        .bearer_auth(token)
        .header("idempotency-key", "b7a0c4f2-3d1e-4f5a-9c8b-6a2d1e0f9b3c");
    if method != reqwest::Method::GET {
        request = request
            .header("content-type", "application/json")
            .body(json!({"pan": "5555555555554444", "reasonCode": "DEVICE_LOST"}).to_string());
    }
    let r = request.send().await.unwrap();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (status, content_type, id) = (
        r.status().as_u16(),
        header("content-type"),
        header("x-amzn-requestid"),
    );
    (status, content_type, id, r.json().await.unwrap())
}

/// The environment `GET /_local/functions` gives function `id`.
async fn environment(p: &RunningPlatform, id: &str) -> Value {
    let functions: Value = reqwest::get(format!("{}/_local/functions", p.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    functions
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["logicalId"] == id)
        .unwrap_or_else(|| panic!("no function {id}"))["environment"]
        .clone()
}

#[tokio::test]
async fn the_ten_operations_are_served_on_issuer_api_and_trust_the_local_token_issuer() {
    // GIVEN the platform from the real template
    let p = platform(LocalPlatform::new(options()))
        .start()
        .await
        .unwrap();
    // WHEN its route table is read
    let routes: Value = reqwest::get(format!("{}/_local/routes", p.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let on_api: Vec<&Value> = routes
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["api"] == API)
        .collect();
    // THEN IssuerApi serves exactly the ten, each behind the Cognito authorizer with both scopes
    assert_eq!(on_api.len(), ROUTES.len(), "{on_api:?}");
    for (function, method, path, _) in ROUTES {
        let route = on_api
            .iter()
            .find(|r| r["function"] == function)
            .unwrap_or_else(|| panic!("{function} is not on {API}"));
        assert_eq!(
            (route["method"].as_str(), route["path"].as_str()),
            (Some(method), Some(path))
        );
        assert_eq!(route["stage"], "v1");
        assert_eq!(route["authorizer"], "IssuerCognitoAuthorizer", "{function}");
        assert_eq!(
            route["authorizationScopes"],
            json!(["tmp/tokens.read", "tmp/tokens.write"]),
            "{function}"
        );
        // AND its function trusts the local issuer and the local back office only
        let env = environment(&p, function).await;
        assert_eq!(
            env["TMP_API_TOKEN_ISSUER"],
            format!("{}/_local/auth", p.base_url)
        );
        assert_eq!(env["TMP_API_CLIENT_IDS"], LOCAL_CLIENT_ID);
    }
    // AND the network APIs' routes carry no authorizer
    let mdes = routes
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["api"] == "TspApi")
        .unwrap();
    assert_eq!(mdes["authorizer"], Value::Null);

    // WHEN the back office gets a token from the local issuer through the gateway
    let token = access_token(&p).await;
    // THEN the verifier a function builds from its own environment accepts it, both scopes granted
    let env = environment(&p, "TmpSearchTokensFunction").await;
    let issuer = env["TMP_API_TOKEN_ISSUER"].as_str().unwrap();
    let jwks: Value = reqwest::get(format!("{issuer}/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let verifier = AccessTokenVerifier::new(
        issuer,
        Jwks::from_json(&jwks).unwrap(),
        env["TMP_API_CLIENT_IDS"].as_str().unwrap().split(','),
    );
    let now = time::OffsetDateTime::now_utc();
    for scope in Scope::ALL {
        assert!(
            verifier
                .authorize(Some(&format!("Bearer {token}")), scope, now)
                .is_ok()
        );
    }
    // AND a wrong secret is RFC 6749's invalid_client
    let r = reqwest::Client::new()
        .post(format!("{}/_local/auth/token", p.base_url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", LOCAL_CLIENT_ID),
            ("client_secret", "not-the-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": "invalid_client"})
    );
    p.shutdown().await;
}

#[tokio::test]
async fn a_caller_outside_the_issuer_allow_list_gets_the_403_problem_before_any_function_runs() {
    // GIVEN IssuerApi allow-listed for 10.0.0.0/8 only (the local AllowedIssuerCidrs), the
    // network APIs for this machine
    let p = platform(
        LocalPlatform::new(options())
            .api_allowed_cidrs(API, AllowList::parse("10.0.0.0/8").unwrap()),
    )
    .start()
    .await
    .unwrap();
    // AND a valid token (the dev-only /_local/ endpoints are no API's)
    let token = access_token(&p).await;
    // WHEN 127.0.0.1 calls each operation, and an unknown /api/v1 path
    let mut calls: Vec<(&str, &str)> = ROUTES.iter().map(|r| (r.1, r.3)).collect();
    calls.push(("POST", "/api/v1/nope"));
    for (method, path) in calls {
        let (status, content_type, id, body) = call(&p, method, path, &token).await;
        // THEN IssuerApi's ACCESS_DENIED: a 403 forbidden problem, with a request id
        assert_eq!(status, 403, "{method} {path}");
        assert_eq!(content_type, PROBLEM_JSON, "{path}");
        assert!(!id.is_empty());
        assert_eq!(body, templates_answer("ACCESS_DENIED"), "{path}");
        assert_eq!(
            body,
            json!({
                "type": "https://tmp.example/problems/forbidden",
                "title": "Forbidden",
                "status": 403,
                "detail": "The caller is not allowed to call this API",
            })
        );
    }
    // AND no TMP API function ran: none touched the table (each reads it on every request)
    for u in p.iam_usage().iter().filter(|u| u.name.starts_with("Tmp")) {
        assert!(
            !u.used.iter().any(|a| a.starts_with("dynamodb:")),
            "{}: {:?}",
            u.name,
            u.used
        );
    }
    // AND the MDES API is not restricted by IssuerApi's list: its function answers
    let r = reqwest::Client::new()
        .post(format!("{}/mdes/authorizeService", p.base_url))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["errorCode"],
        "MISSING_REQUIRED_FIELD"
    );
    p.shutdown().await;
}

#[tokio::test]
async fn an_unknown_api_v1_path_or_method_is_the_404_problem() {
    // GIVEN the platform from the real template, this machine admitted
    let p = platform(LocalPlatform::new(options()))
        .start()
        .await
        .unwrap();
    let token = access_token(&p).await;
    // WHEN paths and methods no route has are called
    for (method, path) in [
        ("POST", "/api/v1/nope"),
        ("GET", "/api/v1/tokens/tok_0000000001/history"),
        ("DELETE", "/api/v1/tokens/tok_0000000001"),
        ("GET", "/api/v1/tokens/tok_0000000001/activate"),
        ("GET", "/api/v2/tokens/tok_0000000001"),
    ] {
        let (status, content_type, id, body) = call(&p, method, path, &token).await;
        // THEN each is IssuerApi's 404 not-found problem, never MDES's or Visa's shape
        assert_eq!(status, 404, "{method} {path}");
        assert_eq!(content_type, PROBLEM_JSON, "{method} {path}");
        assert!(!id.is_empty());
        assert_eq!(
            body,
            templates_answer("MISSING_AUTHENTICATION_TOKEN"),
            "{method} {path}"
        );
        assert_eq!(body["type"], "https://tmp.example/problems/not-found");
        assert_eq!(body["status"], 404);
    }
    p.shutdown().await;
}
