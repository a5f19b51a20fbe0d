//! `CardVerifier` over HTTP: one `POST /cards/verify` per verification, a
//! single token refresh and retry on 401, everything inside one deadline.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE};

use super::config::IssuerApiConfig;
use super::oauth::TokenSource;
use super::wire;
use tmp_core::domain::card::{CardVerification, CardVerificationRequest};
use tmp_core::ports::{CardVerifier, IssuerError};
use tmp_core::secret::Secret;

/// Answers above this size are not a card verification.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The issuer answered with an HTTP status we treat as an outage.
#[derive(Debug, thiserror::Error)]
#[error("issuer answered HTTP {0}")]
struct IssuerStatus(u16);

pub struct IssuerHttpClient {
    http: reqwest::Client,
    verify_url: String,
    tokens: TokenSource,
    timeout: Duration,
}

enum Attempt {
    Answered(CardVerification),
    TokenRejected,
}

impl IssuerHttpClient {
    /// Builds the HTTP client; fails only if the TLS stack cannot start.
    pub fn new(config: IssuerApiConfig) -> Result<Self, IssuerError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            // A redirect would resend the PAN to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| IssuerError::Unavailable(Box::new(e)))?;
        let verify_url = config.verify_url();
        let tokens = TokenSource::new(
            http.clone(),
            config.token_url,
            config.client_id,
            config.client_secret,
        );
        Ok(Self {
            http,
            verify_url,
            tokens,
            timeout: config.timeout,
        })
    }

    /// Verifies a card, sending `request_id` so both sides can trace the call.
    pub async fn verify_with_request_id(
        &self,
        request: &CardVerificationRequest,
        request_id: &str,
    ) -> Result<CardVerification, IssuerError> {
        match tokio::time::timeout(
            self.timeout,
            self.verify_within_deadline(request, request_id),
        )
        .await
        {
            Ok(result) => result,
            Err(_elapsed) => {
                tracing::warn!(request_id, "issuer card verification timed out");
                Err(IssuerError::Timeout)
            }
        }
    }

    async fn verify_within_deadline(
        &self,
        request: &CardVerificationRequest,
        request_id: &str,
    ) -> Result<CardVerification, IssuerError> {
        let body = wire::verify_body(request, request_id)?;
        let cvc_sent = request.cvc.is_some();
        let token = self.tokens.current().await?;
        match self
            .attempt(&token, body.clone(), request_id, cvc_sent)
            .await?
        {
            Attempt::Answered(verification) => return Ok(verification),
            Attempt::TokenRejected => {
                tracing::info!(
                    request_id,
                    "issuer rejected our access token; refreshing once"
                );
            }
        }
        let token = self.tokens.replace_rejected(&token).await?;
        match self.attempt(&token, body, request_id, cvc_sent).await? {
            Attempt::Answered(verification) => Ok(verification),
            Attempt::TokenRejected => Err(IssuerError::Unauthorized),
        }
    }

    async fn attempt(
        &self,
        token: &Secret<String>,
        body: Bytes,
        request_id: &str,
        cvc_sent: bool,
    ) -> Result<Attempt, IssuerError> {
        let response = self
            .http
            .post(&self.verify_url)
            .bearer_auth(token.expose())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json, application/problem+json")
            .header("x-request-id", request_id)
            .body(body)
            .send()
            .await
            .map_err(http_failure)?;
        let status = response.status().as_u16();
        tracing::info!(request_id, status, "issuer card verification answered");
        match status {
            200 => {
                let body = read_body(response).await?;
                Ok(Attempt::Answered(CardVerification::Known(
                    wire::verified_card(&body, cvc_sent)?,
                )))
            }
            // Only a problem document means "unknown card"; a bare 404 is a wrong URL.
            404 if is_problem_json(&response) => Ok(Attempt::Answered(CardVerification::Unknown)),
            404 => Err(IssuerError::BadResponse(
                "HTTP 404 without problem details (check the issuer base URL)".into(),
            )),
            401 => Ok(Attempt::TokenRejected),
            403 => Err(IssuerError::Unauthorized),
            code => Err(status_failure(code)),
        }
    }
}

#[async_trait]
impl CardVerifier for IssuerHttpClient {
    /// Verifies with a fresh random request id; prefer
    /// [`IssuerHttpClient::verify_with_request_id`] to reuse the caller's.
    async fn verify(
        &self,
        request: &CardVerificationRequest,
    ) -> Result<CardVerification, IssuerError> {
        let request_id = uuid::Uuid::new_v4().to_string();
        self.verify_with_request_id(request, &request_id).await
    }
}

impl fmt::Debug for IssuerHttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerHttpClient")
            .field("verify_url", &self.verify_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

fn is_problem_json(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.starts_with("application/problem+json") || v.starts_with("application/json")
        })
}

/// Transport failures: timeouts (connect or total) are `Timeout`, the rest an outage.
pub(super) fn http_failure(error: reqwest::Error) -> IssuerError {
    if error.is_timeout() {
        IssuerError::Timeout
    } else {
        IssuerError::Unavailable(Box::new(error))
    }
}

/// Statuses other than the ones the contract gives a meaning to.
pub(super) fn status_failure(code: u16) -> IssuerError {
    match code {
        408 | 429 | 500..=599 => IssuerError::Unavailable(Box::new(IssuerStatus(code))),
        400 | 422 => IssuerError::BadResponse(format!(
            "issuer rejected our request as invalid (HTTP {code})"
        )),
        _ => IssuerError::BadResponse(format!("unexpected HTTP status {code}")),
    }
}

pub(super) async fn read_body(response: reqwest::Response) -> Result<Bytes, IssuerError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(IssuerError::BadResponse("answer is too large".into()));
    }
    let body = response.bytes().await.map_err(http_failure)?;
    if body.len() > MAX_BODY_BYTES {
        return Err(IssuerError::BadResponse("answer is too large".into()));
    }
    Ok(body)
}
