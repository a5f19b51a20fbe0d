//! Our tokens against an independent JOSE implementation (jwcrypto), both
//! ways: jwcrypto verifies what we issue against the JWKS we publish, and we
//! verify what jwcrypto signs against the JWKS it publishes.

use serde_json::{Value, json};
use tmp_api::auth::{self, AccessTokenVerifier, Jwks, Scope, TokenError};

use crate::support::*;

const JWCRYPTO: &str = r#"
import json, sys
from jwcrypto import jwk, jwt
job = json.load(sys.stdin)
if sys.argv[1] == "verify":
    keys = jwk.JWKSet.from_json(json.dumps(job["jwks"]))
    token = jwt.JWT(jwt=job["token"], key=keys, algs=["RS256"],
                    check_claims={"iss": job["issuer"], "token_use": "access", "exp": None})
    json.dump({"header": json.loads(token.header), "claims": json.loads(token.claims)}, sys.stdout)
else:
    key = jwk.JWK.generate(kty="RSA", size=2048, kid="jwcrypto-1", alg="RS256", use="sig")
    token = jwt.JWT(header={"alg": "RS256", "kid": "jwcrypto-1"}, claims=job["claims"])
    token.make_signed_token(key)
    json.dump({"jwks": json.loads(key.export_public()), "token": token.serialize()}, sys.stdout)
"#;

fn jwcrypto(mode: &str, job: &Value) -> Result<Value, String> {
    let out = run_python(&["-c", JWCRYPTO, mode], job.to_string().as_bytes())?;
    Ok(serde_json::from_slice(&out).unwrap())
}

#[test]
fn jwcrypto_verifies_our_token_against_our_jwks() {
    // GIVEN a token we issue and the JWKS we publish
    let claims = claims(&both_scopes());
    let token = auth::issue(our_key(), KID, &claims).unwrap();
    let jwks = auth::jwks(&public(our_key()), KID);
    // WHEN jwcrypto verifies it, RS256 only, checking iss, token_use and exp
    let out = jwcrypto(
        "verify",
        &json!({"jwks": jwks, "token": token, "issuer": ISSUER}),
    )
    .unwrap();
    // THEN it reads our header and exactly our claims
    assert_eq!(out["header"], json!({"kid": KID, "alg": "RS256"}));
    assert_eq!(out["claims"], serde_json::to_value(&claims).unwrap());
    // AND a token signed by another key is refused by jwcrypto too
    let foreign = auth::issue(stranger_key(), KID, &claims).unwrap();
    assert!(
        jwcrypto(
            "verify",
            &json!({"jwks": jwks, "token": foreign, "issuer": ISSUER})
        )
        .is_err()
    );
}

#[test]
fn we_verify_a_jwcrypto_token_against_its_jwks() {
    // GIVEN Cognito-shaped claims signed by jwcrypto with a key of its own
    let claims = claims(&["tmp/tokens.read"]);
    let out = jwcrypto("sign", &json!({"claims": claims})).unwrap();
    let token = out["token"].as_str().unwrap();
    // WHEN we load its JWK (as a set) and verify
    let jwks = Jwks::from_json(&json!({"keys": [out["jwks"]]})).unwrap();
    let theirs = AccessTokenVerifier::new(ISSUER, jwks, [CLIENT]);
    let verified = theirs
        .authorize(Some(&format!("Bearer {token}")), Scope::TokensRead, now())
        .unwrap();
    // THEN the client and scope are read
    assert_eq!(verified.client_id, CLIENT);
    assert!(verified.has(Scope::TokensRead) && !verified.has(Scope::TokensWrite));
    // AND our own verifier (a different JWKS) refuses it
    assert_eq!(
        verifier().verify(token, now()).unwrap_err(),
        TokenError::UnknownKey
    );
}
