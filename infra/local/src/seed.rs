//! What makes the emulated stack a working issuer platform locally: the issuer
//! simulator at `/_local/issuer` (its URL and KMS-encrypted client secret fed
//! into the template parameters), an MDES key pair envelope-encrypted under the
//! stack's KMS key, its public key at `/_local/keys/mdes-public.pem`, a VTS
//! key pair the same way ([`vts_key`], `/_local/keys/vts-public.pem`), the
//! issuer webhook receiver (`/_local/issuer/webhook`, its URL and encrypted
//! signing secret fed into the template parameters when declared), the
//! outbox at `/_local/outbox`, and the local token issuer of the TMP API at
//! `/_local/auth` ([`crate::local_auth`]); the simulated MDES and VTS
//! at `/_local/mdes` and `/_local/vts` (their OAuth signing key's public half
//! at `/_local/keys/mdes-oauth-public.pem`).

pub mod vts_key;

use std::path::{Path, PathBuf};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use base64::Engine as _;
use tmp_aws::config_secret;
use tmp_aws::{DynamoDbKeyMaterialStore, KmsKeyVault};
use tmp_core::secret::Secret;
use tmp_mdes::fle::MdesPrivateKey;
use tmp_mdes::keys as mdes_keys;

use crate::issuer_simulator::{CardBook, ClientCredentials, IssuerSimulator};
use crate::outbox::{self, OUTBOX_PATH};
use crate::platform::{LocalPlatform, PlatformContext, SeedContext, SeedError};
use crate::tsp_simulator::TspSimulator;

pub use vts_key::VtsKeySource;

/// Logical ids in `template.yaml` the seed steps use.
pub const SECRETS_KEY: &str = "SecretsKey";
pub const MDES_KEY_MATERIAL_TABLE: &str = "MdesKeyMaterialTable";
pub const ISSUER_SIMULATOR_PATH: &str = "/_local/issuer";
/// Template parameters of the issuer webhook (set only when declared).
pub const ISSUER_WEBHOOK_URL_PARAMETER: &str = "IssuerWebhookUrl";
pub const ISSUER_WEBHOOK_SECRET_PARAMETER: &str = "IssuerWebhookSecretCiphertext";

/// Which MDES private key the local stack uses.
#[derive(Debug, Clone)]
pub enum MdesKeySource {
    /// Keep the stored key, or generate one (RSA-2048) when there is none.
    GenerateIfMissing,
    /// Import a PKCS#8 PEM (the test-only key of `events/`).
    Import(PathBuf),
}

/// The standard local platform: simulator, parameters, keys, key endpoints;
/// the VTS key generated unless one is stored.
pub fn standard(platform: LocalPlatform, book: CardBook, mdes_key: MdesKeySource) -> LocalPlatform {
    standard_with(platform, book, mdes_key, VtsKeySource::GenerateIfMissing)
}

/// [`standard`] with the VTS key chosen too.
pub fn standard_with(
    platform: LocalPlatform,
    book: CardBook,
    mdes_key: MdesKeySource,
    vts_key: VtsKeySource,
) -> LocalPlatform {
    standard_with_tsp(platform, book, mdes_key, vts_key, TspSimulator::new())
}

/// [`standard_with`] with the TSP simulators (`/_local/mdes`, `/_local/vts`,
/// [`crate::tsp_simulator`]) given, so that a test can reach their state.
pub fn standard_with_tsp(
    platform: LocalPlatform,
    book: CardBook,
    mdes_key: MdesKeySource,
    vts_key: VtsKeySource,
    tsp: TspSimulator,
) -> LocalPlatform {
    // The TMP's network clients call the simulated MDES and VTS.
    let tsp_keys = tsp.clone();
    let platform = tsp.mount(platform);
    // The issuer's back office authenticates with tokens of the local issuer.
    let platform = crate::local_auth::mount(platform);
    // Agents sign in to the admin panel (served at /admin/) with the local sign-in.
    let platform = crate::local_admin::mount(platform);
    let credentials = ClientCredentials::local_default();
    let simulator = IssuerSimulator::new(book, credentials.clone());
    let webhook_secret = simulator.webhook_secret().clone();
    let outbox_simulator = simulator.clone();
    platform
        .extra_router(ISSUER_SIMULATOR_PATH, simulator.router())
        .seed(move |ctx| Box::pin(async move { point_at_simulator(ctx, &credentials).await }))
        .seed(move |ctx| {
            Box::pin(async move { point_webhook_at_simulator(ctx, &webhook_secret).await })
        })
        .seed(move |ctx| Box::pin(async move { ensure_mdes_key(ctx, &mdes_key).await }))
        .seed(move |ctx| Box::pin(async move { vts_key::ensure_vts_key(ctx, &vts_key).await }))
        .extra_router_with("/_local/keys", move |ctx| keys_router(ctx, tsp_keys))
        .extra_router_with(OUTBOX_PATH, move |ctx| {
            let emulator_url = ctx.sdk.endpoint_url().unwrap_or_default().to_owned();
            outbox::router(&emulator_url, outbox_simulator)
        })
}

pub(crate) fn vault(ctx: &SeedContext<'_>) -> Result<KmsKeyVault, SeedError> {
    let key_id = ctx
        .deployment
        .reference(SECRETS_KEY)
        .ok_or("template declares no SecretsKey")?;
    Ok(KmsKeyVault::new(aws_sdk_kms::Client::new(ctx.sdk), key_id))
}

fn key_material(
    sdk: &aws_config::SdkConfig,
    deployment: &crate::Deployment,
) -> Result<DynamoDbKeyMaterialStore, SeedError> {
    let table = deployment
        .reference(MDES_KEY_MATERIAL_TABLE)
        .ok_or("template declares no MdesKeyMaterialTable")?;
    Ok(DynamoDbKeyMaterialStore::new(
        aws_sdk_dynamodb::Client::new(sdk),
        table,
    ))
}

/// The issuer parameters, as an issuer would set them at `sam deploy`.
/// The call-centre number the local issuer offers (Ofcom's drama range).
pub const LOCAL_CALL_CENTRE: &str = "+44 20 7946 0999";

async fn point_at_simulator(
    ctx: &mut SeedContext<'_>,
    credentials: &ClientCredentials,
) -> Result<(), SeedError> {
    let ciphertext = config_secret::encrypt(
        &vault(ctx)?,
        credentials.client_secret.expose(),
        config_secret::ISSUER_OAUTH_CLIENT_SECRET,
    )
    .await?;
    let issuer = format!("{}{ISSUER_SIMULATOR_PATH}", ctx.base_url);
    ctx.deployment
        .set_parameter("IssuerApiBaseUrl", issuer.clone());
    ctx.deployment
        .set_parameter("IssuerOAuthTokenUrl", format!("{issuer}/oauth/token"));
    ctx.deployment
        .set_parameter("IssuerOAuthClientId", credentials.client_id.clone());
    ctx.deployment
        .set_parameter("IssuerOAuthClientSecretCiphertext", ciphertext);
    // The simulated issuer's call centre (a UK drama number: reaches no one).
    ctx.deployment
        .set_parameter("IssuerCallCentreNumber", LOCAL_CALL_CENTRE);
    // The keys request paths use in memory, generated as an issuer would
    // (KMS GenerateDataKey under SecretsKey), kept only as ciphertext.
    for (parameter, purpose) in [
        (
            "PanFingerprintSecretCiphertext",
            config_secret::PAN_FINGERPRINT_SECRET,
        ),
        ("DataSealingKeyCiphertext", config_secret::DATA_SEALING_KEY),
    ] {
        let ciphertext = config_secret::generate_key(&vault(ctx)?, purpose).await?;
        ctx.deployment.set_parameter(parameter, ciphertext);
    }
    Ok(())
}

/// Where, and with which secret, the TMP signs events for the issuer. Only
/// for templates that declare the parameters.
async fn point_webhook_at_simulator(
    ctx: &mut SeedContext<'_>,
    secret: &Secret<String>,
) -> Result<(), SeedError> {
    if ctx
        .deployment
        .declares_parameter(ISSUER_WEBHOOK_SECRET_PARAMETER)
    {
        let ciphertext = config_secret::encrypt(
            &vault(ctx)?,
            secret.expose(),
            config_secret::ISSUER_WEBHOOK_SECRET,
        )
        .await?;
        ctx.deployment
            .set_parameter(ISSUER_WEBHOOK_SECRET_PARAMETER, ciphertext);
    }
    if ctx
        .deployment
        .declares_parameter(ISSUER_WEBHOOK_URL_PARAMETER)
    {
        let url = format!("{}{ISSUER_SIMULATOR_PATH}/webhook", ctx.base_url);
        ctx.deployment
            .set_parameter(ISSUER_WEBHOOK_URL_PARAMETER, url);
    }
    Ok(())
}

async fn ensure_mdes_key(
    ctx: &mut SeedContext<'_>,
    source: &MdesKeySource,
) -> Result<(), SeedError> {
    let vault = vault(ctx)?;
    let store = key_material(ctx.sdk, ctx.deployment)?;
    let info = match source {
        MdesKeySource::Import(path) => {
            let key = read_pkcs8_pem(path)?;
            mdes_keys::seal_and_store(&vault, &store, &key).await?
        }
        MdesKeySource::GenerateIfMissing => {
            match mdes_keys::public_keys(&store).await?.into_iter().next() {
                Some(existing) => existing,
                None => mdes_keys::generate_and_store(&vault, &store, 2048).await?,
            }
        }
    };
    tracing::info!(fingerprint = %info.fingerprint, "MDES public key ready");
    Ok(())
}

/// Reads a `-----BEGIN PRIVATE KEY-----` (PKCS#8) PEM file.
pub fn read_pkcs8_pem(path: &Path) -> Result<MdesPrivateKey, SeedError> {
    let pem = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .map_err(|_| format!("{} is not a PEM file", path.display()))?;
    Ok(MdesPrivateKey::from_pkcs8_der(&Secret::new(der))?)
}

fn keys_router(ctx: &PlatformContext<'_>, tsp: TspSimulator) -> Router {
    let store = key_material(ctx.sdk, ctx.deployment).ok();
    let vts_store = vts_key::store(ctx.sdk, ctx.deployment);
    Router::new()
        .route(
            "/mdes-oauth-public.pem",
            get(move || async move { tsp.public_pem_response() }),
        )
        .route(
            "/vts-public.pem",
            get(move || vts_key::public_pem(vts_store.clone())),
        )
        .route(
            "/mdes-public.pem",
            get(move || async move {
                let Some(store) = store else {
                    return (StatusCode::NOT_FOUND, "no key material table").into_response();
                };
                match mdes_keys::public_keys(&store).await {
                    Ok(keys) if !keys.is_empty() => {
                        let fingerprints: Vec<String> =
                            keys.iter().map(|k| k.fingerprint.clone()).collect();
                        let pem: String = keys.into_iter().map(|k| k.pem).collect();
                        (
                            [
                                (header::CONTENT_TYPE, "application/x-pem-file".to_owned()),
                                (
                                    header::HeaderName::from_static("x-public-key-fingerprint"),
                                    fingerprints.join(","),
                                ),
                            ],
                            pem,
                        )
                            .into_response()
                    }
                    Ok(_) => (StatusCode::NOT_FOUND, "no MDES key stored").into_response(),
                    Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
                }
            }),
        )
}
