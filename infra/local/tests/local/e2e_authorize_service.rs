//! End to end, as MDES sees it: the `tmp-local` binary (what `make run` starts)
//! on a free port, payloads encrypted for the key it publishes, decisions over
//! HTTP, and its whole log output checked for card data afterwards.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use tmp_local::workspace_root;
use tmp_mdes::fle::{self as mdes_fle, AesKeySize, OaepHash};

struct Platform {
    child: Child,
    base_url: String,
    log: Arc<Mutex<String>>,
}

fn collect(
    stream: impl Read + Send + 'static,
    log: Arc<Mutex<String>>,
    ready: Option<std::sync::mpsc::Sender<String>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let (Some(tx), Some(url)) = (&ready, line.strip_prefix("gateway:")) {
                let _ = tx.send(url.trim().to_owned());
            }
            let mut log = log.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
}

/// Starts the binary with debug logging (stricter: more is logged) on a free port.
async fn start() -> Platform {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tmp-local"))
        .arg("run")
        .env("PORT", "0")
        .env(
            "TMP_LOCAL_PREFIX",
            format!("e2e{}-", &uuid::Uuid::new_v4().simple().to_string()[..8]),
        )
        .env("RUST_LOG", "debug")
        .env_remove("TMP_MDES_KEY_PEM")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    collect(child.stdout.take().unwrap(), Arc::clone(&log), Some(tx));
    collect(child.stderr.take().unwrap(), Arc::clone(&log), None);
    let started = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(90)))
        .await
        .unwrap();
    let Ok(base_url) = started else {
        let _ = child.kill();
        panic!("platform did not start:\n{}", log.lock().unwrap())
    };
    // `gateway:` is printed once everything is up; health confirms it.
    let health = format!("{base_url}/_local/health");
    let deadline = Instant::now() + Duration::from_secs(20);
    while reqwest::get(&health)
        .await
        .map(|r| r.status().as_u16())
        .ok()
        != Some(200)
    {
        assert!(Instant::now() < deadline, "health never answered 200");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Platform {
        child,
        base_url,
        log,
    }
}

fn spki_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

struct Card {
    pan: &'static str,
    month: &'static str,
    year: &'static str,
    cvc: Option<&'static str>,
}

const JANE: Card = Card {
    pan: "5555555555554444",
    month: "12",
    year: "30",
    cvc: Some("123"),
};
const NO_CONTACT: Card = Card {
    pan: "5105105105105100",
    month: "06",
    year: "29",
    cvc: Some("456"),
};
const LOST: Card = Card {
    pan: "5577000055770004",
    month: "02",
    year: "30",
    cvc: Some("222"),
};
/// An MDES-generated activation code distinctive enough to search the log for.
const OTP: &str = "73519286";
const COMMERCIAL: Card = Card {
    pan: "2223003122003222",
    month: "11",
    year: "30",
    cvc: Some("654"),
};

struct Mdes {
    http: reqwest::Client,
    url: String,
    spki: Vec<u8>,
}

impl Mdes {
    fn payload(&self, card: &Card, wrap: Option<OaepHash>) -> Value {
        let mut account =
            json!({"accountNumber": card.pan, "expiryMonth": card.month, "expiryYear": card.year});
        if let Some(cvc) = card.cvc {
            account["securityCode"] = json!(cvc);
        }
        let valid_until = (time::OffsetDateTime::now_utc() + time::Duration::minutes(30))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let plaintext = json!({"cardAccountData": account, "dataValidUntilTimestamp": valid_until});
        let encrypted = mdes_fle::encrypt(
            &self.spki,
            plaintext.to_string().as_bytes(),
            wrap,
            AesKeySize::Aes128,
        )
        .unwrap();
        serde_json::to_value(encrypted).unwrap()
    }

    fn request(&self, id: &str, tr: &str, card: &Card, wallet: Value) -> Value {
        json!({
            "requestId": id,
            "services": ["DIGITIZATION"],
            "correlationId": format!("C{}", &id[id.len().saturating_sub(12)..]),
            "tokenType": "CLOUD",
            "tokenRequestorId": tr,
            "walletId": "103",
            "fundingAccountInfo": {
                "tokenUniqueReference": format!("DWSPMC00000000{id}"),
                "panUniqueReference": format!("FWSPMC00000000{id}"),
                "encryptedPayload": self.payload(card, Some(OaepHash::Sha512)),
            },
            "walletProviderDecisioningInfo": wallet,
        })
    }

    async fn post(&self, body: String) -> (u16, Value) {
        let r = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    async fn send(&self, request: &Value) -> (u16, Value) {
        self.post(request.to_string()).await
    }
}

fn trusted() -> Value {
    json!({"recommendedDecision": "APPROVED", "deviceScore": "5", "accountScore": "5"})
}

fn doubtful() -> Value {
    json!({"recommendedDecision": "REQUIRE_ADDITIONAL_AUTHENTICATION", "deviceScore": "3", "accountScore": "4"})
}

fn methods(body: &Value) -> Vec<String> {
    body["activationMethods"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| m["type"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mdes_authorize_service_end_to_end_through_the_local_gateway() {
    // GIVEN the local platform as `make run` starts it, and its published MDES key
    let platform = start().await;
    let pem_response = reqwest::get(format!("{}/_local/keys/mdes-public.pem", platform.base_url))
        .await
        .unwrap();
    assert_eq!(pem_response.status(), 200);
    let fingerprint = pem_response.headers()["x-public-key-fingerprint"]
        .to_str()
        .unwrap()
        .to_owned();
    let pem = pem_response.text().await.unwrap();
    assert_eq!(mdes_fle::spki_fingerprint(&spki_der(&pem)), fingerprint);
    let mdes = Mdes {
        http: reqwest::Client::new(),
        url: format!("{}/mdes/authorizeService", platform.base_url),
        spki: spki_der(&pem),
    };
    const TR: &str = "50110030273";

    // WHEN green: active card, matching data, trusted wallet
    let (status, body) = mdes
        .send(&mdes.request("e2e-green-1", TR, &JANE, trusted()))
        .await;
    // THEN APPROVED, echoing the requestId
    assert_eq!(
        (status, body["decision"].as_str()),
        (200, Some("APPROVED")),
        "{body}"
    );
    assert_eq!(body["responseId"], "e2e-green-1");
    assert_eq!(body["cvcResponse"], "MATCH");
    // AND the legacy PKCS#1 v1.5 key wrap is refused (MdesAcceptPkcs1v15KeyWrap is off)
    // with the one cryptography answer
    let mut pkcs1 = mdes.request("e2e-green-2", "50110030274", &JANE, trusted());
    pkcs1["fundingAccountInfo"]["encryptedPayload"] = mdes.payload(&JANE, None);
    let (status, refused) = mdes.send(&pkcs1).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["errorCode"], "CRYPTOGRAPHY_ERROR");
    assert_eq!(
        refused["errorDescription"],
        "encryptedPayload could not be decrypted"
    );

    // WHEN yellow: the wallet doubts → SMS and e-mail (masked) plus the call centre
    let (status, body) = mdes
        .send(&mdes.request("e2e-yellow-1", TR, &JANE, doubtful()))
        .await;
    assert_eq!(
        (status, body["decision"].as_str()),
        (200, Some("REQUIRE_ADDITIONAL_AUTHENTICATION"))
    );
    assert_eq!(
        methods(&body),
        [
            "TEXT_TO_CARDHOLDER_NUMBER",
            "EMAIL_TO_CARDHOLDER_ADDRESS",
            "CARDHOLDER_TO_CALL_MANNED_NUMBER"
        ]
    );
    assert_eq!(body["activationMethods"][0]["value"], "***-***-0123");

    // WHEN orange: no phone, no e-mail on file → the call centre only
    let (_, body) = mdes
        .send(&mdes.request("e2e-orange-1", TR, &NO_CONTACT, doubtful()))
        .await;
    assert_eq!(body["decision"], "REQUIRE_ADDITIONAL_AUTHENTICATION");
    assert_eq!(methods(&body), ["CARDHOLDER_TO_CALL_MANNED_NUMBER"]);

    // WHEN red: a lost card, a CVC mismatch, a risky device
    assert_eq!(
        mdes.send(&mdes.request("e2e-red-lost", TR, &LOST, trusted()))
            .await
            .1["decision"],
        "DECLINED"
    );
    let wrong_cvc = Card {
        cvc: Some("999"),
        ..JANE
    };
    let (_, body) = mdes
        .send(&mdes.request("e2e-red-cvc", "50110030275", &wrong_cvc, trusted()))
        .await;
    assert_eq!(
        (body["decision"].as_str(), body["cvcResponse"].as_str()),
        (Some("DECLINED"), Some("INVALID"))
    );
    let risky = json!({"deviceScore": "1", "accountScore": "5"});
    assert_eq!(
        mdes.send(&mdes.request("e2e-red-risk", "50110030276", &NO_CONTACT, risky))
            .await
            .1["decision"],
        "DECLINED"
    );

    // WHEN MDES has an activation code delivered to the yellow token's cardholder
    let dac = json!({"requestId": "e2e-dac-1", "tokenUniqueReference": "DWSPMC00000000e2e-yellow-1",
        "correlationId": "Ce2e-yellow-1", "activationMethod": {"type": "TEXT_TO_CARDHOLDER_NUMBER", "value": "***-***-0123"},
        "activationCode": OTP, "expirationDateTime": "2099-01-01T00:00:00.000Z"});
    let r = mdes
        .http
        .post(
            mdes.url
                .replace("authorizeService", "deliverActivationCode"),
        )
        .json(&dac)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // THEN the phone gets it (so the code did pass through queue, consumer and SNS)
    let outbox = format!("{}/_local/outbox", platform.base_url);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let body: Value = reqwest::get(&outbox).await.unwrap().json().await.unwrap();
        if body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["text"].as_str().unwrap_or("").contains(OTP))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the activation code never reached the phone"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let vac = json!({"requestId": "e2e-vac-1", "tokenUniqueReference": "DWSPMC00000000e2e-yellow-1",
        "correlationId": "Ce2e-yellow-1", "activationCode": OTP});
    let r = mdes
        .http
        .post(
            mdes.url
                .replace("authorizeService", "validateActivationCode"),
        )
        .json(&vac)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["result"], "SUCCESS");

    // WHEN malformed JSON, a missing field, bad crypto
    let (status, body) = mdes.post("{\"requestId\":\"e2e-bad-1\",".to_owned()).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (400, Some("INVALID_JSON"))
    );
    let mut missing = mdes.request("e2e-bad-2", TR, &JANE, trusted());
    missing.as_object_mut().unwrap().remove("tokenType");
    let (status, body) = mdes.send(&missing).await;
    assert_eq!(
        (
            status,
            body["errorCode"].as_str(),
            body["responseId"].as_str()
        ),
        (400, Some("MISSING_REQUIRED_FIELD"), Some("e2e-bad-2"))
    );
    let mut tampered = mdes.request("e2e-bad-3", TR, &JANE, trusted());
    let data = tampered["fundingAccountInfo"]["encryptedPayload"]["encryptedData"]
        .as_str()
        .unwrap()
        .to_owned();
    let flipped = format!(
        "{}{}",
        &data[..data.len() - 2],
        if data.ends_with("00") { "11" } else { "00" }
    );
    tampered["fundingAccountInfo"]["encryptedPayload"]["encryptedData"] = json!(flipped);
    let (status, body) = mdes.send(&tampered).await;
    assert_eq!(
        (status, body["errorCode"].as_str()),
        (400, Some("CRYPTOGRAPHY_ERROR")),
        "{body}"
    );

    // WHEN MDES retries a requestId
    let first = mdes.request("e2e-retry-1", "50110030277", &JANE, trusted());
    let (_, answer) = mdes.send(&first).await;
    let (status, again) = mdes.send(&first).await;
    // THEN the same answer
    assert_eq!((status, &again), (200, &answer));

    // WHEN MDES sends one requestId eight times at once (a retry racing the first)
    let duplicate = Arc::new(mdes.request("e2e-dup-1", "50110030278", &JANE, trusted()));
    let http = mdes.http.clone();
    let url = mdes.url.clone();
    let mut racing = Vec::new();
    for _ in 0..8 {
        let (http, url, body) = (http.clone(), url.clone(), Arc::clone(&duplicate));
        racing.push(tokio::spawn(async move {
            let response = http.post(&url).json(&*body).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }));
    }
    let mut answers = Vec::new();
    for task in racing {
        answers.push(task.await.unwrap());
    }
    // THEN every one gets the first answer (the losers replay it), decided once
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, 200, "{:?}", answers[0]);
    let (_, replayed) = mdes.send(&duplicate).await;
    assert_eq!(replayed, answers[0].1);

    // WHEN 20 requests for one card arrive at once across 4 token requestors (5 each: no velocity hit)
    let mut tasks = Vec::new();
    let mdes = Arc::new(mdes);
    for i in 0..20 {
        let mdes = Arc::clone(&mdes);
        tasks.push(tokio::spawn(async move {
            let tr = format!("5011003030{}", i % 4);
            mdes.send(&mdes.request(&format!("e2e-burst-{i:02}"), &tr, &COMMERCIAL, trusted()))
                .await
        }));
    }
    let mut approved = 0;
    let mut declined = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        if status != 200 {
            panic!(
                "{body}\n--- platform log ---\n{}",
                platform.log.lock().unwrap()
            );
        }
        match body["decision"].as_str() {
            Some("APPROVED") => approved += 1,
            Some("DECLINED") => declined += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    // THEN exactly the 10-token limit is granted, never more
    assert_eq!((approved, declined), (10, 10));
    let (_, body) = mdes
        .send(&mdes.request("e2e-burst-after", "50110030399", &COMMERCIAL, trusted()))
        .await;
    assert_eq!(body["decision"], "DECLINED");

    // WHEN the platform is stopped with Ctrl-C
    let mut child = platform.child;
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(200));

    // THEN the whole run logged requests and decisions, and no card data at all
    let log = platform.log.lock().unwrap().clone();
    assert!(
        log.contains("authorizeService decided"),
        "decisions are logged"
    );
    let book: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("infra/local/cards.json")).unwrap(),
    )
    .unwrap();
    for card in &book {
        for field in ["pan", "phoneNumber", "email"] {
            if let Some(secret) = card[field].as_str() {
                assert!(
                    !log.contains(secret),
                    "{field} of card {} leaked into the log",
                    card["cardId"]
                );
            }
        }
    }
    for key in [
        "accountNumber",
        "securityCode",
        "\"cvc\"",
        "encryptedData",
        "BEGIN PRIVATE KEY",
        "client_secret",
    ] {
        assert!(!log.contains(key), "{key} appears in the log");
    }
}
