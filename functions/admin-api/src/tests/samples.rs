//! Every sample of `events/admin-*/` (`make events`), replayed through its
//! function's handler as the Lambda runtime hands it over: each answers the
//! status listed here, errors as problem+json, never a card number or the
//! phone, and the list and the files are the same. The samples' tokens are
//! issued in 2099 (the verifier refuses a token from the future): each is
//! sent re-issued now for the same agent and groups; an expired or absent
//! one is sent as it is.

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lambda_http::RequestExt;
use serde_json::Value;

use super::{Fx, PAN, read, token};

/// `(function, sample, status)`.
const EXPECTED: &[(&str, &str, u16)] = &[
    ("admin-me", "viewer", 200),
    ("admin-me", "error-no-access-token", 401),
    ("admin-me", "error-expired-access-token", 401),
    ("admin-search-tokens", "by-last4-and-expiry", 200),
    ("admin-search-tokens", "by-pan", 200),
    ("admin-search-tokens", "by-phone", 200),
    ("admin-search-tokens", "apple-pay-tokens-of-a-week", 200),
    ("admin-search-tokens", "error-two-keys", 422),
    ("admin-search-tokens", "error-range-too-long", 422),
    ("admin-get-token", "active-token", 200),
    ("admin-get-token", "error-unknown-token", 404),
    ("admin-token-transactions", "active-token", 200),
    ("admin-suspend-token", "active-token-suspended", 200),
    ("admin-suspend-token", "error-viewer-may-not", 403),
    ("admin-suspend-token", "error-missing-idempotency-key", 400),
    ("admin-activate-token", "error-token-already-active", 409),
    ("admin-unsuspend-token", "error-token-not-suspended", 409),
    ("admin-delete-token", "error-agent-may-not", 403),
    ("admin-preview-bulk", "device-delete-preview", 200),
    ("admin-preview-bulk", "error-agent-may-not", 403),
    ("admin-start-bulk", "device-tokens-deleted", 202),
    ("admin-get-job", "error-unknown-job", 404),
    ("admin-post-card-event", "card-stolen", 202),
    (
        "admin-post-card-event",
        "error-replaced-not-from-the-panel",
        422,
    ),
    ("admin-post-card-event", "error-agent-may-not", 403),
    ("admin-audit-log", "a-week", 200),
    ("admin-audit-log", "a-week-as-csv", 200),
    ("admin-audit-log", "error-agent-may-not", 403),
    ("admin-funnel-report", "a-week", 200),
    ("admin-funnel-report", "a-week-as-csv", 200),
    ("admin-funnel-report", "error-range-too-long", 422),
    ("admin-apple-pay-report", "a-week", 200),
    ("admin-active-tokens-report", "now", 200),
    ("admin-active-tokens-report", "now-as-csv", 200),
    ("admin-get-decision-rules", "in-force", 200),
    ("admin-get-decision-rules", "error-supervisor-may-not", 403),
    (
        "admin-update-decision-rules",
        "apple-pay-two-tokens-per-card",
        200,
    ),
    ("admin-update-decision-rules", "error-stale-version", 409),
    (
        "admin-update-decision-rules",
        "error-unknown-threshold",
        422,
    ),
    ("admin-list-agents", "all", 200),
    ("admin-list-agents", "error-supervisor-may-not", 403),
    ("admin-set-agent-role", "viewer-made-agent", 200),
    ("admin-set-agent-role", "every-role-taken-away", 200),
    ("admin-set-agent-role", "error-own-role", 409),
    ("admin-set-agent-role", "error-unknown-agent", 404),
    ("admin-set-agent-role", "error-unknown-role", 422),
];

/// The Fx operation serving a function.
fn operation(function: &str) -> &'static str {
    match function {
        "admin-me" => "me",
        "admin-search-tokens" => "search",
        "admin-get-token" => "get",
        "admin-token-transactions" => "transactions",
        "admin-activate-token" => "activate",
        "admin-suspend-token" => "suspend",
        "admin-unsuspend-token" => "unsuspend",
        "admin-delete-token" => "delete",
        "admin-preview-bulk" => "preview",
        "admin-start-bulk" => "start",
        "admin-get-job" => "job",
        "admin-post-card-event" => "card-event",
        "admin-audit-log" => "audit",
        "admin-funnel-report" => "funnel",
        "admin-apple-pay-report" => "apple-pay",
        "admin-active-tokens-report" => "active-tokens",
        "admin-get-decision-rules" => "rules",
        "admin-update-decision-rules" => "update-rules",
        "admin-list-agents" => "agents",
        "admin-set-agent-role" => "agent-role",
        other => panic!("no operation for {other}"),
    }
}

/// The sample's bearer re-issued now for the same agent and groups, when it
/// is one issued in the future (an expired one is kept as it is).
fn fresh(request: &mut lambda_http::Request) {
    let Some(bearer) = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
    else {
        return;
    };
    let payload = bearer.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    if claims["iat"].as_i64().unwrap() < time::OffsetDateTime::now_utc().unix_timestamp() {
        return;
    }
    let groups: Vec<&str> = claims["cognito:groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    let renewed = token(claims["username"].as_str().unwrap(), &groups);
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {renewed}").parse().unwrap(),
    );
}

#[tokio::test]
async fn every_sample_answers_its_status_without_card_data() {
    // GIVEN the listed samples are exactly the files of events/admin-*/
    let root = format!("{}/../../events", env!("CARGO_MANIFEST_DIR"));
    let mut files = BTreeSet::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        let function = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !function.starts_with("admin-") {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let name = file.unwrap().path();
            let stem = name.file_stem().unwrap().to_string_lossy().into_owned();
            files.insert((function.clone(), stem));
        }
    }
    let listed: BTreeSet<(String, String)> = EXPECTED
        .iter()
        .map(|(f, s, _)| ((*f).to_owned(), (*s).to_owned()))
        .collect();
    assert_eq!(files, listed);
    // AND every function of the family has samples
    let functions: BTreeSet<&str> = EXPECTED.iter().map(|(f, _, _)| *f).collect();
    let registered: BTreeSet<&str> = crate::FUNCTIONS.iter().map(|(name, _)| *name).collect();
    assert_eq!(functions, registered);
    for (function, sample, status) in EXPECTED {
        // WHEN the sample is sent to its function's handler
        let fx = Fx::new();
        let text = read(&format!("events/{function}/{sample}.json"));
        let mut request = lambda_http::request::from_str(&text).unwrap();
        fresh(&mut request);
        assert!(request.request_context_ref().is_some());
        let response = (fx.handler(operation(function)))(request).await.unwrap();
        // THEN its status, errors as problem+json, and no card data or phone
        let got = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = String::from_utf8(response.into_body().to_vec()).unwrap();
        assert_eq!(got, *status, "{function}/{sample}: {body}");
        if got >= 400 {
            assert_eq!(
                content_type, "application/problem+json",
                "{function}/{sample}"
            );
        } else if sample.ends_with("-as-csv") {
            assert!(content_type.starts_with("text/csv"), "{function}/{sample}");
        }
        for secret in [PAN, "5105105105105100", "7700900123", "7700 900123"] {
            assert!(
                !body.contains(secret),
                "{function}/{sample} echoed {secret}"
            );
        }
    }
}
