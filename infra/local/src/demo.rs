//! Demo tokens for `make run`, so that the admin panel has something to
//! show: created as the networks create them, through the platform's own
//! TSP API (MDES authorizeService and notifyServiceActivated with card data
//! encrypted for the platform's MDES key; VTS approveProvisioning and
//! tokenChanged with a JWE for its VTS key), then registered at the TSP
//! simulators in the same state. Each path of the decision is there:
//! approved and active (green), extra verification (yellow), declined (red),
//! on both networks. Off with `TMP_DEMO_TOKENS=0`.

use base64::Engine as _;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;
use tmp_mdes::fle::{self, AesKeySize, OaepHash};
use tmp_vts::jwe;

/// One demo token: its reference, card and the decision it should get.
struct Demo {
    reference: &'static str,
    pan: &'static str,
    expiry: (&'static str, &'static str),
    device: &'static str,
    device_score: &'static str,
    /// `None`: the network should decline it, nothing is activated.
    activate: Option<bool>,
}

const MDES_TR: &str = "50110030273";
const VISA_TR: &str = "40010030273";

const MDES_DEMOS: [Demo; 4] = [
    Demo {
        reference: "DWSPMC000000000000000000000000000000000000000001",
        pan: "5555555555554444",
        expiry: ("12", "30"),
        device: "jane-phone-1",
        device_score: "5",
        activate: Some(true),
    },
    Demo {
        reference: "DWSPMC000000000000000000000000000000000000000002",
        pan: "5555555555554444",
        expiry: ("12", "30"),
        device: "jane-watch-1",
        device_score: "5",
        activate: Some(true),
    },
    // Yellow: the wallet's device score asks for extra verification.
    Demo {
        reference: "DWSPMC000000000000000000000000000000000000000003",
        pan: "5105105105105100",
        expiry: ("06", "29"),
        device: "sam-phone-1",
        device_score: "2",
        activate: Some(false),
    },
    // Red: the card is reported lost.
    Demo {
        reference: "DWSPMC000000000000000000000000000000000000000004",
        pan: "5577000055770004",
        expiry: ("02", "30"),
        device: "lost-phone-1",
        device_score: "5",
        activate: None,
    },
];

const VISA_DEMOS: [Demo; 2] = [
    Demo {
        reference: "DNITHE000000000000000001",
        pan: "4111111111111111",
        expiry: ("12", "2029"),
        device: "alex-phone-1",
        device_score: "5",
        activate: Some(true),
    },
    // Red: the card is reported lost.
    Demo {
        reference: "DNITHE000000000000000002",
        pan: "4000000000000002",
        expiry: ("12", "2029"),
        device: "lost-visa-phone-1",
        device_score: "5",
        activate: None,
    },
];

fn mdes_time(at: OffsetDateTime) -> String {
    let f =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.to_offset(time::UtcOffset::UTC)
        .format(f)
        .unwrap_or_default()
}

/// The last `n` characters of an ASCII reference or PAN.
fn tail(value: &str, n: usize) -> &str {
    value.get(value.len().saturating_sub(n)..).unwrap_or(value)
}

fn spki(pem: &str) -> Result<Vec<u8>, String> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|_| "a public key is not PEM".to_owned())
}

struct Seeder {
    http: reqwest::Client,
    base: String,
    mdes_spki: Vec<u8>,
    vts_kid: String,
    vts_spki: Vec<u8>,
}

impl Seeder {
    async fn post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!("{path}: HTTP {status}"));
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn mdes_card(&self, demo: &Demo, token: Option<&str>) -> Result<Value, String> {
        let cvc = match demo.pan {
            "5555555555554444" => "123",
            "5105105105105100" => "456",
            _ => "222",
        };
        let mut data = json!({
            "cardAccountData": {"accountNumber": demo.pan, "expiryMonth": demo.expiry.0,
                                "expiryYear": demo.expiry.1, "securityCode": cvc},
            "dataValidUntilTimestamp": mdes_time(OffsetDateTime::now_utc() + time::Duration::minutes(30)),
        });
        if let (Some(token), Some(fields)) = (token, data.as_object_mut()) {
            fields.insert(
                "tokenData".to_owned(),
                json!({"token": token, "expiryMonth": "12", "expiryYear": "29"}),
            );
        }
        let encrypted = fle::encrypt(
            &self.mdes_spki,
            data.to_string().as_bytes(),
            Some(OaepHash::Sha512),
            AesKeySize::Aes128,
        )
        .map_err(|_| "encrypting the demo card failed".to_owned())?;
        serde_json::to_value(encrypted).map_err(|e| e.to_string())
    }

    async fn mdes(&self, demo: &Demo) -> Result<String, String> {
        let tur = demo.reference;
        let corr = format!("C{}", tail(tur, 12));
        let answer = self
            .post(
                "/mdes/authorizeService",
                &json!({
                    "requestId": format!("demo-as-{tur}"), "services": ["DIGITIZATION"], "correlationId": corr,
                    "tokenType": "CLOUD", "tokenRequestorId": MDES_TR, "walletId": "103",
                    "paymentAppInstanceId": demo.device,
                    "deviceInfo": {"deviceName": "Demo device", "formFactor": "PHONE", "osName": "ANDROID", "osVersion": "15"},
                    "fundingAccountInfo": {"tokenUniqueReference": tur, "encryptedPayload": self.mdes_card(demo, None)?},
                    "walletProviderDecisioningInfo": {"recommendedDecision": "APPROVED",
                        "deviceScore": demo.device_score, "accountScore": "5"},
                }),
            )
            .await?;
        let decision = answer
            .get("decision")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned();
        if demo.activate == Some(true) {
            let at = mdes_time(OffsetDateTime::now_utc());
            self.post(
                "/mdes/notifyServiceActivated",
                &json!({
                    "requestId": format!("demo-nsa-{tur}"), "services": ["DIGITIZATION"], "correlationId": corr,
                    "tokenRequestorId": MDES_TR, "walletId": "103", "tokenType": "CLOUD",
                    "accountPanSuffix": tail(demo.pan, 4), "serviceRequestDateTime": at,
                    "tokenActivatedDateTime": at, "decision": "APPROVED",
                    "decisionMadeBy": "AUTHORIZATION_REQUEST", "consumerLanguage": "en",
                    "fundingAccountInfo": {"tokenUniqueReference": tur,
                        "encryptedPayload": self.mdes_card(demo, Some("5454545454545454"))?},
                }),
            )
            .await?;
        }
        if demo.activate.is_some() {
            let status = if demo.activate == Some(true) {
                "ACTIVE"
            } else {
                "INACTIVE"
            };
            self.post(
                "/_local/mdes/tokens",
                &json!({"tokenUniqueReference": tur, "status": status,
                        "accountPanSuffix": tail(demo.pan, 4), "tokenRequestorId": MDES_TR}),
            )
            .await?;
        }
        Ok(decision)
    }

    async fn visa(&self, demo: &Demo) -> Result<String, String> {
        let reference = demo.reference;
        let seal = |content: &Value| {
            jwe::encrypt_as_vts(
                &self.vts_spki,
                &self.vts_kid,
                content.to_string().as_bytes(),
            )
            .map_err(|_| "encrypting the demo card failed".to_owned())
        };
        let provisioning = json!({
            "cardholderInfo": {
                "primaryAccountNumber": demo.pan, "cvv2": "123", "name": "Demo Cardholder",
                "expirationDate": {"month": demo.expiry.0, "year": demo.expiry.1},
                "billingAddress": {"line1": "1 Main St", "city": "London", "postalCode": "EC1A 1BB", "country": "GB"}
            },
            "riskInformation": {"walletProviderRiskAssessment": "0", "walletProviderAccountScore": "5",
                "walletProviderDeviceScore": demo.device_score, "visaTokenScore": "12", "visaTokenDecisioning": "00"}
        });
        let base = format!("/vts/v1/tokenRequestors/{VISA_TR}/tokens/{reference}");
        let answer = self
            .post(
                &format!("{base}/approveProvisioning"),
                &json!({
                    "tokenInfo": {"tokenType": "SECURE_ELEMENT"},
                    "deviceInfo": {"deviceID": demo.device, "deviceType": "MOBILE_PHONE", "osType": "ANDROID"},
                    "walletProviderMsgTracing": {"tokenRequestorID": VISA_TR, "wpRequestId": format!("demo-{reference}")},
                    "encryptedData": seal(&provisioning)?,
                }),
            )
            .await?;
        let decision = answer
            .get("actionCode")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned();
        if demo.activate == Some(true) {
            let at = mdes_time(OffsetDateTime::now_utc() - time::Duration::seconds(1));
            self.post(
                &format!("{base}/tokenChanged?eventType=TOKEN_STATUS_UPDATED&eventID=demo-{reference}"),
                &json!({
                    "messageReasonCode": "3703",
                    "dateTimeOfEvent": at,
                    "encryptedData": seal(&json!({"tokenInfo": {
                        "token": "4895370012003478", "tokenType": "SECURE_ELEMENT", "tokenStatus": "ACTIVE",
                        "tokenExpirationDate": {"month": "03", "year": "2030"}}}))?
                }),
            )
            .await?;
            self.post(
                "/_local/vts/tokens",
                &json!({"tokenReferenceID": reference, "tokenRequestorID": VISA_TR, "status": "ACTIVE",
                        "lastFourOfPAN": tail(demo.pan, 4)}),
            )
            .await?;
        }
        Ok(decision)
    }
}

/// Creates the demo tokens on the platform at `base`; one line per token.
pub async fn seed(base: &str) -> Result<Vec<String>, String> {
    let http = reqwest::Client::new();
    let get = |path: &str| {
        let http = http.clone();
        let url = format!("{base}{path}");
        async move {
            let r = http.get(url).send().await.map_err(|e| e.to_string())?;
            let kid = r
                .headers()
                .get("x-key-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            Ok::<_, String>((kid, r.text().await.map_err(|e| e.to_string())?))
        }
    };
    let (_, mdes_pem) = get("/_local/keys/mdes-public.pem").await?;
    let (vts_kid, vts_pem) = get("/_local/keys/vts-public.pem").await?;
    let seeder = Seeder {
        http: http.clone(),
        base: base.to_owned(),
        mdes_spki: spki(&mdes_pem)?,
        vts_kid: vts_kid.ok_or("the VTS key has no id")?,
        vts_spki: spki(&vts_pem)?,
    };
    let mut lines = Vec::new();
    for demo in &MDES_DEMOS {
        let decision = seeder.mdes(demo).await?;
        lines.push(format!(
            "MDES {} card ****{}: {decision}",
            demo.reference,
            tail(demo.pan, 4)
        ));
    }
    for demo in &VISA_DEMOS {
        let action = seeder.visa(demo).await?;
        lines.push(format!(
            "VISA {} card ****{}: actionCode {action}",
            demo.reference,
            tail(demo.pan, 4)
        ));
    }
    Ok(lines)
}
