//! Where the issuer API lives and how long we wait for it.

use std::time::Duration;

use tmp_core::secret::Secret;

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

    pub fn verify_url(&self) -> String {
        format!("{}/cards/verify", self.base_url.trim_end_matches('/'))
    }
}
