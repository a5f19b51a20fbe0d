//! The TMP API functions' cold start: the access-token verifier (the token
//! issuer's JWKS fetched once), the token look-ups, and the lifecycle actions
//! with their network clients (the MDES OAuth 1.0a signing key unwrapped once).

use std::time::Duration;

use aws_config::SdkConfig;
use tmp_api::auth::{AccessTokenVerifier, Jwks};
use tmp_core::domain::action::TokenAction;
use tmp_core::usecases::jobs::{CardKeys, Jobs};
use tmp_core::usecases::reconcile::{ReconcileSettings, ReconcileTokens};
use tmp_core::usecases::token_actions::TokenActions;
use tmp_core::usecases::token_queries::TokenQueries;
use tmp_mdes::oauth1::OAuthSigner;
use tmp_runtime::config::{ConfigError, FunctionEnv};
use tmp_runtime::lambda::HandlerError;
use tmp_vts::lifecycle::VisaEncryptionKey;

use super::{
    DEFAULT_ISSUER_NAME, clock, hmac, idempotency, lifecycle, sealing, secure_url, table, vault,
};
use crate::config_secret;
use crate::networks::body::read_capped;
use crate::networks::{
    MdesCustomerService, MdesCustomerServiceConfig, NetworkClients, VtsLifecycle,
    VtsLifecycleConfig,
};
use crate::sqs_jobs::{NoJobQueue, SqsJobQueue};

/// How long a network may take to answer one lifecycle call.
pub const DEFAULT_NETWORK_TIMEOUT: Duration = Duration::from_secs(8);
/// How long the cold start waits for the token issuer's JWKS.
const JWKS_TIMEOUT: Duration = Duration::from_secs(5);

fn invalid(name: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_owned(),
        reason: reason.to_owned(),
    }
}

/// The verifier of the TMP API's bearer tokens: issuer
/// `TMP_API_TOKEN_ISSUER` (Cognito's user pool URL, or the local issuer),
/// its JWKS at `<issuer>/.well-known/jwks.json`, app clients
/// `TMP_API_CLIENT_IDS` (comma-separated).
pub async fn access_token_verifier(env: &FunctionEnv) -> Result<AccessTokenVerifier, HandlerError> {
    token_verifier(env, "TMP_API_TOKEN_ISSUER", "TMP_API_CLIENT_IDS").await
}

/// A verifier of one issuer's access tokens: issuer `issuer_variable`
/// (Cognito's user pool URL, or a local issuer), its JWKS fetched once at
/// `<issuer>/.well-known/jwks.json`, app clients `clients_variable`
/// (comma-separated).
pub async fn token_verifier(
    env: &FunctionEnv,
    issuer_variable: &str,
    clients_variable: &str,
) -> Result<AccessTokenVerifier, HandlerError> {
    let issuer = secure_url(env, issuer_variable)?;
    let clients: Vec<String> = env
        .require(clients_variable)?
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if clients.is_empty() {
        return Err(invalid(clients_variable, "names no app client").into());
    }
    let http = reqwest::Client::builder()
        .timeout(JWKS_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let url = format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'));
    let response = http.get(&url).send().await?.error_for_status()?;
    let jwks = Jwks::from_slice(&read_capped(response).await?)?;
    Ok(AccessTokenVerifier::new(
        issuer.trim_end_matches('/'),
        jwks,
        clients,
    ))
}

/// Look-ups; PAN searches need the PAN-fingerprint secret (`with_pan`).
pub async fn token_queries(
    sdk: &SdkConfig,
    env: &FunctionEnv,
    with_pan: bool,
) -> Result<TokenQueries, HandlerError> {
    // The PAN and phone fingerprints are one keyed MAC, domain-separated.
    let hmac = if with_pan {
        Some(hmac(sdk, env).await?)
    } else {
        None
    };
    Ok(TokenQueries {
        directory: table(sdk, env)?,
        fingerprinter: hmac.clone().map(|h| h as _),
        contact_mac: hmac.map(|h| h as _),
    })
}

/// The network clients this deployment is configured for: MDES when
/// `MDES_CS_BASE_URL` is set (with `MDES_OAUTH_CONSUMER_KEY` and
/// `MDES_OAUTH_SIGNING_KEY_CIPHERTEXT`), VTS when `VTS_LIFECYCLE_BASE_URL` is.
pub async fn network_clients(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<NetworkClients, HandlerError> {
    let default_ms = u64::try_from(DEFAULT_NETWORK_TIMEOUT.as_millis()).unwrap_or(8000);
    let timeout = Duration::from_millis(env.parse_or("NETWORK_TIMEOUT_MS", default_ms)?);
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(3)))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let configured = |name: &str| env.get(name).is_some_and(|v| !v.trim().is_empty());
    // MDES needs its onboarded signing key too: until then it is not configured
    // (its tokens' actions stay pending), rather than every cold start failing.
    let mdes_onboarded = configured("MDES_CS_BASE_URL")
        && configured("MDES_OAUTH_SIGNING_KEY_CIPHERTEXT")
        && configured("MDES_OAUTH_CONSUMER_KEY");
    if configured("MDES_CS_BASE_URL") && !mdes_onboarded {
        tracing::warn!(
            "MDES Customer Service signing key not onboarded: MDES actions stay pending"
        );
    }
    let mdes = if mdes_onboarded {
        let der = config_secret::decrypt_key(
            vault(sdk, env)?.as_ref(),
            env.require("MDES_OAUTH_SIGNING_KEY_CIPHERTEXT")?,
            config_secret::MDES_OAUTH_SIGNING_KEY,
        )
        .await?;
        let consumer_key = env.require("MDES_OAUTH_CONSUMER_KEY")?;
        let signer = OAuthSigner::from_pkcs8_der(consumer_key, &der).map_err(|_| {
            invalid(
                "MDES_OAUTH_SIGNING_KEY_CIPHERTEXT",
                "is not an RSA PKCS#8 key of at least 2048 bits",
            )
        })?;
        Some(MdesCustomerService::new(
            http.clone(),
            MdesCustomerServiceConfig {
                base_url: secure_url(env, "MDES_CS_BASE_URL")?,
                timeout,
                organization: env
                    .get("ISSUER_NAME")
                    .unwrap_or(DEFAULT_ISSUER_NAME)
                    .to_owned(),
            },
            signer,
        ))
    } else {
        None
    };
    let vts = if configured("VTS_LIFECYCLE_BASE_URL") {
        Some(VtsLifecycle::new(
            http,
            VtsLifecycleConfig {
                base_url: secure_url(env, "VTS_LIFECYCLE_BASE_URL")?,
                timeout,
                encryption_key: visa_encryption_key(env)?,
            },
        ))
    } else {
        None
    };
    Ok(NetworkClients { mdes, vts })
}

/// Visa's public key for the card updates' `cardholderInfo`
/// (`VTS_LIFECYCLE_ENCRYPTION_KEY`, SubjectPublicKeyInfo DER in base64, and
/// `VTS_LIFECYCLE_ENCRYPTION_KEY_ID`, Visa's `kid`); none when unset.
fn visa_encryption_key(env: &FunctionEnv) -> Result<Option<VisaEncryptionKey>, ConfigError> {
    let key = env
        .get("VTS_LIFECYCLE_ENCRYPTION_KEY")
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let Some(key) = key else {
        return Ok(None);
    };
    let kid = env.require("VTS_LIFECYCLE_ENCRYPTION_KEY_ID")?;
    VisaEncryptionKey::from_base64_der(kid.trim(), key)
        .map(Some)
        .map_err(|_| {
            invalid(
                "VTS_LIFECYCLE_ENCRYPTION_KEY",
                "is not a base64 RSA public key (SubjectPublicKeyInfo DER) of at least 2048 bits with a printable key id",
            )
        })
}

/// What the token's network records of it (MDES Customer Service history
/// and transactions), for customer service.
pub async fn token_records(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<tmp_core::usecases::token_records::TokenRecords, HandlerError> {
    Ok(tmp_core::usecases::token_records::TokenRecords {
        directory: table(sdk, env)?,
        records: std::sync::Arc::new(network_clients(sdk, env).await?),
    })
}

pub async fn token_actions(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<TokenActions, HandlerError> {
    let table = table(sdk, env)?;
    let networks = network_clients(sdk, env).await?;
    Ok(TokenActions {
        directory: table.clone(),
        networks: std::sync::Arc::new(networks),
        lifecycle: lifecycle(&table),
        idempotency: idempotency(&table),
        clock: clock(),
    })
}

/// Reconciliation: the table (tokens, pending list, sweep position) and the
/// network clients; `RECONCILE_SWEEP_BATCH`, `RECONCILE_RESEND_AFTER_SECONDS`
/// and `RECONCILE_UNKNOWN_GRACE_MINUTES` bound and pace it.
pub async fn reconcile_tokens(
    sdk: &SdkConfig,
    env: &FunctionEnv,
) -> Result<ReconcileTokens, HandlerError> {
    let defaults = ReconcileSettings::default();
    let settings = ReconcileSettings {
        sweep_batch: env.parse_or("RECONCILE_SWEEP_BATCH", defaults.sweep_batch)?,
        pending_batch: defaults.pending_batch,
        resend_after: time::Duration::seconds(env.parse_or(
            "RECONCILE_RESEND_AFTER_SECONDS",
            defaults.resend_after.whole_seconds(),
        )?),
        unknown_grace: time::Duration::minutes(env.parse_or(
            "RECONCILE_UNKNOWN_GRACE_MINUTES",
            defaults.unknown_grace.whole_minutes(),
        )?),
        budget: defaults.budget,
    };
    let table = table(sdk, env)?;
    let networks = network_clients(sdk, env).await?;
    Ok(ReconcileTokens {
        directory: table.clone(),
        sweep: table.clone(),
        networks: std::sync::Arc::new(networks),
        lifecycle: lifecycle(&table),
        clock: clock(),
        settings,
    })
}

/// Deliveries of one job item before it is settled as failed.
pub const DEFAULT_JOB_MAX_ATTEMPTS: u32 = 5;

/// What a jobs function does, hence what it is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobRole {
    /// Starts jobs: the job queue (`JOB_QUEUE_URL`), no network client.
    Start,
    /// Runs items: the network clients, no queue.
    Work,
    /// Reads jobs: neither.
    Read,
}

/// Bulk actions and card events: the table (jobs, tokens, ledger) and what
/// the function's role needs.
pub async fn jobs(sdk: &SdkConfig, env: &FunctionEnv, role: JobRole) -> Result<Jobs, HandlerError> {
    let table = table(sdk, env)?;
    let networks = match role {
        JobRole::Work => network_clients(sdk, env).await?,
        JobRole::Start | JobRole::Read => NetworkClients::default(),
    };
    let queue: std::sync::Arc<dyn tmp_core::ports::JobQueue> = match role {
        JobRole::Start => std::sync::Arc::new(SqsJobQueue::new(
            aws_sdk_sqs::Client::new(sdk),
            env.require("JOB_QUEUE_URL")?,
        )),
        JobRole::Work | JobRole::Read => std::sync::Arc::new(NoJobQueue),
    };
    let actions = TokenActions {
        directory: table.clone(),
        networks: std::sync::Arc::new(networks),
        lifecycle: lifecycle(&table),
        idempotency: idempotency(&table),
        clock: clock(),
    };
    Ok(Jobs {
        directory: table.clone(),
        store: table.clone(),
        queue,
        actions,
        idempotency: idempotency(&table),
        clock: clock(),
        max_attempts: env.parse_or("JOB_MAX_ATTEMPTS", DEFAULT_JOB_MAX_ATTEMPTS)?,
        card_keys: None,
    })
}

/// What card updates need (see [`CardKeys`]): the data-sealing key, and the
/// PAN-fingerprint key where they start (`with_fingerprints`); each
/// unwrapped once per cold start.
pub async fn card_keys(
    sdk: &SdkConfig,
    env: &FunctionEnv,
    with_fingerprints: bool,
) -> Result<CardKeys, HandlerError> {
    let sealing = sealing(sdk, env).await?;
    let fingerprints: Option<std::sync::Arc<dyn tmp_core::ports::PanFingerprinter>> =
        if with_fingerprints {
            Some(hmac(sdk, env).await?)
        } else {
            None
        };
    Ok(CardKeys {
        fingerprints,
        sealing,
    })
}

/// What a lost or stolen card does to its tokens (`LOST_OR_STOLEN_CARD_ACTION`:
/// `DELETE`, the default, or `SUSPEND`).
pub fn lost_or_stolen_action(env: &FunctionEnv) -> Result<TokenAction, ConfigError> {
    match env.get("LOST_OR_STOLEN_CARD_ACTION").map(str::trim) {
        None | Some("") | Some("DELETE") => Ok(TokenAction::Delete),
        Some("SUSPEND") => Ok(TokenAction::Suspend),
        Some(_) => Err(invalid(
            "LOST_OR_STOLEN_CARD_ACTION",
            "must be DELETE or SUSPEND",
        )),
    }
}
