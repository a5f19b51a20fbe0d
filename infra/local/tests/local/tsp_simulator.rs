//! The simulated MDES and VTS of the local platform (`/_local/mdes`,
//! `/_local/vts`) over HTTP, as the TMP's network clients will call them:
//! OAuth 1.0a on every Customer Service call, real token state, fault
//! injection, the calls list, and the notifications back to our TSP API.

mod mdes;
mod notifications;
mod vts;

use std::time::{Duration, Instant};

use base64::Engine as _;
use rsa::PrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use serde_json::{Value, json};
use tmp_aws::{KmsKeyVault, config_secret};
use tmp_local::emulator::EmulatorSource;
use tmp_local::issuer_simulator::CardBook;
use tmp_local::seed::{self, MdesKeySource, VtsKeySource};
use tmp_local::tsp_simulator::{self as tsp, TspSimulator};
use tmp_local::{LocalPlatform, PlatformOptions, RunningPlatform, workspace_root};
use tmp_mdes::customer_service::search::SearchResponseSchema;
use tmp_mdes::customer_service::status_history::TokenStatusHistoryResponseSchema;
use tmp_mdes::customer_service::suspend::TokenSuspendResponseSchema;
use tmp_mdes::customer_service::token::{Party, TokenStatusCode};
use tmp_mdes::customer_service::{CsError, read_answer};
use tmp_mdes::oauth1::OAuthSigner;
use tmp_vts::jwe;
use tmp_vts::lifecycle::{self, InquiryResponse, LifecycleError, LifecycleResponse, TokenState};

const REQUESTOR: &str = "40010030273";

fn tur(n: u32) -> String {
    format!("DWSPMC0000000000000000000000000000000000000{n:05}")
}

async fn start(simulator: &TspSimulator) -> RunningPlatform {
    let root = workspace_root();
    let options = PlatformOptions {
        template_path: root.join("template.yaml"),
        port: 0,
        prefix: format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]),
        emulator: EmulatorSource::default(),
        ..PlatformOptions::default()
    };
    seed::standard_with_tsp(
        LocalPlatform::new(options),
        CardBook::load(root.join("infra/local/cards.json")).unwrap(),
        MdesKeySource::Import(root.join("events/test-keys/mdes-test-private-key.pem")),
        VtsKeySource::Import(root.join("events/test-keys/vts-test-private-key.pem")),
        simulator.clone(),
    )
    .start()
    .await
    .unwrap()
}

/// `(status, body as JSON or text)`.
async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

async fn post(p: &RunningPlatform, path: &str, body: &Value) -> (u16, Value) {
    send(
        reqwest::Client::new()
            .post(format!("{}{path}", p.base_url))
            .json(body),
    )
    .await
}

async fn get(p: &RunningPlatform, path: &str) -> Value {
    send(reqwest::Client::new().get(format!("{}{path}", p.base_url)))
        .await
        .1
}

fn cs_url(p: &RunningPlatform, operation: &str) -> String {
    format!("{}/_local/mdes/csapi/v2/{operation}", p.base_url)
}

/// A signed Customer Service call: `(status, raw body)`.
async fn cs(
    p: &RunningPlatform,
    signer: &OAuthSigner,
    operation: &str,
    body: &Value,
) -> (u16, Vec<u8>) {
    let url = cs_url(p, operation);
    let bytes = body.to_string().into_bytes();
    let authorization = signer.authorization("POST", &url, &bytes).unwrap();
    let r = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/json")
        .header("authorization", authorization)
        .body(bytes)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

fn audit() -> Value {
    json!({"UserId": "CS-0042", "UserName": "Maria Lopez", "Organization": "Example Bank"})
}

fn suspend(tur: &str) -> Value {
    json!({"TokenSuspendRequest": {"TokenUniqueReference": tur, "ReasonCode": "T", "AuditInfo": audit()}})
}

fn action(root: &str, tur: &str, reason: &str) -> Value {
    json!({root: {"TokenUniqueReference": tur, "ReasonCode": reason, "AuditInfo": audit()}})
}

fn search(tur: &str, exclude_deleted: bool) -> Value {
    let mut request = json!({"TokenUniqueReference": tur, "AuditInfo": audit()});
    if exclude_deleted {
        request["ExcludeDeletedIndicator"] = json!("true");
    }
    json!({"SearchRequest": request})
}

/// The token `search` finds for `tur`: `(status, suspenders)`, `None` when none.
async fn searched(
    p: &RunningPlatform,
    signer: &OAuthSigner,
    tur: &str,
    exclude_deleted: bool,
) -> Option<(TokenStatusCode, Vec<Party>)> {
    let (status, body) = cs(p, signer, "search", &search(tur, exclude_deleted)).await;
    let answer: SearchResponseSchema = read_answer(status, &body).unwrap();
    let accounts = answer.response.accounts.account;
    let token = accounts.first()?.tokens.token.first()?.clone();
    Some((
        token.current_status_code.unwrap(),
        token.suspenders.map(|s| s.suspender).unwrap_or_default(),
    ))
}

async fn register_mdes(p: &RunningPlatform, tur: &str, status: &str, suspended_by: &[&str]) {
    let mut body =
        json!({"tokenUniqueReference": tur, "status": status, "accountPanSuffix": "0001"});
    if !suspended_by.is_empty() {
        body["suspendedBy"] = json!(suspended_by);
    }
    let (status, answer) = post(p, "/_local/mdes/tokens", &body).await;
    assert_eq!(status, 200, "{answer}");
}

/// The signer the TMP would build from its configuration: the KMS-encrypted
/// key of `MdesOAuthSigningKeyCiphertext` when the template declares it,
/// else the simulator's own key.
async fn tmp_signer(p: &RunningPlatform, simulator: &TspSimulator) -> OAuthSigner {
    let Some(ciphertext) = p.deployment.parameter(tsp::MDES_SIGNING_KEY_PARAMETER) else {
        return simulator.mdes_signer().unwrap();
    };
    let vault = KmsKeyVault::new(
        aws_sdk_kms::Client::new(&p.sdk),
        p.deployment.reference("SecretsKey").unwrap(),
    );
    let der = config_secret::decrypt_key(&vault, ciphertext, tsp::MDES_OAUTH_SIGNING_KEY_PURPOSE)
        .await
        .unwrap();
    let key = PrivateKey::from_pkcs8_der(der.expose()).unwrap();
    let consumer_key = p
        .deployment
        .parameter(tsp::MDES_CONSUMER_KEY_PARAMETER)
        .unwrap();
    assert_eq!(consumer_key, tsp::LOCAL_CONSUMER_KEY);
    OAuthSigner::new(consumer_key, key)
}

/// Polls `GET {network}/notifications` until it lists `n` notifications.
async fn notifications(p: &RunningPlatform, network: &str, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let sent = get(p, &format!("/_local/{network}/notifications")).await;
        let sent = sent.as_array().unwrap().clone();
        if sent.len() >= n || Instant::now() > deadline {
            assert_eq!(sent.len(), n, "{network}: {sent:?}");
            return sent;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn lifecycle_request(id: &str, code: &str, reference: &str) -> Value {
    json!({"requestID": id, "operatorID": "cs-agent-42", "messageReasonCode": code,
           "tokenReferenceID": reference, "tokenRequestorID": REQUESTOR,
           "operationType": if code == "3701" { "DELETE" } else { "UPDATE" }})
}

async fn vts_call(p: &RunningPlatform, path: &str, body: &Value) -> (u16, Vec<u8>) {
    let r = reqwest::Client::new()
        .post(format!("{}/_local/vts/{path}", p.base_url))
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

async fn lifecycle_call(
    p: &RunningPlatform,
    body: &Value,
) -> Result<LifecycleResponse, LifecycleError> {
    let (status, answer) = vts_call(p, lifecycle::LIFECYCLE_PATH, body).await;
    lifecycle::read_answer(status, &answer)
}

async fn state_of(p: &RunningPlatform, reference: &str) -> Result<TokenState, LifecycleError> {
    let inquiry = json!({"requestID": "inq", "operatorID": "cs-agent-42",
                         "tokenReferenceID": reference, "tokenRequestorID": REQUESTOR});
    let (status, answer) = vts_call(p, lifecycle::INQUIRY_PATH, &inquiry).await;
    let answer: InquiryResponse = lifecycle::read_answer(status, &answer)?;
    Ok(answer.token_details[0].token_state)
}

async fn register_vts(p: &RunningPlatform, reference: &str, status: &str) {
    let body = json!({"tokenReferenceID": reference, "tokenRequestorID": REQUESTOR, "status": status,
                      "panReferenceID": "V-PANREF-000077", "lastFourOfPAN": "1111"});
    let (status, answer) = post(p, "/_local/vts/tokens", &body).await;
    assert_eq!(status, 200, "{answer}");
}

/// The served VTS key's `(kid, SubjectPublicKeyInfo DER)`.
async fn vts_key(p: &RunningPlatform) -> (String, Vec<u8>) {
    let r = reqwest::get(format!("{}/_local/keys/vts-public.pem", p.base_url))
        .await
        .unwrap();
    let kid = r.headers()["x-key-id"].to_str().unwrap().to_owned();
    let pem = r.text().await.unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    (kid, der)
}
