//! Shared fixtures: test signing keys, raw token making (for the attacks),
//! the venv's Python.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::{PrivateKey, PublicKey};
use serde_json::Value;
use sha2::Sha256;
use time::{Duration, OffsetDateTime};
use tmp_api::auth::{self, AccessTokenClaims, AccessTokenVerifier, Jwks, Scope};

pub const ISSUER: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TmpLocal1";
pub const CLIENT: &str = "issuer-backoffice";
pub const KID: &str = "tmp-local-2026-01";
pub const OTHER_KID: &str = "tmp-local-2026-07";

/// Two 2048-bit keys, generated once per run: ours and a stranger's.
fn keys() -> &'static [PrivateKey; 2] {
    static KEYS: OnceLock<[PrivateKey; 2]> = OnceLock::new();
    KEYS.get_or_init(|| [0, 1].map(|_| PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap()))
}

pub fn our_key() -> &'static PrivateKey {
    &keys()[0]
}

pub fn stranger_key() -> &'static PrivateKey {
    &keys()[1]
}

pub fn public(key: &PrivateKey) -> PublicKey {
    PublicKey::from(key)
}

pub fn verifier() -> AccessTokenVerifier {
    let jwks = Jwks::from_json(&auth::jwks(&public(our_key()), KID)).unwrap();
    AccessTokenVerifier::new(ISSUER, jwks, [CLIENT])
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub fn claims(scopes: &[&str]) -> AccessTokenClaims {
    AccessTokenClaims::client_credentials(ISSUER, CLIENT, scopes, now(), Duration::hours(1))
        .unwrap()
}

pub fn both_scopes() -> [&'static str; 2] {
    [Scope::TokensRead.as_str(), Scope::TokensWrite.as_str()]
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Signs any header and payload with RS256 (to make tokens our issuer never
/// would).
pub fn rs256(key: &PrivateKey, header: &Value, payload: &Value) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let signature = SigningKey::<Sha256>::new(key.clone())
        .try_sign(input.as_bytes())
        .unwrap();
    format!("{input}.{}", b64(&signature.to_vec()))
}

pub use tmp_testkit::moto::workspace_root;

/// The venv's Python with `args` (`make venv` installs it).
pub fn run_python(args: &[&str], stdin: &[u8]) -> Result<Vec<u8>, String> {
    tmp_testkit::python::run_python(args, stdin)
}
