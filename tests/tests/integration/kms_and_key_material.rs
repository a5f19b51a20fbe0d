//! KMS adapters and MDES key storage against the AWS emulator, through the real SDK clients.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_sdk_kms::types::{KeySpec, KeyUsageType};
use tmp_aws::{DynamoDbKeyMaterialStore, KmsKeyVault, KmsPanFingerprinter};
use tmp_core::ports::{
    KeyMaterialStatus, KeyMaterialStore, KeyMaterialStoreError, KeyVault, KeyVaultError,
    PanFingerprinter,
};
use tmp_core::secret::Pan;
use tmp_mdes::fle::encrypt;
use tmp_mdes::fle::{AesKeySize, LegacyForms, MdesPrivateKey, OaepHash};
use tmp_mdes::keys::{
    MdesKeyError, encryption_context, generate_and_store, load_keyring, public_keys,
};
use tmp_testkit::moto::Emulator;

const DOC: &[u8] = br#"{"fundingAccountInfo":{"accountNumber":"5555555555554444"}}"#;

struct Aws {
    _emulator: Emulator,
    kms: aws_sdk_kms::Client,
    dynamodb: aws_sdk_dynamodb::Client,
}

impl Aws {
    async fn start() -> Self {
        let emulator = Emulator::for_tests().await;
        let config = emulator.sdk_config().await;
        Self {
            kms: aws_sdk_kms::Client::new(&config),
            dynamodb: aws_sdk_dynamodb::Client::new(&config),
            _emulator: emulator,
        }
    }

    async fn symmetric_key(&self) -> String {
        let out = self.kms.create_key().send().await.unwrap();
        out.key_metadata.unwrap().key_id
    }

    async fn hmac_key(&self) -> String {
        let out = self
            .kms
            .create_key()
            .key_spec(KeySpec::Hmac256)
            .key_usage(KeyUsageType::GenerateVerifyMac)
            .send()
            .await
            .unwrap();
        out.key_metadata.unwrap().key_id
    }

    /// A fresh `MdesKeyMaterialTable` (partition key `fingerprint`).
    async fn key_material_table(&self) -> DynamoDbKeyMaterialStore {
        let name = format!("mdes-key-material-{}", uuid::Uuid::new_v4());
        self.dynamodb
            .create_table()
            .table_name(&name)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("fingerprint")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("fingerprint")
                    .key_type(KeyType::Hash)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        DynamoDbKeyMaterialStore::new(self.dynamodb.clone(), name)
    }
}

#[tokio::test]
async fn stored_mdes_key_loads_and_decrypts_every_wrap_mode() {
    // GIVEN a KMS key and an empty key-material table
    let aws = Aws::start().await;
    let vault = KmsKeyVault::new(aws.kms.clone(), aws.symmetric_key().await);
    let store = aws.key_material_table().await;

    // WHEN an MDES key is generated and stored
    let info = generate_and_store(&vault, &store, MdesPrivateKey::DEFAULT_BITS)
        .await
        .unwrap();

    // THEN the table holds only ciphertext and public data, ACTIVE, bound to the fingerprint
    let stored = store.list().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].fingerprint, info.fingerprint);
    assert_eq!(stored[0].status, KeyMaterialStatus::Active);
    assert_eq!(stored[0].nonce.len(), 12);
    assert!(stored[0].created_at.ends_with('Z'));
    // AND the onboarding view needs no decryption and agrees with generation
    assert_eq!(public_keys(&store).await.unwrap(), vec![info.clone()]);
    assert!(info.pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));

    // WHEN the key ring is loaded (cold start)
    let ring = load_keyring(&vault, &store).await.unwrap();
    // THEN it holds the key, and its PKCS#8 form is not what the table stores
    assert_eq!(ring.fingerprints(), vec![info.fingerprint.as_str()]);
    let key = ring.find(&info.fingerprint).unwrap();
    let pkcs8 = key.to_pkcs8_der().unwrap();
    assert!(
        !stored[0]
            .sealed_private_key
            .windows(64)
            .any(|w| pkcs8.expose().windows(64).any(|p| p == w))
    );

    // AND payloads MDES encrypts to the public key decrypt with OAEP; the
    // legacy PKCS#1 v1.5 wrap only once the issuer accepts it
    let spki = key.public_key_der().to_vec();
    for wrap in [Some(OaepHash::Sha256), Some(OaepHash::Sha512)] {
        let payload = encrypt(&spki, DOC, wrap, AesKeySize::Aes128).unwrap();
        let plain = ring.decrypt(&payload).unwrap();
        assert_eq!(plain.expose().as_slice(), DOC, "{wrap:?}");
    }
    let legacy = encrypt(&spki, DOC, None, AesKeySize::Aes128).unwrap();
    assert!(ring.decrypt(&legacy).is_err());
    let ring = ring.accepting(LegacyForms::ALL);
    assert_eq!(ring.decrypt(&legacy).unwrap().expose().as_slice(), DOC);
}

#[tokio::test]
async fn retired_keys_are_not_loaded_and_fingerprints_are_never_overwritten() {
    // GIVEN two stored keys
    let aws = Aws::start().await;
    let vault = KmsKeyVault::new(aws.kms.clone(), aws.symmetric_key().await);
    let store = aws.key_material_table().await;
    let first = generate_and_store(&vault, &store, 2048).await.unwrap();
    let second = generate_and_store(&vault, &store, 2048).await.unwrap();

    // THEN both load
    let ring = load_keyring(&vault, &store).await.unwrap();
    assert_eq!(ring.len(), 2);
    assert!(ring.find(&first.fingerprint).is_some());
    assert!(ring.find(&second.fingerprint).is_some());

    // WHEN an item is written again under an existing fingerprint
    let mut copy = store.list().await.unwrap().remove(0);
    copy.status = KeyMaterialStatus::Retired;
    // THEN the store refuses it
    assert!(matches!(
        store.put(&copy).await,
        Err(KeyMaterialStoreError::AlreadyExists)
    ));

    // GIVEN a retired key in a fresh table
    let retired_table = aws.key_material_table().await;
    retired_table.put(&copy).await.unwrap();
    // WHEN loaded THEN it is skipped, and not offered for onboarding
    assert!(
        load_keyring(&vault, &retired_table)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(public_keys(&retired_table).await.unwrap().is_empty());
}

#[tokio::test]
async fn data_keys_only_open_under_their_encryption_context() {
    // GIVEN a data key generated under the context of one MDES key
    let aws = Aws::start().await;
    let vault = KmsKeyVault::new(aws.kms.clone(), aws.symmetric_key().await);
    let context = encryption_context("aa11");
    let data_key = vault.generate_data_key(&context).await.unwrap();
    assert_eq!(data_key.plaintext.expose().len(), 32);

    // THEN it decrypts under the same context
    let plaintext = vault.decrypt(&data_key.ciphertext, &context).await.unwrap();
    assert_eq!(plaintext, data_key.plaintext);
    // AND is refused under another fingerprint, or with no context at all
    let other = encryption_context("bb22");
    assert!(matches!(
        vault.decrypt(&data_key.ciphertext, &other).await,
        Err(KeyVaultError::Refused(_))
    ));
    assert!(
        vault
            .decrypt(&data_key.ciphertext, &BTreeMap::new())
            .await
            .is_err()
    );

    // AND small secrets round-trip through Encrypt/Decrypt with their context
    let ciphertext = vault.encrypt(b"client-secret", &context).await.unwrap();
    assert_ne!(ciphertext.as_slice(), b"client-secret");
    let opened = vault.decrypt(&ciphertext, &context).await.unwrap();
    assert_eq!(opened.expose().as_slice(), b"client-secret");
    assert!(vault.decrypt(&ciphertext, &other).await.is_err());
}

#[tokio::test]
async fn key_material_moved_to_another_fingerprint_does_not_load() {
    // GIVEN a stored key whose item is copied under a different fingerprint
    let aws = Aws::start().await;
    let vault = KmsKeyVault::new(aws.kms.clone(), aws.symmetric_key().await);
    let store = aws.key_material_table().await;
    generate_and_store(&vault, &store, 2048).await.unwrap();
    let mut forged = store.list().await.unwrap().remove(0);
    forged.fingerprint = "0".repeat(64);
    let forged_table = aws.key_material_table().await;
    forged_table.put(&forged).await.unwrap();

    // WHEN the ring is loaded THEN KMS refuses the data key (context names the fingerprint)
    let err = load_keyring(&vault, &forged_table).await.unwrap_err();
    assert!(
        matches!(err, MdesKeyError::Vault(KeyVaultError::Refused(_))),
        "{err:?}"
    );
    // AND the onboarding view notices the public key does not match
    assert!(matches!(
        public_keys(&forged_table).await,
        Err(MdesKeyError::FingerprintMismatch)
    ));
}

#[tokio::test]
async fn pan_fingerprints_are_stable_and_keyed() {
    // GIVEN two HMAC keys and two test PANs
    let aws = Aws::start().await;
    let a = KmsPanFingerprinter::new(aws.kms.clone(), aws.hmac_key().await);
    let b = KmsPanFingerprinter::new(aws.kms.clone(), aws.hmac_key().await);
    let pan1: Pan = "5555555555554444".parse().unwrap();
    let pan2: Pan = "5105105105105100".parse().unwrap();

    // WHEN fingerprinted
    let first = a.fingerprint(&pan1).await.unwrap();
    let again = a.fingerprint(&pan1).await.unwrap();
    let other_pan = a.fingerprint(&pan2).await.unwrap();
    let other_key = b.fingerprint(&pan1).await.unwrap();

    // THEN the same PAN and key give the same lowercase hex HMAC-SHA256
    assert_eq!(first, again);
    assert_eq!(first.len(), 64);
    assert!(
        first
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    );
    // AND another PAN or another key gives another fingerprint
    assert_ne!(first, other_pan);
    assert_ne!(first, other_key);
    assert!(!first.contains("5555555555554444"));
}

#[tokio::test]
async fn a_missing_kms_key_is_a_refusal_without_request_content() {
    // GIVEN a vault naming a key that does not exist
    let aws = Aws::start().await;
    let vault = KmsKeyVault::new(aws.kms.clone(), "alias/does-not-exist");
    let fingerprinter = KmsPanFingerprinter::new(aws.kms.clone(), "alias/does-not-exist");
    let pan: Pan = "5555555555554444".parse().unwrap();

    // WHEN used
    let vault_err = vault
        .encrypt(b"client-secret", &encryption_context("aa11"))
        .await
        .unwrap_err();
    let mac_err = fingerprinter.fingerprint(&pan).await.unwrap_err();

    // THEN the errors name the failure but carry neither the secret nor the PAN
    for err in [vault_err, mac_err] {
        let printed = format!("{err} {err:?}");
        assert!(matches!(err, KeyVaultError::Refused(_)), "{printed}");
        assert!(!printed.contains("client-secret"), "{printed}");
        assert!(!printed.contains("5555555555554444"), "{printed}");
    }
}
