//! The harness of the issuer's flows (issuer_lifecycle, issuer_jobs): the
//! platform with the test keys, tokens provisioned the way MDES and VTS
//! provision them and registered at the TSP simulators, access tokens from
//! the local issuer, TMP API calls, the simulators' records, the contract.

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;
use tmp_local::emulator::EmulatorSource;
use tmp_local::issuer_simulator::CardBook;
use tmp_local::seed::{self, MdesKeySource, VtsKeySource};
use tmp_local::{LocalPlatform, PlatformOptions, RunningPlatform, workspace_root};
use tmp_mdes::fle::{self as mdes_fle, AesKeySize, OaepHash};
use tmp_vts::jwe;

pub const MDES_TR: &str = "50110030273";
pub const VISA_TR: &str = "40010030273";
/// Jane: ACTIVE, card-0001 (infra/local/cards.md).
pub const JANE: (&str, &str, &str, &str) = ("5555555555554444", "12", "30", "123");
pub const JANE_CARD_ID: &str = "card-0001";
pub const JANE_DEVICE: &str = "jane-phone-1";
/// Alex, the Visa debit card, card-0011.
pub const ALEX_PAN: &str = "4111111111111111";
pub const ALEX_DEVICE: &str = "alex-phone-1";

pub struct Flow {
    pub platform: RunningPlatform,
    pub http: reqwest::Client,
    mdes_spki: Vec<u8>,
    vts_key: (String, Vec<u8>),
}

pub fn spki(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

pub fn mdes_time(at: OffsetDateTime) -> String {
    let f =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.to_offset(time::UtcOffset::UTC).format(f).unwrap()
}

pub fn tur(n: u32) -> String {
    format!("DWSPMC00000000000000000000000000000000000{n:07}")
}

pub fn visa_ref(n: u32) -> String {
    format!("DNITHE{n:018}")
}

/// The platform, `parameters` replacing the template's defaults.
pub async fn start(parameters: &[(&str, &str)]) -> Flow {
    start_with("il", parameters, None).await
}

/// The platform, its physical names under `prefix` (made unique), its SQS
/// pollers receiving with `visibility_timeout` instead of each queue's own
/// when given (a failed message comes back after it, not the template's).
pub async fn start_with(
    prefix: &str,
    parameters: &[(&str, &str)],
    visibility_timeout: Option<Duration>,
) -> Flow {
    let root = workspace_root();
    let platform = seed::standard_with(
        LocalPlatform::new(PlatformOptions {
            template_path: root.join("template.yaml"),
            port: 0,
            prefix: format!(
                "{prefix}{}-",
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            ),
            emulator: EmulatorSource::default(),
            parameters: parameters
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            visibility_timeout_override: visibility_timeout,
            ..PlatformOptions::default()
        }),
        CardBook::load(root.join("infra/local/cards.json")).unwrap(),
        MdesKeySource::Import(root.join("events/test-keys/mdes-test-private-key.pem")),
        VtsKeySource::Import(root.join("events/test-keys/vts-test-private-key.pem")),
    )
    .start()
    .await
    .unwrap();
    let mdes_pem =
        std::fs::read_to_string(root.join("events/test-keys/mdes-test-public-key.pem")).unwrap();
    let r = reqwest::get(format!("{}/_local/keys/vts-public.pem", platform.base_url))
        .await
        .unwrap();
    let kid = r.headers()["x-key-id"].to_str().unwrap().to_owned();
    let vts_pem = r.text().await.unwrap();
    Flow {
        platform,
        http: reqwest::Client::new(),
        mdes_spki: spki(&mdes_pem),
        vts_key: (kid, spki(&vts_pem)),
    }
}

/// An answer of the TMP API: status, content type, JSON body.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

impl Flow {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.platform.base_url)
    }

    /// An access token from the local issuer, for `scope` (both when `None`).
    pub async fn access_token(&self, scope: Option<&str>) -> String {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", "issuer-backoffice"),
            ("client_secret", "local-backoffice-secret"),
        ];
        if let Some(scope) = scope {
            form.push(("scope", scope));
        }
        let r = self
            .http
            .post(self.url("/_local/auth/token"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["token_type"], "Bearer");
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        idempotency_key: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let r = request.send().await.unwrap();
        let status = r.status().as_u16();
        let content_type = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            content_type,
            body,
        }
    }

    pub async fn act(
        &self,
        token: &str,
        token_id: &str,
        action: &str,
        key: &str,
        body: Value,
    ) -> Answer {
        self.api(
            reqwest::Method::POST,
            &format!("/api/v1/tokens/{token_id}/{action}"),
            Some(token),
            Some(key),
            Some(&body),
        )
        .await
    }

    pub async fn get_token(&self, token: &str, token_id: &str) -> Answer {
        self.api(
            reqwest::Method::GET,
            &format!("/api/v1/tokens/{token_id}"),
            Some(token),
            None,
            None,
        )
        .await
    }

    pub async fn search(&self, token: &str, body: Value) -> Answer {
        self.api(
            reqwest::Method::POST,
            "/api/v1/tokens/search",
            Some(token),
            None,
            Some(&body),
        )
        .await
    }

    pub async fn mdes(&self, operation: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(&format!("/mdes/{operation}")))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    pub fn mdes_card(&self, token: Option<&str>) -> Value {
        let (pan, mm, yy, cvc) = JANE;
        let mut data = json!({
            "cardAccountData": {"accountNumber": pan, "expiryMonth": mm, "expiryYear": yy, "securityCode": cvc},
            "dataValidUntilTimestamp": mdes_time(OffsetDateTime::now_utc() + time::Duration::minutes(30)),
        });
        if let Some(token) = token {
            data["tokenData"] = json!({"token": token, "expiryMonth": "12", "expiryYear": "29"});
        }
        let encrypted = mdes_fle::encrypt(
            &self.mdes_spki,
            data.to_string().as_bytes(),
            Some(OaepHash::Sha512),
            AesKeySize::Aes128,
        )
        .unwrap();
        serde_json::to_value(encrypted).unwrap()
    }

    /// A Mastercard token for Jane on her phone, as MDES provisions it:
    /// authorized (green), then activated unless `activate` is false; MDES's
    /// vault (the simulator) holds it in the same state.
    pub async fn provision_mdes(&self, tur: &str, activate: bool) {
        self.provision_mdes_on(tur, activate, JANE_DEVICE).await;
    }

    /// The same on `device` (its `paymentAppInstanceId`).
    pub async fn provision_mdes_on(&self, tur: &str, activate: bool, device: &str) {
        let corr = format!("C{}", &tur[tur.len() - 12..]);
        let (status, answer) = self
            .mdes(
                "authorizeService",
                &json!({
                    "requestId": format!("as-{tur}"), "services": ["DIGITIZATION"], "correlationId": corr,
                    "tokenType": "CLOUD", "tokenRequestorId": MDES_TR, "walletId": "103",
                    "paymentAppInstanceId": device,
                    "fundingAccountInfo": {"tokenUniqueReference": tur, "encryptedPayload": self.mdes_card(None)},
                    "walletProviderDecisioningInfo": {"recommendedDecision": "APPROVED", "deviceScore": "5", "accountScore": "5"},
                }),
            )
            .await;
        assert_eq!(
            (status, &answer["decision"]),
            (200, &json!("APPROVED")),
            "{answer}"
        );
        if activate {
            let at = mdes_time(OffsetDateTime::now_utc());
            let (status, answer) = self
                .mdes(
                    "notifyServiceActivated",
                    &json!({
                        "requestId": format!("nsa-{tur}"), "services": ["DIGITIZATION"], "correlationId": corr,
                        "tokenRequestorId": MDES_TR, "walletId": "103", "tokenType": "CLOUD",
                        "accountPanSuffix": "4444", "serviceRequestDateTime": at, "tokenActivatedDateTime": at,
                        "decision": "APPROVED", "decisionMadeBy": "AUTHORIZATION_REQUEST", "consumerLanguage": "en",
                        "fundingAccountInfo": {"tokenUniqueReference": tur, "encryptedPayload": self.mdes_card(Some("5454545454545454"))},
                    }),
                )
                .await;
            assert_eq!(status, 200, "{answer}");
        }
        self.simulator(
            "/_local/mdes/tokens",
            &json!({"tokenUniqueReference": tur, "status": if activate { "ACTIVE" } else { "INACTIVE" },
                    "accountPanSuffix": "4444", "tokenRequestorId": MDES_TR}),
        )
        .await;
    }

    pub fn seal(&self, content: &Value) -> String {
        jwe::encrypt_as_vts(
            &self.vts_key.1,
            &self.vts_key.0,
            content.to_string().as_bytes(),
        )
        .unwrap()
    }

    /// A Visa token for Alex on his phone, as VTS provisions it: approved,
    /// then ACTIVE.
    pub async fn provision_visa(&self, reference: &str) {
        self.provision_visa_on(reference, ALEX_DEVICE).await;
    }

    /// The same on `device` (its `deviceID`).
    pub async fn provision_visa_on(&self, reference: &str, device: &str) {
        let provisioning = json!({
            "cardholderInfo": {
                "primaryAccountNumber": ALEX_PAN, "cvv2": "123", "name": "Alex Example",
                "expirationDate": {"month": "12", "year": "2029"},
                "billingAddress": {"line1": "1 Main St", "city": "London", "postalCode": "EC1A 1BB", "country": "GB"}
            },
            "riskInformation": {"walletProviderRiskAssessment": "0", "walletProviderAccountScore": "5",
                "walletProviderDeviceScore": "5", "visaTokenScore": "12", "visaTokenDecisioning": "00"}
        });
        let base = format!("/vts/v1/tokenRequestors/{VISA_TR}/tokens/{reference}");
        let r = self
            .http
            .post(self.url(&format!("{base}/approveProvisioning")))
            .json(&json!({
                "tokenInfo": {"tokenType": "SECURE_ELEMENT"},
                "deviceInfo": {"deviceID": device},
                "walletProviderMsgTracing": {"tokenRequestorID": VISA_TR, "wpRequestId": format!("wp-{reference}")},
                "encryptedData": self.seal(&provisioning),
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let visa_now = mdes_time(OffsetDateTime::now_utc() - time::Duration::seconds(1));
        let r = self
            .http
            .post(self.url(&format!(
                "{base}/tokenChanged?eventType=TOKEN_STATUS_UPDATED&eventID=ev-{reference}"
            )))
            .json(&json!({
                "messageReasonCode": "3703",
                "dateTimeOfEvent": visa_now,
                "encryptedData": self.seal(&json!({"tokenInfo": {
                    "token": "4895370012003478", "tokenType": "SECURE_ELEMENT", "tokenStatus": "ACTIVE",
                    "tokenExpirationDate": {"month": "03", "year": "2030"}}}))
            }))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert_eq!(status, 200, "{}", r.text().await.unwrap());
        self.simulator(
            "/_local/vts/tokens",
            &json!({"tokenReferenceID": reference, "tokenRequestorID": VISA_TR, "status": "ACTIVE"}),
        )
        .await;
    }

    pub async fn simulator(&self, path: &str, body: &Value) -> Value {
        let r = self
            .http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert!((200..300).contains(&status), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A control call of the simulator (204, no body).
    pub async fn simulator_control(&self, path: &str, body: &Value) {
        let r = self
            .http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }

    pub async fn simulator_get(&self, path: &str) -> Value {
        reqwest::get(self.url(path))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The lifecycle calls the simulator received at `network`, as `(path, body)`.
    pub async fn network_calls(&self, network: &str, containing: &str) -> Vec<Value> {
        let calls = self
            .simulator_get(&format!("/_local/{network}/calls"))
            .await;
        calls
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["url"].as_str().is_some_and(|u| u.contains(containing)))
            .cloned()
            .collect()
    }

    /// Polls GET /tokens/{id} until `done` holds (bounded).
    pub async fn wait_for_token(
        &self,
        token: &str,
        token_id: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let answer = self.get_token(token, token_id).await;
            if answer.status == 200 && done(&answer.body) {
                return answer.body;
            }
            assert!(
                Instant::now() < deadline,
                "token never settled: {}",
                answer.body
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every AWS call was within its function's policy, then stop.
    pub async fn finish(self) {
        for u in self.platform.iam_usage() {
            assert!(
                u.denied.is_empty(),
                "{} was denied {:?}",
                u.name,
                u.denied_on
            );
        }
        self.platform.shutdown().await;
    }
}

/// The answers match the contract's schemas (response bodies by name).
pub fn assert_contract(cases: &[(&str, Value)]) {
    let errors = tmp_testkit::python::openapi_schema_errors(
        &workspace_root().join("api/tmp-api.openapi.yaml"),
        cases,
    )
    .unwrap();
    for ((schema, body), errors) in cases.iter().zip(errors) {
        assert!(errors.is_empty(), "{schema}: {errors:?}\n{body:#}");
    }
}

pub fn action(reason: &str) -> Value {
    json!({"reasonCode": reason, "comment": "Cardholder called", "operator": "agent.17"})
}

/// Every item of the token state table (to prove what is never stored).
pub async fn table_items(flow: &Flow) -> Vec<String> {
    let dynamodb = aws_sdk_dynamodb::Client::new(&flow.platform.sdk);
    let table = flow
        .platform
        .deployment
        .reference("TokenStateTable")
        .unwrap()
        .to_owned();
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = dynamodb
            .scan()
            .table_name(&table)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        items.extend(
            page.items
                .unwrap_or_default()
                .iter()
                .map(|i| format!("{i:?}")),
        );
        start = page.last_evaluated_key;
        if start.is_none() {
            return items;
        }
    }
}

/// The funnel as the token table's decisions say it should be: per
/// `day,network,tokenRequestorId`, `[requests, green, yellow, orange, red]`.
pub async fn funnel_from_the_store(flow: &Flow) -> std::collections::BTreeMap<String, [u64; 5]> {
    let dynamodb = aws_sdk_dynamodb::Client::new(&flow.platform.sdk);
    let table = flow
        .platform
        .deployment
        .reference("TokenStateTable")
        .unwrap()
        .to_owned();
    let items = dynamodb
        .scan()
        .table_name(&table)
        .filter_expression("begins_with(sk, :d)")
        .expression_attribute_values(
            ":d",
            aws_sdk_dynamodb::types::AttributeValue::S("DECISION#".into()),
        )
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default();
    let text =
        |item: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
         name: &str| {
            item.get(name)
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default()
        };
    let mut funnel = std::collections::BTreeMap::new();
    for item in &items {
        let network = match text(item, "network").as_str() {
            "MDES" => "MASTERCARD",
            other => other,
        }
        .to_owned();
        let key = format!(
            "{},{network},{}",
            &text(item, "created_at")[..10],
            text(item, "token_requestor_id")
        );
        let row: &mut [u64; 5] = funnel.entry(key).or_default();
        row[0] += 1;
        let path = ["green", "yellow", "orange", "red"]
            .iter()
            .position(|p| *p == text(item, "path"))
            .unwrap();
        row[path + 1] += 1;
    }
    funnel
}

/// A funnel CSV's rows as [`funnel_from_the_store`] keys them (after its header line).
pub fn funnel_from_csv(csv: &str) -> std::collections::BTreeMap<String, [u64; 5]> {
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0]
            .starts_with("day,network,tokenRequestorId,wallet,requests,green,yellow,orange,red,"),
        "{csv}"
    );
    lines[1..]
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let n = |i: usize| f[i].parse::<u64>().unwrap();
            (
                format!("{},{},{}", f[0], f[1], f[2]),
                [n(4), n(5), n(6), n(7), n(8)],
            )
        })
        .collect()
}
