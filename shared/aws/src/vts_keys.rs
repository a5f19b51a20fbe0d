//! The issuer's VTS private keys (the JWE recipients of Visa's
//! `encryptedData`) at rest and at cold start: each PKCS#8 key sealed with
//! AES-256-GCM under its own KMS data key (encryption context
//! `{"purpose":"vts-private-key","kid":<kid>}`, AAD = kid), stored in
//! `VtsKeyMaterialTable`, whose `fingerprint` attribute holds the `kid`.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_config::SdkConfig;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use tmp_core::crypto::CryptoError;
use tmp_core::crypto::sealed_key::{self, SealedKeyError};
use tmp_core::ports::key_material::{
    KeyMaterial, KeyMaterialStatus, KeyMaterialStore, KeyMaterialStoreError,
};
use tmp_core::ports::key_vault::{KeyVault, KeyVaultError};
use tmp_core::secret::Secret;
use tmp_runtime::config::FunctionEnv;
use tmp_runtime::lambda::HandlerError;
use tmp_vts::jwe::{VtsKeyError, VtsKeyRing, VtsPrivateKey};
use zeroize::Zeroizing;

use crate::dynamodb::DynamoDbKeyMaterialStore;
use crate::kms::KmsKeyVault;

/// Value of the `purpose` encryption-context entry of VTS key data keys.
pub const PURPOSE: &str = "vts-private-key";
/// Environment variable naming the table (see `template.yaml`).
pub const VTS_KEY_MATERIAL_TABLE_ENV: &str = "VTS_KEY_MATERIAL_TABLE";
/// The KMS key the data keys are made under.
pub const SECRETS_KEY_ID_ENV: &str = "SECRETS_KEY_ID";
/// RSA modulus of keys we generate (Visa's minimum is ours: 2048).
pub const DEFAULT_KEY_BITS: usize = tmp_vts::jwe::MIN_KEY_BITS;

#[derive(Debug, thiserror::Error)]
pub enum VtsKeyStoreError {
    #[error("key vault operation failed")]
    Vault(#[from] KeyVaultError),
    #[error("key material store operation failed")]
    Store(#[from] KeyMaterialStoreError),
    #[error("key material cryptography failed")]
    Crypto(#[from] CryptoError),
    #[error("VTS key")]
    Key(#[from] VtsKeyError),
    #[error("stored VTS key {0} does not match its public key")]
    PublicKeyMismatch(String),
    #[error("RSA key generation did not finish")]
    Generation,
}

impl From<SealedKeyError> for VtsKeyStoreError {
    fn from(err: SealedKeyError) -> Self {
        match err {
            SealedKeyError::Vault(e) => Self::Vault(e),
            SealedKeyError::Crypto(e) => Self::Crypto(e),
        }
    }
}

/// What Visa onboarding needs: the key id and the public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VtsPublicKeyInfo {
    pub kid: String,
    /// SubjectPublicKeyInfo as a `PUBLIC KEY` PEM block.
    pub pem: String,
}

/// The KMS encryption context binding a data key to one VTS key.
pub fn encryption_context(kid: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("purpose".to_owned(), PURPOSE.to_owned()),
        ("kid".to_owned(), kid.to_owned()),
    ])
}

/// The key id we give a key when none is chosen: `vts-` and 16 hex digits of
/// the SHA-256 of its SubjectPublicKeyInfo, so the same key always gets the
/// same id (an import is idempotent) and two keys never share one.
pub fn derived_kid(public_key_der: &[u8]) -> String {
    let digest = hex::encode(Sha256::digest(public_key_der));
    format!("vts-{}", digest.get(..16).unwrap_or(&digest))
}

/// Generates an RSA key pair (`kid` or [`derived_kid`]), seals it and stores
/// it as ACTIVE.
pub async fn generate_and_store(
    vault: &dyn KeyVault,
    store: &dyn KeyMaterialStore,
    kid: Option<&str>,
    bits: usize,
) -> Result<VtsPublicKeyInfo, VtsKeyStoreError> {
    // Key generation takes 20 ms to 0.5 s of CPU: keep it off the async workers.
    let key = tokio::task::spawn_blocking(move || VtsPrivateKey::generate("pending", bits))
        .await
        .map_err(|_| VtsKeyStoreError::Generation)??;
    let kid = kid.map_or_else(|| derived_kid(key.public_key_der()), str::to_owned);
    let key = with_kid(&key, &kid)?;
    seal_and_store(vault, store, &key).await
}

/// The same key under another id.
pub fn with_kid(key: &VtsPrivateKey, kid: &str) -> Result<VtsPrivateKey, VtsKeyStoreError> {
    Ok(VtsPrivateKey::from_pkcs8_pem(kid, &key.to_pkcs8_pem()?)?)
}

/// Seals an existing private key (an import, or a freshly generated one)
/// under a fresh data key and stores it as ACTIVE; refuses a kid in use.
pub async fn seal_and_store(
    vault: &dyn KeyVault,
    store: &dyn KeyMaterialStore,
    key: &VtsPrivateKey,
) -> Result<VtsPublicKeyInfo, VtsKeyStoreError> {
    let kid = key.kid().to_owned();
    let material = sealed_key::seal(
        vault,
        &encryption_context(&kid),
        &kid,
        key.public_key_der(),
        &pkcs8_der(key)?,
    )
    .await?;
    store.put(&material).await?;
    Ok(VtsPublicKeyInfo {
        pem: key.public_key_pem()?,
        kid,
    })
}

/// The PKCS#8 DER of a key (what the table holds, as for MDES keys).
fn pkcs8_der(key: &VtsPrivateKey) -> Result<Secret<Vec<u8>>, VtsKeyStoreError> {
    let pem = key.to_pkcs8_pem()?;
    let body: Zeroizing<String> = Zeroizing::new(
        pem.expose()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect(),
    );
    STANDARD
        .decode(body.as_bytes())
        .map(Secret::new)
        .map_err(|_| VtsKeyStoreError::Key(VtsKeyError::InvalidPrivateKey))
}

/// Decrypts every ACTIVE key once (at cold start), all in parallel: one KMS
/// round trip of latency, not one per key. A key that fails to open fails the
/// whole load: a half-loaded ring would refuse payloads silently.
pub async fn load_key_ring(
    vault: &dyn KeyVault,
    store: &dyn KeyMaterialStore,
) -> Result<VtsKeyRing, VtsKeyStoreError> {
    let active: Vec<KeyMaterial> = store
        .list()
        .await?
        .into_iter()
        .filter(|m| m.status == KeyMaterialStatus::Active)
        .collect();
    let opened = futures::future::try_join_all(active.iter().map(|m| open_key(vault, m))).await?;
    Ok(VtsKeyRing::new(opened)?)
}

async fn open_key(
    vault: &dyn KeyVault,
    material: &KeyMaterial,
) -> Result<VtsPrivateKey, VtsKeyStoreError> {
    let kid = &material.fingerprint;
    let der = sealed_key::open(vault, &encryption_context(kid), material).await?;
    let key = VtsPrivateKey::from_pkcs8_der(kid, &der)?;
    // The AAD binds the kid; this also catches a swapped public key.
    if key.public_key_der() != material.public_key_der {
        return Err(VtsKeyStoreError::PublicKeyMismatch(kid.clone()));
    }
    Ok(key)
}

/// Key ids and public keys of the ACTIVE keys; no decryption involved.
pub async fn public_keys(
    store: &dyn KeyMaterialStore,
) -> Result<Vec<VtsPublicKeyInfo>, KeyMaterialStoreError> {
    Ok(store
        .list()
        .await?
        .into_iter()
        .filter(|m| m.status == KeyMaterialStatus::Active)
        .map(|m| VtsPublicKeyInfo {
            pem: public_key_pem(&m.public_key_der),
            kid: m.fingerprint,
        })
        .collect())
}

/// SubjectPublicKeyInfo DER as a `PUBLIC KEY` PEM block (64-column base64).
fn public_key_pem(der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}

/// The issuer's VTS private keys, unwrapped once per cold start
/// (`VTS_KEY_MATERIAL_TABLE`, under `SECRETS_KEY_ID`). A missing setting fails
/// the cold start by name.
pub async fn vts_key_ring(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<Arc<VtsKeyRing>, HandlerError> {
    let store = DynamoDbKeyMaterialStore::new(
        aws_sdk_dynamodb::Client::new(sdk),
        env.require(VTS_KEY_MATERIAL_TABLE_ENV)?,
    );
    let vault = KmsKeyVault::new(
        aws_sdk_kms::Client::new(sdk),
        env.require(SECRETS_KEY_ID_ENV)?,
    );
    let ring = load_key_ring(&vault, &store).await?;
    if ring.is_empty() {
        tracing::warn!("no VTS private key is loaded: every encryptedData will be refused");
    }
    tracing::info!(keys = ?ring.kids(), "VTS key ring loaded");
    Ok(Arc::new(ring))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;
    use tmp_core::ports::key_vault::DataKey;

    use super::*;

    /// A vault that "wraps" a data key by prefixing its context, so a wrong
    /// context fails to unwrap (as KMS does).
    struct ContextVault;

    fn context_tag(context: &BTreeMap<String, String>) -> Vec<u8> {
        format!("{context:?}|").into_bytes()
    }

    #[async_trait]
    impl KeyVault for ContextVault {
        async fn generate_data_key(
            &self,
            context: &BTreeMap<String, String>,
        ) -> Result<DataKey, KeyVaultError> {
            let plaintext = vec![7u8; 32];
            let mut ciphertext = context_tag(context);
            ciphertext.extend_from_slice(&plaintext);
            Ok(DataKey {
                plaintext: Secret::new(plaintext),
                ciphertext,
            })
        }

        async fn decrypt(
            &self,
            ciphertext: &[u8],
            context: &BTreeMap<String, String>,
        ) -> Result<Secret<Vec<u8>>, KeyVaultError> {
            let tag = context_tag(context);
            ciphertext
                .strip_prefix(tag.as_slice())
                .map(|k| Secret::new(k.to_vec()))
                .ok_or_else(|| KeyVaultError::Refused("context".into()))
        }

        async fn encrypt(
            &self,
            _: &[u8],
            _: &BTreeMap<String, String>,
        ) -> Result<Vec<u8>, KeyVaultError> {
            Err(KeyVaultError::Refused("unused".into()))
        }
    }

    #[derive(Default)]
    struct MemoryStore(Mutex<Vec<KeyMaterial>>);

    #[async_trait]
    impl KeyMaterialStore for MemoryStore {
        async fn put(&self, material: &KeyMaterial) -> Result<(), KeyMaterialStoreError> {
            let mut items = self.0.lock().unwrap();
            if items.iter().any(|m| m.fingerprint == material.fingerprint) {
                return Err(KeyMaterialStoreError::AlreadyExists);
            }
            items.push(material.clone());
            Ok(())
        }

        async fn list(&self) -> Result<Vec<KeyMaterial>, KeyMaterialStoreError> {
            Ok(self.0.lock().unwrap().clone())
        }
    }

    #[tokio::test]
    async fn generated_keys_are_sealed_loaded_and_decrypt_what_visa_encrypts() {
        // GIVEN two generated keys, one with a chosen kid, and a retired one
        let (vault, store) = (ContextVault, MemoryStore::default());
        let chosen = generate_and_store(&vault, &store, Some("vts-2026-01"), 2048)
            .await
            .unwrap();
        let derived = generate_and_store(&vault, &store, None, 2048)
            .await
            .unwrap();
        assert_eq!(chosen.kid, "vts-2026-01");
        assert!(derived.kid.starts_with("vts-") && derived.kid.len() == 20);
        generate_and_store(&vault, &store, Some("old"), 2048)
            .await
            .unwrap();
        store.0.lock().unwrap()[2].status = KeyMaterialStatus::Retired;

        // WHEN the ring is loaded
        let ring = load_key_ring(&vault, &store).await.unwrap();
        // THEN it holds the active keys only
        assert_eq!(ring.kids(), vec!["vts-2026-01", derived.kid.as_str()]);
        // AND the table holds no private key in clear
        for m in store.0.lock().unwrap().iter().take(2) {
            let der = pkcs8_der(ring.find(&m.fingerprint).unwrap()).unwrap();
            let head = &der.expose()[..64];
            assert!(!m.sealed_private_key.windows(64).any(|w| w == head));
        }
        // AND each decrypts a JWE made for its public key
        let published = public_keys(&store).await.unwrap();
        assert_eq!(published.len(), 2);
        for info in [&chosen, &derived] {
            let key = ring.find(&info.kid).unwrap();
            assert_eq!(
                published.iter().find(|p| p.kid == info.kid).unwrap().pem,
                info.pem
            );
            let jwe = tmp_vts::jwe::encrypt_as_vts(key.public_key_der(), &info.kid, b"{\"a\":1}")
                .unwrap();
            assert_eq!(ring.decrypt(&jwe).unwrap().expose(), b"{\"a\":1}");
        }
    }

    #[tokio::test]
    async fn a_tampered_record_fails_the_whole_load() {
        // GIVEN a stored key whose record was moved to another kid
        let (vault, store) = (ContextVault, MemoryStore::default());
        generate_and_store(&vault, &store, Some("a"), 2048)
            .await
            .unwrap();
        store.0.lock().unwrap()[0].fingerprint = "b".into();
        // WHEN loaded THEN the load fails (the context and AAD name the kid)
        assert!(load_key_ring(&vault, &store).await.is_err());

        // GIVEN a record whose public key was swapped for another key's
        let store2 = MemoryStore::default();
        generate_and_store(&vault, &store2, Some("a"), 2048)
            .await
            .unwrap();
        let other = generate_and_store(&vault, &store2, Some("c"), 2048)
            .await
            .unwrap();
        let other_der = store2.0.lock().unwrap()[1].public_key_der.clone();
        store2.0.lock().unwrap()[0].public_key_der = other_der;
        // THEN the load fails naming it
        let err = load_key_ring(&vault, &store2).await.unwrap_err();
        assert!(
            matches!(&err, VtsKeyStoreError::PublicKeyMismatch(kid) if kid == "a"),
            "{err:?} {}",
            other.kid
        );
    }

    #[test]
    fn derived_kids_are_stable_and_valid_key_ids() {
        assert_eq!(derived_kid(b"spki"), derived_kid(b"spki"));
        assert_ne!(derived_kid(b"spki"), derived_kid(b"other"));
        assert!(derived_kid(b"spki").bytes().all(|b| b.is_ascii_graphic()));
    }

    #[test]
    fn public_keys_are_pem_blocks_of_64_columns() {
        let pem = public_key_pem(&[1u8; 100]);
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(pem.ends_with("-----END PUBLIC KEY-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
    }

    #[tokio::test]
    async fn a_missing_setting_fails_the_cold_start_by_name() {
        let sdk = SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let err = vts_key_ring(&sdk, &FunctionEnv::default())
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains(VTS_KEY_MATERIAL_TABLE_ENV),
            "{err}"
        );
    }
}
