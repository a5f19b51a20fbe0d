//! Where the issuer API lives and how long we wait for it.

use std::time::Duration;

use crate::config::{ConfigError, FunctionEnv};
use crate::secret::Secret;

/// Connection settings for the issuer's Card Verification API.
#[derive(Debug, Clone)]
pub struct IssuerApiConfig {
    /// Base URL; `/cards/verify` is appended.
    pub base_url: String,
    /// OAuth2 token endpoint (client credentials grant).
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret<String>,
    /// Total budget for one verification, token fetch and retry included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

impl IssuerApiConfig {
    /// MDES/VTS wait a few seconds for our answer; the issuer gets a fraction.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(2_000);
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(500);

    /// Reads `ISSUER_API_BASE_URL`, `ISSUER_OAUTH_TOKEN_URL`,
    /// `ISSUER_OAUTH_CLIENT_ID`, and optionally `ISSUER_API_TIMEOUT_MS` and
    /// `ISSUER_API_CONNECT_TIMEOUT_MS` (the names `template.yaml` sets). The
    /// client secret is never a plain variable: the caller decrypts it.
    pub fn from_env(env: &FunctionEnv, client_secret: Secret<String>) -> Result<Self, ConfigError> {
        let millis = |name: &str, default: Duration| {
            let default_ms = u64::try_from(default.as_millis()).unwrap_or(u64::MAX);
            env.parse_or(name, default_ms).map(Duration::from_millis)
        };
        Ok(Self {
            base_url: env.require("ISSUER_API_BASE_URL")?.to_owned(),
            token_url: env.require("ISSUER_OAUTH_TOKEN_URL")?.to_owned(),
            client_id: env.require("ISSUER_OAUTH_CLIENT_ID")?.to_owned(),
            client_secret,
            timeout: millis("ISSUER_API_TIMEOUT_MS", Self::DEFAULT_TIMEOUT)?,
            connect_timeout: millis(
                "ISSUER_API_CONNECT_TIMEOUT_MS",
                Self::DEFAULT_CONNECT_TIMEOUT,
            )?,
        })
    }

    pub(super) fn verify_url(&self) -> String {
        format!("{}/cards/verify", self.base_url.trim_end_matches('/'))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
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
    fn reads_settings_and_defaults_timeouts() {
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
        let config = IssuerApiConfig::from_env(&env, secret()).unwrap();
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
    fn missing_and_bad_settings_are_reported_by_name() {
        let partial = env(&[
            ("ISSUER_API_BASE_URL", "http://x"),
            ("ISSUER_OAUTH_CLIENT_ID", "tmp"),
        ]);
        let err = IssuerApiConfig::from_env(&partial, secret()).unwrap_err();
        assert!(err.to_string().contains("ISSUER_OAUTH_TOKEN_URL"));

        let bad = env(&[
            ("ISSUER_API_BASE_URL", "http://x"),
            ("ISSUER_OAUTH_TOKEN_URL", "http://x/t"),
            ("ISSUER_OAUTH_CLIENT_ID", "tmp"),
            ("ISSUER_API_TIMEOUT_MS", "soon"),
        ]);
        let err = IssuerApiConfig::from_env(&bad, secret()).unwrap_err();
        assert!(err.to_string().contains("ISSUER_API_TIMEOUT_MS"));
    }
}
