//! OAuth2 client-credentials tokens for the issuer API, cached and shared by
//! every concurrent verification; at most one token request in flight.

use std::time::Duration;

use tokio::sync::RwLock;
use tokio::time::Instant;

use super::client::{http_failure, read_body};
use super::wire;
use tmp_core::ports::IssuerError;
use tmp_core::secret::Secret;

/// Refresh this long before the issuer says the token expires.
const SAFETY_MARGIN: Duration = Duration::from_secs(30);
/// The longest a token is kept, whatever `expires_in` says.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// Lifetime assumed when the token endpoint omits `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(60);

#[derive(Clone)]
struct CachedToken {
    value: Secret<String>,
    refresh_at: Instant,
}

pub(super) struct TokenSource {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: Secret<String>,
    cache: RwLock<Option<CachedToken>>,
}

impl TokenSource {
    pub(super) fn new(
        http: reqwest::Client,
        token_url: String,
        client_id: String,
        client_secret: Secret<String>,
    ) -> Self {
        Self {
            http,
            token_url,
            client_id,
            client_secret,
            cache: RwLock::new(None),
        }
    }

    /// A token still inside its lifetime, fetched only if the cache has none.
    pub(super) async fn current(&self) -> Result<Secret<String>, IssuerError> {
        if let Some(token) = fresh(&*self.cache.read().await) {
            return Ok(token);
        }
        let mut cache = self.cache.write().await;
        // Another caller may have refreshed while we waited for the lock.
        if let Some(token) = fresh(&cache) {
            return Ok(token);
        }
        let token = self.fetch().await?;
        let value = token.value.clone();
        *cache = Some(token);
        Ok(value)
    }

    /// Replaces a token the API rejected, unless a concurrent caller already did.
    pub(super) async fn replace_rejected(
        &self,
        rejected: &Secret<String>,
    ) -> Result<Secret<String>, IssuerError> {
        let mut cache = self.cache.write().await;
        if let Some(token) = fresh(&cache).filter(|t| t != rejected) {
            return Ok(token);
        }
        *cache = None;
        let token = self.fetch().await?;
        let value = token.value.clone();
        *cache = Some(token);
        Ok(value)
    }

    async fn fetch(&self) -> Result<CachedToken, IssuerError> {
        let requested_at = Instant::now();
        let response = self
            .http
            .post(&self.token_url)
            .basic_auth(&self.client_id, Some(self.client_secret.expose()))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(http_failure)?;
        let status = response.status();
        tracing::info!(status = status.as_u16(), "issuer token endpoint answered");
        match status.as_u16() {
            200 => {}
            // RFC 6749 §5.2: invalid_client is 401, other grant errors 400.
            400 | 401 | 403 => return Err(IssuerError::Unauthorized),
            code => return Err(super::client::status_failure(code)),
        }
        let issued = wire::issued_token(&read_body(response).await?)?;
        Ok(CachedToken {
            value: issued.access_token,
            refresh_at: requested_at
                .checked_add(usable_for(issued.expires_in))
                .unwrap_or(requested_at),
        })
    }
}

fn fresh(cache: &Option<CachedToken>) -> Option<Secret<String>> {
    cache
        .as_ref()
        .filter(|t| Instant::now() < t.refresh_at)
        .map(|t| t.value.clone())
}

/// How long a token is used: its lifetime minus the safety margin, or half
/// the lifetime for tokens shorter than twice the margin.
fn usable_for(expires_in: Option<u64>) -> Duration {
    // Whatever the issuer claims, a token is re-fetched at least daily (and an
    // absurd `expires_in` cannot overflow the clock arithmetic).
    let lifetime = expires_in.map_or(DEFAULT_LIFETIME, |s| {
        Duration::from_secs(s).min(MAX_LIFETIME)
    });
    lifetime - SAFETY_MARGIN.min(lifetime / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_refreshed_thirty_seconds_early() {
        assert_eq!(usable_for(Some(3600)), Duration::from_secs(3570));
        assert_eq!(usable_for(None), Duration::from_secs(30));
    }

    #[test]
    fn short_tokens_are_used_for_half_their_lifetime() {
        assert_eq!(usable_for(Some(2)), Duration::from_secs(1));
        assert_eq!(usable_for(Some(0)), Duration::ZERO);
    }

    #[test]
    fn an_absurd_lifetime_is_capped_not_a_panic() {
        // GIVEN an issuer claiming its token lives for ~585 billion years
        let usable = usable_for(Some(u64::MAX));
        // THEN it is used for a day at most, and adding it to now cannot overflow
        assert_eq!(usable, MAX_LIFETIME - SAFETY_MARGIN);
        assert!(Instant::now().checked_add(usable).is_some());
    }
}
