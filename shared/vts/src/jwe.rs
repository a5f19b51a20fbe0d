//! `encryptedData`: a compact JWE (RFC 7516) encrypted for one of our RSA
//! keys, with a fixed allow-list: `alg` RSA-OAEP-256 (SHA-256, MGF1-SHA-256),
//! `enc` A256GCM, `kid` required and naming a key of the ring, no `zip`, no
//! `crit`. The protected header, exactly as received, is the GCM associated
//! data.
//!
//! Every failure is the one opaque [`JweError`]: callers answer all of them
//! with the same `ISE40010`. The reason is logged here (a fixed text, never
//! data). A key-unwrap failure goes on with a random content key (RFC 7516
//! §11.5), so it costs and answers exactly like a bad tag.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};
use serde::Deserialize;
use serde::de::IgnoredAny;
use sha2::Sha256;
use tmp_core::crypto::random_bytes;
use tmp_core::secret::Secret;
use zeroize::Zeroizing;

/// The only key management algorithm we accept.
pub const ALG: &str = "RSA-OAEP-256";
/// The only content encryption algorithm we accept.
pub const ENC: &str = "A256GCM";
/// Smallest RSA modulus we hold keys of.
pub const MIN_KEY_BITS: usize = 2048;
/// Longest compact JWE we read (a card payload is well under 4 KiB).
pub const MAX_COMPACT_LEN: usize = 16 * 1024;
/// Longest `kid` we accept (ours are short; this bounds what we compare).
pub const MAX_KID_LEN: usize = 128;

const CEK_LEN: usize = 32;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// `encryptedData` could not be used. Deliberately carries no reason: every
/// failure is this one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("encryptedData could not be decrypted")]
pub struct JweError;

/// Logs why a JWE was refused (a fixed text) and returns the opaque error.
fn refuse(reason: &'static str) -> JweError {
    tracing::warn!(reason, "encryptedData refused");
    JweError
}

/// Why a key could not be loaded or generated (cold start, tests, tools).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VtsKeyError {
    #[error("the private key is not a valid RSA PKCS#8 key")]
    InvalidPrivateKey,
    #[error("the public key is not a valid RSA SubjectPublicKeyInfo")]
    InvalidPublicKey,
    #[error("RSA keys must have at least 2048 bits")]
    KeyTooSmall,
    #[error("the key id must be 1 to 128 printable ASCII characters")]
    InvalidKid,
    #[error("two keys of the ring have the same key id")]
    DuplicateKid,
    #[error("RSA key generation failed")]
    KeyGeneration,
    #[error("encryption failed")]
    Encryption,
}

fn check_kid(kid: &str) -> Result<(), VtsKeyError> {
    let printable = kid.bytes().all(|b| b.is_ascii_graphic());
    if kid.is_empty() || kid.len() > MAX_KID_LEN || !printable {
        return Err(VtsKeyError::InvalidKid);
    }
    Ok(())
}

/// One of our RSA private keys and the `kid` Visa names it by. Zeroized on
/// drop; never printed.
pub struct VtsPrivateKey {
    kid: String,
    key: PrivateKey,
    public_der: Vec<u8>,
}

impl VtsPrivateKey {
    /// From PKCS#8 DER (`PRIVATE KEY`).
    pub fn from_pkcs8_der(kid: &str, der: &Secret<Vec<u8>>) -> Result<Self, VtsKeyError> {
        let key =
            PrivateKey::from_pkcs8_der(der.expose()).map_err(|_| VtsKeyError::InvalidPrivateKey)?;
        Self::from_key(kid, key)
    }

    /// From a PKCS#8 PEM block (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(kid: &str, pem: &Secret<String>) -> Result<Self, VtsKeyError> {
        let key =
            PrivateKey::from_pkcs8_pem(pem.expose()).map_err(|_| VtsKeyError::InvalidPrivateKey)?;
        Self::from_key(kid, key)
    }

    /// A fresh key pair from the OS RNG (tests, sample events, the local platform).
    pub fn generate(kid: &str, bits: usize) -> Result<Self, VtsKeyError> {
        if bits < MIN_KEY_BITS {
            return Err(VtsKeyError::KeyTooSmall);
        }
        let key = PrivateKey::new(&mut getrandom::SysRng, bits)
            .map_err(|_| VtsKeyError::KeyGeneration)?;
        Self::from_key(kid, key)
    }

    fn from_key(kid: &str, key: PrivateKey) -> Result<Self, VtsKeyError> {
        check_kid(kid)?;
        if key.size() * 8 < MIN_KEY_BITS {
            return Err(VtsKeyError::KeyTooSmall);
        }
        let public_der = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|_| VtsKeyError::InvalidPrivateKey)?
            .into_vec();
        Ok(Self {
            kid: kid.to_owned(),
            key,
            public_der,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// SubjectPublicKeyInfo DER of the public half (what Visa encrypts for).
    pub fn public_key_der(&self) -> &[u8] {
        &self.public_der
    }

    /// The public key as a `PUBLIC KEY` PEM block.
    pub fn public_key_pem(&self) -> Result<String, VtsKeyError> {
        PublicKey::from_public_key_der(&self.public_der)
            .and_then(|k| k.to_public_key_pem(LineEnding::LF))
            .map_err(|_| VtsKeyError::InvalidPublicKey)
    }

    /// The private key as PKCS#8 PEM, for sealing into storage or handing to
    /// a test tool.
    pub fn to_pkcs8_pem(&self) -> Result<Secret<String>, VtsKeyError> {
        let pem = self
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| VtsKeyError::InvalidPrivateKey)?;
        Ok(Secret::new(pem.as_str().to_owned()))
    }

    /// The content key, or a random one when the wrapped key does not open
    /// to 32 bytes (same cost, same outcome as a bad tag: no oracle).
    fn unwrap_cek(&self, wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, JweError> {
        if let Ok(cek) = self.key.oaep_decrypt::<Sha256>(wrapped) {
            let cek = Zeroizing::new(cek);
            if cek.len() == CEK_LEN {
                return Ok(cek);
            }
        }
        let mut random = Zeroizing::new(vec![0u8; CEK_LEN]);
        random_bytes(&mut random).map_err(|_| refuse("no randomness"))?;
        Ok(random)
    }
}

impl fmt::Debug for VtsPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VtsPrivateKey")
            .field("kid", &self.kid)
            .field("private_key", &"[REDACTED]")
            .finish()
    }
}

/// Our VTS private keys, selected by the JWE's `kid`. Several are active
/// during a rotation.
#[derive(Debug, Default)]
pub struct VtsKeyRing {
    keys: Vec<VtsPrivateKey>,
}

impl VtsKeyRing {
    /// A ring of distinct key ids.
    pub fn new(keys: Vec<VtsPrivateKey>) -> Result<Self, VtsKeyError> {
        let mut ring = Self::default();
        for key in keys {
            ring.insert(key)?;
        }
        Ok(ring)
    }

    pub fn insert(&mut self, key: VtsPrivateKey) -> Result<(), VtsKeyError> {
        if self.find(key.kid()).is_some() {
            return Err(VtsKeyError::DuplicateKid);
        }
        self.keys.push(key);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn kids(&self) -> Vec<&str> {
        self.keys.iter().map(VtsPrivateKey::kid).collect()
    }

    pub fn find(&self, kid: &str) -> Option<&VtsPrivateKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// Decrypts a compact JWE to its plaintext bytes (a JSON document the
    /// caller parses; a parse failure must be answered like this error).
    pub fn decrypt(&self, compact: &str) -> Result<Secret<Vec<u8>>, JweError> {
        let parts = CompactParts::split(compact)?;
        let header = ProtectedHeader::parse(parts.header)?;
        let key = self
            .find(&header.kid)
            .ok_or_else(|| refuse("unknown kid"))?;
        let wrapped = decode(parts.encrypted_key, "encrypted key")?;
        if wrapped.len() != key.key.size() {
            return Err(refuse("encrypted key length"));
        }
        let iv: [u8; IV_LEN] = decode(parts.iv, "iv")?
            .try_into()
            .map_err(|_| refuse("iv length"))?;
        let mut sealed = decode(parts.ciphertext, "ciphertext")?;
        let tag = decode(parts.tag, "tag")?;
        if tag.len() != TAG_LEN {
            return Err(refuse("tag length"));
        }
        sealed.extend_from_slice(&tag);
        let cek = key.unwrap_cek(&wrapped)?;
        let cipher = Aes256Gcm::new_from_slice(&cek).map_err(|_| refuse("content key"))?;
        cipher
            .decrypt(
                &Nonce::from(iv),
                Payload {
                    msg: &sealed,
                    aad: parts.header.as_bytes(),
                },
            )
            .map(Secret::new)
            .map_err(|_| refuse("authentication failed"))
    }
}

/// The five parts of a compact serialization, still base64url.
struct CompactParts<'a> {
    header: &'a str,
    encrypted_key: &'a str,
    iv: &'a str,
    ciphertext: &'a str,
    tag: &'a str,
}

impl<'a> CompactParts<'a> {
    fn split(compact: &'a str) -> Result<Self, JweError> {
        if compact.len() > MAX_COMPACT_LEN {
            return Err(refuse("too long"));
        }
        let mut parts = compact.split('.');
        let mut next = || parts.next().ok_or_else(|| refuse("not five parts"));
        let split = Self {
            header: next()?,
            encrypted_key: next()?,
            iv: next()?,
            ciphertext: next()?,
            tag: next()?,
        };
        if parts.next().is_some() {
            return Err(refuse("not five parts"));
        }
        Ok(split)
    }
}

/// Strict base64url without padding (RFC 7515 §2): no `=`, no other alphabet.
fn decode(part: &str, what: &'static str) -> Result<Vec<u8>, JweError> {
    URL_SAFE_NO_PAD.decode(part).map_err(|_| {
        tracing::warn!(part = what, "encryptedData refused: bad base64url");
        JweError
    })
}

/// The protected header fields we read. serde refuses a duplicated member;
/// members we do not know are ignored unless listed in `crit` (refused).
#[derive(Deserialize)]
struct HeaderFields {
    alg: Option<String>,
    enc: Option<String>,
    kid: Option<String>,
    zip: Option<IgnoredAny>,
    crit: Option<IgnoredAny>,
}

struct ProtectedHeader {
    kid: String,
}

impl ProtectedHeader {
    fn parse(encoded: &str) -> Result<Self, JweError> {
        let json = decode(encoded, "protected header")?;
        let fields: HeaderFields =
            serde_json::from_slice(&json).map_err(|_| refuse("header is not a JSON object"))?;
        if fields.alg.as_deref() != Some(ALG) {
            return Err(refuse("alg not allowed"));
        }
        if fields.enc.as_deref() != Some(ENC) {
            return Err(refuse("enc not allowed"));
        }
        if fields.zip.is_some() {
            return Err(refuse("zip not allowed"));
        }
        if fields.crit.is_some() {
            return Err(refuse("crit not allowed"));
        }
        let kid = fields.kid.ok_or_else(|| refuse("kid missing"))?;
        if kid.is_empty() || kid.len() > MAX_KID_LEN {
            return Err(refuse("kid length"));
        }
        Ok(Self { kid })
    }
}

/// Encrypts `plaintext` the way VTS does for us (the sender's side). For
/// tests and sample events; the platform's own sending is
/// [`encrypt_for_recipient`]. `recipient_spki_der` is the public key, `kid`
/// the id to put in the header.
pub fn encrypt_as_vts(
    recipient_spki_der: &[u8],
    kid: &str,
    plaintext: &[u8],
) -> Result<String, VtsKeyError> {
    encrypt_for_recipient(recipient_spki_der, kid, plaintext)
}

/// A compact JWE of `plaintext` for the holder of `recipient_spki_der`
/// (RSA-OAEP-256, A256GCM, `kid` in the protected header), as we read them.
pub fn encrypt_for_recipient(
    recipient_spki_der: &[u8],
    kid: &str,
    plaintext: &[u8],
) -> Result<String, VtsKeyError> {
    check_kid(kid)?;
    let public = PublicKey::from_public_key_der(recipient_spki_der)
        .map_err(|_| VtsKeyError::InvalidPublicKey)?;
    let header = serde_json::json!({"alg": ALG, "enc": ENC, "kid": kid});
    let header = URL_SAFE_NO_PAD.encode(header.to_string());

    let mut cek = Zeroizing::new(vec![0u8; CEK_LEN]);
    random_bytes(&mut cek).map_err(|_| VtsKeyError::Encryption)?;
    let mut iv = [0u8; IV_LEN];
    random_bytes(&mut iv).map_err(|_| VtsKeyError::Encryption)?;
    let wrapped = public
        .oaep_encrypt::<Sha256>(&cek)
        .map_err(|_| VtsKeyError::Encryption)?;
    let cipher = Aes256Gcm::new_from_slice(&cek).map_err(|_| VtsKeyError::Encryption)?;
    let sealed = cipher
        .encrypt(
            &Nonce::from(iv),
            Payload {
                msg: plaintext,
                aad: header.as_bytes(),
            },
        )
        .map_err(|_| VtsKeyError::Encryption)?;
    let (ciphertext, tag) = sealed
        .split_at_checked(sealed.len().saturating_sub(TAG_LEN))
        .ok_or(VtsKeyError::Encryption)?;
    Ok([
        header,
        URL_SAFE_NO_PAD.encode(wrapped),
        URL_SAFE_NO_PAD.encode(iv),
        URL_SAFE_NO_PAD.encode(ciphertext),
        URL_SAFE_NO_PAD.encode(tag),
    ]
    .join("."))
}

#[cfg(test)]
#[path = "jwe_tests.rs"]
mod tests;
