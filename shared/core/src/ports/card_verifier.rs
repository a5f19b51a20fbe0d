use async_trait::async_trait;

use crate::domain::card::{CardVerification, CardVerificationRequest};

#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    #[error("issuer API did not answer in time")]
    Timeout,
    #[error("issuer API is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("issuer API rejected our credentials")]
    Unauthorized,
    #[error("issuer API answered something we cannot read")]
    BadResponse(String),
}

/// The issuer's Card Verification API (see `api/issuer-card-verification.openapi.yaml`).
#[async_trait]
pub trait CardVerifier: Send + Sync {
    async fn verify(
        &self,
        request: &CardVerificationRequest,
    ) -> Result<CardVerification, IssuerError>;
}
