//! The seed step of the TSP simulator: a fresh RSA-2048 OAuth 1.0a signing
//! key per platform start (the simulated MDES verifies with its public
//! half, served at `/_local/keys/mdes-oauth-public.pem`), and the template
//! parameters that point the TMP's network clients at the simulators. Each
//! parameter is set only when the template declares it.

use tmp_aws::mdes_oauth_key;

use super::TspSimulator;
use super::mdes::{CS_BASE_PATH, MDES_PATH};
use super::mdes_auth::{LOCAL_CONSUMER_KEY, OAuthKeys};
use super::vts::VTS_PATH;
use crate::platform::{SeedContext, SeedError};

/// KMS encryption context purpose of the OAuth signing key's PKCS#8 DER.
pub const MDES_OAUTH_SIGNING_KEY_PURPOSE: &str = tmp_aws::config_secret::MDES_OAUTH_SIGNING_KEY;
/// The network calls' deadline locally: a fault-injected timeout costs 1.5 s.
pub const LOCAL_NETWORK_TIMEOUT_MS: &str = "1500";

pub const MDES_CS_BASE_URL_PARAMETER: &str = "MdesCustomerServiceBaseUrl";
pub const MDES_CONSUMER_KEY_PARAMETER: &str = "MdesOAuthConsumerKey";
pub const MDES_SIGNING_KEY_PARAMETER: &str = "MdesOAuthSigningKeyCiphertext";
pub const VTS_LIFECYCLE_BASE_URL_PARAMETER: &str = "VtsLifecycleBaseUrl";
pub const NETWORK_TIMEOUT_PARAMETER: &str = "NetworkTimeoutMs";
pub const VTS_ENCRYPTION_KEY_PARAMETER: &str = "VtsLifecycleEncryptionKey";
pub const VTS_ENCRYPTION_KEY_ID_PARAMETER: &str = "VtsLifecycleEncryptionKeyId";
/// The `kid` of the simulated Visa's lifecycle encryption key.
pub const LOCAL_VISA_KEY_ID: &str = "tmp-local-visa-lifecycle-1";

fn set_if_declared(ctx: &mut SeedContext<'_>, name: &str, value: String) {
    if ctx.deployment.declares_parameter(name) {
        ctx.deployment.set_parameter(name, value);
    } else {
        tracing::info!(
            parameter = name,
            "template does not declare it: not set for the TSP simulator"
        );
    }
}

pub(super) async fn seed(ctx: &mut SeedContext<'_>, sim: &TspSimulator) -> Result<(), SeedError> {
    sim.outbound.set_base_url(ctx.base_url);
    // The same generation and encryption as the onboarding tool (mdes-oauth-key).
    let key = mdes_oauth_key::generate_private_key().await?;
    if ctx
        .deployment
        .declares_parameter(MDES_SIGNING_KEY_PARAMETER)
    {
        let ciphertext =
            mdes_oauth_key::encrypt_private_key(&crate::seed::vault(ctx)?, &key).await?;
        ctx.deployment
            .set_parameter(MDES_SIGNING_KEY_PARAMETER, ciphertext);
    }
    sim.mdes.gate.install(OAuthKeys::new(key)?);
    let base = ctx.base_url.to_owned();
    set_if_declared(
        ctx,
        MDES_CS_BASE_URL_PARAMETER,
        format!("{base}{MDES_PATH}{CS_BASE_PATH}"),
    );
    set_if_declared(
        ctx,
        MDES_CONSUMER_KEY_PARAMETER,
        LOCAL_CONSUMER_KEY.to_owned(),
    );
    set_if_declared(
        ctx,
        VTS_LIFECYCLE_BASE_URL_PARAMETER,
        format!("{base}{VTS_PATH}"),
    );
    set_if_declared(
        ctx,
        NETWORK_TIMEOUT_PARAMETER,
        LOCAL_NETWORK_TIMEOUT_MS.to_owned(),
    );
    // Visa's key for the card updates' cardholderInfo: the simulated VTS
    // holds the private half, the platform is given the public half.
    let visa = tmp_vts::jwe::VtsPrivateKey::generate(LOCAL_VISA_KEY_ID, 2048)
        .map_err(|e| SeedError::from(format!("Visa lifecycle key: {e}")))?;
    let visa_public = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(visa.public_key_der())
    };
    sim.vts
        .install_visa_key(visa)
        .map_err(|e| SeedError::from(format!("Visa lifecycle key: {e}")))?;
    set_if_declared(ctx, VTS_ENCRYPTION_KEY_PARAMETER, visa_public);
    set_if_declared(
        ctx,
        VTS_ENCRYPTION_KEY_ID_PARAMETER,
        LOCAL_VISA_KEY_ID.to_owned(),
    );
    tracing::info!("TSP simulator: MDES OAuth signing key and Visa lifecycle key ready");
    Ok(())
}
