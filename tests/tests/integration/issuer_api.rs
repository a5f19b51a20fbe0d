//! The issuer Card Verification API client against the issuer simulator (and
//! tiny misbehaving issuers for the failure modes).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use tmp_aws::issuer_http::{IssuerApiConfig, IssuerHttpClient};
use tmp_core::domain::card::{
    CardStatus, CardVerification, CardVerificationRequest, CvcResult, Expiry, VerifiedCard,
};
use tmp_core::ports::{CardVerifier, IssuerError};
use tmp_core::secret::Secret;
use tmp_local::issuer_simulator::{CardBook, ClientCredentials, IssuerSimulator};

const PAN: &str = "5555555555554444";
const PHONE: &str = "+447700900123";
const EMAIL: &str = "jane.doe@example.com";

const TEST_BOOK: &str = r#"[
  {"pan":"5555555555554444","expiryMonth":"12","expiryYear":"30","cvc":"123","status":"ACTIVE",
   "cardId":"card-1","phoneNumber":"+447700900123","email":"jane.doe@example.com",
   "productCategory":"CONSUMER_CREDIT"},
  {"pan":"5454545454545454","expiryMonth":"01","expiryYear":"30","cvc":"111","status":"BLOCKED",
   "cardId":"card-2","productCategory":"CONSUMER_DEBIT"}
]"#;

fn credentials() -> ClientCredentials {
    ClientCredentials::new("tmp-test", "right-secret")
}

async fn start_simulator(token_ttl: Duration) -> (IssuerSimulator, SocketAddr) {
    let book = CardBook::from_json(TEST_BOOK).unwrap();
    let simulator = IssuerSimulator::with_token_ttl(book, credentials(), token_ttl);
    let addr = simulator
        .spawn("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (simulator, addr)
}

async fn start(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

fn client_with(addr: SocketAddr, secret: &str, timeout: Duration) -> IssuerHttpClient {
    IssuerHttpClient::new(IssuerApiConfig {
        base_url: format!("http://{addr}"),
        token_url: format!("http://{addr}/oauth/token"),
        client_id: "tmp-test".to_owned(),
        client_secret: Secret::new(secret.to_owned()),
        timeout,
        connect_timeout: Duration::from_millis(500),
    })
    .unwrap()
}

fn client(addr: SocketAddr) -> IssuerHttpClient {
    client_with(addr, "right-secret", Duration::from_secs(2))
}

fn request(pan: &str, month: u8, year: u8, cvc: Option<&str>) -> CardVerificationRequest {
    CardVerificationRequest {
        pan: pan.parse().unwrap(),
        expiry: Some(Expiry { month, year }),
        cvc: cvc.map(|c| Secret::new(c.to_owned())),
    }
}

fn known(result: Result<CardVerification, IssuerError>) -> VerifiedCard {
    match result {
        Ok(CardVerification::Known(card)) => card,
        other => panic!("expected a known card, got {other:?}"),
    }
}

/// A fake issuer whose token endpoint works and whose verify answers `verify`.
fn fake_issuer(verify: Router) -> Router {
    let token = post(|| async {
        axum::Json(serde_json::json!({
            "access_token": "fixed", "token_type": "Bearer", "expires_in": 3600
        }))
    });
    Router::new().route("/oauth/token", token).merge(verify)
}

#[tokio::test]
async fn active_card_with_matching_cvc_and_expiry_is_verified_with_contacts() {
    // GIVEN the simulator and an ACTIVE card with phone and e-mail
    let (_sim, addr) = start_simulator(Duration::from_secs(300)).await;
    // WHEN verified with the right CVC and expiry
    let card = known(
        client(addr)
            .verify(&request(PAN, 12, 30, Some("123")))
            .await,
    );
    // THEN every check passes and the contacts come back wrapped
    assert_eq!(card.card_id, "card-1");
    assert_eq!(card.status, CardStatus::Active);
    assert_eq!(card.cvc_result, CvcResult::Match);
    assert!(card.expiry_match);
    assert_eq!(card.phone_number.as_ref().unwrap().expose(), PHONE);
    assert_eq!(card.email.as_ref().unwrap().expose(), EMAIL);
    assert_eq!(card.product_category, "CONSUMER_CREDIT");
}

#[tokio::test]
async fn wrong_cvc_wrong_expiry_and_missing_cvc_are_reported() {
    let (_sim, addr) = start_simulator(Duration::from_secs(300)).await;
    let client = client(addr);
    // WHEN the CVC is wrong THEN MISMATCH, expiry still matches
    let card = known(client.verify(&request(PAN, 12, 30, Some("124"))).await);
    assert_eq!(
        (card.cvc_result, card.expiry_match),
        (CvcResult::Mismatch, true)
    );
    // WHEN the expiry is wrong THEN expiryMatch is false, CVC still matches
    let card = known(client.verify(&request(PAN, 11, 30, Some("123"))).await);
    assert_eq!(
        (card.cvc_result, card.expiry_match),
        (CvcResult::Match, false)
    );
    // WHEN no CVC is sent THEN NOT_CHECKED
    let card = known(client.verify(&request(PAN, 12, 30, None)).await);
    assert_eq!(card.cvc_result, CvcResult::NotChecked);
    // WHEN no expiry is sent THEN expiryMatch is false
    let no_expiry = CardVerificationRequest {
        expiry: None,
        ..request(PAN, 12, 30, None)
    };
    assert!(!known(client.verify(&no_expiry).await).expiry_match);
    // WHEN the card is blocked THEN its status says so and it has no contacts
    let card = known(
        client
            .verify(&request("5454545454545454", 1, 30, Some("111")))
            .await,
    );
    assert_eq!(card.status, CardStatus::Blocked);
    assert!(card.phone_number.is_none() && card.email.is_none());
}

#[tokio::test]
async fn unknown_pan_is_unknown() {
    let (_sim, addr) = start_simulator(Duration::from_secs(300)).await;
    // WHEN a Luhn-valid PAN the issuer does not hold is verified
    let result = client(addr)
        .verify(&request("5105105105105100", 12, 30, Some("123")))
        .await;
    // THEN the issuer does not know it
    assert!(
        matches!(result, Ok(CardVerification::Unknown)),
        "{result:?}"
    );
}

#[tokio::test]
async fn token_is_fetched_once_for_many_calls_even_concurrent_ones() {
    // GIVEN a fresh client
    let (sim, addr) = start_simulator(Duration::from_secs(300)).await;
    let client = Arc::new(client(addr));
    // WHEN 10 verifications run at once, then 10 more one after the other
    let concurrent = (0..10).map(|_| {
        let client = Arc::clone(&client);
        tokio::spawn(async move { client.verify(&request(PAN, 12, 30, Some("123"))).await })
    });
    for call in futures_join(concurrent).await {
        known(call);
    }
    for _ in 0..10 {
        known(client.verify(&request(PAN, 12, 30, Some("123"))).await);
    }
    // THEN a single token served all 20
    assert_eq!(sim.calls().token, 1);
    assert_eq!(sim.calls().verify, 20);
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

#[tokio::test]
async fn expiring_token_is_refreshed_before_use() {
    // GIVEN tokens living 2 s (the client uses them for half that)
    let (sim, addr) = start_simulator(Duration::from_secs(2)).await;
    let client = client(addr);
    known(client.verify(&request(PAN, 12, 30, None)).await);
    known(client.verify(&request(PAN, 12, 30, None)).await);
    assert_eq!(sim.calls().token, 1);
    // WHEN the token reaches its refresh time
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    known(client.verify(&request(PAN, 12, 30, None)).await);
    // THEN a new token was fetched and no call was rejected
    assert_eq!(sim.calls().token, 2);
    assert_eq!(sim.calls().verify, 3);
}

#[tokio::test]
async fn revoked_token_is_refreshed_once_and_the_call_retried() {
    // GIVEN a client holding a token the issuer then revokes
    let (sim, addr) = start_simulator(Duration::from_secs(300)).await;
    let client = client(addr);
    known(client.verify(&request(PAN, 12, 30, None)).await);
    sim.revoke_tokens();
    // WHEN verifying again
    let card = known(client.verify(&request(PAN, 12, 30, Some("123"))).await);
    // THEN the 401 led to one new token and one retry
    assert_eq!(card.cvc_result, CvcResult::Match);
    assert_eq!(sim.calls().token, 2);
    assert_eq!(sim.calls().verify, 3);
}

#[tokio::test]
async fn wrong_client_secret_is_unauthorized() {
    let (sim, addr) = start_simulator(Duration::from_secs(300)).await;
    // WHEN the client authenticates with the wrong secret
    let client = client_with(addr, "wrong-secret", Duration::from_secs(2));
    let result = client.verify(&request(PAN, 12, 30, Some("123"))).await;
    // THEN no verify call is made
    assert!(
        matches!(result, Err(IssuerError::Unauthorized)),
        "{result:?}"
    );
    assert_eq!(sim.calls().verify, 0);
}

#[tokio::test]
async fn token_rejected_twice_is_unauthorized_after_a_single_retry() {
    // GIVEN an issuer that refuses every token
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&attempts);
    let verify = Router::new().route(
        "/cards/verify",
        post(move || async move {
            counter.fetch_add(1, Ordering::SeqCst);
            StatusCode::UNAUTHORIZED.into_response()
        }),
    );
    let addr = start(fake_issuer(verify)).await;
    // WHEN verifying
    let result = client(addr).verify(&request(PAN, 12, 30, None)).await;
    // THEN Unauthorized after exactly one retry
    assert!(
        matches!(result, Err(IssuerError::Unauthorized)),
        "{result:?}"
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn slow_issuer_times_out_within_the_budget() {
    // GIVEN an issuer that takes 3 s to answer
    let verify = Router::new().route(
        "/cards/verify",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            StatusCode::OK.into_response()
        }),
    );
    let addr = start(fake_issuer(verify)).await;
    let client = client_with(addr, "right-secret", Duration::from_millis(300));
    // WHEN verifying with a 300 ms budget
    let started = Instant::now();
    let result = client.verify(&request(PAN, 12, 30, None)).await;
    // THEN it gives up with Timeout, well before the issuer answers
    assert!(matches!(result, Err(IssuerError::Timeout)), "{result:?}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn server_error_is_unavailable() {
    let verify = Router::new().route(
        "/cards/verify",
        post(|| async { StatusCode::INTERNAL_SERVER_ERROR.into_response() }),
    );
    let addr = start(fake_issuer(verify)).await;
    let result = client(addr).verify(&request(PAN, 12, 30, None)).await;
    assert!(
        matches!(result, Err(IssuerError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn closed_port_is_unavailable() {
    // GIVEN a port nothing listens on
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    // WHEN verifying THEN the outage is reported as such
    let result = client(addr).verify(&request(PAN, 12, 30, None)).await;
    assert!(
        matches!(result, Err(IssuerError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn bare_404_is_a_bad_response_not_an_unknown_card() {
    // GIVEN an issuer base URL with no /cards/verify route
    let addr = start(fake_issuer(Router::new())).await;
    // WHEN verifying THEN the misconfiguration is not mistaken for "unknown card"
    let result = client(addr).verify(&request(PAN, 12, 30, None)).await;
    assert!(
        matches!(result, Err(IssuerError::BadResponse(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn garbage_answer_is_a_bad_response_that_quotes_no_card_data() {
    // GIVEN an issuer answering 200 with wrongly typed JSON full of card data
    let verify = Router::new().route(
        "/cards/verify",
        post(|| async {
            (
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"cardId":5555555555554444,"cardStatus":"ACTIVE","cvcResult":"MATCH",
                   "expiryMatch":true,"phoneNumber":"+447700900123",
                   "email":"jane.doe@example.com","productCategory":"CONSUMER_CREDIT"}"#,
            )
        }),
    );
    let addr = start(fake_issuer(verify)).await;
    // WHEN verifying
    let error = client(addr)
        .verify(&request(PAN, 12, 30, Some("123")))
        .await
        .unwrap_err();
    // THEN BadResponse, and neither Debug nor Display leaks the card data
    assert!(matches!(error, IssuerError::BadResponse(_)), "{error:?}");
    assert_no_card_data(&format!("{error:?} {error}"));

    // AND non-JSON is a BadResponse too
    let verify = Router::new().route("/cards/verify", post(|| async { "<html>oops</html>" }));
    let addr = start(fake_issuer(verify)).await;
    let result = client(addr).verify(&request(PAN, 12, 30, None)).await;
    assert!(
        matches!(result, Err(IssuerError::BadResponse(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn debug_output_never_shows_card_data() {
    // GIVEN a verified card with phone and e-mail, and some errors
    let (_sim, addr) = start_simulator(Duration::from_secs(300)).await;
    let client = client(addr);
    let request = request(PAN, 12, 30, Some("123"));
    let verification = client.verify(&request).await.unwrap();
    let unauthorized = client_with(addr, "wrong-secret", Duration::from_secs(2))
        .verify(&request)
        .await
        .unwrap_err();
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_addr = dead.local_addr().unwrap();
    drop(dead);
    let unavailable = self::client(dead_addr).verify(&request).await.unwrap_err();
    // WHEN printed with Debug
    let printed = format!(
        "{verification:?} {request:?} {client:?} {unauthorized:?} {unavailable:?} {unavailable}"
    );
    // THEN the card is still recognisable but none of its data shows
    assert!(printed.contains("card-1"), "{printed}");
    assert_no_card_data(&printed);
}

fn assert_no_card_data(printed: &str) {
    for secret in [
        PAN,
        "555555555555",
        PHONE,
        "7700900123",
        EMAIL,
        "jane.doe",
        "right-secret",
    ] {
        assert!(!printed.contains(secret), "{secret} leaked in: {printed}");
    }
}

#[tokio::test]
async fn simulator_answers_errors_as_problem_details_without_card_data() {
    let (_sim, addr) = start_simulator(Duration::from_secs(300)).await;
    let http = reqwest::Client::new();
    let verify_url = format!("http://{addr}/cards/verify");
    // WHEN verify is called without a token THEN 401 problem+json
    let response = http.post(&verify_url).body("{}").send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    // GIVEN a token fetched with form-field client authentication
    let token: serde_json::Value = http
        .post(format!("http://{addr}/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "tmp-test"),
            ("client_secret", "right-secret"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(token["token_type"], "Bearer");
    let bearer = token["access_token"].as_str().unwrap();
    // WHEN the body is malformed (a numeric PAN) or a field is invalid
    for body in [
        r#"{"pan":5555555555554444,"requestId":"r1"}"#,
        r#"{"pan":"5555555555554444","expiryMonth":"13","expiryYear":"30","requestId":"r2"}"#,
        r#"{"pan":"5555555555554444","cvc":"12","requestId":"r3"}"#,
    ] {
        let response = http
            .post(&verify_url)
            .bearer_auth(bearer)
            .body(body)
            .send()
            .await
            .unwrap();
        // THEN 400 problem details that do not echo the card data
        assert_eq!(response.status(), 400);
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 400);
        assert!(problem["title"].is_string() && problem["type"].is_string());
        assert_no_card_data(&problem.to_string());
    }
    // WHEN the token grant is not client_credentials THEN the OAuth error says so
    let response = http
        .post(format!("http://{addr}/oauth/token"))
        .basic_auth("tmp-test", Some("right-secret"))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["error"], "unsupported_grant_type");
}
