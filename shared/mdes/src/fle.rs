//! Mastercard field-level encryption, as used by the MDES Pre-Digitization API
//! (`encryptedPayloadIn` / `encryptedPayload`, spec 2.0.21; digest in
//! `specs/README.md` §3).
//!
//! A one-time AES key (128-bit default, 256 allowed) encrypts the JSON document
//! with AES-CBC/PKCS#7; the AES key is wrapped with the receiver's RSA public
//! key by RSA-OAEP (SHA-256 or SHA-512, MGF1 of the same digest) or, when
//! `oaepHashingAlgorithm` is absent, RSA PKCS#1 v1.5. Every binary value is hex.
//!
//! The scheme has no MAC: callers must answer every [`CryptoError`] from
//! [`MdesKeyRing::decrypt`] with the same response so that no padding or
//! key-unwrap oracle is exposed to the network.

use std::fmt;
use std::str::FromStr;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use base64::Engine as _;
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::{PrivateKey, PublicKey};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use zeroize::{Zeroize, Zeroizing};

pub use tmp_core::crypto::CryptoError;
use tmp_core::crypto::random_bytes;
use tmp_core::secret::Secret;

const IV_LEN: usize = 16;

/// The encrypted payload exactly as it travels in MDES JSON (camelCase names,
/// hex values). Used for inbound requests and outbound responses alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptedPayload {
    pub encrypted_data: String,
    pub encrypted_key: String,
    pub public_key_fingerprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oaep_hashing_algorithm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iv: Option<String>,
}

/// OAEP digest (also used for MGF1). `None` where an `Option<OaepHash>` is
/// expected means RSA PKCS#1 v1.5 key wrapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaepHash {
    Sha256,
    Sha512,
}

impl OaepHash {
    /// The value of `oaepHashingAlgorithm` on the wire.
    pub fn as_wire(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }
}

impl FromStr for OaepHash {
    type Err = CryptoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // The spec says SHA256|SHA512; the Mastercard client library's
        // configuration style (SHA-256) is accepted too.
        match s.to_ascii_uppercase().as_str() {
            "SHA256" | "SHA-256" => Ok(Self::Sha256),
            "SHA512" | "SHA-512" => Ok(Self::Sha512),
            _ => Err(CryptoError::UnsupportedAlgorithm),
        }
    }
}

/// Size of the one-time AES key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AesKeySize {
    #[default]
    Aes128,
    Aes256,
}

impl AesKeySize {
    fn len(self) -> usize {
        match self {
            Self::Aes128 => 16,
            Self::Aes256 => 32,
        }
    }
}

/// Lowercase hex SHA-256 of a SubjectPublicKeyInfo DER: the
/// `publicKeyFingerprint` Mastercard's libraries compute.
pub fn spki_fingerprint(spki_der: &[u8]) -> String {
    hex::encode(Sha256::digest(spki_der))
}

/// Lowercase hex SHA-1 of a SubjectPublicKeyInfo DER (the 40-hex style of the
/// spec's example value).
pub fn spki_fingerprint_sha1(spki_der: &[u8]) -> String {
    hex::encode(Sha1::digest(spki_der))
}

/// An RSA private key for MDES payloads. The key zeroizes itself on drop and
/// never prints its content.
pub struct MdesPrivateKey {
    key: PrivateKey,
    public_der: Vec<u8>,
    fingerprint: String,
    fingerprint_sha1: String,
}

impl MdesPrivateKey {
    /// Modulus size for keys this platform generates.
    pub const DEFAULT_BITS: usize = 2048;

    /// Builds the key from PKCS#8 DER bytes.
    pub fn from_pkcs8_der(der: &Secret<Vec<u8>>) -> Result<Self, CryptoError> {
        let key =
            PrivateKey::from_pkcs8_der(der.expose()).map_err(|_| CryptoError::InvalidPrivateKey)?;
        Self::from_key(key)
    }

    /// Generates a fresh key pair (at least 2048 bits) from the OS RNG.
    pub fn generate(bits: usize) -> Result<Self, CryptoError> {
        if bits < Self::DEFAULT_BITS {
            return Err(CryptoError::UnsupportedAlgorithm);
        }
        let key = PrivateKey::new(&mut getrandom::SysRng, bits)
            .map_err(|_| CryptoError::KeyGeneration)?;
        Self::from_key(key)
    }

    fn from_key(key: PrivateKey) -> Result<Self, CryptoError> {
        let public_der = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|_| CryptoError::InvalidPrivateKey)?
            .into_vec();
        Ok(Self {
            fingerprint: spki_fingerprint(&public_der),
            fingerprint_sha1: spki_fingerprint_sha1(&public_der),
            public_der,
            key,
        })
    }

    /// The private key as PKCS#8 DER, for sealing into storage.
    pub fn to_pkcs8_der(&self) -> Result<Secret<Vec<u8>>, CryptoError> {
        let doc = self
            .key
            .to_pkcs8_der()
            .map_err(|_| CryptoError::InvalidPrivateKey)?;
        Ok(Secret::new(doc.as_bytes().to_vec()))
    }

    /// SubjectPublicKeyInfo DER of the public half.
    pub fn public_key_der(&self) -> &[u8] {
        &self.public_der
    }

    /// The public key as a `PUBLIC KEY` PEM block (what Mastercard onboarding asks for).
    pub fn public_key_pem(&self) -> String {
        spki_pem(&self.public_der)
    }

    /// Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Lowercase hex SHA-1 of the SubjectPublicKeyInfo DER.
    pub fn fingerprint_sha1(&self) -> &str {
        &self.fingerprint_sha1
    }

    fn matches(&self, fingerprint: &str) -> bool {
        self.fingerprint.eq_ignore_ascii_case(fingerprint)
            || self.fingerprint_sha1.eq_ignore_ascii_case(fingerprint)
    }

    fn unwrap_key(
        &self,
        wrapped: &[u8],
        wrap: Option<OaepHash>,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let unwrapped = match wrap {
            Some(OaepHash::Sha256) => self.key.oaep_decrypt::<Sha256>(wrapped),
            Some(OaepHash::Sha512) => self.key.oaep_decrypt::<Sha512>(wrapped),
            None => self.key.pkcs1v15_decrypt(wrapped),
        };
        unwrapped
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::KeyUnwrap)
    }
}

impl fmt::Debug for MdesPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MdesPrivateKey")
            .field("fingerprint", &self.fingerprint)
            .field("private_key", &"[REDACTED]")
            .finish()
    }
}

/// Which legacy forms of the scheme a key ring accepts. Both are refused by
/// default: PKCS#1 v1.5 key wrapping invites padding oracles (Bleichenbacher)
/// and a missing IV means a fixed all-zero IV. An issuer whose MDES profile
/// still sends them enables each explicitly (template parameters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LegacyForms {
    /// `oaepHashingAlgorithm` absent: the AES key wrapped with RSA PKCS#1 v1.5.
    pub pkcs1v15_key_wrap: bool,
    /// `iv` absent: AES-CBC with a zero IV.
    pub absent_iv: bool,
}

impl LegacyForms {
    /// Every legacy form accepted (interoperability tests).
    pub const ALL: Self = Self {
        pkcs1v15_key_wrap: true,
        absent_iv: true,
    };
}

/// The issuer's MDES private keys, selected by `publicKeyFingerprint`.
#[derive(Debug, Default)]
pub struct MdesKeyRing {
    keys: Vec<MdesPrivateKey>,
    legacy: LegacyForms,
}

impl MdesKeyRing {
    pub fn new(keys: Vec<MdesPrivateKey>) -> Self {
        Self {
            keys,
            legacy: LegacyForms::default(),
        }
    }

    /// The same keys, accepting the given legacy forms.
    #[must_use]
    pub fn accepting(mut self, legacy: LegacyForms) -> Self {
        self.legacy = legacy;
        self
    }

    pub fn insert(&mut self, key: MdesPrivateKey) {
        self.keys.push(key);
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// SHA-256 fingerprints of the keys held.
    pub fn fingerprints(&self) -> Vec<&str> {
        self.keys.iter().map(MdesPrivateKey::fingerprint).collect()
    }

    /// The key whose SHA-256 (64 hex) or SHA-1 (40 hex) SPKI fingerprint
    /// matches, ignoring case.
    pub fn find(&self, fingerprint: &str) -> Option<&MdesPrivateKey> {
        self.keys.iter().find(|k| k.matches(fingerprint))
    }

    /// Decrypts a payload to its plaintext bytes (a JSON document the caller parses).
    pub fn decrypt(&self, payload: &EncryptedPayload) -> Result<Secret<Vec<u8>>, CryptoError> {
        let key = self
            .find(&payload.public_key_fingerprint)
            .ok_or(CryptoError::UnknownKeyFingerprint)?;
        let wrap = payload
            .oaep_hashing_algorithm
            .as_deref()
            .map(OaepHash::from_str)
            .transpose()?;
        if wrap.is_none() && !self.legacy.pkcs1v15_key_wrap {
            return Err(CryptoError::UnsupportedAlgorithm);
        }
        let iv = match payload.iv.as_deref() {
            None if !self.legacy.absent_iv => return Err(CryptoError::InvalidIvLength),
            None => [0u8; IV_LEN],
            Some(hex_iv) => decode_hex("iv", hex_iv)?
                .try_into()
                .map_err(|_| CryptoError::InvalidIvLength)?,
        };
        let wrapped = decode_hex("encryptedKey", &payload.encrypted_key)?;
        let ciphertext = decode_hex("encryptedData", &payload.encrypted_data)?;
        let aes_key = key.unwrap_key(&wrapped, wrap)?;
        cbc_decrypt(&aes_key, &iv, ciphertext)
    }
}

/// Encrypts `plaintext` for the holder of the RSA public key `recipient_spki_der`,
/// the way MDES does: random AES key and IV, key wrapped with OAEP(`wrap`) or
/// PKCS#1 v1.5 when `wrap` is `None`. Lowercase hex, SHA-256 fingerprint.
pub fn encrypt(
    recipient_spki_der: &[u8],
    plaintext: &[u8],
    wrap: Option<OaepHash>,
    key_size: AesKeySize,
) -> Result<EncryptedPayload, CryptoError> {
    let public = PublicKey::from_public_key_der(recipient_spki_der)
        .map_err(|_| CryptoError::InvalidPublicKey)?;

    let mut aes_key = Zeroizing::new(vec![0u8; key_size.len()]);
    random_bytes(&mut aes_key)?;
    let mut iv = [0u8; IV_LEN];
    random_bytes(&mut iv)?;

    let wrapped = match wrap {
        Some(OaepHash::Sha256) => public.oaep_encrypt::<Sha256>(&aes_key),
        Some(OaepHash::Sha512) => public.oaep_encrypt::<Sha512>(&aes_key),
        None => public.pkcs1v15_encrypt(&aes_key),
    }
    .map_err(|_| CryptoError::Encryption)?;

    let ciphertext = cbc_encrypt(&aes_key, &iv, plaintext)?;
    Ok(EncryptedPayload {
        encrypted_data: hex::encode(ciphertext),
        encrypted_key: hex::encode(wrapped),
        public_key_fingerprint: spki_fingerprint(recipient_spki_der),
        oaep_hashing_algorithm: wrap.map(|h| h.as_wire().to_owned()),
        iv: Some(hex::encode(iv)),
    })
}

fn decode_hex(field: &'static str, value: &str) -> Result<Vec<u8>, CryptoError> {
    hex::decode(value).map_err(|_| CryptoError::MalformedHex(field))
}

fn cbc_encrypt(key: &[u8], iv: &[u8; IV_LEN], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    match key.len() {
        16 => Ok(cbc::Encryptor::<aes::Aes128>::new_from_slices(key, iv)
            .map_err(|_| CryptoError::UnsupportedAlgorithm)?
            .encrypt_padded_vec::<Pkcs7>(plaintext)),
        32 => Ok(cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv)
            .map_err(|_| CryptoError::UnsupportedAlgorithm)?
            .encrypt_padded_vec::<Pkcs7>(plaintext)),
        _ => Err(CryptoError::UnsupportedAlgorithm),
    }
}

/// Decrypts in place so that no plaintext copy is left behind un-zeroized.
fn cbc_decrypt(
    key: &[u8],
    iv: &[u8; IV_LEN],
    mut buf: Vec<u8>,
) -> Result<Secret<Vec<u8>>, CryptoError> {
    let plain_len = match key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
            .map_err(|_| CryptoError::UnsupportedAlgorithm)?
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map(<[u8]>::len),
        32 => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .map_err(|_| CryptoError::UnsupportedAlgorithm)?
            .decrypt_padded::<Pkcs7>(&mut buf)
            .map(<[u8]>::len),
        _ => return Err(CryptoError::UnsupportedAlgorithm),
    };
    match plain_len {
        Ok(len) => {
            buf.truncate(len);
            Ok(Secret::new(buf))
        }
        Err(_) => {
            buf.zeroize();
            Err(CryptoError::Decryption)
        }
    }
}

/// A SubjectPublicKeyInfo DER as a `PUBLIC KEY` PEM block (64-column base64).
pub fn spki_pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}

#[cfg(test)]
#[path = "fle_tests.rs"]
mod tests;
