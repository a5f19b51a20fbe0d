//! In-memory fakes of the delivery-side ports (key service, contacts, SMS,
//! issuer webhook) for unit tests. Integration tests use the real AWS clients
//! against the emulator instead.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;

use tmp_core::domain::delivery::ContactDetails;
use tmp_core::ports::{
    ContactDirectory, ContactDirectoryError, DataKey, DeliveryError, IssuerNotifier, KeyVault,
    KeyVaultError, SmsSender, TokenSummary,
};
use tmp_core::secret::Secret;

/// "Encrypts" by prefixing the context: decrypt succeeds only with the same
/// context. Data keys are fresh 32-byte keys sealed the same way.
#[derive(Debug, Default)]
pub struct FakeVault;

impl FakeVault {
    pub fn seal(plaintext: &[u8], context: &BTreeMap<String, String>) -> Vec<u8> {
        let mut sealed = serde_json::to_vec(context).unwrap();
        sealed.push(b'|');
        sealed.extend_from_slice(plaintext);
        sealed
    }
}

#[async_trait]
impl KeyVault for FakeVault {
    async fn generate_data_key(
        &self,
        context: &BTreeMap<String, String>,
    ) -> Result<DataKey, KeyVaultError> {
        Ok(super::keys::fresh_data_key(context))
    }

    async fn decrypt(
        &self,
        ciphertext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Secret<Vec<u8>>, KeyVaultError> {
        let prefix = Self::seal(b"", context);
        ciphertext
            .strip_prefix(prefix.as_slice())
            .map(|p| Secret::new(p.to_vec()))
            .ok_or_else(|| KeyVaultError::Refused("InvalidCiphertextException".to_owned()))
    }

    async fn encrypt(
        &self,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
    ) -> Result<Vec<u8>, KeyVaultError> {
        Ok(Self::seal(plaintext, context))
    }
}

/// Contacts by token reference; `unavailable` tokens fail transiently.
#[derive(Default)]
pub struct FakeContacts {
    pub tokens: HashMap<String, (Option<String>, Option<String>, TokenSummary)>,
    pub unavailable: Vec<String>,
}

impl FakeContacts {
    pub fn with(
        mut self,
        token: &str,
        phone: Option<&str>,
        email: Option<&str>,
        summary: TokenSummary,
    ) -> Self {
        self.tokens.insert(
            token.to_owned(),
            (phone.map(str::to_owned), email.map(str::to_owned), summary),
        );
        self
    }
}

#[async_trait]
impl ContactDirectory for FakeContacts {
    async fn contact(
        &self,
        token_unique_reference: &str,
    ) -> Result<Option<(ContactDetails, TokenSummary)>, ContactDirectoryError> {
        if self.unavailable.iter().any(|t| t == token_unique_reference) {
            return Err(ContactDirectoryError::Unavailable("fake outage".into()));
        }
        Ok(self
            .tokens
            .get(token_unique_reference)
            .map(|(phone, email, summary)| {
                (
                    ContactDetails {
                        phone_number: phone.clone().map(Secret::new),
                        email: email.clone().map(Secret::new),
                    },
                    summary.clone(),
                )
            }))
    }
}

/// Records (phone, text); numbers in `failing` answer with the given error.
#[derive(Default)]
pub struct RecordingSms {
    pub sent: Mutex<Vec<(String, String)>>,
    pub transient_failures: Vec<String>,
}

impl RecordingSms {
    pub fn sent(&self) -> Vec<(String, String)> {
        self.sent.lock().unwrap().clone()
    }
}

#[async_trait]
impl SmsSender for RecordingSms {
    async fn send_sms(
        &self,
        phone_number: &Secret<String>,
        text: &Secret<String>,
    ) -> Result<(), DeliveryError> {
        if self.transient_failures.contains(phone_number.expose()) {
            return Err(DeliveryError::Transient("fake SMS outage".to_owned()));
        }
        self.sent
            .lock()
            .unwrap()
            .push((phone_number.expose().clone(), text.expose().clone()));
        Ok(())
    }
}

/// Records (event id, JSON body); `answer` decides the outcome per event id.
#[derive(Default)]
pub struct RecordingNotifier {
    pub sent: Mutex<Vec<(String, serde_json::Value)>>,
    pub permanent_failures: Vec<String>,
    pub transient_failures: Vec<String>,
}

impl RecordingNotifier {
    pub fn sent(&self) -> Vec<(String, serde_json::Value)> {
        self.sent.lock().unwrap().clone()
    }
}

#[async_trait]
impl IssuerNotifier for RecordingNotifier {
    async fn notify(&self, event_id: &str, body: &[u8]) -> Result<(), DeliveryError> {
        if self.permanent_failures.iter().any(|e| e == event_id) {
            return Err(DeliveryError::Permanent("fake HTTP 400".to_owned()));
        }
        if self.transient_failures.iter().any(|e| e == event_id) {
            return Err(DeliveryError::Transient("fake HTTP 503".to_owned()));
        }
        let body = serde_json::from_slice(body).expect("webhook bodies are JSON");
        self.sent.lock().unwrap().push((event_id.to_owned(), body));
        Ok(())
    }
}
