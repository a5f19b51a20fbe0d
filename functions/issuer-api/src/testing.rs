//! Handler-test support: the testkit's in-memory [`World`] with the tokens
//! the samples of `events/tmp-*/` act on, every handler of the family built
//! with `crate::endpoint` over its use case and a verifier of the TEST-ONLY
//! token issuer (`events/test-keys/tmp-api-test-*`), the job worker over the
//! world's job runner, the samples as the Lambda runtime hands them over, and
//! the checks every answer must pass.
//!
//! The samples' access tokens are issued in 2099 (an `exp` no test outlives),
//! but the verifier refuses a token issued in the future and Cognito's
//! lifetime is one day at most, so no fixed token can pass it at the wall
//! clock `crate::answer` reads. [`Fixture::send`] ([`with_fresh_token`]) checks
//! each sample token against the JWKS at its own `iat` and sends it
//! re-issued now, with the same claims and lifetime, by the same key. Any
//! other `Authorization` (expired, tampered, absent) is sent as it is.

use std::collections::BTreeSet;
use std::ops::Deref;
use std::path::PathBuf;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_http::http::HeaderValue;
use lambda_http::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use serde_json::Value;
use tmp_core::domain::Network;
use tmp_core::domain::action::TokenAction;
use tmp_core::domain::decision::Decision;
use tmp_core::domain::job::{ItemState, JobItem};
use tmp_core::domain::token::{LifecycleState, Suspender, TokenStatus};
use tmp_core::ports::TokenRecord;
use tmp_runtime::lambda::{HttpHandler, SqsHandler};
use tmp_testkit::world::World;

use crate::bulk_tokens::{BulkCardTokens, BulkDeviceTokens};
use crate::get_job::GetJob;
use crate::get_token::GetToken;
use crate::post_card_event::PostCardEvent;
use crate::search_tokens::SearchTokens;
use crate::token_action::{Act, Activate, Delete, Suspend, Unsuspend};

mod tokens;

pub use tokens::*;

pub const ISSUER: &str = "https://tmp.test/issuer";
pub const CLIENT: &str = "issuer-backoffice";

pub const SEARCH: &str = "tmp-search-tokens";
pub const GET: &str = "tmp-get-token";
pub const ACTIVATE: &str = "tmp-activate-token";
pub const SUSPEND: &str = "tmp-suspend-token";
pub const UNSUSPEND: &str = "tmp-unsuspend-token";
pub const DELETE: &str = "tmp-delete-token";
pub const CARD_EVENT: &str = "tmp-post-card-event";
pub const BULK_CARD: &str = "tmp-bulk-card-tokens";
pub const BULK_DEVICE: &str = "tmp-bulk-device-tokens";
pub const GET_JOB: &str = "tmp-get-job";
pub const JOB_WORKER: &str = "tmp-job-worker";
/// Every function, in the registry's order.
pub const FUNCTIONS: [&str; 11] = [
    SEARCH,
    GET,
    ACTIVATE,
    SUSPEND,
    UNSUSPEND,
    DELETE,
    CARD_EVENT,
    BULK_CARD,
    BULK_DEVICE,
    GET_JOB,
    JOB_WORKER,
];
/// The functions behind the API (every one but the job queue's consumer).
pub const HTTP_FUNCTIONS: [&str; 10] = [
    SEARCH,
    GET,
    ACTIVATE,
    SUSPEND,
    UNSUSPEND,
    DELETE,
    CARD_EVENT,
    BULK_CARD,
    BULK_DEVICE,
    GET_JOB,
];

/// The samples' tokens (`make-sample-events.py`, `TMP_*`).
pub const ACTIVE_TOKEN: &str = "DWSPMC000000000000000000000000000000000000000101";
pub const SUSPENDED_TOKEN: &str = "DWSPMC000000000000000000000000000000000000000102";
pub const INACTIVE_TOKEN: &str = "DWSPMC000000000000000000000000000000000000000103";
pub const VISA_TOKEN: &str = "DNITHE000000000000000101";
pub const UNKNOWN_TOKEN: &str = "DWSPMC000000000000000000000000000000000000000199";
pub const SEEDED: [&str; 4] = [ACTIVE_TOKEN, SUSPENDED_TOKEN, INACTIVE_TOKEN, VISA_TOKEN];
/// Jane's Mastercard: the three Mastercard tokens are on it.
pub const PAN: &str = "5555555555554444";
pub const VISA_PAN: &str = "4111111111111111";
/// The issuer's card ids (`TMP_CARD`, `TMP_VISA_CARD`): the three Mastercard
/// tokens are on [`CARD`], the Visa token on [`VISA_CARD`].
pub const CARD: &str = "card-0001";
pub const VISA_CARD: &str = "card-0002";
/// The phone (`TMP_DEVICE`) holding the active Mastercard token and the Visa
/// token; the other two are on [`OTHER_DEVICE`].
pub const DEVICE: &str = "phone-0001";
pub const OTHER_DEVICE: &str = "phone-0002";
/// The replacement card's number the refused REPLACED sample sends.
pub const NEW_PAN: &str = "5105105105105100";
/// What must never come back: card numbers and a name the samples send.
pub const NEVER: [&str; 5] = [PAN, "5555555555554445", VISA_PAN, NEW_PAN, "Jane"];
/// The World's job runner settles an item as failed on this delivery.
pub const MAX_ATTEMPTS: u32 = 5;

fn workspace_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

pub(crate) fn read(relative: &str) -> String {
    let path = workspace_path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn events_dir(function: &str) -> PathBuf {
    workspace_path("events").join(function)
}

pub fn sample_names(function: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(events_dir(function))
        .unwrap_or_else(|e| panic!("events/{function}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `events/<function>/<name>.json`: the event and the request the Lambda
/// runtime makes of it.
pub fn sample(function: &str, name: &str) -> (Value, lambda_http::Request) {
    let text = read(&format!("events/{function}/{name}.json"));
    let event = serde_json::from_str(&text).unwrap();
    (event, lambda_http::request::from_str(&text).unwrap())
}

/// `events/tmp-job-worker/<name>.json`: the batch the Lambda runtime hands
/// the worker.
pub fn sqs_sample(name: &str) -> SqsEvent {
    let text = read(&format!("events/{JOB_WORKER}/{name}.json"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{JOB_WORKER}/{name}: {e}"))
}

/// The records the worker left on the queue (its `batchItemFailures`).
pub fn failed(response: &SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

/// The `jobId` of a 202, the job accepted.
#[track_caller]
pub fn accepted_job(answer: &Answer) -> String {
    assert_eq!(answer.status, 202, "{}", answer.text());
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    let body = answer.json();
    let members: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(members, ["jobId"], "{body}");
    let job_id = body["jobId"].as_str().unwrap().to_owned();
    assert!(job_id.starts_with("job_"), "{job_id}");
    job_id
}

/// One answer: status, the headers we check, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub www_authenticate: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// 200, `application/json`.
    #[track_caller]
    pub fn assert_ok(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.text());
        assert_eq!(self.content_type.as_deref(), Some("application/json"));
        self.json()
    }

    /// An RFC 9457 problem of `status` saying `detail`.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, detail: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(
            self.content_type.as_deref(),
            Some("application/problem+json")
        );
        let problem = self.json();
        assert_eq!(problem["status"], status, "{problem}");
        assert_eq!(problem["detail"], detail, "{problem}");
        let kind = problem["type"].as_str().unwrap();
        assert!(kind.starts_with("https://tmp.example/problems/"), "{kind}");
        assert!(problem["title"].is_string(), "{problem}");
        assert_eq!(
            self.www_authenticate.is_some(),
            status == 401,
            "WWW-Authenticate on 401 only"
        );
    }
}

pub async fn send(handler: &HttpHandler, request: lambda_http::Request) -> Answer {
    let response = handler(request).await.unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &HeaderValue| v.to_str().unwrap().to_owned())
    };
    Answer {
        status: response.status().as_u16(),
        content_type: header(CONTENT_TYPE),
        www_authenticate: header(WWW_AUTHENTICATE),
        body: response.body().to_vec(),
    }
}

/// The testkit's [`World`] with the samples' tokens seeded.
pub struct Fixture {
    pub world: World,
}

impl Deref for Fixture {
    type Target = World;

    fn deref(&self) -> &World {
        &self.world
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Fixture {
    /// ACTIVE, SUSPENDED (by the issuer) and INACTIVE Mastercard tokens on
    /// [`PAN`], and an ACTIVE Visa token on [`VISA_PAN`].
    pub fn new() -> Self {
        let fx = Self {
            world: World::default(),
        };
        fx.seed(ACTIVE_TOKEN, Network::Mastercard, TokenStatus::Active, PAN);
        fx.seed(
            SUSPENDED_TOKEN,
            Network::Mastercard,
            TokenStatus::Suspended,
            PAN,
        );
        fx.seed(
            INACTIVE_TOKEN,
            Network::Mastercard,
            TokenStatus::Inactive,
            PAN,
        );
        fx.seed(VISA_TOKEN, Network::Visa, TokenStatus::Active, VISA_PAN);
        for (token_ref, card, device) in [
            (ACTIVE_TOKEN, CARD, DEVICE),
            (SUSPENDED_TOKEN, CARD, OTHER_DEVICE),
            (INACTIVE_TOKEN, CARD, OTHER_DEVICE),
            (VISA_TOKEN, VISA_CARD, DEVICE),
        ] {
            fx.state.set_card_and_device(token_ref, card, Some(device));
        }
        fx
    }

    fn seed(&self, token_ref: &str, network: Network, status: TokenStatus, pan: &str) {
        let suspenders = if status == TokenStatus::Suspended {
            BTreeSet::from([Suspender::Issuer])
        } else {
            BTreeSet::new()
        };
        let (requestor, pan_ref) = match network {
            Network::Mastercard => ("50110030273", token_ref.replacen("DWSPMC", "FWSPMC", 1)),
            Network::Visa => ("40010030273", "V-PANREF-000101".to_owned()),
        };
        self.state.seed_token(
            TokenRecord {
                token_ref: token_ref.to_owned(),
                network,
                state: LifecycleState {
                    status,
                    suspenders,
                    last_event_at: Some(self.now() - time::Duration::hours(1)),
                },
                version: 1,
                pan_fingerprint: Some(self.fingerprint(pan)),
                pan_last4: pan.get(pan.len() - 4..).map(str::to_owned),
                pan_expiry: None,
                pan_unique_reference: Some(pan_ref),
                token_requestor_id: Some(requestor.to_owned()),
                wallet_id: Some("103".to_owned()),
                has_contact: false,
                language: None,
                authorization_decision: Some(Decision::Approved),
                pending: None,
            },
            None,
        );
    }

    /// The handler of `function`, as its `init` builds it, over the world.
    pub fn handler_for(&self, function: &str) -> HttpHandler {
        let verifier = verifier();
        match function {
            SEARCH => crate::endpoint(
                verifier,
                SearchTokens {
                    queries: self.token_queries(),
                },
            ),
            GET => crate::endpoint(
                verifier,
                GetToken {
                    queries: self.token_queries(),
                },
            ),
            ACTIVATE => crate::endpoint(verifier, Act::<Activate>::new(self.token_actions())),
            SUSPEND => crate::endpoint(verifier, Act::<Suspend>::new(self.token_actions())),
            UNSUSPEND => crate::endpoint(verifier, Act::<Unsuspend>::new(self.token_actions())),
            DELETE => crate::endpoint(verifier, Act::<Delete>::new(self.token_actions())),
            CARD_EVENT => crate::endpoint(
                verifier,
                PostCardEvent {
                    jobs: self.job_runner(),
                    // LOST_OR_STOLEN_CARD_ACTION unset: delete.
                    lost_or_stolen: TokenAction::Delete,
                },
            ),
            BULK_CARD => crate::endpoint(
                verifier,
                BulkCardTokens {
                    jobs: self.job_runner(),
                },
            ),
            BULK_DEVICE => crate::endpoint(
                verifier,
                BulkDeviceTokens {
                    jobs: self.job_runner(),
                },
            ),
            GET_JOB => crate::endpoint(
                verifier,
                GetJob {
                    jobs: self.job_runner(),
                },
            ),
            other => panic!("no TMP API function {other}"),
        }
    }

    /// The job worker as its `init` builds it, without the queue's backoff
    /// (which only postpones what the batch answer reports).
    pub fn worker(&self) -> SqsHandler {
        crate::job_worker::handler(self.job_runner())
    }

    /// Hands `batch` to the worker.
    pub async fn deliver(&self, batch: SqsEvent) -> SqsBatchResponse {
        (self.worker())(batch).await.unwrap()
    }

    /// Delivers every message the starters queued, in one batch shaped like
    /// the worker's sample (record `m-<i>` for the `i`-th message), each on
    /// its `receive_count`-th delivery.
    pub async fn work(&self, receive_count: u32) -> SqsBatchResponse {
        let mut batch = sqs_sample("card-suspension-item");
        let template = batch.records.pop().unwrap();
        batch.records = self
            .job_queue
            .messages()
            .iter()
            .enumerate()
            .map(|(i, message)| {
                let mut record = template.clone();
                record.message_id = Some(format!("m-{i}"));
                record.body = Some(serde_json::to_string(message).unwrap());
                record.attributes.insert(
                    "ApproximateReceiveCount".to_owned(),
                    receive_count.to_string(),
                );
                record
            })
            .collect();
        self.deliver(batch).await
    }

    /// The items of `job_id`, by token.
    pub async fn job_items(&self, job_id: &str) -> Vec<JobItem> {
        let mut items = self.job_runner().job(job_id).await.unwrap().items;
        items.sort_by(|a, b| a.token_ref.cmp(&b.token_ref));
        items
    }

    /// The state of `token_ref`'s item in `job_id`.
    pub async fn item_state(&self, job_id: &str, token_ref: &str) -> ItemState {
        let items = self.job_items(job_id).await;
        let item = items.iter().find(|i| i.token_ref == token_ref);
        item.unwrap_or_else(|| panic!("{token_ref} is no item of {job_id}"))
            .state
    }

    /// What the starters queued: (job, token), in order.
    pub fn queued(&self) -> Vec<(String, String)> {
        self.job_queue
            .messages()
            .into_iter()
            .map(|m| (m.job_id, m.token_ref))
            .collect()
    }

    /// Sends `request` to `function`, its sample token re-issued now.
    pub async fn send(&self, function: &str, request: lambda_http::Request) -> Answer {
        send(&self.handler_for(function), with_fresh_token(request)).await
    }

    /// Sends a sample and checks what every answer must satisfy (see
    /// [`assert_answer_hygiene`]); a refusal must have changed nothing and
    /// queued nothing, an accepted job (202) changed no token and called no
    /// network (its items run in the worker).
    pub async fn play(&self, function: &str, name: &str) -> Answer {
        let before = self.snapshot(&SEEDED);
        let calls = self.networks.calls().len();
        let queued = self.job_queue.messages().len();
        let (event, request) = sample(function, name);
        let request = with_fresh_token(request);
        let token = bearer(&request);
        let answer = send(&self.handler_for(function), request).await;
        let what = format!("{function}/{name}");
        assert_answer_hygiene(&event, &answer, &what);
        if let Some(token) = token {
            assert!(
                !answer.text().contains(&token),
                "{what} echoed its access token"
            );
        }
        if answer.status != 200 {
            assert_eq!(
                self.networks.calls().len(),
                calls,
                "{function}/{name} called a network"
            );
            assert_eq!(
                self.snapshot(&SEEDED),
                before,
                "{function}/{name} changed state"
            );
        }
        if answer.status >= 400 {
            assert_eq!(
                self.job_queue.messages().len(),
                queued,
                "{function}/{name} queued items"
            );
        }
        answer
    }
}

/// Every string a JSON value holds (object members' values, array items).
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(members) => members.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// A term of the contract's vocabulary (`LOST`, `DEVICE_LOST`), not the caller's data.
fn is_enum_term(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
}

/// Whatever the sample: the media type matches the status, no card number,
/// access token or Idempotency-Key comes back, and a refusal repeats nothing
/// the caller sent (neither a body value nor a path parameter's value) but
/// the contract's own enum terms (`REPLACED`: a refusal may name what it
/// refuses).
#[track_caller]
pub fn assert_answer_hygiene(event: &Value, answer: &Answer, what: &str) {
    let expected = if (200..300).contains(&answer.status) {
        "application/json"
    } else {
        "application/problem+json"
    };
    assert_eq!(answer.content_type.as_deref(), Some(expected), "{what}");
    let text = answer.text();
    let headers = &event["headers"];
    let mut sent: Vec<String> = NEVER.iter().map(|s| (*s).to_owned()).collect();
    for name in ["Authorization", "Idempotency-Key"] {
        if let Some(value) = headers[name].as_str() {
            sent.push(value.trim_start_matches("Bearer ").to_owned());
        }
    }
    if answer.status != 200 {
        if let Some(body) = event["body"]
            .as_str()
            .and_then(|b| serde_json::from_str::<Value>(b).ok())
        {
            strings(&body, &mut sent);
        }
        strings(&event["pathParameters"], &mut sent);
        sent.retain(|v| !is_enum_term(v));
    }
    for value in sent.iter().filter(|v| v.len() >= 3) {
        assert!(
            !text.contains(value.as_str()),
            "{what} echoed {value:?}: {text}"
        );
    }
}

/// `event` with another body, as the Lambda runtime hands it over.
pub fn with_body(event: &Value, body: &Value) -> lambda_http::Request {
    let mut event = event.clone();
    event["body"] = Value::String(body.to_string());
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

pub const UNAUTHORIZED: &str = "A valid bearer access token is required";
pub const FORBIDDEN: &str = "The access token lacks the scope this operation requires";
pub const NOT_FOUND: &str = "The resource does not exist";
pub const NO_IDEMPOTENCY_KEY: &str = "The Idempotency-Key header is missing or invalid";
pub const STATE_CONFLICT: &str = "The token's state does not allow this action";

/// GIVEN the samples' world WHEN each refused sample of `function` is sent
/// THEN its problem, no network called, nothing changed and nothing queued.
pub async fn assert_refusals(function: &str, cases: &[(&str, u16, &str)]) {
    for (name, status, detail) in cases {
        let fx = Fixture::new();
        let answer = fx.play(function, name).await;
        answer.assert_problem(*status, detail);
        assert!(fx.networks.calls().is_empty(), "{function}/{name}");
        assert!(fx.job_queue.messages().is_empty(), "{function}/{name}");
    }
}

/// The samples of `function` are exactly `expected` (each has its test).
#[track_caller]
pub fn assert_samples(function: &str, expected: &[&str]) {
    let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(sample_names(function), expected, "events/{function}");
}

mod tests;
