//! Bearer-token verification: a good token passes; every forged, foreign,
//! stale or wrong-kind token gets the one identical 401 body; a good token
//! without the scope gets 403.

use hmac::{Hmac, KeyInit, Mac};
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use serde_json::{Value, json};
use sha2::Sha256;
use tmp_api::auth::{self, AuthFailure, Jwks, JwksError, Scope, TokenError};
use tmp_api::{Problem, ProblemKind, http};

use crate::support::*;

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn header() -> Value {
    json!({"kid": KID, "alg": "RS256"})
}

fn payload() -> Value {
    serde_json::to_value(claims(&both_scopes())).unwrap()
}

fn with(mut value: Value, key: &str, v: Value) -> Value {
    value[key] = v;
    value
}

/// What the caller would receive for `authorization` on a read operation.
fn answer(authorization: Option<&str>) -> (u16, Vec<u8>) {
    let problem: Problem = verifier()
        .authorize(authorization, Scope::TokensRead, now())
        .map(|_| panic!("accepted"))
        .unwrap_err()
        .into();
    let response = http::problem(&problem);
    (response.status().as_u16(), response.body().clone())
}

#[test]
fn a_token_of_our_issuer_passes_with_its_scopes() {
    // GIVEN a token issued as Cognito does for the back office
    let claims = claims(&both_scopes());
    let token = auth::issue(our_key(), KID, &claims).unwrap();
    // WHEN a read and a write operation authorise it
    for scope in Scope::ALL {
        let verified = verifier()
            .authorize(Some(&bearer(&token)), scope, now())
            .unwrap();
        // THEN the client and its grant are known
        assert_eq!(verified.client_id, CLIENT);
        assert_eq!(verified.sub, CLIENT);
        assert_eq!(verified.jti.as_deref(), Some(claims.jti.as_str()));
        assert!(verified.has(Scope::TokensRead) && verified.has(Scope::TokensWrite));
    }
    // AND the scheme is case-insensitive
    assert!(
        verifier()
            .authorize(Some(&format!("bearer {token}")), Scope::TokensRead, now())
            .is_ok()
    );
}

#[test]
fn the_claim_set_is_exactly_cognitos() {
    // GIVEN an issued token
    let token = auth::issue(our_key(), KID, &claims(&["tmp/tokens.read"])).unwrap();
    let mut parts = token.split('.');
    let decode = |p: &str| -> Value {
        serde_json::from_slice(
            &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, p).unwrap(),
        )
        .unwrap()
    };
    let (h, p) = (decode(parts.next().unwrap()), decode(parts.next().unwrap()));
    // THEN the header is Cognito's and the claims are exactly its set
    assert_eq!(h, json!({"kid": KID, "alg": "RS256"}));
    let mut names: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "auth_time",
            "client_id",
            "exp",
            "iat",
            "iss",
            "jti",
            "scope",
            "sub",
            "token_use",
            "version"
        ]
    );
    assert_eq!(
        (p["token_use"].as_str(), p["version"].as_i64()),
        (Some("access"), Some(2))
    );
    assert_eq!(
        p["exp"].as_i64().unwrap() - p["iat"].as_i64().unwrap(),
        3600
    );
    let jti = p["jti"].as_str().unwrap();
    assert_eq!((jti.len(), jti.as_bytes()[14]), (36, b'4'));
}

/// Every token we must refuse, with the reason the log would carry.
fn refused() -> Vec<(&'static str, Option<String>, TokenError)> {
    let now = now().unix_timestamp();
    let good = auth::issue(our_key(), KID, &claims(&both_scopes())).unwrap();
    let public_pem = public(our_key()).to_public_key_pem(LineEnding::LF).unwrap();
    let hs256 = {
        let input = format!(
            "{}.{}",
            b64(json!({"kid": KID, "alg": "HS256"}).to_string().as_bytes()),
            b64(payload().to_string().as_bytes())
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(public_pem.as_bytes()).unwrap();
        mac.update(input.as_bytes());
        format!("{input}.{}", b64(&mac.finalize().into_bytes()))
    };
    let none = format!(
        "{}.{}.",
        b64(json!({"kid": KID, "alg": "none"}).to_string().as_bytes()),
        b64(payload().to_string().as_bytes())
    );
    let tampered = {
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        let more = with(payload(), "client_id", json!("issuer-backoffice"));
        let more = with(
            more,
            "scope",
            json!("tmp/tokens.read tmp/tokens.write tmp/admin"),
        );
        parts[1] = b64(more.to_string().as_bytes());
        parts.join(".")
    };
    let signed = |p: Value| Some(bearer(&rs256(our_key(), &header(), &p)));
    vec![
        ("no header", None, TokenError::Missing),
        (
            "basic scheme",
            Some(format!("Basic {good}")),
            TokenError::NotBearer,
        ),
        ("raw token", Some(good.clone()), TokenError::NotBearer),
        (
            "empty bearer",
            Some("Bearer ".to_owned()),
            TokenError::NotBearer,
        ),
        ("two parts", Some(bearer("abc.def")), TokenError::Malformed),
        (
            "padded base64",
            Some(bearer(&good.replacen('.', "=.", 1))),
            TokenError::Malformed,
        ),
        (
            "huge",
            Some(bearer(&"a".repeat(9000))),
            TokenError::Malformed,
        ),
        (
            "wrong key",
            Some(bearer(
                &auth::issue(stranger_key(), KID, &claims(&both_scopes())).unwrap(),
            )),
            TokenError::Signature,
        ),
        (
            "unknown kid",
            Some(bearer(
                &auth::issue(our_key(), OTHER_KID, &claims(&both_scopes())).unwrap(),
            )),
            TokenError::UnknownKey,
        ),
        (
            "no kid",
            Some(bearer(&rs256(
                our_key(),
                &json!({"alg": "RS256"}),
                &payload(),
            ))),
            TokenError::UnknownKey,
        ),
        ("alg none", Some(bearer(&none)), TokenError::Algorithm),
        (
            "HS256 keyed with our public key",
            Some(bearer(&hs256)),
            TokenError::Algorithm,
        ),
        (
            "RS512",
            Some(bearer(&rs256(
                our_key(),
                &json!({"kid": KID, "alg": "RS512"}),
                &payload(),
            ))),
            TokenError::Algorithm,
        ),
        (
            "crit header",
            Some(bearer(&rs256(
                our_key(),
                &json!({"kid": KID, "alg": "RS256", "crit": ["exp"]}),
                &payload(),
            ))),
            TokenError::CriticalHeader,
        ),
        (
            "tampered payload",
            Some(bearer(&tampered)),
            TokenError::Signature,
        ),
        (
            "short signature",
            Some(bearer(&short_signature(&good))),
            TokenError::Signature,
        ),
        (
            "expired",
            signed(with(
                with(payload(), "exp", json!(now - 120)),
                "iat",
                json!(now - 3720),
            )),
            TokenError::Expired,
        ),
        (
            "not yet valid (nbf)",
            signed(with(payload(), "nbf", json!(now + 600))),
            TokenError::NotYetValid,
        ),
        (
            "issued in the future",
            signed(with(
                with(payload(), "iat", json!(now + 600)),
                "exp",
                json!(now + 4200),
            )),
            TokenError::NotYetValid,
        ),
        (
            "wrong issuer",
            signed(with(
                payload(),
                "iss",
                json!("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"),
            )),
            TokenError::Issuer,
        ),
        (
            "id token",
            signed(with(
                with(payload(), "token_use", json!("id")),
                "aud",
                json!(CLIENT),
            )),
            TokenError::NotAccessToken,
        ),
        (
            "unknown client",
            signed(with(payload(), "client_id", json!("someone-else"))),
            TokenError::Client,
        ),
        (
            "float exp",
            signed(with(payload(), "exp", json!(now as f64 + 0.5))),
            TokenError::Claims,
        ),
        (
            "no client_id",
            signed({
                let mut p = payload();
                p.as_object_mut().unwrap().remove("client_id");
                p
            }),
            TokenError::Claims,
        ),
        (
            "a week long",
            signed(with(payload(), "exp", json!(now + 7 * 86400))),
            TokenError::Lifetime,
        ),
    ]
}

/// `token` with its signature cut by one byte (still valid base64url).
fn short_signature(token: &str) -> String {
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let signature =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, signature)
            .unwrap();
    format!("{signed}.{}", b64(&signature[..signature.len() - 1]))
}

#[test]
fn every_refused_token_gets_the_same_401() {
    let expected = answer(None);
    assert_eq!(expected.0, 401);
    let body: Value = serde_json::from_slice(&expected.1).unwrap();
    assert_eq!(body["type"], "https://tmp.example/problems/unauthorized");
    for (case, authorization, reason) in refused() {
        // WHEN the token is presented
        let result = verifier().authorize(authorization.as_deref(), Scope::TokensRead, now());
        // THEN it is refused for the reason the log carries
        assert_eq!(result, Err(AuthFailure::Unauthenticated(reason)), "{case}");
        // AND the caller sees the one identical 401, status and bytes
        assert_eq!(answer(authorization.as_deref()), expected, "{case}");
    }
}

#[test]
fn leeway_tolerates_small_clock_skew() {
    // GIVEN a token expired 10 s ago and one issued 10 s ahead
    let now = now().unix_timestamp();
    for p in [
        with(
            with(payload(), "exp", json!(now - 10)),
            "iat",
            json!(now - 3610),
        ),
        with(
            with(payload(), "iat", json!(now + 10)),
            "exp",
            json!(now + 3610),
        ),
    ] {
        let token = rs256(our_key(), &header(), &p);
        // THEN within the default 30 s both pass; with no leeway neither does
        assert!(verifier().verify(&token, super::support::now()).is_ok());
        assert!(
            verifier()
                .with_leeway_secs(0)
                .verify(&token, super::support::now())
                .is_err()
        );
    }
}

#[test]
fn a_valid_token_without_the_scope_is_403() {
    // GIVEN tokens granting only read, or nothing
    for scopes in [
        vec!["tmp/tokens.read"],
        vec![],
        vec!["tmp/tokens.writer", "tmp/tokens"],
    ] {
        let token = auth::issue(our_key(), KID, &claims(&scopes)).unwrap();
        // WHEN a write operation authorises it
        let failure = verifier()
            .authorize(Some(&bearer(&token)), Scope::TokensWrite, now())
            .unwrap_err();
        // THEN 403 forbidden, not 401
        assert_eq!(failure, AuthFailure::MissingScope(Scope::TokensWrite));
        let problem = Problem::from(failure);
        assert_eq!(
            (problem.kind, problem.status),
            (ProblemKind::Forbidden, 403)
        );
    }
    // AND a token without a scope claim at all is 403 as well
    let mut p = payload();
    p.as_object_mut().unwrap().remove("scope");
    let token = rs256(our_key(), &header(), &p);
    assert_eq!(
        verifier().authorize(Some(&bearer(&token)), Scope::TokensRead, now()),
        Err(AuthFailure::MissingScope(Scope::TokensRead))
    );
}

#[test]
fn a_jwks_is_read_strictly() {
    let good = auth::jwks(&public(our_key()), KID);
    let key = good["keys"][0].clone();
    let set = |k: Value| json!({"keys": [k]});
    // GIVEN our JWKS, a rotation with two keys, and broken sets
    assert_eq!(
        Jwks::from_json(&good).unwrap().kids().collect::<Vec<_>>(),
        [KID]
    );
    let two = json!({"keys": [key, auth::jwks(&public(stranger_key()), OTHER_KID)["keys"][0]]});
    assert_eq!(Jwks::from_json(&two).unwrap().kids().count(), 2);
    let cases = [
        (json!({}), JwksError::NotAJwks),
        (json!({"keys": []}), JwksError::Empty),
        (
            set(with(key.clone(), "kty", json!("EC"))),
            JwksError::NotRs256 { index: 0 },
        ),
        (
            set(with(key.clone(), "alg", json!("RS512"))),
            JwksError::NotRs256 { index: 0 },
        ),
        (
            set(with(key.clone(), "use", json!("enc"))),
            JwksError::NotRs256 { index: 0 },
        ),
        (
            set(with(key.clone(), "n", json!("AQAB"))),
            JwksError::InvalidKey { index: 0 },
        ),
        (
            set(with(key.clone(), "n", json!("not base64!"))),
            JwksError::InvalidKey { index: 0 },
        ),
        (
            json!({"keys": [key, key]}),
            JwksError::DuplicateKid {
                kid: KID.to_owned(),
            },
        ),
    ];
    for (jwks, error) in cases {
        assert_eq!(Jwks::from_json(&jwks).unwrap_err(), error, "{jwks}");
    }
}
