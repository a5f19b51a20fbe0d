//! Visa Token Service end to end through the local gateway (moto, the IAM
//! proxy, the stream publisher, the SQS consumers, the issuer simulator):
//! approveProvisioning → getCardholderVerificationMethods → sendPasscode →
//! the code in the cardholder's outbox once → tokenChanged ACTIVE; declines;
//! duplicates applied once; one answer to every unusable `encryptedData`;
//! hostile bodies; Visa events reaching the issuer's webhook; and one card's
//! fingerprint across MDES and VTS. Each test runs its own emulator and
//! platform, with the TEST-ONLY VTS key imported (its kid from
//! `/_local/keys/vts-public.pem`).

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine as _;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;
use tmp_local::emulator::EmulatorSource;
use tmp_local::issuer_simulator::CardBook;
use tmp_local::seed::{self, MdesKeySource, VtsKeySource};
use tmp_local::{LocalPlatform, PlatformOptions, RunningPlatform, workspace_root};
use tmp_mdes::fle::{self as mdes_fle, AesKeySize, OaepHash};

const TR: &str = "40010030273";
/// The Visa cards of infra/local/cards.md: (PAN, expiry month, expiry year, CVV2).
const ALEX: (&str, &str, &str, &str) = ("4111111111111111", "12", "2029", "123");
const ALEX_PHONE: &str = "+447700900222";
const LOST: (&str, &str, &str, &str) = ("4000000000000002", "12", "2029", "123");
/// Its CVV2 is 123.
const CVV2_MISMATCH: (&str, &str, &str, &str) = ("4012888888881881", "12", "2029", "999");
/// Mastercard's Jane, tokenized on MDES too.
const JANE: (&str, &str, &str, &str) = ("5555555555554444", "12", "30", "123");
const MARKER: &str = "PWNED<script>alert(1)</script>";

struct Flow {
    platform: RunningPlatform,
    http: reqwest::Client,
    /// Our VTS public key (SubjectPublicKeyInfo DER) and its kid, as Visa
    /// was given them.
    vts_spki: Vec<u8>,
    kid: String,
    mdes_spki: Vec<u8>,
    /// When the flow started: a retried message carries the same times as
    /// the first, so `OTPCodeExp` and `dateTimeOfEvent` are fixed from it.
    started: OffsetDateTime,
}

fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

/// Visa's `yyyy-MM-dd'T'HH:mm:ss.SSSX`.
fn visa_time(at: OffsetDateTime) -> String {
    let f =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.to_offset(time::UtcOffset::UTC).format(f).unwrap()
}

async fn start() -> Flow {
    let root = workspace_root();
    let platform = seed::standard_with(
        LocalPlatform::new(PlatformOptions {
            template_path: root.join("template.yaml"),
            port: 0,
            prefix: format!("v{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]),
            emulator: EmulatorSource::default(),
            visibility_timeout_override: Some(Duration::from_secs(1)),
            parameters: [("RetryBackoffBaseSeconds".to_owned(), "1".to_owned())].into(),
            ..PlatformOptions::default()
        }),
        CardBook::load(root.join("infra/local/cards.json")).unwrap(),
        MdesKeySource::Import(root.join("events/test-keys/mdes-test-private-key.pem")),
        VtsKeySource::Import(root.join("events/test-keys/vts-test-private-key.pem")),
    )
    .start()
    .await
    .unwrap();
    // What Visa was given at onboarding: the public key and its kid.
    let r = reqwest::get(format!("{}/_local/keys/vts-public.pem", platform.base_url))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let kid = r.headers()["x-key-id"].to_str().unwrap().to_owned();
    let pem = r.text().await.unwrap();
    let mdes_pem =
        std::fs::read_to_string(root.join("events/test-keys/mdes-test-public-key.pem")).unwrap();
    Flow {
        platform,
        http: reqwest::Client::new(),
        vts_spki: pem_der(&pem),
        kid,
        mdes_spki: pem_der(&mdes_pem),
        started: OffsetDateTime::now_utc(),
    }
}

/// `cardholderInfo` for `card`, entering `cvv2`.
fn cardholder((pan, month, year, cvv2): (&str, &str, &str, &str)) -> Value {
    json!({"primaryAccountNumber": pan, "cvv2": cvv2, "name": "Alex Visa",
           "expirationDate": {"month": month, "year": year}})
}

fn provisioning(card: (&str, &str, &str, &str), wallet: &str, visa: &str) -> Value {
    json!({"cardholderInfo": cardholder(card),
           "riskInformation": {"walletProviderRiskAssessment": wallet, "walletProviderDeviceScore": "5",
                               "walletProviderAccountScore": "5", "visaTokenDecisioning": visa}})
}

fn token_content(status: &str, card: Option<(&str, &str, &str, &str)>) -> Value {
    let mut content = json!({"tokenInfo": {"token": "4895370012003478", "tokenType": "SECURE_ELEMENT",
                                           "tokenStatus": status,
                                           "tokenExpirationDate": {"month": "03", "year": "2030"}}});
    if let Some(card) = card {
        content["cardholderInfo"] = cardholder(card);
    }
    content
}

fn token_ref(n: u32) -> String {
    format!("DNITHE{n:018}")
}

/// One answer: status and body bytes.
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    #[track_caller]
    fn ok(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.body);
        self.json()
    }

    #[track_caller]
    fn refused(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.json()["errorCode"], code, "{}", self.body);
    }
}

impl Flow {
    fn seal(&self, content: &Value) -> String {
        self.seal_for(content, &self.kid)
    }

    fn seal_for(&self, content: &Value, kid: &str) -> String {
        tmp_vts::jwe::encrypt_as_vts(&self.vts_spki, kid, content.to_string().as_bytes()).unwrap()
    }

    fn tampered(&self, content: &Value) -> String {
        let compact = self.seal(content);
        let mut parts: Vec<String> = compact.split('.').map(str::to_owned).collect();
        let flipped = if parts[3].starts_with('A') { "B" } else { "A" };
        parts[3].replace_range(..1, flipped);
        parts.join(".")
    }

    async fn post_raw(&self, path: &str, body: &str) -> Answer {
        let r = self
            .http
            .post(format!("{}/vts/v1/{path}", self.platform.base_url))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        Answer {
            status: r.status().as_u16(),
            body: r.text().await.unwrap(),
        }
    }

    async fn post(&self, path: &str, body: &Value) -> Answer {
        self.post_raw(path, &body.to_string()).await
    }

    fn approve_body(&self, encrypted_data: &str) -> Value {
        json!({
            "tokenInfo": {"tokenType": "SECURE_ELEMENT", "tokenAssuranceLevel": "20"},
            "panReferenceID": "V-PANREF-000001",
            "lifeCycleTraceID": "381234567890123",
            "locale": "en_GB",
            "deviceInfo": {"deviceID": "04A5B1C2D3E4F5", "deviceType": "MOBILE_PHONE",
                           "deviceName": "QWxleCdzIFBob25l", "osType": "ANDROID"},
            "walletProviderMsgTracing": {"tokenRequestorID": TR, "wpRequestId": "wp-approve"},
            "encryptedData": encrypted_data
        })
    }

    async fn approve_jwe(&self, token: &str, jwe: &str) -> Answer {
        self.post(
            &format!("tokenRequestors/{TR}/tokens/{token}/approveProvisioning"),
            &self.approve_body(jwe),
        )
        .await
    }

    async fn approve(&self, token: &str, content: &Value) -> Answer {
        self.approve_jwe(token, &self.seal(content)).await
    }

    async fn check(&self, content: &Value) -> Answer {
        self.post(
            "checkEligibility",
            &json!({"tokenRequestorID": TR, "encryptedData": self.seal(content)}),
        )
        .await
    }

    async fn methods(&self, token: &str) -> Answer {
        self.post(
            "getCardholderVerificationMethods",
            &json!({"tokenReferenceID": token,
                    "walletProviderMsgTracing": {"tokenRequestorID": TR, "wpRequestId": "wp-cvm"}}),
        )
        .await
    }

    async fn passcode(&self, token: &str, wp_request_id: &str, code: &str) -> Answer {
        let expires = self.started + time::Duration::minutes(10);
        self.post(
            "sendPasscode",
            &json!({"tokenReferenceID": token,
                    "walletProviderMsgTracing": {"tokenRequestorID": TR, "wpRequestId": wp_request_id},
                    "otpMethodIdentifier": "cvm-sms", "OTPCode": code, "OTPCodeExp": visa_time(expires)}),
        )
        .await
    }

    async fn changed_jwe(
        &self,
        token: &str,
        event_type: &str,
        event_id: &str,
        jwe: &str,
    ) -> Answer {
        let body = json!({"messageReasonCode": if event_type == "TOKEN_CREATED" { "3700" } else { "3701" },
                          "dateTimeOfEvent": visa_time(self.started),
                          "deviceID": "04A5B1C2D3E4F5", "encryptedData": jwe});
        self.post(
            &format!(
                "tokenRequestors/{TR}/tokens/{token}/tokenChanged?eventType={event_type}&eventID={event_id}"
            ),
            &body,
        )
        .await
    }

    async fn changed(
        &self,
        token: &str,
        event_type: &str,
        event_id: &str,
        content: &Value,
    ) -> Answer {
        self.changed_jwe(token, event_type, event_id, &self.seal(content))
            .await
    }

    async fn outbox(&self) -> Vec<Value> {
        let body: Value = reqwest::get(format!("{}/_local/outbox", self.platform.base_url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["messages"].as_array().cloned().unwrap_or_default()
    }

    async fn sms_with(&self, code: &str) -> Vec<Value> {
        self.outbox()
            .await
            .into_iter()
            .filter(|m| m["channel"] == "SMS" && m["text"].as_str().unwrap_or("").contains(code))
            .collect()
    }

    /// The issuer webhook's events about `token`.
    async fn webhook_events(&self, token: &str) -> Vec<Value> {
        self.outbox()
            .await
            .into_iter()
            .filter(|m| m["channel"] == "WEBHOOK")
            .filter_map(|m| serde_json::from_str::<Value>(m["text"].as_str()?).ok())
            .filter(|e| e["tokenUniqueReference"] == token && e.get("eventType").is_some())
            .collect()
    }

    /// Waits (bounded) until the webhook has an event of `event_type` for `token`.
    async fn wait_for_event(&self, token: &str, event_type: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let events = self.webhook_events(token).await;
            if let Some(event) = events.iter().find(|e| e["eventType"] == event_type) {
                return event.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no {event_type} for {token} at the webhook: {events:#?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
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

    async fn token(
        &self,
        token: &str,
    ) -> Option<std::collections::HashMap<String, AttributeValue>> {
        let (client, table) = self.dynamodb();
        client
            .get_item()
            .table_name(table)
            .key("pk", AttributeValue::S(format!("TOKEN#{token}")))
            .key("sk", AttributeValue::S("TOKEN".into()))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
    }

    async fn attribute(&self, token: &str, name: &str) -> String {
        self.token(token).await.unwrap()[name]
            .as_s()
            .unwrap()
            .clone()
    }

    async fn live_tokens(&self, fingerprint: &str) -> String {
        let (client, table) = self.dynamodb();
        let card = client
            .get_item()
            .table_name(table)
            .key("pk", AttributeValue::S(format!("CARD#{fingerprint}")))
            .key("sk", AttributeValue::S("CARD".into()))
            .consistent_read(true)
            .send()
            .await
            .unwrap()
            .item
            .unwrap();
        card["live_tokens"].as_n().unwrap().clone()
    }

    /// The token's history, oldest first: (operation, to, applied).
    async fn history(&self, token: &str) -> Vec<(String, String, bool)> {
        let (client, table) = self.dynamodb();
        let items = client
            .query()
            .table_name(table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :h)")
            .expression_attribute_values(":pk", AttributeValue::S(format!("TOKEN#{token}")))
            .expression_attribute_values(":h", AttributeValue::S("HISTORY#".into()))
            .consistent_read(true)
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

    /// Tokenizes Jane's Mastercard on MDES (APPROVED).
    async fn authorize_on_mdes(&self, tur: &str) {
        let (pan, mm, yy, cvc) = JANE;
        let data = json!({
            "cardAccountData": {"accountNumber": pan, "expiryMonth": mm, "expiryYear": yy, "securityCode": cvc},
            "dataValidUntilTimestamp": visa_time(OffsetDateTime::now_utc() + time::Duration::minutes(30)),
        });
        let payload = mdes_fle::encrypt(
            &self.mdes_spki,
            data.to_string().as_bytes(),
            Some(OaepHash::Sha512),
            AesKeySize::Aes128,
        )
        .unwrap();
        let body = json!({
            "requestId": format!("vf-{tur}"), "services": ["DIGITIZATION"], "correlationId": "C000000000077",
            "tokenType": "CLOUD", "tokenRequestorId": "50110030273", "walletId": "103",
            "fundingAccountInfo": {"tokenUniqueReference": tur, "encryptedPayload": payload},
            "walletProviderDecisioningInfo": {"recommendedDecision": "APPROVED"},
        });
        let r = self
            .http
            .post(format!("{}/mdes/authorizeService", self.platform.base_url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["decision"], "APPROVED", "{answer}");
    }

    /// Every AWS call was within its function's policy in template.yaml, and
    /// the VTS functions ran with the environment the template gives them.
    async fn finish(self) {
        for u in &self.platform.iam_usage() {
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
        let methods = functions
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["binary"] == "vts-get-cardholder-verification-methods")
            .unwrap();
        // No PAN-fingerprint secret where no card is compared.
        assert!(
            methods["environment"]
                .get("PAN_FINGERPRINT_SECRET_CIPHERTEXT")
                .is_none()
        );
        self.platform.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_step_up_path_from_approval_to_an_active_visa_token() {
    // GIVEN the platform, and Visa asking for cardholder verification
    let flow = start().await;
    let token = token_ref(2);
    let answer = flow.approve(&token, &provisioning(ALEX, "1", "85")).await;
    assert_eq!(
        answer.ok(),
        json!({"actionCode": "85", "cvv2ResultsCode": "M"})
    );
    assert_eq!(flow.attribute(&token, "status").await, "INACTIVE");
    assert_eq!(flow.attribute(&token, "network").await, "VISA");

    // WHEN VTS asks how the cardholder can be verified THEN the masked methods
    let methods = flow.methods(&token).await.ok();
    assert_eq!(
        methods,
        json!({"actionCode": "00", "cardholderVerificationMethod": [
            {"type": "cell_phone", "value": "***-***-0222", "identifier": "cvm-sms"},
            {"type": "email", "value": "a***@e***.com", "identifier": "cvm-email"},
            {"type": "customer_service", "value": "+44 20 7946 0999", "identifier": "cvm-call"}]})
    );

    // WHEN VTS sends its passcode for the SMS method
    let code = "73914562";
    assert_eq!(
        flow.passcode(&token, "wp-otp-1", code).await.ok(),
        json!({"actionCode": "00"})
    );
    // THEN the cardholder's phone gets Visa's code (through the OTP queue)
    let deadline = Instant::now() + Duration::from_secs(20);
    while flow.sms_with(code).await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "no SMS: {:#?}",
            flow.outbox().await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // AND a retry, and the same code again as a new message, are answered 00
    assert_eq!(flow.passcode(&token, "wp-otp-1", code).await.status, 200);
    assert_eq!(flow.passcode(&token, "wp-otp-2", code).await.status, 200);
    // AND the phone got the code once
    tokio::time::sleep(Duration::from_secs(3)).await;
    let texts = flow.sms_with(code).await;
    assert_eq!(texts.len(), 1, "{texts:#?}");
    assert_eq!(texts[0]["recipient"], ALEX_PHONE);

    // WHEN the cardholder entered it at Visa and VTS says the token is ACTIVE
    let active = token_content("ACTIVE", None);
    let answer = flow
        .changed(&token, "TOKEN_STATUS_UPDATED", "evt-active-1", &active)
        .await;
    // THEN 200 with an empty body, and the token is ACTIVE
    assert_eq!((answer.status, answer.body.as_str()), (200, ""));
    assert_eq!(flow.attribute(&token, "status").await, "ACTIVE");
    // AND VTS's duplicate is answered the same and applied once
    let again = flow
        .changed(&token, "TOKEN_STATUS_UPDATED", "evt-active-1", &active)
        .await;
    assert_eq!((again.status, again.body.as_str()), (200, ""));
    assert_eq!(
        flow.history(&token).await,
        [
            ("authorizeService".to_owned(), "INACTIVE".to_owned(), true),
            ("tokenChanged".to_owned(), "ACTIVE".to_owned(), true),
        ]
    );
    // AND the issuer's webhook hears of it as a Visa token
    let event = flow.wait_for_event(&token, "TOKEN_AUTHORIZED").await;
    assert_eq!(event["network"], "VISA");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let events = flow.webhook_events(&token).await;
        if let Some(event) = events.iter().find(|e| e["status"] == "ACTIVE") {
            assert_eq!(event["network"], "VISA", "{event}");
            break;
        }
        assert!(Instant::now() < deadline, "no ACTIVE event: {events:#?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    flow.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_tokens_are_activated_counted_on_their_card_and_told_to_the_issuer() {
    let flow = start().await;
    // GIVEN an eligible card: its product's metadata (the template's default)
    let answer = flow.check(&provisioning(ALEX, "0", "00")).await.ok();
    assert_eq!(answer["actionCode"], "00");
    assert_eq!(
        answer["cardMetadataInfo"]["cardArtData"]["cardArtRefID"],
        json!(["art-consumer-debit-0001"])
    );
    // AND a lost card is not eligible
    assert_eq!(
        flow.check(&provisioning(LOST, "0", "00")).await.ok(),
        json!({"actionCode": "05"})
    );

    // GIVEN a token we approved (00)
    let green = token_ref(1);
    assert_eq!(
        flow.approve(&green, &provisioning(ALEX, "0", "00"))
            .await
            .ok(),
        json!({"actionCode": "00", "cvv2ResultsCode": "M"})
    );
    // WHEN VTS says it was created ACTIVE
    let created = token_content("ACTIVE", Some(ALEX));
    let answer = flow
        .changed(&green, "TOKEN_CREATED", "evt-created-1", &created)
        .await;
    assert_eq!((answer.status, answer.body.as_str()), (200, ""));
    // THEN the token is ACTIVE and TOKEN_ACTIVATED reaches the issuer, as Visa's
    assert_eq!(flow.attribute(&green, "status").await, "ACTIVE");
    let event = flow.wait_for_event(&green, "TOKEN_ACTIVATED").await;
    assert_eq!(event["network"], "VISA");
    assert!(!event.to_string().contains(ALEX.0));
    // AND a duplicate eventID is answered the same and applied once
    let again = flow
        .changed(&green, "TOKEN_CREATED", "evt-created-1", &created)
        .await;
    assert_eq!((again.status, again.body.as_str()), (200, ""));
    assert_eq!(flow.history(&green).await.len(), 2);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let activated = flow
        .webhook_events(&green)
        .await
        .into_iter()
        .filter(|e| e["eventType"] == "TOKEN_ACTIVATED")
        .count();
    assert_eq!(activated, 1);

    // GIVEN a token we never approved (Visa decided in stand-in)
    let stand_in = token_ref(7);
    let answer = flow
        .changed(&stand_in, "TOKEN_CREATED", "evt-created-2", &created)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    // THEN it is created on the same card: two live tokens on it
    let fingerprint = flow.attribute(&green, "pan_fingerprint").await;
    assert_eq!(
        flow.attribute(&stand_in, "pan_fingerprint").await,
        fingerprint
    );
    assert_eq!(flow.live_tokens(&fingerprint).await, "2");

    // GIVEN a status update for a token we do not hold THEN 404 ISE40500
    flow.changed(
        &token_ref(99),
        "TOKEN_STATUS_UPDATED",
        "evt-unknown",
        &token_content("SUSPENDED", None),
    )
    .await
    .refused(404, "ISE40500");
    assert!(flow.token(&token_ref(99)).await.is_none());

    // GIVEN Jane's card tokenized on MDES, then on VTS
    let mdes = "DWSPMC000000000000000000000000000000000000000077";
    flow.authorize_on_mdes(mdes).await;
    let visa = token_ref(8);
    flow.approve(&visa, &provisioning(JANE_AS_VISA, "0", "00"))
        .await
        .ok();
    // THEN both are one card: the same fingerprint, two live tokens
    let fingerprint = flow.attribute(mdes, "pan_fingerprint").await;
    assert_eq!(flow.attribute(&visa, "pan_fingerprint").await, fingerprint);
    assert_eq!(flow.attribute(&visa, "network").await, "VISA");
    assert_eq!(flow.attribute(mdes, "network").await, "MDES");
    assert_eq!(flow.live_tokens(&fingerprint).await, "2");
    flow.finish().await;
}

/// Jane's card as VTS would send it (four-digit year).
const JANE_AS_VISA: (&str, &str, &str, &str) = ("5555555555554444", "12", "2030", "123");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declines_unusable_payloads_and_hostile_bodies() {
    let flow = start().await;
    // GIVEN a lost card WHEN VTS asks THEN 05
    let answer = flow
        .approve(&token_ref(4), &provisioning(LOST, "0", "00"))
        .await
        .ok();
    assert_eq!(answer["actionCode"], "05");
    // GIVEN a wrong CVV2 THEN 05 and cvv2ResultsCode N
    assert_eq!(
        flow.approve(&token_ref(5), &provisioning(CVV2_MISMATCH, "0", "00"))
            .await
            .ok(),
        json!({"actionCode": "05", "cvv2ResultsCode": "N"})
    );

    // GIVEN a tampered JWE and one for a kid we do not hold, on every operation that decrypts
    let content = provisioning(ALEX, "0", "00");
    let tampered = flow.tampered(&content);
    let unknown_kid = flow.seal_for(&content, "vts-0000000000000000");
    let mut answers = Vec::new();
    for jwe in [&tampered, &unknown_kid] {
        answers.push(flow.approve_jwe(&token_ref(6), jwe).await);
        answers.push(
            flow.post(
                "checkEligibility",
                &json!({"tokenRequestorID": TR, "encryptedData": jwe}),
            )
            .await,
        );
        answers.push(
            flow.changed_jwe(&token_ref(6), "TOKEN_CREATED", "evt-bad", jwe)
                .await,
        );
    }
    // THEN one identical 400 ISE40010, byte for byte, and nothing written
    for answer in &answers {
        assert_eq!(answer.status, 400, "{}", answer.body);
        assert_eq!(answer.body, answers[0].body);
    }
    assert_eq!(answers[0].json()["errorCode"], "ISE40010");
    assert!(flow.token(&token_ref(6)).await.is_none());

    // GIVEN hostile bodies on every operation: not JSON, not an object,
    // nested past any limit, and each operation's valid body with a member of
    // the wrong type, far too long, or carrying markup
    let jwe = flow.seal(&content);
    let token9 = token_ref(9);
    let passcode_exp = visa_time(flow.started + time::Duration::minutes(10));
    let operations: Vec<(String, Value, [&str; 3])> = vec![
        (
            "checkEligibility".to_owned(),
            json!({"tokenRequestorID": TR, "encryptedData": jwe}),
            ["encryptedData", "encryptedData", "tokenRequestorID"],
        ),
        (
            format!("tokenRequestors/{TR}/tokens/{token9}/approveProvisioning"),
            flow.approve_body(&jwe),
            ["tokenInfo", "panReferenceID", "locale"],
        ),
        (
            "getCardholderVerificationMethods".to_owned(),
            json!({"tokenReferenceID": token9, "walletProviderMsgTracing": {"wpRequestId": "wp-h"}}),
            ["tokenReferenceID", "tokenReferenceID", "tokenReferenceID"],
        ),
        (
            "sendPasscode".to_owned(),
            json!({"tokenReferenceID": token9, "walletProviderMsgTracing": {"wpRequestId": "wp-h"},
                   "otpMethodIdentifier": "cvm-sms", "OTPCode": "482913", "OTPCodeExp": passcode_exp}),
            ["OTPCode", "otpMethodIdentifier", "OTPCode"],
        ),
        (
            format!(
                "tokenRequestors/{TR}/tokens/{token9}/tokenChanged?eventType=TOKEN_CREATED&eventID=e1"
            ),
            json!({"dateTimeOfEvent": visa_time(flow.started), "encryptedData": jwe}),
            ["encryptedData", "dateTimeOfEvent", "dateTimeOfEvent"],
        ),
    ];
    for (path, valid, [wrong_type, too_long, markup]) in &operations {
        let mut bodies = vec![
            "not json".to_owned(),
            format!("{{\"{MARKER}\": "),
            "[1, 2]".to_owned(),
            "[".repeat(5_000),
        ];
        for (member, value) in [
            (wrong_type, json!(12345)),
            (too_long, json!("x".repeat(50_000))),
            (markup, json!(MARKER)),
        ] {
            let mut body = valid.clone();
            body[*member] = value;
            bodies.push(body.to_string());
        }
        for body in &bodies {
            // WHEN sent THEN a 4xx with an ISE code, never a 5xx, never an echo
            let answer = flow.post_raw(path, body).await;
            assert!(
                (400..500).contains(&answer.status),
                "{path}: {} {}",
                answer.status,
                answer.body
            );
            assert!(
                answer.json()["errorCode"]
                    .as_str()
                    .unwrap()
                    .starts_with("ISE4"),
                "{}",
                answer.body
            );
            for never in ["PWNED", "<script", ALEX.0] {
                assert!(!answer.body.contains(never), "{path}: {}", answer.body);
            }
        }
    }
    let good = flow.approve_body(&jwe);
    // AND a bad path parameter and an unknown operation are answered in Visa's shape
    flow.post(
        &format!(
            "tokenRequestors/{TR}/tokens/{}/approveProvisioning",
            "x".repeat(40)
        ),
        &good,
    )
    .await
    .refused(400, "ISE40005");
    let unknown = flow.post("nope", &json!({})).await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert!(
        unknown.json()["errorCode"]
            .as_str()
            .unwrap()
            .starts_with("ISE")
    );
    assert!(flow.token(&token_ref(9)).await.is_none());
    flow.finish().await;
}
