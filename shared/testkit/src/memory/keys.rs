//! Key service, keyed MACs and network key material, in memory. Nothing here is
//! cryptography: outputs are deterministic stand-ins with the same shapes.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use async_trait::async_trait;
use tmp_core::ports::{
    DataKey, KeyMaterial, KeyMaterialStore, KeyMaterialStoreError, KeyVault, KeyVaultError,
    KeyedMac, PanFingerprinter,
};
use tmp_core::secret::{Pan, Secret};

use super::channels::FakeVault;

/// Data keys handed out in this process, so that every key differs.
static DATA_KEYS: AtomicU64 = AtomicU64::new(0);

/// 64-bit FNV-1a over the concatenation of `parts`.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Four rounds of FNV-1a: 32 bytes, the size of an HMAC-SHA256 or AES-256 key.
fn wide_hash(parts: &[&[u8]]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (round, chunk) in out.chunks_exact_mut(8).enumerate() {
        let round = [u8::try_from(round).unwrap_or(u8::MAX)];
        let mut all: Vec<&[u8]> = vec![&round];
        all.extend_from_slice(parts);
        chunk.copy_from_slice(&fnv1a(&all).to_be_bytes());
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh 32-byte data key whose ciphertext is [`FakeVault::seal`] of it.
pub fn fresh_data_key(context: &BTreeMap<String, String>) -> DataKey {
    let n = DATA_KEYS.fetch_add(1, Ordering::SeqCst);
    let context_json = serde_json::to_vec(context).unwrap();
    let plaintext = wide_hash(&[b"data-key|", &n.to_be_bytes(), b"|", &context_json]).to_vec();
    DataKey {
        ciphertext: FakeVault::seal(&plaintext, context),
        plaintext: Secret::new(plaintext),
    }
}

fn vault_offline() -> KeyVaultError {
    KeyVaultError::Unavailable("memory key vault is switched off".into())
}

/// [`FakeVault`] with a switch to make the key service unavailable and a count
/// of the data keys it generated.
#[derive(Debug, Default)]
pub struct MemoryKeyVault {
    unavailable: AtomicBool,
    data_keys: AtomicU64,
}

impl MemoryKeyVault {
    /// While `true`, every call fails with [`KeyVaultError::Unavailable`].
    pub fn fail(&self, unavailable: bool) {
        self.unavailable.store(unavailable, Ordering::SeqCst);
    }

    /// How many data keys were generated.
    pub fn data_keys_generated(&self) -> u64 {
        self.data_keys.load(Ordering::SeqCst)
    }

    fn check(&self) -> Result<(), KeyVaultError> {
        if self.unavailable.load(Ordering::SeqCst) {
            Err(vault_offline())
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl KeyVault for MemoryKeyVault {
    async fn generate_data_key(
        &self,
        context: &BTreeMap<String, String>,
    ) -> Result<DataKey, KeyVaultError> {
        self.check()?;
        self.data_keys.fetch_add(1, Ordering::SeqCst);
        Ok(fresh_data_key(context))
    }

    async fn decrypt(
        &self,
        ciphertext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Secret<Vec<u8>>, KeyVaultError> {
        self.check()?;
        FakeVault.decrypt(ciphertext, context).await
    }

    async fn encrypt(
        &self,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Vec<u8>, KeyVaultError> {
        self.check()?;
        FakeVault.encrypt(plaintext, context).await
    }
}

/// Deterministic stand-in for the KMS-held HMAC key: 64 hex characters of a
/// keyed FNV-1a hash, which never contain the input in clear.
#[derive(Debug)]
pub struct MemoryMac {
    key: String,
    unavailable: AtomicBool,
}

impl Default for MemoryMac {
    fn default() -> Self {
        Self::with_key("memory-mac-key")
    }
}

impl MemoryMac {
    /// A MAC under another key (its outputs differ from the default one's).
    pub fn with_key(key: &str) -> Self {
        Self {
            key: key.to_owned(),
            unavailable: AtomicBool::new(false),
        }
    }

    /// While `true`, every call fails with [`KeyVaultError::Unavailable`].
    pub fn fail(&self, unavailable: bool) {
        self.unavailable.store(unavailable, Ordering::SeqCst);
    }

    /// What [`KeyedMac::mac`] answers for `message`, for expectations.
    pub fn mac_of(&self, message: &[u8]) -> String {
        hex(&wide_hash(&[self.key.as_bytes(), b"|", message]))
    }

    /// What [`PanFingerprinter::fingerprint`] answers for `pan`.
    pub fn fingerprint_of(&self, pan: &Pan) -> String {
        self.mac_of(pan.expose().as_bytes())
    }

    fn check(&self) -> Result<(), KeyVaultError> {
        if self.unavailable.load(Ordering::SeqCst) {
            Err(vault_offline())
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl PanFingerprinter for MemoryMac {
    async fn fingerprint(&self, pan: &Pan) -> Result<String, KeyVaultError> {
        self.check()?;
        Ok(self.fingerprint_of(pan))
    }
}

#[async_trait]
impl KeyedMac for MemoryMac {
    async fn mac(&self, message: &Secret<Vec<u8>>) -> Result<String, KeyVaultError> {
        self.check()?;
        Ok(self.mac_of(message.expose()))
    }
}

/// Network key material in a list; `put` refuses a fingerprint it holds.
#[derive(Debug, Default)]
pub struct MemoryKeyMaterialStore {
    materials: Mutex<Vec<KeyMaterial>>,
    unavailable: AtomicBool,
}

impl MemoryKeyMaterialStore {
    /// Builder: starts with `material` stored.
    pub fn with(self, material: KeyMaterial) -> Self {
        self.materials.lock().unwrap().push(material);
        self
    }

    /// Everything stored, in insertion order.
    pub fn materials(&self) -> Vec<KeyMaterial> {
        self.materials.lock().unwrap().clone()
    }

    /// While `true`, every call fails with [`KeyMaterialStoreError::Unavailable`].
    pub fn fail(&self, unavailable: bool) {
        self.unavailable.store(unavailable, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), KeyMaterialStoreError> {
        if self.unavailable.load(Ordering::SeqCst) {
            Err(KeyMaterialStoreError::Unavailable(
                "memory key material store is switched off".into(),
            ))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl KeyMaterialStore for MemoryKeyMaterialStore {
    async fn put(&self, material: &KeyMaterial) -> Result<(), KeyMaterialStoreError> {
        self.check()?;
        let mut materials = self.materials.lock().unwrap();
        if materials
            .iter()
            .any(|m| m.fingerprint == material.fingerprint)
        {
            return Err(KeyMaterialStoreError::AlreadyExists);
        }
        materials.push(material.clone());
        Ok(())
    }

    async fn list(&self) -> Result<Vec<KeyMaterial>, KeyMaterialStoreError> {
        self.check()?;
        Ok(self.materials())
    }
}
