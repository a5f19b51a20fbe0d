//! `POST /mdes/authorizeService` driven by the sample API Gateway events of
//! `events/mdes-authorize-service/`: the handler built by the function's own
//! cold start, called directly, against the local platform (moto, the issuer
//! simulator and the TEST-ONLY MDES key the events are encrypted for).

use std::collections::HashMap;
use std::path::PathBuf;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;
use tmp_local::emulator::EmulatorSource;
use tmp_local::issuer_simulator::CardBook;
use tmp_local::seed::{self, MdesKeySource};
use tmp_local::{LocalPlatform, PlatformOptions, RunningPlatform, workspace_root};
use tmp_runtime::lambda::HttpHandler;

const EVENTS_DIR: &str = "events/mdes-authorize-service";
const GREEN: &str = "green-approved.json";
const TOKEN_REQUESTOR: &str = "50110030273";
const FUNCTION: &str = "MdesAuthorizeServiceFunction";
/// Cardholder data the events carry or the issuer simulator knows: none of it
/// may reach a response body or the state table.
const JANE_PAN: &str = "5555555555554444";
const JANE_PHONE: &str = "+447700900123";
const JANE_EMAIL: &str = "jane.doe@example.com";
/// Markers of the decrypted `fundingAccountInfo` JSON (it carries the CVC).
const PLAINTEXT_MARKERS: [&str; 3] = ["cardAccountData", "securityCode", "accountNumber"];

/// The local platform plus the function's handler, as Lambda would cold-start it.
struct Harness {
    platform: RunningPlatform,
    handler: HttpHandler,
}

/// One handler answer: status, raw body, parsed body.
struct Answer {
    status: u16,
    raw: String,
    json: Value,
}

impl Answer {
    fn decision(&self) -> &str {
        self.json["decision"].as_str().unwrap_or("<none>")
    }

    fn error_code(&self) -> &str {
        self.json["errorCode"].as_str().unwrap_or("<none>")
    }

    fn activation_types(&self) -> Vec<&str> {
        self.json["activationMethods"]
            .as_array()
            .map(|methods| {
                methods
                    .iter()
                    .map(|m| m["type"].as_str().unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn activation_value(&self, method: &str) -> &str {
        self.json["activationMethods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["type"] == method)
            .and_then(|m| m["value"].as_str())
            .unwrap()
    }
}

fn unique_prefix() -> String {
    format!("t{}-", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

/// Shares the emulator `infra/scripts/with-moto.sh` started, else spawns one.
fn emulator() -> EmulatorSource {
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(url) if !url.is_empty() => EmulatorSource::Connect { endpoint_url: url },
        _ => EmulatorSource::default(),
    }
}

async fn start(parameters: HashMap<String, String>) -> Harness {
    let root = workspace_root();
    let platform = seed::standard(
        LocalPlatform::new(PlatformOptions {
            template_path: root.join("template.yaml"),
            port: 0,
            prefix: unique_prefix(),
            emulator: emulator(),
            parameters,
            visibility_timeout_override: None,
            ..PlatformOptions::default()
        }),
        CardBook::load(root.join("infra/local/cards.json")).unwrap(),
        MdesKeySource::Import(root.join("events/test-keys/mdes-test-private-key.pem")),
    )
    .start()
    .await
    .unwrap();
    let env = platform.deployment.function_env(FUNCTION).unwrap();
    let handler = mdes_predigitization::authorize_service::init(&platform.sdk, &env)
        .await
        .unwrap();
    Harness { platform, handler }
}

impl Harness {
    /// Sends an API Gateway REST proxy event (JSON text) to the handler.
    async fn send(&self, event: &str) -> Answer {
        let request = lambda_http::request::from_str(event).unwrap();
        let response = (self.handler)(request).await.unwrap();
        let status = response.status().as_u16();
        let raw = String::from_utf8(response.body().to_vec()).unwrap();
        let json = serde_json::from_str(&raw)
            .unwrap_or_else(|e| panic!("response body is not JSON ({e}): {raw}"));
        Answer { status, raw, json }
    }

    fn table(&self) -> String {
        self.platform
            .deployment
            .reference("TokenStateTable")
            .unwrap()
            .to_owned()
    }

    fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(&self.platform.sdk)
    }

    async fn get(&self, pk: &str, sk: &str) -> Option<HashMap<String, AttributeValue>> {
        self.dynamodb()
            .get_item()
            .table_name(self.table())
            .key("pk", AttributeValue::S(pk.to_owned()))
            .key("sk", AttributeValue::S(sk.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
    }

    /// Items of partition `pk`, only those whose sort key begins with
    /// `sk_prefix` when one is given.
    async fn query(
        &self,
        pk: &str,
        sk_prefix: Option<&str>,
    ) -> Vec<HashMap<String, AttributeValue>> {
        let mut values = HashMap::from([(":pk".to_owned(), AttributeValue::S(pk.to_owned()))]);
        let mut condition = "pk = :pk".to_owned();
        if let Some(prefix) = sk_prefix {
            values.insert(":sk".to_owned(), AttributeValue::S(prefix.to_owned()));
            condition.push_str(" AND begins_with(sk, :sk)");
        }
        self.dynamodb()
            .query()
            .table_name(self.table())
            .key_condition_expression(condition)
            .set_expression_attribute_values(Some(values))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .items
            .unwrap_or_default()
    }

    async fn scan_all(&self) -> Vec<HashMap<String, AttributeValue>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .dynamodb()
                .scan()
                .table_name(self.table())
                .set_exclusive_start_key(start)
                .send()
                .await
                .unwrap();
            items.extend(page.items.unwrap_or_default());
            start = page.last_evaluated_key;
            if start.is_none() {
                return items;
            }
        }
    }

    /// The explanation (decision record JSON) of the token's only decision.
    async fn only_decision(&self, token_ref: &str) -> Value {
        let decisions = self
            .query(&format!("TOKEN#{token_ref}"), Some("DECISION#"))
            .await;
        assert_eq!(decisions.len(), 1, "decisions of {token_ref}");
        serde_json::from_str(text(&decisions[0], "explanation")).unwrap()
    }

    async fn shutdown(self) {
        self.platform.shutdown().await;
    }
}

fn text<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> &'a str {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .unwrap_or_else(|| panic!("item has no string attribute {name}"))
}

/// Every value of an attribute as text, nested lists and maps included.
fn strings(value: &AttributeValue, out: &mut Vec<String>) {
    match value {
        AttributeValue::S(s) | AttributeValue::N(s) => out.push(s.clone()),
        AttributeValue::B(b) => out.push(String::from_utf8_lossy(b.as_ref()).into_owned()),
        AttributeValue::Ss(v) | AttributeValue::Ns(v) => out.extend(v.iter().cloned()),
        AttributeValue::Bs(v) => out.extend(
            v.iter()
                .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned()),
        ),
        AttributeValue::L(v) => v.iter().for_each(|v| strings(v, out)),
        AttributeValue::M(m) => m.values().for_each(|v| strings(v, out)),
        AttributeValue::Bool(b) => out.push(b.to_string()),
        _ => {}
    }
}

fn events_dir() -> PathBuf {
    workspace_root().join(EVENTS_DIR)
}

fn read_event(name: &str) -> String {
    std::fs::read_to_string(events_dir().join(name)).unwrap()
}

/// The event with its body's clear fields changed; the encrypted payload is kept.
fn with_body_changes(event: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut event: Value = serde_json::from_str(event).unwrap();
    let mut body: Value = serde_json::from_str(event["body"].as_str().unwrap()).unwrap();
    change(&mut body);
    event["body"] = Value::String(body.to_string());
    event.to_string()
}

/// The green event as a new tokenization of the same card: request number `n`.
fn green_variant(n: u32) -> String {
    with_body_changes(&read_event(GREEN), |body| {
        body["requestId"] = Value::from(format!("variant-{n:04}"));
        body["correlationId"] = Value::from(format!("V{n:012}"));
        body["fundingAccountInfo"]["tokenUniqueReference"] = Value::from(format!("DWSPMC{n:042}"));
    })
}

fn body_field(event: &str, pointer: &str) -> Option<String> {
    let event: Value = serde_json::from_str(event).unwrap();
    let body: Value = serde_json::from_str(event["body"].as_str()?).ok()?;
    body.pointer(pointer)?.as_str().map(str::to_owned)
}

/// Phones, e-mails and PANs of the issuer simulator's card book.
fn card_book_secrets() -> Vec<String> {
    let book: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("infra/local/cards.json")).unwrap(),
    )
    .unwrap();
    let secrets: Vec<String> = book
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|card| ["pan", "phoneNumber", "email"].map(|f| card[f].as_str()))
        .flatten()
        .map(str::to_owned)
        .collect();
    for known in [JANE_PAN, JANE_PHONE, JANE_EMAIL] {
        assert!(secrets.iter().any(|s| s == known), "{known} in card book");
    }
    secrets
}

/// What a fixture must produce, by file name prefix.
#[derive(Debug)]
enum Expected {
    Approved,
    /// Yellow: masked SMS (and e-mail when named so), then the call centre.
    Authenticate {
        email: bool,
    },
    /// Orange: the issuer knows no contact, so the call centre only.
    CallCentreOnly,
    Declined {
        cvc_invalid: bool,
    },
    Refused(&'static str),
}

fn expected_for(name: &str) -> Option<Expected> {
    let stem = name.strip_suffix(".json")?;
    Some(match stem {
        _ if stem.starts_with("green-") => Expected::Approved,
        _ if stem.starts_with("yellow-") => Expected::Authenticate {
            email: stem.contains("email"),
        },
        _ if stem.starts_with("orange-") => Expected::CallCentreOnly,
        _ if stem.starts_with("red-") => Expected::Declined {
            cvc_invalid: stem == "red-cvc-mismatch",
        },
        _ if stem.starts_with("crypto-") => Expected::Refused("CRYPTOGRAPHY_ERROR"),
        "error-bad-encrypted-key" | "error-unknown-key-fingerprint" => {
            Expected::Refused("CRYPTOGRAPHY_ERROR")
        }
        "error-missing-correlation-id" => Expected::Refused("MISSING_REQUIRED_FIELD"),
        "error-malformed-json" => Expected::Refused("INVALID_JSON"),
        _ => return None,
    })
}

fn check(name: &str, expected: &Expected, answer: &Answer) {
    let ctx = format!("{name}: {}", answer.raw);
    match expected {
        Expected::Approved => {
            assert_eq!(answer.status, 200, "{ctx}");
            assert_eq!(answer.decision(), "APPROVED", "{ctx}");
            assert_eq!(answer.json["cvcResponse"], "MATCH", "{ctx}");
            assert!(answer.json.get("activationMethods").is_none(), "{ctx}");
        }
        Expected::Authenticate { email } => {
            assert_eq!(answer.status, 200, "{ctx}");
            assert_eq!(
                answer.decision(),
                "REQUIRE_ADDITIONAL_AUTHENTICATION",
                "{ctx}"
            );
            let mut types = vec!["TEXT_TO_CARDHOLDER_NUMBER"];
            if *email {
                types.push("EMAIL_TO_CARDHOLDER_ADDRESS");
            }
            types.push("CARDHOLDER_TO_CALL_MANNED_NUMBER");
            assert_eq!(answer.activation_types(), types, "{ctx}");
            let sms = answer.activation_value("TEXT_TO_CARDHOLDER_NUMBER");
            assert!(sms.starts_with("***-***-") && sms.len() == 12, "{ctx}");
            if *email {
                assert_eq!(
                    answer.activation_value("EMAIL_TO_CARDHOLDER_ADDRESS"),
                    "j***@e***.com",
                    "{ctx}"
                );
            }
        }
        Expected::CallCentreOnly => {
            assert_eq!(answer.status, 200, "{ctx}");
            assert_eq!(
                answer.decision(),
                "REQUIRE_ADDITIONAL_AUTHENTICATION",
                "{ctx}"
            );
            assert_eq!(
                answer.activation_types(),
                ["CARDHOLDER_TO_CALL_MANNED_NUMBER"],
                "{ctx}"
            );
        }
        Expected::Declined { cvc_invalid } => {
            assert_eq!(answer.status, 200, "{ctx}");
            assert_eq!(answer.decision(), "DECLINED", "{ctx}");
            assert!(answer.json.get("activationMethods").is_none(), "{ctx}");
            if *cvc_invalid {
                assert_eq!(answer.json["cvcResponse"], "INVALID", "{ctx}");
            }
        }
        Expected::Refused(code) => {
            assert_eq!(answer.status, 400, "{ctx}");
            assert_eq!(answer.error_code(), *code, "{ctx}");
            assert!(answer.json.get("decision").is_none(), "{ctx}");
        }
    }
}

#[tokio::test]
async fn every_sample_event_gets_its_answer_and_only_safe_state_is_stored() {
    // GIVEN the platform with the test MDES key and the handler from its cold start
    let h = start(HashMap::new()).await;
    let secrets = card_book_secrets();
    let mut names: Vec<String> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(names.iter().any(|n| n == GREEN), "{names:?}");

    for name in &names {
        // A fixture no rule covers would go untested: fail instead.
        let expected =
            expected_for(name).unwrap_or_else(|| panic!("no expectation for fixture {name}"));
        let event = read_event(name);
        // WHEN the event is handled
        let answer = h.send(&event).await;
        // THEN status and decision / error code are the fixture's
        check(name, &expected, &answer);
        // AND responseId echoes the requestId whenever the body had a readable one
        match body_field(&event, "/requestId") {
            Some(request_id) => assert_eq!(answer.json["responseId"], request_id, "{name}"),
            None => assert!(
                answer.json["responseId"]
                    .as_str()
                    .is_some_and(|r| !r.is_empty())
            ),
        }
        // AND no PAN, phone or e-mail is ever in the clear in an answer
        for secret in &secrets {
            assert!(!answer.raw.contains(secret.as_str()), "{name} leaks data");
        }
    }

    // THEN the green token is stored as an inactive token, by last 4 and fingerprint
    let tur = body_field(
        &read_event(GREEN),
        "/fundingAccountInfo/tokenUniqueReference",
    )
    .unwrap();
    let token = h
        .get(&format!("TOKEN#{tur}"), "TOKEN")
        .await
        .expect("green token item");
    assert_eq!(text(&token, "status"), "INACTIVE");
    assert_eq!(text(&token, "pan_last4"), "4444");
    let fingerprint = text(&token, "pan_fingerprint");
    assert_eq!(fingerprint.len(), 64, "{fingerprint}");
    assert!(fingerprint.chars().all(|c| c.is_ascii_hexdigit()));
    // AND its decision is explained rule by rule: all 9 rules
    let explanation = h.only_decision(&tur).await;
    assert_eq!(explanation["decision"], "APPROVED");
    assert_eq!(explanation["rules"].as_array().unwrap().len(), 9);

    // AND nothing in the whole table holds a PAN, the plaintext, a phone or an e-mail
    let items = h.scan_all().await;
    assert!(items.len() > 10, "only {} items", items.len());
    let mut values = Vec::new();
    for item in &items {
        item.values().for_each(|v| strings(v, &mut values));
    }
    for value in &values {
        for secret in secrets.iter().map(String::as_str).chain(PLAINTEXT_MARKERS) {
            assert!(!value.contains(secret), "state table holds cardholder data");
        }
    }
    h.shutdown().await;
}

#[tokio::test]
async fn a_retried_request_replays_its_answer_and_counts_once_for_velocity() {
    // GIVEN a fresh platform
    let h = start(HashMap::new()).await;
    let green = read_event(GREEN);

    // WHEN the green event is sent twice
    let first = h.send(&green).await;
    let retry = h.send(&green).await;
    // THEN the retry gets the very same answer
    assert_eq!(first.status, 200);
    assert_eq!(first.decision(), "APPROVED", "{}", first.raw);
    assert_eq!(retry.raw, first.raw);
    // AND the card has one attempt on record for this token requestor
    let tur = body_field(&green, "/fundingAccountInfo/tokenUniqueReference").unwrap();
    let token = h.get(&format!("TOKEN#{tur}"), "TOKEN").await.unwrap();
    let card_pk = format!("CARD#{}", text(&token, "pan_fingerprint"));
    let card = h.get(&card_pk, "CARD").await.expect("the card aggregate");
    let attempts: Vec<Value> = serde_json::from_str(text(&card, "attempts")).unwrap();
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0]["tokenRequestorId"], TOKEN_REQUESTOR);

    // WHEN the same card is tokenized 4 more times (5 attempts in 24 h: allowed)
    for n in 2..=5 {
        let answer = h.send(&green_variant(n)).await;
        // THEN each is approved
        assert_eq!(answer.status, 200, "attempt {n}");
        assert_eq!(answer.decision(), "APPROVED", "attempt {n}: {}", answer.raw);
    }
    // AND the 6th distinct attempt is declined by velocity
    let sixth = h.send(&green_variant(6)).await;
    assert_eq!(sixth.status, 200);
    assert_eq!(sixth.decision(), "DECLINED", "{}", sixth.raw);
    let explanation = h.only_decision(&format!("DWSPMC{:042}", 6)).await;
    assert_eq!(explanation["decidedBy"], "VELOCITY");
    // AND it was asked without the issuer: no cvcResponse, the card rules not evaluated
    assert!(sixth.json.get("cvcResponse").is_none(), "{}", sixth.raw);
    let card_status = explanation["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "CARD_STATUS")
        .unwrap();
    assert_eq!(card_status["verdict"], "NOT_EVALUATED");
    // AND six attempts are on the card, each counted once
    let card = h.get(&card_pk, "CARD").await.unwrap();
    let attempts: Vec<Value> = serde_json::from_str(text(&card, "attempts")).unwrap();
    assert_eq!(attempts.len(), 6, "{attempts:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn duplicates_racing_each_other_get_one_answer_and_count_once() {
    // GIVEN a fresh platform
    let h = start(HashMap::new()).await;
    let green = read_event(GREEN);

    // WHEN MDES's retry of a request races the request itself, eight times over
    let answers = futures::future::join_all((0..8).map(|_| h.send(&green))).await;
    // THEN every invocation answers the same (the winner's answer, replayed by the rest)
    assert_eq!(answers[0].status, 200, "{}", answers[0].raw);
    assert_eq!(answers[0].decision(), "APPROVED", "{}", answers[0].raw);
    for answer in &answers {
        assert_eq!(answer.raw, answers[0].raw);
    }
    // AND one decision, one attempt, one live token and one event were written
    let tur = body_field(&green, "/fundingAccountInfo/tokenUniqueReference").unwrap();
    h.only_decision(&tur).await;
    let token = h.get(&format!("TOKEN#{tur}"), "TOKEN").await.unwrap();
    let card_pk = format!("CARD#{}", text(&token, "pan_fingerprint"));
    let card = h.get(&card_pk, "CARD").await.unwrap();
    let attempts: Vec<Value> = serde_json::from_str(text(&card, "attempts")).unwrap();
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(card["live_tokens"].as_n().unwrap(), "1");
    let events = h.query(&format!("TOKEN#{tur}"), Some("EVENT#")).await;
    assert_eq!(events.len(), 1);
    h.shutdown().await;
}

#[tokio::test]
async fn a_token_requestor_override_lowers_the_live_token_limit() {
    // GIVEN the platform deployed with one live token per card for this token requestor
    let rules =
        format!(r#"{{"tokenRequestors":{{"{TOKEN_REQUESTOR}":{{"maxLiveTokensPerCard":1}}}}}}"#);
    let h = start(HashMap::from([("DecisionRules".to_owned(), rules)])).await;

    // WHEN the card is tokenized once
    let first = h.send(&read_event(GREEN)).await;
    // THEN it is approved
    assert_eq!(first.status, 200);
    assert_eq!(first.decision(), "APPROVED", "{}", first.raw);

    // WHEN the card is tokenized again, as another token
    let second = h.send(&green_variant(2)).await;
    // THEN it is declined, and the stored explanation names the token limit
    assert_eq!(second.status, 200);
    assert_eq!(second.decision(), "DECLINED", "{}", second.raw);
    let explanation = h.only_decision(&format!("DWSPMC{:042}", 2)).await;
    assert_eq!(explanation["decidedBy"], "TOKEN_LIMIT");
    assert_eq!(explanation["thresholds"]["maxLiveTokensPerCard"], 1);
    let token_limit = explanation["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "TOKEN_LIMIT")
        .unwrap();
    assert_eq!(token_limit["verdict"], "DECLINE");
    h.shutdown().await;
}

#[tokio::test]
async fn a_reused_request_id_with_other_clear_fields_is_refused() {
    // GIVEN a green request already answered
    let h = start(HashMap::new()).await;
    let green = read_event(GREEN);
    let first = h.send(&green).await;
    assert_eq!(first.decision(), "APPROVED", "{}", first.raw);

    // WHEN its requestId comes back with another correlationId
    let imposter = with_body_changes(&green, |body| {
        body["correlationId"] = Value::from("C999999999999");
    });
    let answer = h.send(&imposter).await;
    // THEN it is refused as an invalid field value, echoing the requestId
    assert_eq!(answer.status, 400, "{}", answer.raw);
    assert_eq!(answer.error_code(), "INVALID_FIELD_VALUE");
    assert_eq!(
        answer.json["responseId"],
        body_field(&green, "/requestId").unwrap()
    );
    // AND the genuine retry still gets the first answer
    assert_eq!(h.send(&green).await.raw, first.raw);
    h.shutdown().await;
}
