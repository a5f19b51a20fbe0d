//! Every sample event of `events/vts-*/` gets the answer its name says,
//! replayed through its handler after the samples it follows (the step-up
//! path: approveProvisioning, then the token's later operations).

use std::path::PathBuf;

use serde_json::{Value, json};
use tmp_core::domain::delivery::DeliveryChannel;
use tmp_core::domain::token::TokenStatus;

use crate::testing::*;

/// What a sample must be answered.
enum Expect {
    Json(u16, Value),
    /// tokenChanged's success: 200 and no body.
    Empty,
}

fn error(code: &str, description: &str) -> Value {
    json!({"errorCode": code, "errorDescription": description})
}

fn not_json() -> Expect {
    Expect::Json(
        400,
        error("ISE40006", "The request body is not a JSON object"),
    )
}

fn cryptography() -> Expect {
    Expect::Json(400, cryptography_error())
}

fn action(code: &str, cvv2: &str) -> Expect {
    Expect::Json(200, json!({"actionCode": code, "cvv2ResultsCode": cvv2}))
}

/// The samples a sample follows, and its answer.
fn expectation(function: &str, name: &str) -> (Vec<(&'static str, &'static str)>, Expect) {
    let yellow = (APPROVE, "yellow-step-up");
    match (function, name) {
        (CHECK, "eligible-debit-card") => (
            vec![],
            Expect::Json(
                200,
                json!({"actionCode": "00", "cardMetadataInfo": serde_json::to_value(debit_metadata()).unwrap()}),
            ),
        ),
        (
            CHECK,
            "not-eligible-lost-card" | "not-eligible-cvv2-mismatch" | "not-eligible-unknown-card",
        ) => (vec![], Expect::Json(200, json!({"actionCode": "05"}))),
        (CHECK, "error-missing-encrypted-data") => (
            vec![],
            Expect::Json(400, error("ISE40000", "encryptedData is required")),
        ),
        (APPROVE, "green-approved") => (vec![], action("00", "M")),
        (APPROVE, "yellow-step-up" | "orange-call-centre-only") => (vec![], action("85", "M")),
        (APPROVE, "red-card-lost" | "red-wallet-declined") => (vec![], action("05", "M")),
        (APPROVE, "red-cvv2-mismatch") => (vec![], action("05", "N")),
        (APPROVE, "error-missing-token-info") => (
            vec![],
            Expect::Json(400, error("ISE40000", "tokenInfo is required")),
        ),
        (METHODS, "yellow-methods") => (
            vec![yellow],
            Expect::Json(
                200,
                json!({"actionCode": "00", "cardholderVerificationMethod": [
                    {"type": "cell_phone", "value": "***-***-0222", "identifier": "cvm-sms"},
                    {"type": "email", "value": "a***@e***.com", "identifier": "cvm-email"},
                    {"type": "customer_service", "value": CALL_CENTRE, "identifier": "cvm-call"}]}),
            ),
        ),
        (METHODS, "orange-call-centre-only") => (
            vec![(APPROVE, "orange-call-centre-only")],
            Expect::Json(
                200,
                json!({"actionCode": "00", "cardholderVerificationMethod": [
                    {"type": "customer_service", "value": CALL_CENTRE, "identifier": "cvm-call"}]}),
            ),
        ),
        (METHODS, "error-missing-wallet-provider-msg-tracing") => (
            vec![yellow],
            Expect::Json(
                400,
                error("ISE40000", "walletProviderMsgTracing is required"),
            ),
        ),
        (METHODS | CHANGED, "error-unknown-token") => (
            vec![yellow],
            Expect::Json(404, error("ISE40500", "tokenReferenceID is not valid")),
        ),
        (PASSCODE, "yellow-sms-passcode") => {
            (vec![yellow], Expect::Json(200, json!({"actionCode": "00"})))
        }
        (PASSCODE, "yellow-sms-passcode-again") => (
            vec![yellow, (PASSCODE, "yellow-sms-passcode")],
            Expect::Json(200, json!({"actionCode": "00"})),
        ),
        (PASSCODE, "error-unknown-method-identifier") => (
            vec![yellow],
            Expect::Json(400, error("ISE40501", "otpMethodIdentifier is not valid")),
        ),
        (PASSCODE, "error-missing-otp-code") => (
            vec![yellow],
            Expect::Json(400, error("ISE40000", "OTPCode is required")),
        ),
        (CHANGED, "yellow-token-activated") => (vec![yellow], Expect::Empty),
        (CHANGED, "green-token-created") => (vec![(APPROVE, "green-approved")], Expect::Empty),
        (CHANGED, "stand-in-token-created") => (vec![], Expect::Empty),
        (CHANGED, "yellow-token-suspended") => (
            vec![yellow, (CHANGED, "yellow-token-activated")],
            Expect::Empty,
        ),
        (CHANGED, "error-missing-event-id") => (
            vec![yellow],
            Expect::Json(400, error("ISE40000", "eventID is required")),
        ),
        (_, "error-tampered-jwe" | "error-unknown-kid") => (vec![yellow], cryptography()),
        (_, "error-malformed-json") => (vec![], not_json()),
        other => panic!("no expectation for sample {other:?}: add one"),
    }
}

fn events_dir(function: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../events")
        .join(function)
}

fn sample_names(function: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(events_dir(function))
        .unwrap_or_else(|e| panic!("events/{function}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `events/<function>/<name>.json` as the Lambda runtime hands it over.
fn sample(function: &str, name: &str) -> lambda_http::Request {
    let path = events_dir(function).join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    lambda_http::request::from_str(&text).unwrap()
}

async fn send_sample(fx: &Fixture, function: &str, name: &str) -> Answer {
    send(&fx.handler_for(function), sample(function, name)).await
}

#[tokio::test]
async fn every_sample_event_gets_the_answer_its_name_says() {
    let mut checked = 0;
    for function in FUNCTIONS {
        let names = sample_names(function);
        assert!(!names.is_empty(), "events/{function} has no samples");
        for name in names {
            // GIVEN the state the samples before it leave
            let fx = Fixture::new();
            let (before, expect) = expectation(function, &name);
            for (f, n) in before {
                let answer = send_sample(&fx, f, n).await;
                assert_eq!(answer.status, 200, "{f}/{n}: {}", answer.text());
            }
            // WHEN the sample is sent THEN the answer its name says
            let answer = send_sample(&fx, function, &name).await;
            match expect {
                Expect::Json(status, body) => {
                    assert_eq!(
                        answer.status,
                        status,
                        "{function}/{name}: {}",
                        answer.text()
                    );
                    assert_eq!(answer.json(), body, "{function}/{name}");
                }
                Expect::Empty => answer.assert_empty_ok(),
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked} samples");
}

#[tokio::test]
async fn the_samples_step_up_path_delivers_one_code_and_activates_the_token() {
    // GIVEN the step-up samples played in order
    let fx = Fixture::new();
    for (function, name) in [
        (APPROVE, "yellow-step-up"),
        (METHODS, "yellow-methods"),
        (PASSCODE, "yellow-sms-passcode"),
        (PASSCODE, "yellow-sms-passcode-again"),
        (CHANGED, "yellow-token-activated"),
    ] {
        let answer = send_sample(&fx, function, name).await;
        assert_eq!(answer.status, 200, "{function}/{name}: {}", answer.text());
    }
    // THEN the cardholder got Visa's code once, by SMS, and the token is ACTIVE
    let jobs = fx.otp_queue.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].channel, DeliveryChannel::Sms);
    assert_eq!(fx.open_job_code(&jobs[0]).await, OTP_CODE);
    assert_eq!(
        fx.state.token_of(YELLOW_TOKEN).unwrap().state.status,
        TokenStatus::Active
    );
}

#[tokio::test]
async fn the_cryptography_samples_are_answered_byte_for_byte_alike() {
    // GIVEN every sample whose encryptedData we cannot use, on every operation
    let fx = Fixture::new();
    send_sample(&fx, APPROVE, "yellow-step-up").await;
    let mut bodies = Vec::new();
    for function in [CHECK, APPROVE, CHANGED] {
        for name in ["error-tampered-jwe", "error-unknown-kid"] {
            bodies.push(send_sample(&fx, function, name).await);
        }
    }
    // THEN one identical answer: no oracle between a bad tag and an unknown key
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    assert_eq!(bodies[0].json(), cryptography_error());
}

#[test]
fn every_function_is_registered_deployed_and_sampled() {
    // GIVEN the family's registry
    let registered: Vec<&str> = crate::FUNCTIONS.iter().map(|(name, _)| *name).collect();
    assert_eq!(registered, FUNCTIONS);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let template = std::fs::read_to_string(root.join("../../template.yaml")).unwrap();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    for name in registered {
        // THEN each is a binary of this crate, a template function, and has samples
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "{name} is no [[bin]]"
        );
        assert!(
            template.contains(&format!("Binary: {name}\n")),
            "{name} is not in template.yaml"
        );
        assert!(!sample_names(name).is_empty(), "{name} has no samples");
    }
}
