//! The composition root: the one place that reads a function's environment
//! and builds its use case from AWS clients and adapters. Each function gets
//! exactly the ports it needs; a setting it needs and lacks fails the cold
//! start with the variable's name, never a request.

use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use tmp_core::clock::{Clock, IdGenerator, RandomIds, SystemClock};
use tmp_core::domain::activation_code::CodePolicy;
use tmp_core::domain::policy::DecisionPolicy;
use tmp_core::ports::{IssuerNotifier, KeyVault};
use tmp_core::secret::Secret;
use tmp_core::usecases::activation_methods::IssuerContact;
use tmp_core::usecases::authorize::AuthorizeTokenization;
use tmp_core::usecases::cardholder_notification::{
    CardholderNotificationService, EnabledNotifications,
};
use tmp_core::usecases::check_eligibility::CheckEligibility;
use tmp_core::usecases::deliver_activation_code::DeliverActivationCode;
use tmp_core::usecases::events::PublishEvents;
use tmp_core::usecases::issuer_notification::IssuerNotificationService;
use tmp_core::usecases::ledger::Idempotency;
use tmp_core::usecases::lifecycle::TokenLifecycle;
use tmp_core::usecases::notify_activated::NotifyActivated;
use tmp_core::usecases::otp_delivery::OtpDeliveryService;
use tmp_core::usecases::request_activation_methods::{
    RequestActivationMethods, TokenActivationMethods,
};
use tmp_core::usecases::suspicious_activity::RecordSuspiciousActivity;
use tmp_core::usecases::token_changed::RecordTokenChange;
use tmp_core::usecases::update_tokens::UpdateTokens;
use tmp_core::usecases::validate_activation_code::ValidateActivationCode;
use tmp_mdes::fle::{LegacyForms, MdesKeyRing};
use tmp_runtime::config::{ConfigError, FunctionEnv};
use tmp_runtime::consumer::RetryBackoff;
use tmp_runtime::lambda::HandlerError;
use tmp_vts::check_eligibility::CardMetadataCatalog;

use crate::config_secret;
use crate::dynamodb::{DynamoDbContactDirectory, DynamoDbKeyMaterialStore, TokenStateTable};
use crate::issuer_http::{IssuerApiConfig, IssuerHttpClient};
use crate::kms::KmsKeyVault;
use crate::local_keys::{HmacKey, SealingKey};
use crate::sns::{SnsEventPublisher, SnsSmsSender};
use crate::sqs::SqsOtpJobQueue;
use crate::sqs_backoff::SqsRetryBackoff;
use crate::webhook::{self, NoIssuerWebhook, WebhookConfig, WebhookNotifier};

pub mod admin;
pub mod issuer;

/// Name in the cardholder texts when `ISSUER_NAME` is unset.
pub const DEFAULT_ISSUER_NAME: &str = "your bank";

/// The SDK configuration of a Lambda: the credentials and region Lambda puts
/// in the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`, `AWS_REGION`), and `AWS_ENDPOINT_URL` when set (the
/// benchmark, a local stack). Built by hand rather than by `load_from_env`:
/// the profile, SSO, STS and IMDS providers of the default chain never apply
/// in Lambda and cost a tenth of the binary. Retries and timeouts are the
/// SDK's defaults for the latest behaviour version.
pub async fn sdk_config() -> SdkConfig {
    use aws_config::environment::{
        EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider,
    };
    use aws_config::meta::region::ProvideRegion as _;
    let region = EnvironmentVariableRegionProvider::new().region().await;
    let endpoint_url = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|url| !url.trim().is_empty());
    let mut config = SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                EnvironmentVariableCredentialsProvider::new(),
            ),
        );
    config.set_region(region);
    config.set_endpoint_url(endpoint_url);
    config.build()
}

/// The clock and ids every use case shares.
fn clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

fn ids() -> Arc<dyn IdGenerator> {
    Arc::new(RandomIds)
}

fn table(sdk: &SdkConfig, env: &FunctionEnv) -> Result<Arc<TokenStateTable>, ConfigError> {
    Ok(Arc::new(
        TokenStateTable::new(
            aws_sdk_dynamodb::Client::new(sdk),
            env.require("TOKEN_STATE_TABLE")?,
        )
        // Authorizations read an administrator's rules with each card.
        .with_decision_rules(env.get("DECISION_RULES_TABLE").map(str::to_owned)),
    ))
}

fn vault(sdk: &SdkConfig, env: &FunctionEnv) -> Result<Arc<KmsKeyVault>, ConfigError> {
    Ok(Arc::new(KmsKeyVault::new(
        aws_sdk_kms::Client::new(sdk),
        env.require("SECRETS_KEY_ID")?,
    )))
}

/// The PAN-fingerprint HMAC secret, unwrapped once: no request waits on KMS
/// (`PAN_FINGERPRINT_SECRET_CIPHERTEXT`, purpose `pan-fingerprint-secret`).
async fn hmac(sdk: &SdkConfig, env: &FunctionEnv) -> Result<Arc<HmacKey>, HandlerError> {
    let key = config_secret::decrypt_key(
        vault(sdk, env)?.as_ref(),
        env.require("PAN_FINGERPRINT_SECRET_CIPHERTEXT")?,
        config_secret::PAN_FINGERPRINT_SECRET,
    )
    .await?;
    Ok(Arc::new(HmacKey::new(key)?))
}

/// The data key that seals contacts and activation codes, unwrapped once
/// (`DATA_SEALING_KEY_CIPHERTEXT`, purpose `data-sealing-key`).
async fn sealing(sdk: &SdkConfig, env: &FunctionEnv) -> Result<Arc<SealingKey>, HandlerError> {
    let key = config_secret::decrypt_key(
        vault(sdk, env)?.as_ref(),
        env.require("DATA_SEALING_KEY_CIPHERTEXT")?,
        config_secret::DATA_SEALING_KEY,
    )
    .await?;
    Ok(Arc::new(SealingKey::new(key)?))
}

fn idempotency(table: &Arc<TokenStateTable>) -> Idempotency {
    Idempotency {
        ledger: table.clone(),
        clock: clock(),
        ids: ids(),
    }
}

/// The lifecycle engine: its events leave through the outbox and the stream.
fn lifecycle(table: &Arc<TokenStateTable>) -> TokenLifecycle {
    TokenLifecycle {
        tokens: table.clone(),
        clock: clock(),
        ids: ids(),
    }
}

/// The issuer's call centre: required, there is no placeholder number.
fn issuer_contact(env: &FunctionEnv) -> Result<IssuerContact, ConfigError> {
    Ok(IssuerContact {
        call_centre_number: env.require("ISSUER_CALL_CENTRE_NUMBER")?.to_owned(),
    })
}

fn code_policy(env: &FunctionEnv) -> Result<CodePolicy, ConfigError> {
    let defaults = CodePolicy::default();
    Ok(CodePolicy {
        length: env.parse_or("ACTIVATION_CODE_LENGTH", defaults.length)?,
        ttl: time::Duration::minutes(env.parse_or("ACTIVATION_CODE_TTL_MINUTES", 30i64)?),
        max_attempts: env.parse_or("ACTIVATION_CODE_MAX_ATTEMPTS", defaults.max_attempts)?,
        max_sends: env.parse_or("ACTIVATION_CODE_MAX_SENDS", defaults.max_sends)?,
        max_codes: env.parse_or("ACTIVATION_CODE_MAX_CODES", defaults.max_codes)?,
    })
}

/// The issuer's MDES private keys, unwrapped once (`MDES_KEY_MATERIAL_TABLE`).
pub async fn mdes_key_ring(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<Arc<MdesKeyRing>, HandlerError> {
    let store = DynamoDbKeyMaterialStore::new(
        aws_sdk_dynamodb::Client::new(sdk),
        env.require("MDES_KEY_MATERIAL_TABLE")?,
    );
    let legacy = LegacyForms {
        pkcs1v15_key_wrap: env.parse_or("MDES_ACCEPT_PKCS1V15_KEY_WRAP", false)?,
        absent_iv: env.parse_or("MDES_ACCEPT_ABSENT_IV", false)?,
    };
    let ring = tmp_mdes::keys::load_keyring(vault(sdk, env)?.as_ref(), &store)
        .await?
        .accepting(legacy);
    if ring.is_empty() {
        tracing::warn!("no MDES private key is loaded: every encryptedPayload will be refused");
    }
    tracing::info!(keys = ?ring.fingerprints(), "MDES key ring loaded");
    Ok(Arc::new(ring))
}

/// A URL we send card data or secrets to: HTTPS, or plain HTTP to this
/// machine only (the local platform's simulators).
fn secure_url(env: &FunctionEnv, name: &str) -> Result<String, ConfigError> {
    let url = env.require(name)?;
    let invalid = |reason: &str| ConfigError::Invalid {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    if let Some(rest) = url.strip_prefix("https://") {
        return if rest.is_empty() {
            Err(invalid("has no host"))
        } else {
            Ok(url.to_owned())
        };
    }
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid("must be an https:// URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if matches!(host, "127.0.0.1" | "localhost" | "::1") {
        Ok(url.to_owned())
    } else {
        Err(invalid(
            "must be an https:// URL (plain http only to this machine)",
        ))
    }
}

/// The issuer's Card Verification API settings (the secret decrypted by the caller).
pub fn issuer_api_config(
    env: &FunctionEnv,
    client_secret: Secret<String>,
) -> Result<IssuerApiConfig, ConfigError> {
    let millis = |name: &str, default: Duration| {
        let default_ms = u64::try_from(default.as_millis()).unwrap_or(u64::MAX);
        env.parse_or(name, default_ms).map(Duration::from_millis)
    };
    Ok(IssuerApiConfig {
        base_url: secure_url(env, "ISSUER_API_BASE_URL")?,
        token_url: secure_url(env, "ISSUER_OAUTH_TOKEN_URL")?,
        client_id: env.require("ISSUER_OAUTH_CLIENT_ID")?.to_owned(),
        client_secret,
        timeout: millis("ISSUER_API_TIMEOUT_MS", IssuerApiConfig::DEFAULT_TIMEOUT)?,
        connect_timeout: millis(
            "ISSUER_API_CONNECT_TIMEOUT_MS",
            IssuerApiConfig::DEFAULT_CONNECT_TIMEOUT,
        )?,
    })
}

/// The issuer's Card Verification API client, its OAuth client secret
/// unwrapped once (`ISSUER_OAUTH_CLIENT_SECRET_CIPHERTEXT`).
async fn issuer_client(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<Arc<IssuerHttpClient>, HandlerError> {
    let client_secret = config_secret::decrypt(
        vault(sdk, env)?.as_ref(),
        env.require("ISSUER_OAUTH_CLIENT_SECRET_CIPHERTEXT")?,
        config_secret::ISSUER_OAUTH_CLIENT_SECRET,
    )
    .await?;
    Ok(Arc::new(IssuerHttpClient::new(issuer_api_config(
        env,
        client_secret,
    )?)?))
}

pub async fn authorize_tokenization(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<AuthorizeTokenization, HandlerError> {
    let table = table(sdk, env)?;
    // The three unwraps are independent: one KMS round trip of cold start, not three.
    let (issuer, sealing, hmac) =
        tokio::try_join!(issuer_client(sdk, env), sealing(sdk, env), hmac(sdk, env))?;
    Ok(AuthorizeTokenization {
        vault: sealing,
        verifier: issuer,
        fingerprinter: hmac.clone(),
        contact_mac: hmac,
        store: table,
        policy: DecisionPolicy::from_json(env.get("DECISION_RULES").unwrap_or("{}"))?,
        contact: issuer_contact(env)?,
        clock: clock(),
        ids: ids(),
    })
}

pub async fn request_activation_methods(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<RequestActivationMethods, HandlerError> {
    Ok(RequestActivationMethods {
        tokens: table(sdk, env)?,
        vault: sealing(sdk, env).await?,
        fingerprinter: hmac(sdk, env).await?,
        contact: issuer_contact(env)?,
        clock: clock(),
    })
}

/// The activation methods of a token named by its reference (Visa
/// getCardholderVerificationMethods): the sealing key opens its contact; no
/// PAN-fingerprint secret is unwrapped, the function is given none.
pub async fn token_activation_methods(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<TokenActivationMethods, HandlerError> {
    Ok(TokenActivationMethods {
        tokens: table(sdk, env)?,
        vault: sealing(sdk, env).await?,
        contact: issuer_contact(env)?,
    })
}

/// May this card be tokenized at all (Visa checkEligibility): the issuer's
/// Card Verification API, nothing stored.
pub async fn check_eligibility(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<CheckEligibility, HandlerError> {
    Ok(CheckEligibility {
        verifier: issuer_client(sdk, env).await?,
        clock: clock(),
    })
}

/// The card metadata per product (`VTS_CARD_METADATA`), checked at cold
/// start: a bad entry fails the start naming the variable and the product.
pub fn vts_card_metadata(env: &FunctionEnv) -> Result<Arc<CardMetadataCatalog>, ConfigError> {
    const NAME: &str = "VTS_CARD_METADATA";
    let catalog =
        CardMetadataCatalog::from_json(env.require(NAME)?).map_err(|err| ConfigError::Invalid {
            name: NAME.to_owned(),
            reason: err.to_string(),
        })?;
    tracing::info!(products = ?catalog.product_categories(), "VTS card metadata loaded");
    Ok(Arc::new(catalog))
}

/// A network's token created / status changed (Visa tokenChanged): the
/// lifecycle engine, and the PAN-fingerprint secret to count a token new to
/// us against its card.
pub async fn record_token_change(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<RecordTokenChange, HandlerError> {
    let table = table(sdk, env)?;
    Ok(RecordTokenChange {
        idempotency: idempotency(&table),
        lifecycle: lifecycle(&table),
        fingerprinter: hmac(sdk, env).await?,
    })
}

pub async fn deliver_activation_code(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<DeliverActivationCode, HandlerError> {
    let table = table(sdk, env)?;
    // Independent unwraps: one KMS round trip of cold start, not two.
    let (sealing, hmac) = tokio::try_join!(sealing(sdk, env), hmac(sdk, env))?;
    Ok(DeliverActivationCode {
        idempotency: idempotency(&table),
        codes: table.clone(),
        vault: sealing,
        mac: hmac,
        otp_queue: Arc::new(SqsOtpJobQueue::new(
            aws_sdk_sqs::Client::new(sdk),
            env.require("OTP_QUEUE_URL")?,
        )),
        code_policy: code_policy(env)?,
        clock: clock(),
        ids: ids(),
    })
}

pub async fn validate_activation_code(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<ValidateActivationCode, HandlerError> {
    let table = table(sdk, env)?;
    Ok(ValidateActivationCode {
        idempotency: idempotency(&table),
        codes: table.clone(),
        mac: hmac(sdk, env).await?,
        clock: clock(),
    })
}

pub async fn notify_activated(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<NotifyActivated, HandlerError> {
    let table = table(sdk, env)?;
    let hmac = hmac(sdk, env).await?;
    Ok(NotifyActivated {
        idempotency: idempotency(&table),
        lifecycle: lifecycle(&table),
        mac: hmac.clone(),
        fingerprinter: hmac,
        clock: clock(),
    })
}

pub fn update_tokens(sdk: &SdkConfig, env: &FunctionEnv) -> Result<UpdateTokens, ConfigError> {
    let table = table(sdk, env)?;
    Ok(UpdateTokens {
        idempotency: idempotency(&table),
        lifecycle: lifecycle(&table),
    })
}

pub fn record_suspicious_activity(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<RecordSuspiciousActivity, ConfigError> {
    let table = table(sdk, env)?;
    Ok(RecordSuspiciousActivity {
        idempotency: idempotency(&table),
        lifecycle: lifecycle(&table),
    })
}

/// The stream's publisher: outbox items to the token events topic.
pub fn publish_events(sdk: &SdkConfig, env: &FunctionEnv) -> Result<PublishEvents, ConfigError> {
    Ok(PublishEvents {
        publisher: Arc::new(SnsEventPublisher::new(
            aws_sdk_sns::Client::new(sdk),
            env.require("TOKEN_EVENTS_TOPIC_ARN")?,
        )),
        outbox: table(sdk, env)?,
        clock: clock(),
    })
}

/// The reports' counters on `REPORTS_TABLE`.
pub fn reports_table(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<Arc<crate::dynamodb::reports::ReportsTable>, ConfigError> {
    Ok(Arc::new(crate::dynamodb::reports::ReportsTable::new(
        aws_sdk_dynamodb::Client::new(sdk),
        env.require("REPORTS_TABLE")?,
    )))
}

/// Counting the reports from the token table's stream: the counters, and
/// the tokens (the day an activated token was requested).
pub fn aggregate_reports(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<tmp_core::usecases::reports::AggregateReports, ConfigError> {
    Ok(tmp_core::usecases::reports::AggregateReports {
        store: reports_table(sdk, env)?,
        tokens: table(sdk, env)?,
    })
}

/// The issuer webhook's settings (the signing secret decrypted by the caller).
pub fn webhook_config(
    env: &FunctionEnv,
    secret: Secret<String>,
) -> Result<WebhookConfig, ConfigError> {
    let url = secure_url(env, "ISSUER_WEBHOOK_URL")?;
    let timeout_ms = env.parse_or("ISSUER_WEBHOOK_TIMEOUT_MS", webhook::DEFAULT_TIMEOUT_MS)?;
    Ok(WebhookConfig {
        url,
        secret,
        timeout: Duration::from_millis(timeout_ms),
    })
}

/// The webhook from `ISSUER_WEBHOOK_URL` and `ISSUER_WEBHOOK_SECRET_CIPHERTEXT`
/// (key service, purpose `issuer-webhook-secret`); [`NoIssuerWebhook`] when
/// both are empty; an error when only one is set.
pub async fn issuer_notifier(
    vault: &dyn KeyVault,
    env: &FunctionEnv,
) -> Result<Arc<dyn IssuerNotifier>, HandlerError> {
    match (
        env.get("ISSUER_WEBHOOK_URL"),
        env.get("ISSUER_WEBHOOK_SECRET_CIPHERTEXT"),
    ) {
        (None, None) => {
            tracing::warn!("no issuer webhook configured: issuer hand-offs will be refused");
            Ok(Arc::new(NoIssuerWebhook))
        }
        (_, None) => {
            Err(ConfigError::Missing("ISSUER_WEBHOOK_SECRET_CIPHERTEXT".to_owned()).into())
        }
        (None, _) => Err(ConfigError::Missing("ISSUER_WEBHOOK_URL".to_owned()).into()),
        (Some(_), Some(ciphertext)) => {
            let secret =
                config_secret::decrypt(vault, ciphertext, config_secret::ISSUER_WEBHOOK_SECRET)
                    .await?;
            Ok(Arc::new(WebhookNotifier::new(webhook_config(
                env, secret,
            )?)?))
        }
    }
}

/// The backoff of a consumer's failed records: base from
/// `RETRY_BACKOFF_BASE_SECONDS` (default 10).
pub fn retry_backoff(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<Arc<dyn RetryBackoff>, ConfigError> {
    let base = env.parse_or("RETRY_BACKOFF_BASE_SECONDS", 10u64)?;
    Ok(Arc::new(SqsRetryBackoff::new(
        aws_sdk_sqs::Client::new(sdk),
        Duration::from_secs(base),
    )))
}

/// The channels both cardholder-facing consumers use.
struct CardholderChannels {
    vault: Arc<dyn KeyVault>,
    contacts: Arc<DynamoDbContactDirectory>,
    sms: Arc<SnsSmsSender>,
    issuer: Arc<dyn IssuerNotifier>,
    issuer_name: String,
}

async fn cardholder_channels(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<CardholderChannels, HandlerError> {
    // Contacts and codes open under the sealing key; the webhook secret is
    // unwrapped from KMS, once, here.
    let sealing: Arc<dyn KeyVault> = sealing(sdk, env).await?;
    let contacts = DynamoDbContactDirectory::new(
        aws_sdk_dynamodb::Client::new(sdk),
        env.require("TOKEN_STATE_TABLE")?,
        Arc::clone(&sealing),
    );
    let issuer = issuer_notifier(vault(sdk, env)?.as_ref(), env).await?;
    Ok(CardholderChannels {
        vault: sealing,
        contacts: Arc::new(contacts),
        sms: Arc::new(SnsSmsSender::new(
            aws_sdk_sns::Client::new(sdk),
            env.get("SMS_SENDER_ID").map(str::to_owned),
        )),
        issuer,
        issuer_name: env
            .get("ISSUER_NAME")
            .unwrap_or(DEFAULT_ISSUER_NAME)
            .to_owned(),
    })
}

pub async fn otp_delivery(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<OtpDeliveryService, HandlerError> {
    let channels = cardholder_channels(sdk, env).await?;
    Ok(OtpDeliveryService {
        vault: channels.vault,
        contacts: channels.contacts,
        sms: channels.sms,
        issuer: channels.issuer,
        issuer_name: channels.issuer_name,
        log: table(sdk, env)?,
    })
}

pub async fn issuer_notification(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<IssuerNotificationService, HandlerError> {
    Ok(IssuerNotificationService {
        issuer: issuer_notifier(vault(sdk, env)?.as_ref(), env).await?,
        log: table(sdk, env)?,
    })
}

pub async fn cardholder_notification(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<CardholderNotificationService, HandlerError> {
    let enabled = EnabledNotifications::parse(env.get("CARDHOLDER_NOTIFICATIONS"))
        .map_err(ConfigError::from)?;
    let channels = cardholder_channels(sdk, env).await?;
    Ok(CardholderNotificationService {
        contacts: channels.contacts,
        sms: channels.sms,
        issuer: channels.issuer,
        issuer_name: channels.issuer_name,
        enabled,
        idempotency: idempotency(&table(sdk, env)?),
        log: table(sdk, env)?,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> FunctionEnv {
        FunctionEnv::from_map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<HashMap<_, _>>(),
        )
    }

    fn secret() -> Secret<String> {
        Secret::new("s3cr3t".to_owned())
    }

    #[test]
    fn reads_issuer_settings_and_defaults_timeouts() {
        // GIVEN the three required variables only
        let env = env(&[
            ("ISSUER_API_BASE_URL", "https://issuer.example/api/"),
            (
                "ISSUER_OAUTH_TOKEN_URL",
                "https://issuer.example/oauth/token",
            ),
            ("ISSUER_OAUTH_CLIENT_ID", "tmp"),
        ]);
        // WHEN read
        let config = issuer_api_config(&env, secret()).unwrap();
        // THEN timeouts default and the secret never prints
        assert_eq!(config.timeout, IssuerApiConfig::DEFAULT_TIMEOUT);
        assert_eq!(
            config.connect_timeout,
            IssuerApiConfig::DEFAULT_CONNECT_TIMEOUT
        );
        assert_eq!(
            config.verify_url(),
            "https://issuer.example/api/cards/verify"
        );
        assert!(!format!("{config:?}").contains("s3cr3t"));
    }

    #[test]
    fn missing_and_bad_issuer_settings_are_reported_by_name() {
        let partial = env(&[
            ("ISSUER_API_BASE_URL", "https://x"),
            ("ISSUER_OAUTH_CLIENT_ID", "tmp"),
        ]);
        let err = issuer_api_config(&partial, secret()).unwrap_err();
        assert!(err.to_string().contains("ISSUER_OAUTH_TOKEN_URL"));

        let bad = env(&[
            ("ISSUER_API_BASE_URL", "https://x"),
            ("ISSUER_OAUTH_TOKEN_URL", "https://x/t"),
            ("ISSUER_OAUTH_CLIENT_ID", "tmp"),
            ("ISSUER_API_TIMEOUT_MS", "soon"),
        ]);
        let err = issuer_api_config(&bad, secret()).unwrap_err();
        assert!(err.to_string().contains("ISSUER_API_TIMEOUT_MS"));
    }

    #[test]
    fn card_data_and_secrets_travel_over_https_only() {
        // GIVEN URLs of every kind
        let cases = [
            ("https://issuer.example/api", true),
            ("http://127.0.0.1:3000/_local/issuer", true),
            ("http://localhost:3000/x", true),
            ("http://[::1]:3000/x", true),
            ("http://issuer.example/api", false),
            ("http://127.0.0.1.evil.example/x", false),
            ("http://localhost@evil.example/x", false),
            ("ftp://issuer.example", false),
            ("https://", false),
        ];
        for (url, accepted) in cases {
            // WHEN read as the webhook URL
            let result = webhook_config(&env(&[("ISSUER_WEBHOOK_URL", url)]), secret());
            // THEN only HTTPS, or HTTP to this machine, is accepted, and a
            // refusal names the variable
            assert_eq!(result.is_ok(), accepted, "{url}");
            if let Err(err) = result {
                assert!(err.to_string().contains("ISSUER_WEBHOOK_URL"), "{err}");
            }
        }
    }

    #[test]
    fn card_metadata_is_checked_at_cold_start() {
        // GIVEN the template's kind of configuration
        let entry = r#"{"cardIssuer":"Example Bank","foregroundColor":"FFFFFF","backgroundColor":"1A1F71","labelColor":"F7B600","shortDescription":"Example Visa Credit","termsAndConditionsID":"TC-2026-01","privacyPolicyURL":"https://bank.example/privacy","termsAndConditionsURL":"https://bank.example/terms","cardArtData":{"cardArtRefID":["art-consumer-credit-0001"]}}"#;
        let good = format!(r#"{{"CONSUMER_CREDIT":{entry}}}"#);
        // WHEN read THEN the product has its metadata
        let catalog = vts_card_metadata(&env(&[("VTS_CARD_METADATA", &good)])).unwrap();
        assert!(catalog.get("CONSUMER_CREDIT").is_some());
        // AND a missing or bad configuration fails naming the variable (and the product)
        let err = vts_card_metadata(&env(&[])).unwrap_err();
        assert!(err.to_string().contains("VTS_CARD_METADATA"), "{err}");
        let bad = good.replace("https://bank.example/terms", "http://bank.example/terms");
        let err = vts_card_metadata(&env(&[("VTS_CARD_METADATA", &bad)])).unwrap_err();
        assert!(err.to_string().contains("VTS_CARD_METADATA"), "{err}");
        assert!(err.to_string().contains("CONSUMER_CREDIT"), "{err}");
    }

    #[tokio::test]
    async fn the_methods_of_a_named_token_hold_no_fingerprint_secret() {
        // GIVEN getCardholderVerificationMethods' environment: no PAN-fingerprint secret
        let sdk = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let env = env(&[("TOKEN_STATE_TABLE", "t"), ("SECRETS_KEY_ID", "k")]);
        // WHEN composed THEN it needs the sealing key, never the fingerprint secret
        let err = token_activation_methods(&sdk, &env).await.err().unwrap();
        assert!(
            err.to_string().contains("DATA_SEALING_KEY_CIPHERTEXT"),
            "{err}"
        );
        // AND tokenChanged without its fingerprint secret fails by name
        let err = record_token_change(&sdk, &env).await.err().unwrap();
        assert!(
            err.to_string()
                .contains("PAN_FINGERPRINT_SECRET_CIPHERTEXT"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_function_without_a_required_setting_fails_its_cold_start_by_name() {
        // GIVEN a deliverActivationCode environment without its sealing key
        let sdk = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        let env = env(&[
            ("TOKEN_STATE_TABLE", "t"),
            ("SECRETS_KEY_ID", "k"),
            (
                "OTP_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com/123456789012/q",
            ),
        ]);
        // WHEN composed, THEN the cold start fails naming the variable (before any call)
        let err = deliver_activation_code(&sdk, &env).await.err().unwrap();
        assert!(
            err.to_string().contains("DATA_SEALING_KEY_CIPHERTEXT"),
            "{err}"
        );
        // AND the event publisher without its topic fails the same way
        let env = FunctionEnv::from_map(HashMap::from([(
            "TOKEN_STATE_TABLE".to_owned(),
            "t".to_owned(),
        )]));
        let err = publish_events(&sdk, &env).err().unwrap();
        assert!(err.to_string().contains("TOKEN_EVENTS_TOPIC_ARN"), "{err}");
    }
}
