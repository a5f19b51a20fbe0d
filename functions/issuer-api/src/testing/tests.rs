//! The family and its samples: every function registered, deployed and
//! sampled; every sample token made by the TEST-ONLY issuer with Cognito's
//! claims; a sample token re-issued only in its times.

use std::path::PathBuf;

use time::OffsetDateTime;
use tmp_api::auth::AccessTokenClaims;

use super::*;

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

#[test]
fn every_sample_carries_a_token_of_the_test_issuer_or_none() {
    let now = OffsetDateTime::now_utc();
    let mut sample_tokens = 0;
    // (the job worker's samples are SQS batches: see job_worker/tests.rs)
    for function in HTTP_FUNCTIONS {
        for name in sample_names(function) {
            // GIVEN a sample and its bearer token
            let (event, request) = sample(function, &name);
            let Some(token) = bearer(&request) else {
                assert!(name.contains("no-access-token"), "{function}/{name}");
                continue;
            };
            let claims = claims_of(&token);
            // THEN Cognito's access-token claims for the back office
            assert_eq!(
                (
                    claims.iss.as_str(),
                    claims.client_id.as_str(),
                    claims.token_use.as_str()
                ),
                (ISSUER, CLIENT, "access"),
                "{function}/{name}"
            );
            assert_eq!(claims.sub, CLIENT);
            assert!(
                claims
                    .scope
                    .split(' ')
                    .all(|s| s.starts_with("tmp/tokens."))
            );
            if name.contains("expired-access-token") || name.contains("tampered-access-token") {
                // AND the refused ones are never taken for a sample token
                assert!(!is_sample_token(&token, now), "{function}/{name}");
                continue;
            }
            // AND the others verify under the JWKS at their own iat, in 2099
            assert!(is_sample_token(&token, now), "{function}/{name}");
            assert_eq!(
                OffsetDateTime::from_unix_timestamp(claims.exp)
                    .unwrap()
                    .year(),
                2099
            );
            // AND the gateway's context carries the claims the Cognito authorizer passes on
            let passed = &event["requestContext"]["authorizer"]["claims"];
            assert_eq!(passed["client_id"], CLIENT, "{function}/{name}");
            assert_eq!(passed["scope"], claims.scope.as_str());
            sample_tokens += 1;
        }
    }
    assert!(sample_tokens >= 20, "{sample_tokens} sample tokens");
}

#[test]
fn a_sample_token_is_reissued_with_the_same_claims_at_now_only() {
    // GIVEN a sample token (issued in 2099: refused at the wall clock)
    let (_, request) = sample(GET, "active-token");
    let token = bearer(&request).unwrap();
    let now = OffsetDateTime::now_utc();
    assert!(verifier().verify(&token, now).is_err());
    // WHEN re-issued now
    let fresh = reissued(&token, now);
    // THEN it verifies now, with the same claims but its times
    assert!(verifier().verify(&fresh, now).is_ok());
    let (before, after) = (claims_of(&token), claims_of(&fresh));
    assert_eq!(after.iat, now.unix_timestamp());
    assert_eq!(after.exp - after.iat, before.exp - before.iat);
    assert_eq!(
        AccessTokenClaims {
            iat: before.iat,
            exp: before.exp,
            auth_time: before.auth_time,
            ..after
        },
        before
    );
    // AND the expired sample is sent as it is
    let (_, expired) = sample(GET, "error-expired-access-token");
    assert!(!is_sample_token(&bearer(&expired).unwrap(), now));
}
