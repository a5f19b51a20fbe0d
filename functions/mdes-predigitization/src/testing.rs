//! Handler-test support: the testkit's in-memory composition root with the
//! samples' issuer and clock, and every handler of the family built on its
//! use cases; the MDES test key ring that opens the sample events; the sample
//! events themselves; and the refusals every Pre-Digitization handler must pass.

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use tmp_core::domain::card::{CardStatus, CvcResult, VerifiedCard};
use tmp_core::secret::Secret;
use tmp_mdes::MdesError;
use tmp_mdes::fle::{LegacyForms, MdesKeyRing, MdesPrivateKey};
use tmp_runtime::lambda::HttpHandler;
use tmp_testkit::memory::{CardBook, FixedClock};
use tmp_testkit::world::{World, base64_decode};

use crate::authorize_service::AuthorizeService;
use crate::deliver_activation_code::DeliverActivationCodeOperation;
use crate::notify_service_activated::NotifyServiceActivatedOperation;
use crate::notify_suspicious_events::NotifySuspiciousEventsOperation;
use crate::notify_token_updated::NotifyTokenUpdatedOperation;
use crate::request_activation_methods::RequestActivationMethodsOperation;
use crate::validate_activation_code::ValidateActivationCodeOperation;

/// The fixture's clock: when the sample flow happens (MDES's
/// `serviceRequestDateTime`; its activation code expires at 10:30). The samples
/// carry no `dataValidUntilTimestamp` except `crypto-expired-payload`
/// (2025-01-01), which therefore stays expired.
pub const NOW: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);

/// The token of the yellow path, which every later operation's samples use.
pub const YELLOW_TOKEN: &str = "DWSPMC000000000000000000000000000000000000000002";
/// A token no sample mentions.
pub const OTHER_TOKEN: &str = "DWSPMC000000000000000000000000000000000000000099";
/// The token requestor of every sample.
pub const TOKEN_REQUESTOR: &str = "50110030273";
/// `CARDHOLDER_TO_CALL_MANNED_NUMBER` of the fixture's issuer.
pub const CALL_CENTRE: &str = "+44-20-7946-0999";

/// Cards of `infra/local/cards.json` the samples use.
pub const JANE_PAN: &str = "5555555555554444";
pub const NO_CONTACT_PAN: &str = "5105105105105100";
pub const PHONE_ONLY_PAN: &str = "5200828282828210";
pub const LOST_PAN: &str = "5577000055770004";

pub const AUTHORIZE: &str = "mdes-authorize-service";
pub const REQUEST_METHODS: &str = "mdes-request-activation-methods";
pub const DELIVER: &str = "mdes-deliver-activation-code";
pub const VALIDATE: &str = "mdes-validate-activation-code";
pub const ACTIVATED: &str = "mdes-notify-service-activated";
pub const TOKEN_UPDATED: &str = "mdes-notify-token-updated";
pub const SUSPICIOUS: &str = "mdes-notify-suspicious-events";

fn secret(value: &str) -> Option<Secret<String>> {
    Some(Secret::new(value.to_owned()))
}

/// What the issuer says of Jane's card (`card-0001`) for the samples' data:
/// active, CVC2 123 and expiry 12/30 right, phone and e-mail on file.
pub fn jane() -> VerifiedCard {
    VerifiedCard {
        card_id: "card-0001".to_owned(),
        status: CardStatus::Active,
        cvc_result: CvcResult::Match,
        expiry_match: true,
        phone_number: secret("+447700900123"),
        email: secret("jane.doe@example.com"),
        product_category: "CONSUMER_CREDIT".to_owned(),
    }
}

/// `card-0002`: active, CVC2 456 and expiry 06/29 right, no contact details.
pub fn no_contact_card() -> VerifiedCard {
    VerifiedCard {
        card_id: "card-0002".to_owned(),
        status: CardStatus::Active,
        cvc_result: CvcResult::Match,
        expiry_match: true,
        phone_number: None,
        email: None,
        product_category: "CONSUMER_DEBIT".to_owned(),
    }
}

/// `card-0003`: active, expiry 03/31 right (its sample sends no CVC2), phone only.
pub fn phone_only_card() -> VerifiedCard {
    VerifiedCard {
        card_id: "card-0003".to_owned(),
        status: CardStatus::Active,
        cvc_result: CvcResult::NotChecked,
        expiry_match: true,
        phone_number: secret("+447700900456"),
        email: None,
        product_category: "CONSUMER_DEBIT".to_owned(),
    }
}

/// `card-0007`: reported LOST (CVC2 222 and expiry 02/30 right).
pub fn lost_card() -> VerifiedCard {
    VerifiedCard {
        card_id: "card-0007".to_owned(),
        status: CardStatus::Lost,
        cvc_result: CvcResult::Match,
        expiry_match: true,
        phone_number: secret("+447700900321"),
        email: secret("lost@example.com"),
        product_category: "CONSUMER_CREDIT".to_owned(),
    }
}

fn workspace_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

/// The TEST-ONLY MDES key (`events/test-keys/`) the sample payloads are
/// encrypted for.
fn test_key() -> MdesPrivateKey {
    let path = workspace_path("events/test-keys/mdes-test-private-key.pem");
    let pem = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    MdesPrivateKey::from_pkcs8_der(&Secret::new(base64_decode(&body))).unwrap()
}

/// The key ring of the test key, strict as deployed by default (no legacy
/// form accepted), parsed once per test binary.
pub fn test_key_ring() -> Arc<MdesKeyRing> {
    static RING: OnceLock<Arc<MdesKeyRing>> = OnceLock::new();
    RING.get_or_init(|| Arc::new(MdesKeyRing::new(vec![test_key()])))
        .clone()
}

/// The testkit's [`World`] as the samples need it (their cards known to the
/// issuer, the clock at [`NOW`], [`CALL_CENTRE`]), and the MDES key ring the
/// handlers open the samples with.
pub struct Fixture {
    pub world: World,
    pub keys: Arc<MdesKeyRing>,
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
    /// Empty state, the clock at [`NOW`], the issuer knowing the samples' cards.
    pub fn new() -> Self {
        let cards = CardBook::default()
            .with_card(JANE_PAN, jane())
            .with_card(NO_CONTACT_PAN, no_contact_card())
            .with_card(PHONE_ONLY_PAN, phone_only_card())
            .with_card(LOST_PAN, lost_card());
        let world = World {
            cards: Arc::new(cards),
            clock: Arc::new(FixedClock::at(NOW)),
            ..World::default()
        };
        Self {
            world: world.with_call_centre(CALL_CENTRE),
            keys: test_key_ring(),
        }
    }

    /// The same fixture, its key ring accepting the `legacy` forms (as an
    /// issuer whose MDES profile still sends them configures it).
    pub fn accepting(self, legacy: LegacyForms) -> Self {
        Self {
            keys: Arc::new(MdesKeyRing::new(vec![test_key()]).accepting(legacy)),
            ..self
        }
    }

    // --- the handlers --------------------------------------------------------

    pub fn authorize_service_handler(&self) -> HttpHandler {
        crate::authorize_service::handler(AuthorizeService {
            use_case: self.authorize(),
            keys: self.keys.clone(),
        })
    }

    pub fn request_activation_methods_handler(&self) -> HttpHandler {
        crate::request_activation_methods::handler(RequestActivationMethodsOperation {
            use_case: self.request_activation_methods(),
            keys: self.keys.clone(),
        })
    }

    pub fn deliver_activation_code_handler(&self) -> HttpHandler {
        crate::deliver_activation_code::handler(DeliverActivationCodeOperation {
            use_case: self.deliver_activation_code(),
        })
    }

    pub fn validate_activation_code_handler(&self) -> HttpHandler {
        crate::validate_activation_code::handler(ValidateActivationCodeOperation {
            use_case: self.validate_activation_code(),
        })
    }

    pub fn notify_service_activated_handler(&self) -> HttpHandler {
        crate::notify_service_activated::handler(NotifyServiceActivatedOperation {
            use_case: self.notify_activated(),
            keys: self.keys.clone(),
        })
    }

    pub fn notify_token_updated_handler(&self) -> HttpHandler {
        crate::notify_token_updated::handler(NotifyTokenUpdatedOperation {
            use_case: self.update_tokens(),
        })
    }

    pub fn notify_suspicious_events_handler(&self) -> HttpHandler {
        crate::notify_suspicious_events::handler(NotifySuspiciousEventsOperation {
            use_case: self.record_suspicious_activity(),
        })
    }

    /// The handler of the function whose samples are in `events/<function>/`.
    pub fn handler_for(&self, function: &str) -> HttpHandler {
        match function {
            AUTHORIZE => self.authorize_service_handler(),
            REQUEST_METHODS => self.request_activation_methods_handler(),
            DELIVER => self.deliver_activation_code_handler(),
            VALIDATE => self.validate_activation_code_handler(),
            ACTIVATED => self.notify_service_activated_handler(),
            TOKEN_UPDATED => self.notify_token_updated_handler(),
            SUSPICIOUS => self.notify_suspicious_events_handler(),
            other => panic!("no MDES function {other}"),
        }
    }

    // --- running the flow through the handlers ------------------------------

    /// Sends a sample event to its function's handler.
    pub async fn send_sample(&self, function: &str, name: &str) -> (u16, Value) {
        send(&self.handler_for(function), sample_event(function, name)).await
    }

    /// Sends a sample event with `body` in place of its own.
    pub async fn send_body(&self, function: &str, name: &str, body: &Value) -> (u16, Value) {
        send(
            &self.handler_for(function),
            event_with_body(function, name, body),
        )
        .await
    }

    /// Sends a sample event that must be answered 200; returns the body.
    pub async fn expect_ok(&self, function: &str, name: &str) -> Value {
        let (status, body) = self.send_sample(function, name).await;
        assert_eq!(status, 200, "{function}/{name}: {body}");
        body
    }

    /// The yellow path's authorizeService: token [`YELLOW_TOKEN`] awaits
    /// authentication, Jane's contact details sealed on it.
    pub async fn authorize_yellow(&self) {
        let body = self.expect_ok(AUTHORIZE, "yellow-sms-and-email").await;
        assert_eq!(body["decision"], "REQUIRE_ADDITIONAL_AUTHENTICATION");
    }

    /// The yellow path up to notifyServiceActivated: the token is ACTIVE
    /// (activated at 10:02:30); the clock is moved to 10:05, after it.
    pub async fn activate_yellow(&self) {
        self.authorize_yellow().await;
        self.expect_ok(ACTIVATED, "yellow-token-activated").await;
        self.clock.set(datetime!(2026-11-26 10:05 UTC));
    }
}

fn event_path(function: &str, name: &str) -> PathBuf {
    workspace_path("events")
        .join(function)
        .join(format!("{name}.json"))
}

fn sample_json(function: &str, name: &str) -> Value {
    let path = event_path(function, name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// `events/<function>/<name>.json` as the Lambda runtime would hand it over.
pub fn sample_event(function: &str, name: &str) -> lambda_http::Request {
    let path = event_path(function, name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    lambda_http::request::from_str(&text).unwrap()
}

/// The sample event `name` carrying `body` instead of its own.
pub fn event_with_body(function: &str, name: &str, body: &Value) -> lambda_http::Request {
    let mut event = sample_json(function, name);
    event["body"] = Value::String(body.to_string());
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

/// The MDES request body inside a sample event.
pub fn sample_body(function: &str, name: &str) -> Value {
    let event = sample_json(function, name);
    serde_json::from_str(event["body"].as_str().unwrap()).unwrap()
}

/// The `requestId` inside a sample event's body.
pub fn sample_request_id(function: &str, name: &str) -> String {
    sample_body(function, name)["requestId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The authorizeService samples whose payload must be refused, whatever
/// the operation carrying it: each with one and the same CRYPTOGRAPHY_ERROR.
pub const REFUSED_PAYLOADS: [&str; 6] = [
    "error-unknown-key-fingerprint",
    "error-bad-encrypted-key",
    "crypto-pkcs1-key-wrap",
    "crypto-absent-iv",
    "crypto-expired-payload",
    "crypto-invalid-card-field",
];

/// The `fundingAccountInfo.encryptedPayload` of an authorizeService sample.
pub fn sample_payload(name: &str) -> Value {
    sample_body(AUTHORIZE, name)["fundingAccountInfo"]["encryptedPayload"].clone()
}

/// The sample `name` of `function` carrying `payload` as its encrypted payload.
pub fn body_with_payload(function: &str, name: &str, payload: &Value) -> Value {
    let mut body = sample_body(function, name);
    body["fundingAccountInfo"]["encryptedPayload"] = payload.clone();
    body
}

/// The one answer to a refused payload: no reason, no oracle.
pub fn cryptography_error(request_id: &str) -> Value {
    json!({
        "responseId": request_id,
        "errorCode": "CRYPTOGRAPHY_ERROR",
        "errorDescription": "encryptedPayload could not be decrypted",
    })
}

/// The first `tokenUniqueReference` anywhere in the body.
fn token_in(body: &Value) -> Option<String> {
    match body {
        Value::Object(map) => map
            .get("tokenUniqueReference")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| map.values().find_map(token_in)),
        Value::Array(items) => items.iter().find_map(token_in),
        _ => None,
    }
}

/// The token a sample event is about.
pub fn sample_token(function: &str, name: &str) -> String {
    token_in(&sample_body(function, name)).unwrap()
}

/// Points every `tokenUniqueReference` of the body at `token`.
pub fn retarget(body: &mut Value, token: &str) {
    match body {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key == "tokenUniqueReference" {
                    *value = json!(token);
                } else {
                    retarget(value, token);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| retarget(v, token)),
        _ => {}
    }
}

/// Sends one request; returns the status and the JSON body.
pub async fn send(handler: &HttpHandler, request: lambda_http::Request) -> (u16, Value) {
    let response = handler(request).await.unwrap();
    let body: Value = serde_json::from_slice(response.body().as_ref()).unwrap();
    (response.status().as_u16(), body)
}

/// WHEN `event` is sent THEN 200 with exactly `expected` as the body.
pub async fn assert_answers(handler: &HttpHandler, function: &str, event: &str, expected: Value) {
    let (status, body) = send(handler, sample_event(function, event)).await;
    assert_eq!(status, 200, "{event}: {body}");
    assert_eq!(body, expected, "{event}");
}

/// The spec's `ErrorsResponse` for `error`, answering `request_id`.
pub fn errors_response(request_id: &str, error: &MdesError) -> Value {
    json!({
        "responseId": request_id,
        "errorCode": serde_json::to_value(error.code).unwrap(),
        "errorDescription": error.description,
    })
}

/// What a Pre-Digitization function is, for [`assert_refusals`].
pub struct FunctionUnderTest {
    pub make: fn(&Fixture) -> HttpHandler,
    /// The directory under `events/`.
    pub function: &'static str,
    /// A sample event the function accepts (in the fixture given).
    pub valid_event: &'static str,
    /// A sample event lacking `missing_field`.
    pub missing_event: &'static str,
    pub missing_field: &'static str,
    /// The operation's request-ledger name; `None` for an operation that
    /// writes nothing (requestActivationMethods).
    pub operation: Option<&'static str>,
}

/// The refusals every function shares, each answered with the spec's
/// `ErrorsResponse` and leaving no trace: malformed JSON, a missing field,
/// the store down (503, and MDES's retry then runs clean), and a requestId
/// reused for another request. `fixture` is in the state in which the
/// function accepts `valid_event`.
pub async fn assert_refusals(f: FunctionUnderTest, fixture: &Fixture) {
    let handler = (f.make)(fixture);
    let valid_id = sample_request_id(f.function, f.valid_event);
    let missing_id = sample_request_id(f.function, f.missing_event);
    let watched = [
        sample_token(f.function, f.valid_event),
        sample_token(f.function, f.missing_event),
        OTHER_TOKEN.to_owned(),
    ];
    let watched: Vec<&str> = watched.iter().map(String::as_str).collect();
    let before = fixture.snapshot(&watched);
    let ids_before = fixture.ids.issued();

    // GIVEN a body that is not JSON WHEN sent THEN 400 INVALID_JSON with a fresh responseId
    let mut fresh_ids = Vec::new();
    for _ in 0..2 {
        let (status, body) = send(&handler, sample_event(f.function, "error-malformed-json")).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["errorCode"], "INVALID_JSON", "{body}");
        let id = body["responseId"].as_str().unwrap().to_owned();
        assert!(!id.is_empty(), "{body}");
        fresh_ids.push(id);
    }
    assert_ne!(fresh_ids[0], fresh_ids[1], "each refusal gets its own id");

    // GIVEN a body without a required field WHEN sent THEN 400 MISSING_REQUIRED_FIELD naming it
    let (status, body) = send(&handler, sample_event(f.function, f.missing_event)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body,
        errors_response(&missing_id, &MdesError::missing(f.missing_field))
    );
    // AND nothing was written, sent or asked of the issuer
    assert_eq!(fixture.snapshot(&watched), before);
    assert_eq!(fixture.ids.issued(), ids_before, "the use case never ran");
    if let Some(operation) = f.operation {
        assert_eq!(fixture.ledger_entry(operation, &missing_id), None);
    }

    // GIVEN the token state table is down WHEN the valid request is sent THEN 503
    fixture.state.unavailable(true);
    let (status, body) = send(&handler, sample_event(f.function, f.valid_event)).await;
    fixture.state.unavailable(false);
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body,
        json!({
            "responseId": valid_id,
            "errorCode": "INTERNAL_SERVICE_FAILURE",
            "errorDescription": MdesError::internal().description,
        })
    );
    // AND nothing was written, so MDES's retry with the same requestId runs clean
    assert_eq!(fixture.snapshot(&watched), before);
    if let Some(operation) = f.operation {
        assert_eq!(fixture.ledger_entry(operation, &valid_id), None);
    }
    let (status, body) = send(&handler, sample_event(f.function, f.valid_event)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["responseId"], valid_id.as_str());

    let Some(operation) = f.operation else {
        return;
    };
    let (state, _, _) = fixture.ledger_entry(operation, &valid_id).unwrap();
    assert_eq!(state, "COMPLETED");

    // GIVEN the answered requestId WHEN reused for another token THEN 400 naming requestId
    let after_valid = fixture.snapshot(&watched);
    let mut reused = sample_body(f.function, f.valid_event);
    retarget(&mut reused, OTHER_TOKEN);
    let (status, body) = send(
        &handler,
        event_with_body(f.function, f.valid_event, &reused),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body,
        json!({
            "responseId": valid_id,
            "errorCode": "INVALID_FIELD_VALUE",
            "errorDescription": "requestId (already used for a different request) has an invalid value",
        })
    );
    // AND nothing was written for either token
    assert_eq!(fixture.snapshot(&watched), after_valid);
}
