//! The token endpoint and the JWKS as a back office and a function see them:
//! over HTTP, the tokens checked by the TMP API's own verifier.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::OnceLock;

use rsa::PrivateKey;
use serde_json::{Value, json};
use tmp_api::auth::{AccessTokenVerifier, AuthFailure, Jwks, Scope};

use super::*;

const ISSUER: &str = "http://127.0.0.1:9/_local/auth";
const READ: &str = "tmp/tokens.read";
const WRITE: &str = "tmp/tokens.write";

/// One RSA-2048 key for every test of the run (generation is the slow part).
fn key() -> PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap())
        .clone()
}

/// The issuer's router on a free port: its base URL (`…/_local/auth`).
async fn serve() -> String {
    let issuer = TokenIssuer::new(ISSUER, key(), local_credentials());
    let app = Router::new().nest(LOCAL_AUTH_PATH, router(issuer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}{LOCAL_AUTH_PATH}")
}

/// `(status, headers, JSON body)` of a token request with `form`.
async fn token(
    base: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}{TOKEN_PATH}"))
        .form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.json().await.unwrap())
}

fn good(scope: Option<&str>) -> Vec<(&str, &str)> {
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", LOCAL_CLIENT_ID),
        ("client_secret", LOCAL_CLIENT_SECRET),
    ];
    form.extend(scope.map(|s| ("scope", s)));
    form
}

/// The verifier a TMP API function builds from the served JWKS.
async fn verifier(base: &str) -> AccessTokenVerifier {
    let jwks: Value = reqwest::get(format!("{base}{JWKS_PATH}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    AccessTokenVerifier::new(ISSUER, Jwks::from_json(&jwks).unwrap(), [LOCAL_CLIENT_ID])
}

fn scopes(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn good_credentials_get_a_token_the_tmp_api_verifier_accepts_with_both_scopes() {
    // GIVEN the local issuer
    let base = serve().await;
    // WHEN the back office asks with its id and secret in the form
    let (status, headers, body) = token(&base, &good(None), None).await;
    // THEN a Bearer token for an hour, not to be cached
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(headers["cache-control"], "no-store");
    // AND the verifier of a function accepts it against the served JWKS, with both scopes
    let verifier = verifier(&base).await;
    let access = body["access_token"].as_str().unwrap();
    let now = time::OffsetDateTime::now_utc();
    let verified = verifier.verify(access, now).unwrap();
    assert_eq!(verified.client_id, LOCAL_CLIENT_ID);
    assert_eq!(verified.scopes, scopes(&[READ, WRITE]));
    let bearer = format!("Bearer {access}");
    for scope in Scope::ALL {
        assert!(verifier.authorize(Some(&bearer), scope, now).is_ok());
    }
    // AND a verifier expecting another issuer (Cognito's pool) refuses it
    let jwks = Jwks::from_json(
        &reqwest::get(format!("{base}{JWKS_PATH}"))
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap(),
    )
    .unwrap();
    let cognito = AccessTokenVerifier::new(
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool",
        jwks,
        [LOCAL_CLIENT_ID],
    );
    assert!(cognito.verify(access, now).is_err());

    // WHEN it authenticates with HTTP Basic instead
    let form = [("grant_type", "client_credentials")];
    let (status, _, body) = token(&base, &form, Some((LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET))).await;
    // THEN it gets a token as well
    assert_eq!(status, 200, "{body}");
    assert!(
        verifier
            .verify(body["access_token"].as_str().unwrap(), now)
            .is_ok()
    );
}

#[tokio::test]
async fn a_requested_scope_narrows_the_token() {
    let base = serve().await;
    let verifier = verifier(&base).await;
    let now = time::OffsetDateTime::now_utc();
    // WHEN only tmp/tokens.read is asked for
    let (status, _, body) = token(&base, &good(Some(READ)), None).await;
    assert_eq!(status, 200, "{body}");
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap());
    // THEN the token reads and may not write
    assert!(
        verifier
            .authorize(Some(&bearer), Scope::TokensRead, now)
            .is_ok()
    );
    assert_eq!(
        verifier.authorize(Some(&bearer), Scope::TokensWrite, now),
        Err(AuthFailure::MissingScope(Scope::TokensWrite))
    );
    // AND both named (any order, repeated) is both
    let (_, _, body) = token(
        &base,
        &good(Some("tmp/tokens.write  tmp/tokens.read tmp/tokens.write")),
        None,
    )
    .await;
    let verified = verifier
        .verify(body["access_token"].as_str().unwrap(), now)
        .unwrap();
    assert_eq!(verified.scopes, scopes(&[READ, WRITE]));
}

/// `(case, form, status, error)`.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, u16, &'a str);

#[tokio::test]
async fn bad_clients_grants_scopes_and_requests_are_refused_with_rfc_6749_errors() {
    let base = serve().await;
    let secret = ("client_secret", LOCAL_CLIENT_SECRET);
    let cases: Vec<Case<'_>> = vec![
        (
            "wrong secret",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", LOCAL_CLIENT_ID),
                ("client_secret", "guess"),
            ],
            401,
            "invalid_client",
        ),
        (
            "unknown client",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "someone-else"),
                secret,
            ],
            401,
            "invalid_client",
        ),
        (
            "no credentials",
            vec![("grant_type", "client_credentials")],
            401,
            "invalid_client",
        ),
        (
            "another grant",
            vec![
                ("grant_type", "password"),
                ("client_id", LOCAL_CLIENT_ID),
                secret,
            ],
            400,
            "unsupported_grant_type",
        ),
        (
            "unknown scope",
            good(Some("tmp/tokens.read tmp/tokens.admin")),
            400,
            "invalid_scope",
        ),
        (
            "no grant type",
            vec![("client_id", LOCAL_CLIENT_ID), secret],
            400,
            "invalid_request",
        ),
    ];
    for (case, form, status, error) in cases {
        // WHEN the request is sent
        let (got, headers, body) = token(&base, &form, None).await;
        // THEN exactly the RFC 6749 §5.2 error, nothing more, nothing cached
        assert_eq!((got, &body), (status, &json!({ "error": error })), "{case}");
        assert_eq!(headers["cache-control"], "no-store", "{case}");
        if status == 401 {
            assert!(headers.contains_key("www-authenticate"), "{case}");
        }
    }
    // AND a JSON body is not the form the endpoint takes
    let r = reqwest::Client::new()
        .post(format!("{base}{TOKEN_PATH}"))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": "invalid_request"})
    );
    // AND credentials in both the header and the form are one too many
    let (status, _, body) = token(
        &base,
        &good(None),
        Some((LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET)),
    )
    .await;
    assert_eq!((status, body), (400, json!({"error": "invalid_request"})));
}

#[tokio::test]
async fn the_kid_names_the_key_and_a_new_key_refuses_old_tokens() {
    // GIVEN the served JWKS
    let base = serve().await;
    let jwks: Value = reqwest::get(format!("{base}{JWKS_PATH}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // THEN one RS256 signing key under the issuer's kid
    let issuer = TokenIssuer::new(ISSUER, key(), local_credentials());
    assert_eq!(jwks["keys"][0]["kid"], issuer.kid());
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
    assert!(issuer.kid().starts_with("local-") && issuer.kid().len() == 22);
    // AND a token of this issuer is refused by another start's key
    let other = TokenIssuer::generate(ISSUER, local_credentials())
        .await
        .unwrap();
    assert_ne!(other.kid(), issuer.kid());
    let verifier = AccessTokenVerifier::new(
        ISSUER,
        Jwks::from_json(other.jwks()).unwrap(),
        [LOCAL_CLIENT_ID],
    );
    let now = time::OffsetDateTime::now_utc();
    let token = issuer.issue(&Scope::ALL, now).unwrap();
    assert!(verifier.verify(&token, now).is_err());
}
