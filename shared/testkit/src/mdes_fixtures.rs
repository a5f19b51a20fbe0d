//! Test support (feature `test-support`): an in-memory [`PreDigitization`]
//! that records each call and returns canned answers, the sample events, and
//! the refusal checks every Pre-Digitization handler must pass.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::lambda::HttpHandler;
use crate::mdes::MdesError;
use crate::mdes::activation_method::ActivationMethod;
use crate::mdes::deliver_activation_code::DeliverActivationCodeRequest;
use crate::mdes::notify_service_activated::NotifyServiceActivatedRequest;
use crate::mdes::notify_suspicious_events::NotifySuspiciousEventsRequest;
use crate::mdes::notify_token_updated::NotifyTokenUpdatedRequest;
use crate::mdes::request_activation_methods::RequestActivationMethodsRequest;
use crate::mdes::validate_activation_code::{ValidateActivationCodeRequest, ValidationResult};
use crate::services::predigitization::PreDigitization;

/// One call the fake received: operation name and the request's ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCall {
    pub operation: &'static str,
    pub request_id: String,
    pub token_unique_reference: Option<String>,
}

#[derive(Debug)]
pub struct FakePreDigitization {
    calls: Mutex<Vec<RecordedCall>>,
    pub activation_methods: Vec<ActivationMethod>,
    pub validation_result: ValidationResult,
    /// When set, every call fails with it.
    pub failure: Option<MdesError>,
}

impl Default for FakePreDigitization {
    fn default() -> Self {
        Self {
            calls: Mutex::new(Vec::new()),
            activation_methods: Vec::new(),
            validation_result: ValidationResult::Success,
            failure: None,
        }
    }
}

impl FakePreDigitization {
    pub fn failing(error: MdesError) -> Self {
        Self {
            failure: Some(error),
            ..Self::default()
        }
    }

    pub fn offering(activation_methods: Vec<ActivationMethod>) -> Self {
        Self {
            activation_methods,
            ..Self::default()
        }
    }

    pub fn answering(validation_result: ValidationResult) -> Self {
        Self {
            validation_result,
            ..Self::default()
        }
    }

    pub fn calls(&self) -> Vec<RecordedCall> {
        self.calls.lock().unwrap().clone()
    }

    fn record(
        &self,
        operation: &'static str,
        request_id: &str,
        token_unique_reference: Option<&str>,
    ) -> Result<(), MdesError> {
        self.calls.lock().unwrap().push(RecordedCall {
            operation,
            request_id: request_id.to_owned(),
            token_unique_reference: token_unique_reference.map(str::to_owned),
        });
        self.failure.clone().map_or(Ok(()), Err)
    }
}

#[async_trait::async_trait]
impl PreDigitization for FakePreDigitization {
    async fn request_activation_methods(
        &self,
        r: &RequestActivationMethodsRequest,
    ) -> Result<Vec<ActivationMethod>, MdesError> {
        let tur = r.funding_account_info.token_unique_reference.as_deref();
        self.record("requestActivationMethods", &r.request_id, tur)?;
        Ok(self.activation_methods.clone())
    }

    async fn deliver_activation_code(
        &self,
        r: &DeliverActivationCodeRequest,
    ) -> Result<(), MdesError> {
        let tur = Some(r.token_unique_reference.as_str());
        self.record("deliverActivationCode", &r.request_id, tur)
    }

    async fn validate_activation_code(
        &self,
        r: &ValidateActivationCodeRequest,
    ) -> Result<ValidationResult, MdesError> {
        let tur = Some(r.token_unique_reference.as_str());
        self.record("validateActivationCode", &r.request_id, tur)?;
        Ok(self.validation_result)
    }

    async fn notify_service_activated(
        &self,
        r: &NotifyServiceActivatedRequest,
    ) -> Result<(), MdesError> {
        let tur = Some(r.funding_account_info.token_unique_reference.as_str());
        self.record("notifyServiceActivated", &r.request_id, tur)
    }

    async fn notify_token_updated(&self, r: &NotifyTokenUpdatedRequest) -> Result<(), MdesError> {
        let tur = r.tokens.first().map(|t| t.token_unique_reference.as_str());
        self.record("notifyTokenUpdated", &r.request_id, tur)
    }

    async fn notify_suspicious_events(
        &self,
        r: &NotifySuspiciousEventsRequest,
    ) -> Result<(), MdesError> {
        let tur = Some(r.token_unique_reference.as_str());
        self.record("notifySuspiciousEvents", &r.request_id, tur)
    }
}

fn event_path(function: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../events")
        .join(function)
        .join(format!("{name}.json"))
}

/// `events/<function>/<name>.json` as the Lambda runtime would hand it over.
pub fn sample_event(function: &str, name: &str) -> lambda_http::Request {
    let path = event_path(function, name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    lambda_http::request::from_str(&text).unwrap()
}

/// The `requestId` inside a sample event's body.
pub fn sample_request_id(function: &str, name: &str) -> String {
    let text = std::fs::read_to_string(event_path(function, name)).unwrap();
    let event: Value = serde_json::from_str(&text).unwrap();
    let body: Value = serde_json::from_str(event["body"].as_str().unwrap()).unwrap();
    body["requestId"].as_str().unwrap().to_owned()
}

/// Sends one request; returns the status and the JSON body.
pub async fn send(handler: &HttpHandler, request: lambda_http::Request) -> (u16, Value) {
    let response = handler(request).await.unwrap();
    let body: Value = serde_json::from_slice(response.body().as_ref()).unwrap();
    (response.status().as_u16(), body)
}

/// What a Pre-Digitization function is, for [`assert_refusals`].
pub struct FunctionUnderTest {
    pub make: fn(Arc<dyn PreDigitization>) -> HttpHandler,
    /// The directory under `events/`.
    pub function: &'static str,
    /// A sample event the function accepts.
    pub valid_event: &'static str,
    /// A sample event lacking `missing_field`.
    pub missing_event: &'static str,
    pub missing_field: &'static str,
}

/// The refusals every function shares: malformed JSON, a missing field, and a
/// service error, each answered with the spec's `ErrorsResponse`.
pub async fn assert_refusals(f: FunctionUnderTest) {
    // GIVEN a body that is not JSON WHEN sent THEN 400 INVALID_JSON with a fresh responseId
    let fake = Arc::new(FakePreDigitization::default());
    let handler = (f.make)(fake.clone());
    let (status, body) = send(&handler, sample_event(f.function, "error-malformed-json")).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errorCode"], "INVALID_JSON");
    assert!(!body["responseId"].as_str().unwrap().is_empty());

    // GIVEN a body without a required field WHEN sent THEN 400 MISSING_REQUIRED_FIELD naming it
    let (status, body) = send(&handler, sample_event(f.function, f.missing_event)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errorCode"], "MISSING_REQUIRED_FIELD");
    assert_eq!(
        body["responseId"],
        sample_request_id(f.function, f.missing_event)
    );
    let description = body["errorDescription"].as_str().unwrap();
    assert!(description.contains(f.missing_field), "{description}");
    // AND the service was never asked
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());

    // GIVEN a service that refuses WHEN a valid request is sent THEN its code and status
    let request_id = sample_request_id(f.function, f.valid_event);
    let refusals = [
        (MdesError::value("tokenUniqueReference"), 400),
        (MdesError::internal(), 503),
    ];
    for (error, expected_status) in refusals {
        let fake = Arc::new(FakePreDigitization::failing(error.clone()));
        let handler = (f.make)(fake.clone());
        let (status, body) = send(&handler, sample_event(f.function, f.valid_event)).await;
        assert_eq!(status, expected_status, "{body}");
        assert_eq!(
            body,
            serde_json::json!({
                "responseId": request_id,
                "errorCode": serde_json::to_value(error.code).unwrap(),
                "errorDescription": error.description,
            })
        );
        assert_eq!(fake.calls().len(), 1);
    }
}

/// WHEN `event` is sent THEN 200 with exactly `expected` as the body.
pub async fn assert_answers(handler: HttpHandler, function: &str, event: &str, expected: Value) {
    let (status, body) = send(&handler, sample_event(function, event)).await;
    assert_eq!(status, 200, "{event}: {body}");
    assert_eq!(body, expected, "{event}");
}

/// The call a sample token's request should have made.
pub fn call(operation: &'static str, request_id: &str, token: &str) -> RecordedCall {
    RecordedCall {
        operation,
        request_id: request_id.to_owned(),
        token_unique_reference: Some(token.to_owned()),
    }
}
