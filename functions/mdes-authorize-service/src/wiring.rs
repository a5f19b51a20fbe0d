//! Cold start: configuration, AWS clients, the MDES key ring and the issuer
//! client, built once and captured by the handler.

use std::sync::Arc;

use tmp_shared::adapters::dynamodb::{DynamoAuthorizationStore, DynamoTokenStore};
use tmp_shared::adapters::issuer_http::{IssuerApiConfig, IssuerHttpClient};
use tmp_shared::adapters::sns::SnsEventPublisher;
use tmp_shared::adapters::{DynamoDbKeyMaterialStore, KmsKeyVault, KmsPanFingerprinter};
use tmp_shared::config::FunctionEnv;
use tmp_shared::crypto::{config_secret, mdes_keys};
use tmp_shared::domain::policy::DecisionPolicy;
use tmp_shared::lambda::{HandlerError, HttpHandler};
use tmp_shared::services::activation_methods::IssuerContact;
use tmp_shared::services::events::EventDispatch;
use tmp_shared::services::mdes_authorize::AuthorizeService;

/// Shown to cardholders as `CARDHOLDER_TO_CALL_MANNED_NUMBER` unless configured.
const DEFAULT_CALL_CENTRE: &str = "+1-800-555-0100";

pub async fn init(
    sdk: &aws_config::SdkConfig,
    env: &FunctionEnv,
) -> Result<HttpHandler, HandlerError> {
    let dynamodb = aws_sdk_dynamodb::Client::new(sdk);
    let kms = aws_sdk_kms::Client::new(sdk);
    let vault = KmsKeyVault::new(kms.clone(), env.require("SECRETS_KEY_ID")?);

    let key_material =
        DynamoDbKeyMaterialStore::new(dynamodb.clone(), env.require("MDES_KEY_MATERIAL_TABLE")?);
    let keyring = mdes_keys::load_keyring(&vault, &key_material).await?;
    if keyring.is_empty() {
        tracing::warn!("no MDES private key is loaded: every encryptedPayload will be refused");
    }
    tracing::info!(keys = ?keyring.fingerprints(), "MDES key ring loaded");

    let client_secret = config_secret::decrypt(
        &vault,
        env.require("ISSUER_OAUTH_CLIENT_SECRET_CIPHERTEXT")?,
        config_secret::ISSUER_OAUTH_CLIENT_SECRET,
    )
    .await?;
    let issuer = IssuerHttpClient::new(IssuerApiConfig::from_env(env, client_secret)?)?;

    let table = env.require("TOKEN_STATE_TABLE")?.to_owned();
    let policy = DecisionPolicy::from_json(env.get("DECISION_RULES").unwrap_or("{}"))?;
    let contact = IssuerContact {
        call_centre_number: env
            .get("ISSUER_CALL_CENTRE_NUMBER")
            .unwrap_or(DEFAULT_CALL_CENTRE)
            .to_owned(),
    };
    Ok(crate::handler(AuthorizeService {
        decryptor: Arc::new(keyring),
        vault: Arc::new(vault),
        events: env.get("TOKEN_EVENTS_TOPIC_ARN").map(|arn| EventDispatch {
            publisher: Arc::new(SnsEventPublisher::new(aws_sdk_sns::Client::new(sdk), arn)),
            outbox: Arc::new(DynamoTokenStore::new(dynamodb.clone(), table.clone())),
        }),
        verifier: Arc::new(issuer),
        fingerprinter: Arc::new(KmsPanFingerprinter::new(
            kms,
            env.require("PAN_FINGERPRINT_KEY_ID")?,
        )),
        store: Arc::new(DynamoAuthorizationStore::new(
            dynamodb,
            env.require("TOKEN_STATE_TABLE")?,
        )),
        policy,
        contact,
    }))
}
