//! The simulated MDES's gate: every Customer Service request must carry an
//! OAuth 1.0a RSA-SHA256 `Authorization` header with a matching
//! `oauth_body_hash`, signed by the local consumer key's signing key (a
//! fresh RSA-2048 key per platform start, see `seed.rs`), within five
//! minutes of now, and with a nonce not seen before. Anything else is one
//! opaque 401; the reason is logged, never answered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::{PrivateKey, PublicKey};
use time::OffsetDateTime;
use tmp_mdes::oauth1::{self, OAuthError, OAuthSigner};

/// The consumer key the local platform's MDES knows (Mastercard's format:
/// an identifier, `!`, a hex suffix). Not a secret: the signing key is.
pub const LOCAL_CONSUMER_KEY: &str = "tmp-local-mdes-customer-service!0000000000000001";
/// How far a request's `oauth_timestamp` may be from our clock.
pub const MAX_SKEW: Duration = Duration::from_secs(300);

/// The signing key pair of the local consumer key.
pub struct OAuthKeys {
    private: PrivateKey,
    public: PublicKey,
    public_pem: String,
}

impl OAuthKeys {
    pub fn new(private: PrivateKey) -> Result<Self, String> {
        let public = private.to_public_key();
        let public_pem = public
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| "the public key cannot be encoded".to_owned())?;
        Ok(Self {
            private,
            public,
            public_pem,
        })
    }
}

/// Why a request was refused (for the log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    NoKey,
    MissingHeader,
    Signature(OAuthError),
    UnknownConsumerKey,
    ReplayedNonce,
}

#[derive(Default)]
pub struct Gatekeeper {
    keys: Mutex<Option<Arc<OAuthKeys>>>,
    /// Nonces seen, with their timestamp (pruned past the window).
    seen: Mutex<HashMap<String, u64>>,
}

impl Gatekeeper {
    pub fn install(&self, keys: OAuthKeys) {
        *self.keys.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(keys));
    }

    fn keys(&self) -> Option<Arc<OAuthKeys>> {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The public key MDES verifies with (SubjectPublicKeyInfo PEM).
    pub fn public_pem(&self) -> Option<String> {
        self.keys().map(|k| k.public_pem.clone())
    }

    /// A signer for the local consumer key (what the TMP configures).
    pub fn signer(&self) -> Option<OAuthSigner> {
        self.keys()
            .map(|k| OAuthSigner::new(LOCAL_CONSUMER_KEY, k.private.clone()))
    }

    pub fn check(
        &self,
        method: &str,
        url: &str,
        body: &[u8],
        header: Option<&str>,
    ) -> Result<(), Refused> {
        let keys = self.keys().ok_or(Refused::NoKey)?;
        let header = header.ok_or(Refused::MissingHeader)?;
        let now = OffsetDateTime::now_utc();
        let verified = oauth1::verify(method, url, body, header, &keys.public, now, MAX_SKEW)
            .map_err(Refused::Signature)?;
        if verified.consumer_key != LOCAL_CONSUMER_KEY {
            return Err(Refused::UnknownConsumerKey);
        }
        let oldest = u64::try_from(now.unix_timestamp())
            .unwrap_or_default()
            .saturating_sub(2 * MAX_SKEW.as_secs());
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.retain(|_, timestamp| *timestamp >= oldest);
        if seen
            .insert(verified.nonce.clone(), verified.timestamp)
            .is_some()
        {
            return Err(Refused::ReplayedNonce);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:3000/_local/mdes/csapi/v2/token/suspend";

    #[test]
    fn only_a_fresh_signature_of_the_local_consumer_key_passes() {
        // GIVEN the gate with a key, and a signer of the local consumer key
        let gate = Gatekeeper::default();
        assert_eq!(gate.check("POST", URL, b"{}", None), Err(Refused::NoKey));
        let key = PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
        gate.install(OAuthKeys::new(key.clone()).unwrap());
        let signer = gate.signer().unwrap();
        let header = signer.authorization("POST", URL, b"{}").unwrap();
        // THEN a signed request passes once, and its replay does not
        assert_eq!(gate.check("POST", URL, b"{}", Some(&header)), Ok(()));
        assert_eq!(
            gate.check("POST", URL, b"{}", Some(&header)),
            Err(Refused::ReplayedNonce)
        );
        // AND another body, no header, or another consumer key does not
        let header = signer.authorization("POST", URL, b"{}").unwrap();
        assert!(matches!(
            gate.check("POST", URL, b"{\"x\":1}", Some(&header)),
            Err(Refused::Signature(_))
        ));
        assert_eq!(
            gate.check("POST", URL, b"{}", None),
            Err(Refused::MissingHeader)
        );
        let other = OAuthSigner::new("someone-else", key)
            .authorization("POST", URL, b"{}")
            .unwrap();
        assert_eq!(
            gate.check("POST", URL, b"{}", Some(&other)),
            Err(Refused::UnknownConsumerKey)
        );
        assert!(
            gate.public_pem()
                .unwrap()
                .starts_with("-----BEGIN PUBLIC KEY-----")
        );
    }
}
