//! Handler-test support: the testkit's in-memory composition root with the
//! Visa cards of the samples and a fixed clock, every handler of the family
//! built on its use cases, the TEST-ONLY VTS key (`events/test-keys/`) the
//! payloads are encrypted for, API Gateway proxy events as the Lambda
//! runtime hands them over, and the checks every VTS handler must pass.

use std::collections::HashMap;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use tmp_core::domain::card::{CardStatus, CvcResult, VerifiedCard};
use tmp_core::domain::policy::DecisionPolicy;
use tmp_core::ports::RequestKey;
use tmp_core::secret::Secret;
use tmp_runtime::lambda::HttpHandler;
use tmp_testkit::memory::{CardBook, FixedClock};
use tmp_testkit::world::World;
use tmp_vts::check_eligibility::{CardArtData, CardMetadataCatalog, CardMetadataInfo};
use tmp_vts::jwe::{self, VtsKeyRing, VtsPrivateKey};

use crate::approve_provisioning::ApproveProvisioningOperation;
use crate::check_eligibility::CheckEligibilityOperation;
use crate::get_cardholder_verification_methods::GetCardholderVerificationMethodsOperation;
use crate::send_passcode::SendPasscodeOperation;
use crate::token_changed::TokenChangedOperation;

/// The fixture's clock: when the sample flow happens (the passcode of the
/// samples expires at 10:30).
pub const NOW: OffsetDateTime = datetime!(2026-12-01 10:00 UTC);
/// `OTPCodeExp` of the samples' passcode.
pub const OTP_EXPIRY: &str = "2026-12-01T10:30:00.000Z";
/// `dateTimeOfEvent` of the samples' notices (before [`NOW`]).
pub const EVENT_TIME: &str = "2026-12-01T09:59:30.000Z";

pub const TOKEN_REQUESTOR: &str = "40010030273";
/// The token of the step-up path, which the later operations' samples use.
pub const YELLOW_TOKEN: &str = "DNITHE000000000000000002";
pub const GREEN_TOKEN: &str = "DNITHE000000000000000001";
/// A token no sample mentions.
pub const OTHER_TOKEN: &str = "DNITHE000000000000000099";
/// A Visa token number (network test range), as VTS sends it encrypted.
pub const TOKEN_NUMBER: &str = "4895370012003478";
/// `customer_service` of the fixture's issuer (as tmp-local's).
pub const CALL_CENTRE: &str = "+44 20 7946 0999";
/// The samples' passcode.
pub const OTP_CODE: &str = "482913";

/// Visa cards of `infra/local/cards.json` (see `cards.md`) the samples use.
pub const VISA_PAN: &str = "4111111111111111";
pub const VISA_EXPIRY: (&str, &str) = ("12", "2029");
pub const VISA_CVV2: &str = "123";
pub const LOST_PAN: &str = "4000000000000002";
/// Its CVV2 is 123: the samples send [`WRONG_CVV2`].
pub const CVV2_MISMATCH_PAN: &str = "4012888888881881";
pub const WRONG_CVV2: &str = "999";
pub const NO_CONTACT_PAN: &str = "4217651111111119";
pub const NO_CONTACT_EXPIRY: (&str, &str) = ("07", "2031");
/// A card the issuer does not know.
pub const UNKNOWN_PAN: &str = "4012000033330026";
/// Mastercard's Jane (same card book as MDES's samples).
pub const MASTERCARD_PAN: &str = "5555555555554444";

pub const CHECK: &str = "vts-check-eligibility";
pub const APPROVE: &str = "vts-approve-provisioning";
pub const METHODS: &str = "vts-get-cardholder-verification-methods";
pub const PASSCODE: &str = "vts-send-passcode";
pub const CHANGED: &str = "vts-token-changed";
pub const FUNCTIONS: [&str; 5] = [CHECK, APPROVE, METHODS, PASSCODE, CHANGED];

fn secret(value: &str) -> Option<Secret<String>> {
    Some(Secret::new(value.to_owned()))
}

/// `card-0011`: active, CVV2 and expiry right, phone and e-mail on file.
pub fn visa_card() -> VerifiedCard {
    VerifiedCard {
        card_id: "card-0011".to_owned(),
        status: CardStatus::Active,
        cvc_result: CvcResult::Match,
        expiry_match: true,
        phone_number: secret("+447700900222"),
        email: secret("alex.visa@example.com"),
        product_category: "CONSUMER_DEBIT".to_owned(),
    }
}

/// `card-0012`: reported lost.
pub fn lost_card() -> VerifiedCard {
    VerifiedCard {
        card_id: "card-0012".to_owned(),
        status: CardStatus::Lost,
        phone_number: secret("+447700900333"),
        email: secret("lost.visa@example.com"),
        ..visa_card()
    }
}

/// `card-0013`: active, but the samples' CVV2 is not its own.
pub fn cvv2_mismatch_card() -> VerifiedCard {
    VerifiedCard {
        card_id: "card-0013".to_owned(),
        cvc_result: CvcResult::Mismatch,
        phone_number: secret("+447700900444"),
        email: secret("chris.lee@example.com"),
        product_category: "CONSUMER_CREDIT".to_owned(),
        ..visa_card()
    }
}

/// `card-0014`: active, no contact details (the call centre only).
pub fn no_contact_card() -> VerifiedCard {
    VerifiedCard {
        card_id: "card-0014".to_owned(),
        phone_number: None,
        email: None,
        ..visa_card()
    }
}

/// Mastercard's Jane, for the cross-network checks.
pub fn mastercard_card() -> VerifiedCard {
    VerifiedCard {
        card_id: "card-0001".to_owned(),
        phone_number: secret("+447700900123"),
        email: secret("jane.doe@example.com"),
        product_category: "CONSUMER_CREDIT".to_owned(),
        ..visa_card()
    }
}

/// How a wallet shows a product (as the template's `VtsCardMetadata`
/// default has it).
fn metadata(description: &str, background: &str, label: &str, art: &str) -> CardMetadataInfo {
    CardMetadataInfo {
        card_issuer: "Example Bank".into(),
        foreground_color: "FFFFFF".into(),
        background_color: background.into(),
        label_color: label.into(),
        short_description: format!("Example Visa {description}"),
        long_description: Some(format!("Example Bank Visa {description} card")),
        profile_id: None,
        terms_and_conditions_id: "TC-2026-01".into(),
        privacy_policy_url: "https://bank.example/privacy".into(),
        terms_and_conditions_url: "https://bank.example/terms".into(),
        card_art_data: CardArtData {
            card_art_ref_id: vec![art.into()],
        },
    }
}

pub fn credit_metadata() -> CardMetadataInfo {
    metadata("Credit", "1A1F71", "F7B600", "art-consumer-credit-0001")
}

pub fn debit_metadata() -> CardMetadataInfo {
    metadata("Debit", "00594F", "FFFFFF", "art-consumer-debit-0001")
}

fn workspace_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

/// The TEST-ONLY VTS key (`events/test-keys/`) under the kid tmp-local gives
/// it, read once per test binary.
pub fn test_key() -> &'static VtsPrivateKey {
    static KEY: OnceLock<VtsPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let path = workspace_path("events/test-keys/vts-test-private-key.pem");
        let pem = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let pem = Secret::new(pem);
        let key = VtsPrivateKey::from_pkcs8_pem("pending", &pem).unwrap();
        let kid = tmp_aws::vts_keys::derived_kid(key.public_key_der());
        VtsPrivateKey::from_pkcs8_pem(&kid, &pem).unwrap()
    })
}

pub fn test_key_ring() -> Arc<VtsKeyRing> {
    let key = test_key();
    let pem = key.to_pkcs8_pem().unwrap();
    Arc::new(
        VtsKeyRing::new(vec![
            VtsPrivateKey::from_pkcs8_pem(key.kid(), &pem).unwrap(),
        ])
        .unwrap(),
    )
}

/// `content` as VTS would encrypt it for our test key.
pub fn seal(content: &Value) -> String {
    seal_for_kid(content, test_key().kid())
}

/// `content` encrypted for our test key, but naming another `kid`.
pub fn seal_for_kid(content: &Value, kid: &str) -> String {
    jwe::encrypt_as_vts(
        test_key().public_key_der(),
        kid,
        content.to_string().as_bytes(),
    )
    .unwrap()
}

/// A JWE for our key whose ciphertext was altered in transit.
pub fn tampered(content: &Value) -> String {
    let compact = seal(content);
    let mut parts: Vec<String> = compact.split('.').map(str::to_owned).collect();
    let ciphertext = &mut parts[3];
    let flipped = if ciphertext.starts_with('A') {
        "B"
    } else {
        "A"
    };
    ciphertext.replace_range(..1, flipped);
    parts.join(".")
}

// --- what VTS encrypts ------------------------------------------------------

/// The expiry the samples enter for `pan` (its own).
pub fn expiry_of(pan: &str) -> (&'static str, &'static str) {
    match pan {
        NO_CONTACT_PAN => NO_CONTACT_EXPIRY,
        _ => VISA_EXPIRY,
    }
}

/// `cardholderInfo`: the card as the cardholder entered it.
pub fn cardholder(pan: &str, cvv2: Option<&str>) -> Value {
    let (month, year) = expiry_of(pan);
    let mut info = json!({
        "primaryAccountNumber": pan,
        "name": "Alex Visa",
        "expirationDate": {"month": month, "year": year},
        "billingAddress": {"line1": "1 Main St", "city": "London", "postalCode": "EC1A 1BB", "country": "GB"}
    });
    if let Some(cvv2) = cvv2 {
        info["cvv2"] = json!(cvv2);
    }
    info
}

/// `riskInformation`: the wallet's assessment (`0`, `1`, `2`) and Visa's
/// decisioning (`00`, `85`, `05`).
pub fn risk(wallet: &str, visa: &str) -> Value {
    json!({"walletProviderRiskAssessment": wallet, "walletProviderAccountScore": "5",
           "walletProviderDeviceScore": "5", "visaTokenScore": "12", "visaTokenDecisioning": visa})
}

/// approveProvisioning's and checkEligibility's encrypted content.
pub fn provisioning(pan: &str, cvv2: Option<&str>, risk: Value) -> Value {
    json!({"cardholderInfo": cardholder(pan, cvv2), "riskInformation": risk})
}

/// The trusted wallet and Visa approving.
pub fn trusted() -> Value {
    risk("0", "00")
}

/// Visa asking for cardholder verification.
pub fn step_up() -> Value {
    risk("1", "85")
}

/// tokenChanged's encrypted content: the token and, when given, the card.
pub fn token_content(status: &str, pan: Option<&str>) -> Value {
    let mut content = json!({
        "tokenInfo": {"token": TOKEN_NUMBER, "tokenType": "SECURE_ELEMENT", "tokenStatus": status,
                      "tokenExpirationDate": {"month": "03", "year": "2030"}}
    });
    if let Some(pan) = pan {
        content["cardholderInfo"] = cardholder(pan, None);
    }
    content
}

// --- the clear bodies --------------------------------------------------------

pub fn approve_body(encrypted_data: &str) -> Value {
    json!({
        "tokenInfo": {"tokenType": "SECURE_ELEMENT", "tokenAssuranceLevel": "20"},
        "panReferenceID": "V-PANREF-000001",
        "lifeCycleTraceID": "381234567890123",
        "locale": "en_GB",
        "deviceInfo": {"deviceID": "04A5B1C2D3E4F5", "deviceType": "MOBILE_PHONE",
                       "deviceName": "QWxleCdzIFBob25l", "osType": "ANDROID"},
        "walletProviderMsgTracing": {"tokenRequestorID": TOKEN_REQUESTOR, "wpRequestId": "wp-approve-1"},
        "encryptedData": encrypted_data
    })
}

pub fn check_body(encrypted_data: &str) -> Value {
    json!({
        "tokenRequestorID": TOKEN_REQUESTOR,
        "panReferenceID": "V-PANREF-000001",
        "locale": "en",
        "walletProviderMsgTracing": {"wpRequestId": "wp-check-1"},
        "encryptedData": encrypted_data
    })
}

pub fn methods_body(token_ref: &str) -> Value {
    json!({
        "tokenReferenceID": token_ref,
        "walletProviderMsgTracing": {"tokenRequestorID": TOKEN_REQUESTOR, "wpRequestId": "wp-cvm-1"},
        "otpReason": "01",
        "otpMaxReached": false
    })
}

pub fn passcode_body(token_ref: &str, wp_request_id: &str, identifier: &str) -> Value {
    json!({
        "tokenReferenceID": token_ref,
        "walletProviderMsgTracing": {"tokenRequestorID": TOKEN_REQUESTOR, "wpRequestId": wp_request_id},
        "otpMethodIdentifier": identifier,
        "OTPCode": OTP_CODE,
        "OTPCodeExp": OTP_EXPIRY
    })
}

pub fn changed_body(reason_code: &str, encrypted_data: &str) -> Value {
    json!({
        "messageReason": "Token status updated",
        "messageReasonCode": reason_code,
        "dateTimeOfEvent": EVENT_TIME,
        "panReferenceID": "V-PANREF-000001",
        "deviceInfo": {"deviceID": "04A5B1C2D3E4F5", "deviceName": "QWxleCdzIFBob25l"},
        "encryptedData": encrypted_data
    })
}

// --- proxy events -------------------------------------------------------------

/// The route of `function` (as `template.yaml` declares it).
pub fn resource(function: &str) -> &'static str {
    match function {
        CHECK => "/vts/v1/checkEligibility",
        APPROVE => {
            "/vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/approveProvisioning"
        }
        METHODS => "/vts/v1/getCardholderVerificationMethods",
        PASSCODE => "/vts/v1/sendPasscode",
        CHANGED => {
            "/vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/tokenChanged"
        }
        other => panic!("no VTS function {other}"),
    }
}

/// What one call to `function` carries: the token of its path (the token
/// operations), its query and its body.
#[derive(Debug, Clone, Default)]
pub struct Call {
    pub token_ref: Option<String>,
    pub query: Vec<(String, String)>,
    pub body: String,
}

impl Call {
    pub fn body(body: &Value) -> Self {
        Self {
            body: body.to_string(),
            ..Self::default()
        }
    }

    pub fn token(self, token_ref: &str) -> Self {
        Self {
            token_ref: Some(token_ref.to_owned()),
            ..self
        }
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// An API Gateway (REST) proxy event of `function` carrying `call`.
pub fn proxy_event(function: &str, call: &Call) -> Value {
    let resource = resource(function);
    let (path_parameters, path) = match &call.token_ref {
        Some(token_ref) => (
            json!({"tokenRequestorID": TOKEN_REQUESTOR, "tokenReferenceID": token_ref}),
            resource
                .replace("{tokenRequestorID}", TOKEN_REQUESTOR)
                .replace("{tokenReferenceID}", token_ref),
        ),
        None => (Value::Null, resource.to_owned()),
    };
    let mut multi: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, value) in &call.query {
        multi.entry(name).or_default().push(value);
    }
    let (query, multi_query) = if multi.is_empty() {
        (Value::Null, Value::Null)
    } else {
        let last: HashMap<&str, &str> = multi
            .iter()
            .map(|(name, values)| (*name, *values.last().unwrap()))
            .collect();
        (json!(last), json!(multi))
    };
    json!({
        "resource": resource,
        "path": path,
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json", "Host": "tmp.example.com"},
        "multiValueHeaders": {"Content-Type": ["application/json"], "Host": ["tmp.example.com"]},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_parameters,
        "stageVariables": null,
        "requestContext": {
            "resourcePath": resource, "httpMethod": "POST", "path": format!("/v1{path}"),
            "stage": "v1", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "accountId": "123456789012", "apiId": "tmpvts0001", "protocol": "HTTP/1.1",
            "identity": {"sourceIp": "198.51.100.7", "userAgent": "VTS"},
            "requestTimeEpoch": 1796119200000_u64
        },
        "body": call.body,
        "isBase64Encoded": false
    })
}

pub fn request(event: &Value) -> lambda_http::Request {
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

/// One answer: its status and body bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// 200 with exactly `expected`.
    #[track_caller]
    pub fn assert_ok(&self, expected: &Value) {
        assert_eq!(self.status, 200, "{}", self.text());
        assert_eq!(&self.json(), expected);
    }

    /// tokenChanged's success: 200 and no body at all.
    #[track_caller]
    pub fn assert_empty_ok(&self) {
        assert_eq!((self.status, self.text()), (200, String::new()));
    }

    /// `status` with exactly `expected`.
    #[track_caller]
    pub fn assert_ok_status_and_body(&self, status: u16, expected: &Value) {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(&self.json(), expected);
    }

    /// A refusal with `status` and `code`.
    #[track_caller]
    pub fn assert_refused(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.json()["errorCode"], code, "{}", self.text());
    }
}

pub async fn send(handler: &HttpHandler, request: lambda_http::Request) -> Answer {
    let response = handler(request).await.unwrap();
    Answer {
        status: response.status().as_u16(),
        body: response.body().to_vec(),
    }
}

/// The one answer to every unusable `encryptedData`.
pub fn cryptography_error() -> Value {
    json!({"errorCode": "ISE40010", "errorDescription": "encryptedData could not be decrypted"})
}

/// The ledger key of a VTS message.
pub fn visa_key(operation: &'static str, request_id: &str) -> RequestKey {
    RequestKey {
        origin: tmp_core::domain::Network::Visa.into(),
        operation,
        request_id: request_id.to_owned(),
    }
}

// --- the fixture ---------------------------------------------------------------

/// The testkit's [`World`] as the samples need it (their cards known to the
/// issuer, the clock at [`NOW`], [`CALL_CENTRE`]), the VTS key ring and the
/// card metadata the handlers are built with.
pub struct Fixture {
    pub world: World,
    pub keys: Arc<VtsKeyRing>,
    pub metadata: Arc<CardMetadataCatalog>,
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
    pub fn new() -> Self {
        Self::with_policy(DecisionPolicy::default())
    }

    /// The fixture with `DECISION_RULES` = `policy`.
    pub fn with_policy(policy: DecisionPolicy) -> Self {
        let cards = CardBook::default()
            .with_card(VISA_PAN, visa_card())
            .with_card(LOST_PAN, lost_card())
            .with_card(CVV2_MISMATCH_PAN, cvv2_mismatch_card())
            .with_card(NO_CONTACT_PAN, no_contact_card())
            .with_card(MASTERCARD_PAN, mastercard_card());
        let world = World {
            cards: Arc::new(cards),
            clock: Arc::new(FixedClock::at(NOW)),
            policy,
            ..World::default()
        };
        // Two of the issuer's products; a PREPAID card is eligible but has no
        // metadata here.
        let metadata = CardMetadataCatalog::new(HashMap::from([
            ("CONSUMER_CREDIT".to_owned(), credit_metadata()),
            ("CONSUMER_DEBIT".to_owned(), debit_metadata()),
        ]))
        .unwrap();
        Self {
            world: world.with_call_centre(CALL_CENTRE),
            keys: test_key_ring(),
            metadata: Arc::new(metadata),
        }
    }

    // --- the handlers --------------------------------------------------------

    pub fn handler_for(&self, function: &str) -> HttpHandler {
        match function {
            CHECK => crate::check_eligibility::handler(CheckEligibilityOperation {
                use_case: self.check_eligibility(),
                keys: self.keys.clone(),
                metadata: self.metadata.clone(),
            }),
            APPROVE => crate::approve_provisioning::handler(ApproveProvisioningOperation {
                use_case: self.authorize(),
                keys: self.keys.clone(),
            }),
            METHODS => crate::get_cardholder_verification_methods::handler(
                GetCardholderVerificationMethodsOperation {
                    use_case: self.token_activation_methods(),
                },
            ),
            PASSCODE => crate::send_passcode::handler(SendPasscodeOperation {
                use_case: self.deliver_activation_code(),
            }),
            CHANGED => crate::token_changed::handler(TokenChangedOperation {
                use_case: self.record_token_change(),
                keys: self.keys.clone(),
            }),
            other => panic!("no VTS function {other}"),
        }
    }

    pub async fn call(&self, function: &str, call: &Call) -> Answer {
        send(
            &self.handler_for(function),
            request(&proxy_event(function, call)),
        )
        .await
    }

    pub async fn check(&self, content: &Value) -> Answer {
        self.call(CHECK, &Call::body(&check_body(&seal(content))))
            .await
    }

    pub async fn approve(&self, token_ref: &str, content: &Value) -> Answer {
        self.call(
            APPROVE,
            &Call::body(&approve_body(&seal(content))).token(token_ref),
        )
        .await
    }

    pub async fn methods(&self, token_ref: &str) -> Answer {
        self.call(METHODS, &Call::body(&methods_body(token_ref)))
            .await
    }

    pub async fn send_passcode(
        &self,
        token_ref: &str,
        wp_request_id: &str,
        identifier: &str,
    ) -> Answer {
        self.call(
            PASSCODE,
            &Call::body(&passcode_body(token_ref, wp_request_id, identifier)),
        )
        .await
    }

    /// tokenChanged for `token_ref` with `content` sealed inside.
    pub async fn token_changed(
        &self,
        token_ref: &str,
        event_type: &str,
        event_id: &str,
        content: &Value,
    ) -> Answer {
        self.call(
            CHANGED,
            &changed_call(token_ref, event_type, event_id, &seal(content)),
        )
        .await
    }

    /// The step-up path's approveProvisioning: [`YELLOW_TOKEN`] awaits
    /// the cardholder's verification, the Visa card's contact sealed on it.
    pub async fn approve_yellow(&self) {
        self.approve(
            YELLOW_TOKEN,
            &provisioning(VISA_PAN, Some(VISA_CVV2), step_up()),
        )
        .await
        .assert_ok(&json!({"actionCode": "85", "cvv2ResultsCode": "M"}));
    }

    /// The ledger state of a VTS message.
    pub fn visa_ledger_state(&self, operation: &'static str, request_id: &str) -> Option<String> {
        self.state
            .ledger_entry(&visa_key(operation, request_id))
            .map(|(state, _, _)| state)
    }
}

pub fn changed_call(token_ref: &str, event_type: &str, event_id: &str, jwe: &str) -> Call {
    let reason = if event_type == "TOKEN_CREATED" {
        "3700"
    } else {
        "3701"
    };
    Call::body(&changed_body(reason, jwe))
        .token(token_ref)
        .query("eventType", event_type)
        .query("eventID", event_id)
}

// --- the refusals every VTS handler shares -------------------------------------

/// What must never come back, whatever was sent: the marker, markup, the PAN.
pub const MARKER: &str = "PWNED<script>alert(1)</script>";
const NEVER: [&str; 4] = ["PWNED", "<script", VISA_PAN, "alert"];

/// GIVEN hostile bodies (empty, not JSON, not an object, nested past any
/// limit, the marker as a member name) WHEN sent to `function` THEN each is
/// a 400 with an ISE code, echoing nothing, and nothing changed; AND GIVEN
/// `valid` with each member replaced by a wrong type, the marker or a
/// 20 000-character string THEN never a 5xx, every refusal an ISE code, and
/// never the marker or the PAN in the answer.
pub async fn assert_hostile_bodies(fx: &Fixture, function: &str, valid: &Call) {
    let watched = [YELLOW_TOKEN, GREEN_TOKEN, OTHER_TOKEN];
    let before = fx.snapshot(&watched);
    let garbage: Vec<String> = vec![
        String::new(),
        "not json".into(),
        format!("{{\"x\": \"{MARKER}\""),
        "[]".into(),
        "null".into(),
        format!("\"{MARKER}\""),
        "42".into(),
        "[".repeat(10_000),
        format!("{{\"{MARKER}\": {{\"{MARKER}\": 1}}}}"),
        "{\"a\": 1, \"a\": 2}".into(),
    ];
    for body in &garbage {
        let answer = fx
            .call(
                function,
                &Call {
                    body: body.clone(),
                    ..valid.clone()
                },
            )
            .await;
        assert_eq!(answer.status, 400, "{function}: {}", answer.text());
        assert_no_echo(function, &answer);
    }
    assert_eq!(fx.snapshot(&watched), before, "{function}: nothing changed");

    let valid_body: Value = serde_json::from_str(&valid.body).unwrap();
    for member in valid_body.as_object().unwrap().keys() {
        for replacement in [
            json!(MARKER),
            json!(12345),
            json!(true),
            json!([MARKER]),
            json!({MARKER: MARKER}),
            json!("x".repeat(20_000)),
        ] {
            let mut body = valid_body.clone();
            body[member] = replacement;
            let call = Call {
                body: body.to_string(),
                ..valid.clone()
            };
            let answer = fx.call(function, &call).await;
            assert!(
                matches!(answer.status, 200 | 400 | 404),
                "{function} {member}: {} {}",
                answer.status,
                answer.text()
            );
            assert_no_echo(function, &answer);
        }
    }
}

#[track_caller]
fn assert_no_echo(function: &str, answer: &Answer) {
    let text = answer.text();
    if answer.status != 200 {
        let code = answer.json()["errorCode"].as_str().map(str::to_owned);
        assert!(
            code.as_deref().is_some_and(|c| c.starts_with("ISE4")),
            "{function}: {text}"
        );
    }
    for never in NEVER {
        assert!(!text.contains(never), "{function} echoed {never}: {text}");
    }
}
