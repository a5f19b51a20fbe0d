//! MDES Pre-Digitization end to end through the local gateway, with the SQS
//! consumers polled as Lambda would: authorizeService → activation methods →
//! activation code by SMS → validation → activation → lifecycle updates, the
//! outbox of what phones and the issuer's webhook received, and the token's
//! history in DynamoDB. Each test runs its own emulator (moto's SMS log is
//! global) and its own platform.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine as _;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;
use tmp_local::emulator::EmulatorSource;
use tmp_local::issuer_simulator::CardBook;
use tmp_local::seed::{self, MdesKeySource};
use tmp_local::{LocalPlatform, PlatformOptions, RunningPlatform, workspace_root};
use tmp_mdes::fle::{self as mdes_fle, AesKeySize, OaepHash};

const TR: &str = "50110030273";
/// Jane: ACTIVE, phone +447700900123 and e-mail on file (infra/local/cards.md).
const JANE: (&str, &str, &str, &str) = ("5555555555554444", "12", "30", "123");
const JANE_PHONE: &str = "+447700900123";

struct Flow {
    platform: RunningPlatform,
    http: reqwest::Client,
    spki: Vec<u8>,
}

fn mdes_time(at: OffsetDateTime) -> String {
    let f =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.to_offset(time::UtcOffset::UTC).format(f).unwrap()
}

async fn start() -> Flow {
    let root = workspace_root();
    let platform = seed::standard(
        LocalPlatform::new(PlatformOptions {
            template_path: root.join("template.yaml"),
            port: 0,
            prefix: format!("f{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]),
            emulator: EmulatorSource::default(),
            visibility_timeout_override: Some(Duration::from_secs(1)),
            parameters: [("RetryBackoffBaseSeconds".to_owned(), "1".to_owned())].into(),
            ..PlatformOptions::default()
        }),
        CardBook::load(root.join("infra/local/cards.json")).unwrap(),
        MdesKeySource::Import(root.join("events/test-keys/mdes-test-private-key.pem")),
    )
    .start()
    .await
    .unwrap();
    let pem =
        std::fs::read_to_string(root.join("events/test-keys/mdes-test-public-key.pem")).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let spki = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    Flow {
        platform,
        http: reqwest::Client::new(),
        spki,
    }
}

impl Flow {
    /// Every AWS call of the flow was within its function's policy in
    /// template.yaml (enforced, so a denial would also have failed the flow;
    /// this catches one a function only logged), and `/_local/functions`
    /// shows each function's environment and usage. Then stops the platform.
    async fn finish(self) {
        let usage = self.platform.iam_usage();
        assert!(
            !usage.is_empty(),
            "the functions' calls go through the IAM proxy"
        );
        for u in &usage {
            assert!(
                u.denied.is_empty(),
                "{} was denied {:?}",
                u.name,
                u.denied_on
            );
        }
        let functions: Value = reqwest::get(format!("{}/_local/functions", self.platform.base_url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let authorize = functions
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["logicalId"] == "MdesAuthorizeServiceFunction")
            .unwrap();
        assert_eq!(authorize["binary"], "mdes-authorize-service");
        assert!(
            authorize["environment"]["TOKEN_STATE_TABLE"]
                .as_str()
                .is_some()
        );
        assert!(
            authorize["environment"]["AWS_ACCESS_KEY_ID"]
                .as_str()
                .is_some_and(|k| k.starts_with("ASIA"))
        );
        let used: Vec<&str> = authorize["used"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(used.contains(&"dynamodb:BatchGetItem"), "{used:?}");
        // AND no request waits on KMS: keys are unwrapped once (Decrypt at cold
        // start), PANs are fingerprinted and contacts sealed in memory
        for per_request in ["kms:GenerateMac", "kms:Encrypt", "kms:GenerateDataKey"] {
            assert!(!used.contains(&per_request), "{per_request}: {used:?}");
        }
        assert!(authorize["denied"].as_array().unwrap().is_empty());
        self.platform.shutdown().await;
    }
    fn payload(&self, plaintext: Value) -> Value {
        let encrypted = mdes_fle::encrypt(
            &self.spki,
            plaintext.to_string().as_bytes(),
            Some(OaepHash::Sha512),
            AesKeySize::Aes128,
        )
        .unwrap();
        serde_json::to_value(encrypted).unwrap()
    }

    fn card_payload(
        &self,
        (pan, mm, yy, cvc): (&str, &str, &str, &str),
        token: Option<&str>,
    ) -> Value {
        let mut data = json!({
            "cardAccountData": {"accountNumber": pan, "expiryMonth": mm, "expiryYear": yy, "securityCode": cvc},
            "dataValidUntilTimestamp": mdes_time(OffsetDateTime::now_utc() + time::Duration::minutes(30)),
        });
        if let Some(token) = token {
            data["tokenData"] = json!({"token": token, "expiryMonth": "12", "expiryYear": "29"});
        }
        self.payload(data)
    }

    async fn post(&self, operation: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/mdes/{operation}", self.platform.base_url))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    async fn authorize(&self, id: &str, tur: &str, wallet: Value) -> Value {
        let body = json!({
            "requestId": id, "services": ["DIGITIZATION"], "correlationId": corr(tur), "tokenType": "CLOUD",
            "tokenRequestorId": TR, "walletId": "103",
            "fundingAccountInfo": {"tokenUniqueReference": tur, "encryptedPayload": self.card_payload(JANE, None)},
            "walletProviderDecisioningInfo": wallet,
        });
        let (status, answer) = self.post("authorizeService", &body).await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    async fn deliver(
        &self,
        id: &str,
        tur: &str,
        code: Option<(&str, OffsetDateTime)>,
    ) -> (u16, Value) {
        let mut body = json!({
            "requestId": id, "tokenUniqueReference": tur, "correlationId": corr(tur),
            "activationMethod": {"type": "TEXT_TO_CARDHOLDER_NUMBER", "value": "***-***-0123"},
        });
        if let Some((code, expires)) = code {
            body["activationCode"] = json!(code);
            body["expirationDateTime"] = json!(mdes_time(expires));
        }
        self.post("deliverActivationCode", &body).await
    }

    async fn validate(&self, id: &str, tur: &str, code: &str) -> String {
        let body = json!({"requestId": id, "tokenUniqueReference": tur, "correlationId": corr(tur), "activationCode": code});
        let (status, answer) = self.post("validateActivationCode", &body).await;
        assert_eq!(status, 200, "{answer}");
        answer["result"].as_str().unwrap().to_owned()
    }

    fn activated(&self, id: &str, tur: &str, at: OffsetDateTime) -> Value {
        json!({
            "requestId": id, "services": ["DIGITIZATION"], "correlationId": corr(tur), "tokenRequestorId": TR,
            "walletId": "103", "tokenType": "CLOUD", "accountPanSuffix": "4444",
            "serviceRequestDateTime": mdes_time(at), "tokenActivatedDateTime": mdes_time(at),
            "decision": "REQUIRE_ADDITIONAL_AUTHENTICATION", "decisionMadeBy": "AUTHORIZATION_REQUEST",
            "consumerLanguage": "en",
            "fundingAccountInfo": {"tokenUniqueReference": tur, "encryptedPayload": self.card_payload(JANE, Some("5454545454545454"))},
        })
    }

    async fn outbox(&self) -> Vec<Value> {
        let r = reqwest::get(format!("{}/_local/outbox", self.platform.base_url))
            .await
            .unwrap();
        let body: Value = r.json().await.unwrap();
        body["messages"].as_array().cloned().unwrap_or_default()
    }

    /// Waits (bounded) until the outbox holds a message `matches` accepts.
    async fn wait_for(&self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(found) = self.outbox().await.into_iter().find(|m| matches(m)) {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "no {what} in the outbox: {:#?}",
                self.outbox().await
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn webhook_events(&self, tur: &str) -> Vec<Value> {
        self.outbox()
            .await
            .into_iter()
            .filter(|m| m["channel"] == "WEBHOOK")
            .filter_map(|m| serde_json::from_str::<Value>(m["text"].as_str()?).ok())
            .filter(|e| e["tokenUniqueReference"] == tur && e.get("eventType").is_some())
            .collect()
    }

    fn dynamodb(&self) -> (aws_sdk_dynamodb::Client, String) {
        let table = self
            .platform
            .deployment
            .reference("TokenStateTable")
            .unwrap()
            .to_owned();
        (aws_sdk_dynamodb::Client::new(&self.platform.sdk), table)
    }

    async fn token(&self, tur: &str) -> std::collections::HashMap<String, AttributeValue> {
        let (client, table) = self.dynamodb();
        client
            .get_item()
            .table_name(table)
            .key("pk", AttributeValue::S(format!("TOKEN#{tur}")))
            .key("sk", AttributeValue::S("TOKEN".into()))
            .send()
            .await
            .unwrap()
            .item
            .unwrap()
    }

    async fn status(&self, tur: &str) -> String {
        self.token(tur).await["status"].as_s().unwrap().clone()
    }

    /// The token's status history, oldest first: (operation, to, applied).
    async fn history(&self, tur: &str) -> Vec<(String, String, bool)> {
        let (client, table) = self.dynamodb();
        let items = client
            .query()
            .table_name(table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :h)")
            .expression_attribute_values(":pk", AttributeValue::S(format!("TOKEN#{tur}")))
            .expression_attribute_values(":h", AttributeValue::S("HISTORY#".into()))
            .send()
            .await
            .unwrap()
            .items
            .unwrap_or_default();
        items
            .iter()
            .map(|i| {
                let entry: Value = serde_json::from_str(i["entry"].as_s().unwrap()).unwrap();
                (
                    entry["operation"].as_str().unwrap().to_owned(),
                    entry["to"].as_str().unwrap().to_owned(),
                    entry["applied"].as_bool().unwrap(),
                )
            })
            .collect()
    }
}

fn corr(tur: &str) -> String {
    format!("C{}", &tur[tur.len() - 12..])
}

fn token_ref(n: u32) -> String {
    format!("DWSPMC00000000000000000000000000000000000{n:07}")
}

fn doubtful() -> Value {
    json!({"recommendedDecision": "REQUIRE_ADDITIONAL_AUTHENTICATION", "deviceScore": "3", "accountScore": "4"})
}

/// The digits of the activation code in an SMS text.
fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() >= 6)
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_yellow_path_from_authorization_to_an_active_token() {
    // GIVEN the platform and a token the wallet doubts
    let flow = start().await;
    let tur = token_ref(1);
    let answer = flow.authorize("fl-as-1", &tur, doubtful()).await;
    assert_eq!(answer["decision"], "REQUIRE_ADDITIONAL_AUTHENTICATION");

    // WHEN MDES asks which activation methods to offer
    let ram = json!({
        "requestId": "fl-ram-1", "services": ["DIGITIZATION"], "correlationId": corr(&tur), "tokenType": "CLOUD",
        "tokenRequestorId": TR,
        "fundingAccountInfo": {"tokenUniqueReference": tur, "encryptedPayload": flow.card_payload(JANE, None)},
    });
    let (status, methods) = flow.post("requestActivationMethods", &ram).await;
    // THEN the masked SMS number, the masked e-mail and the call centre
    assert_eq!(status, 200, "{methods}");
    let types: Vec<&str> = methods["activationMethods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "TEXT_TO_CARDHOLDER_NUMBER",
            "EMAIL_TO_CARDHOLDER_ADDRESS",
            "CARDHOLDER_TO_CALL_MANNED_NUMBER"
        ]
    );
    assert_eq!(methods["activationMethods"][0]["value"], "***-***-0123");

    // WHEN MDES asks us to deliver a code we generate
    let (status, ack) = flow.deliver("fl-dac-1", &tur, None).await;
    assert_eq!(
        (status, ack["responseId"].as_str()),
        (200, Some("fl-dac-1"))
    );
    // THEN the cardholder's phone receives it (through the OTP queue and otp-delivery)
    let sms = flow
        .wait_for("activation SMS", |m| {
            m["channel"] == "SMS" && m["recipient"] == JANE_PHONE
        })
        .await;
    let code = code_in(sms["text"].as_str().unwrap());
    assert_eq!(code.len(), 6);
    // AND a re-request re-sends the same code, not a new one
    flow.deliver("fl-dac-2", &tur, None).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let texts: Vec<String> = flow
            .outbox()
            .await
            .into_iter()
            .filter(|m| m["channel"] == "SMS" && m["recipient"] == JANE_PHONE)
            .map(|m| m["text"].as_str().unwrap().to_owned())
            .collect();
        if texts.len() >= 2 {
            assert!(texts.iter().all(|t| code_in(t) == code), "{texts:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the re-requested code never arrived"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // WHEN the cardholder enters it THEN SUCCESS, once
    assert_eq!(flow.validate("fl-vac-1", &tur, &code).await, "SUCCESS");
    // a retry of the same message gets the same answer
    assert_eq!(flow.validate("fl-vac-1", &tur, &code).await, "SUCCESS");
    // a replayed code (new message) is refused: single use
    assert_eq!(
        flow.validate("fl-vac-2", &tur, &code).await,
        "INCORRECT_CODE"
    );

    // WHEN MDES notifies the activation
    let (status, _) = flow
        .post(
            "notifyServiceActivated",
            &flow.activated("fl-nsa-1", &tur, OffsetDateTime::now_utc()),
        )
        .await;
    assert_eq!(status, 200);
    // THEN the token is ACTIVE, its token number kept only as last 4 + fingerprint
    let token = flow.token(&tur).await;
    assert_eq!(token["status"].as_s().unwrap(), "ACTIVE");
    assert_eq!(token["token_last4"].as_s().unwrap(), "5454");
    assert_eq!(token["token_fingerprint"].as_s().unwrap().len(), 64);
    assert!(
        token
            .values()
            .all(|v| v.as_s().map_or(true, |s| !s.contains("5454545454545454")))
    );
    // AND the history shows every step
    assert_eq!(
        flow.history(&tur).await,
        [
            ("authorizeService".to_owned(), "INACTIVE".to_owned(), true),
            (
                "notifyServiceActivated".to_owned(),
                "ACTIVE".to_owned(),
                true
            )
        ]
    );
    // AND the issuer's webhook received each event once, signed (the simulator checks)
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let types: Vec<String> = flow
            .webhook_events(&tur)
            .await
            .iter()
            .map(|e| e["eventType"].as_str().unwrap().to_owned())
            .collect();
        if types.contains(&"TOKEN_ACTIVATED".to_owned()) {
            assert_eq!(
                types.iter().filter(|t| *t == "TOKEN_AUTHORIZED").count(),
                1,
                "{types:?}"
            );
            assert_eq!(
                types.iter().filter(|t| *t == "TOKEN_ACTIVATED").count(),
                1,
                "{types:?}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "events never reached the webhook: {types:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // WHEN MDES reports suspicious ATC activity THEN it reaches the issuer as an event
    let nse = json!({"requestId": "fl-nse-1", "tokenUniqueReference": tur, "status": "ACTIVE",
        "events": {"eventName": "REPLENISH", "walletAtcStatus": {"unusedActive": ["0013"]},
            "systemAtcStatus": {"atcNotFound": ["0013"]}}});
    assert_eq!(flow.post("notifySuspiciousEvents", &nse).await.0, 200);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !flow
        .webhook_events(&tur)
        .await
        .iter()
        .any(|e| e["eventType"] == "SUSPICIOUS_ACTIVITY")
    {
        assert!(
            Instant::now() < deadline,
            "suspicious activity never reached the webhook"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(flow.status(&tur).await, "ACTIVE");
    // AND the cardholder is told the card was added to a wallet
    flow.wait_for("card-added SMS", |m| {
        m["channel"] == "SMS"
            && m["recipient"] == JANE_PHONE
            && m["text"].as_str().unwrap().contains("was added to")
    })
    .await;
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mdes_generated_codes_are_delivered_validated_and_expire() {
    let flow = start().await;
    // GIVEN a yellow token and a code MDES generated, valid for 2 seconds
    let tur = token_ref(2);
    flow.authorize("fl-as-2", &tur, doubtful()).await;
    let expires = OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let (status, _) = flow
        .deliver("fl-dac-3", &tur, Some(("87654321", expires)))
        .await;
    assert_eq!(status, 200);
    // THEN it is the code the phone receives
    let sms = flow
        .wait_for("MDES code SMS", |m| {
            m["channel"] == "SMS" && m["text"].as_str().unwrap().contains("87654321")
        })
        .await;
    assert_eq!(sms["recipient"], JANE_PHONE);
    // WHEN entered after its expiry THEN EXPIRED_CODE
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        flow.validate("fl-vac-3", &tur, "87654321").await,
        "EXPIRED_CODE"
    );

    // GIVEN another token and an MDES code valid for 30 minutes
    let tur = token_ref(3);
    flow.authorize("fl-as-3", &tur, doubtful()).await;
    flow.deliver(
        "fl-dac-4",
        &tur,
        Some((
            "11223344",
            OffsetDateTime::now_utc() + time::Duration::minutes(30),
        )),
    )
    .await;
    // WHEN three wrong codes are entered
    assert_eq!(
        flow.validate("fl-vac-4", &tur, "00000000").await,
        "INCORRECT_CODE"
    );
    assert_eq!(
        flow.validate("fl-vac-5", &tur, "00000001").await,
        "INCORRECT_CODE"
    );
    assert_eq!(
        flow.validate("fl-vac-6", &tur, "00000002").await,
        "INCORRECT_CODE_RETRIES_EXCEEDED"
    );
    // THEN even the right code is refused afterwards
    assert_eq!(
        flow.validate("fl-vac-7", &tur, "11223344").await,
        "INCORRECT_CODE_RETRIES_EXCEEDED"
    );
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_and_out_of_order_notifications_are_applied_once_and_in_order() {
    let flow = start().await;
    let tur = token_ref(4);
    flow.authorize("fl-as-4", &tur, json!({"recommendedDecision": "APPROVED"}))
        .await;
    let activated_at = OffsetDateTime::now_utc() - time::Duration::minutes(5);
    let nsa = flow.activated("fl-nsa-4", &tur, activated_at);
    assert_eq!(flow.post("notifyServiceActivated", &nsa).await.0, 200);
    assert_eq!(flow.status(&tur).await, "ACTIVE");

    // WHEN the wallet suspends it, and MDES sends that notification twice
    let suspend = json!({"requestId": "fl-ntu-1", "reasonCode": "STATUS_UPDATE",
        "tokens": [{"tokenUniqueReference": tur, "status": "SUSPENDED", "suspendedBy": ["TOKEN_REQUESTOR"]}]});
    let first = flow.post("notifyTokenUpdated", &suspend).await;
    let again = flow.post("notifyTokenUpdated", &suspend).await;
    // THEN the same answer, applied once
    assert_eq!((first.0, &first.1), (200, &again.1));
    assert_eq!(flow.status(&tur).await, "SUSPENDED");
    // AND a retried notifyServiceActivated is answered without re-activating
    assert_eq!(flow.post("notifyServiceActivated", &nsa).await.0, 200);
    assert_eq!(flow.status(&tur).await, "SUSPENDED");
    // WHEN a late activation notice older than the suspension arrives (new requestId)
    let late = flow.activated(
        "fl-nsa-late",
        &tur,
        activated_at - time::Duration::minutes(10),
    );
    assert_eq!(flow.post("notifyServiceActivated", &late).await.0, 200);
    // THEN it is kept in the history but does not overwrite the newer state
    assert_eq!(flow.status(&tur).await, "SUSPENDED");
    let history = flow.history(&tur).await;
    let ops: Vec<(&str, &str, bool)> = history
        .iter()
        .map(|(o, t, a)| (o.as_str(), t.as_str(), *a))
        .collect();
    assert_eq!(
        ops,
        [
            ("authorizeService", "INACTIVE", true),
            ("notifyServiceActivated", "ACTIVE", true),
            ("notifyTokenUpdated", "SUSPENDED", true),
            ("notifyServiceActivated", "SUSPENDED", false),
        ]
    );
    // WHEN the token is deleted THEN DEACTIVATED, no longer counted against the card
    let delete = json!({"requestId": "fl-ntu-2", "reasonCode": "STATUS_UPDATE",
        "tokens": [{"tokenUniqueReference": tur, "status": "DEACTIVATED"}]});
    assert_eq!(flow.post("notifyTokenUpdated", &delete).await.0, 200);
    let token = flow.token(&tur).await;
    assert_eq!(token["status"].as_s().unwrap(), "DEACTIVATED");
    assert_eq!(token["live"].as_bool().unwrap(), &false);
    let fingerprint = token["pan_fingerprint"].as_s().unwrap().clone();
    let (client, table) = flow.dynamodb();
    let card = client
        .get_item()
        .table_name(table)
        .key("pk", AttributeValue::S(format!("CARD#{fingerprint}")))
        .key("sk", AttributeValue::S("CARD".into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert_eq!(card["live_tokens"].as_n().unwrap(), "0");
    // AND the cardholder is told the card was removed
    flow.wait_for("card-removed SMS", |m| {
        m["channel"] == "SMS" && m["text"].as_str().unwrap().contains("removed")
    })
    .await;
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_failing_twice_gets_each_event_exactly_once() {
    let flow = start().await;
    // GIVEN the issuer's webhook fails its next two deliveries
    let r = flow
        .http
        .post(format!(
            "{}/_local/issuer/webhook/fail-next",
            flow.platform.base_url
        ))
        .json(&json!({"count": 2, "status": 500}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    // WHEN a token event is published
    let tur = token_ref(5);
    flow.authorize("fl-as-5", &tur, doubtful()).await;
    // THEN SQS redelivers until it succeeds, and the issuer has it exactly once
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let events = flow.webhook_events(&tur).await;
        if !events.is_empty() {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let events = flow.webhook_events(&tur).await;
            assert_eq!(events.len(), 1, "{events:#?}");
            assert_eq!(events[0]["eventType"], "TOKEN_AUTHORIZED");
            break;
        }
        assert!(Instant::now() < deadline, "the event never got through");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_message_lands_in_the_dead_letter_queue_without_blocking_codes() {
    let flow = start().await;
    let sqs = aws_sdk_sqs::Client::new(&flow.platform.sdk);
    let queue = flow
        .platform
        .deployment
        .reference("OtpDeliveryQueue")
        .unwrap()
        .to_owned();
    let dlq = flow
        .platform
        .deployment
        .reference("OtpDeliveryDeadLetterQueue")
        .unwrap()
        .to_owned();
    // GIVEN a message no consumer can read on the OTP queue
    sqs.send_message()
        .queue_url(&queue)
        .message_body("{not a delivery job")
        .send()
        .await
        .unwrap();
    // AND a real activation code on its way
    let tur = token_ref(6);
    flow.authorize("fl-as-6", &tur, doubtful()).await;
    flow.deliver("fl-dac-6", &tur, None).await;
    // THEN the code is delivered
    flow.wait_for("activation SMS", |m| {
        m["channel"] == "SMS" && m["recipient"] == JANE_PHONE
    })
    .await;
    // AND the poison message ends in the DLQ after maxReceiveCount attempts
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let received = sqs
            .receive_message()
            .queue_url(&dlq)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        let bodies: Vec<String> = received
            .messages()
            .iter()
            .filter_map(|m| m.body().map(str::to_owned))
            .collect();
        if !bodies.is_empty() {
            assert_eq!(bodies, ["{not a delivery job"]);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "poison message never reached the DLQ"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    flow.finish().await;
}
