//! Where a token's cardholder contact details (sealed on the token item) and
//! its display facts are read back for delivery.

use async_trait::async_trait;

use crate::domain::delivery::ContactDetails;

/// What a notification may say about the token: never card data beyond last 4.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenSummary {
    pub pan_last4: Option<String>,
    pub token_requestor_id: Option<String>,
    pub wallet_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ContactDirectoryError {
    /// Storage or key service down or throttled: worth retrying.
    #[error("contact directory is unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The stored contact cannot be opened or read; retrying will not help.
    #[error("stored contact details are unusable: {0}")]
    Corrupt(String),
}

/// Reads a token's contact details (decrypted) and summary.
#[async_trait]
pub trait ContactDirectory: Send + Sync {
    /// `None` when the token is unknown; empty [`ContactDetails`] when the
    /// token exists but the issuer gave no phone or e-mail.
    async fn contact(
        &self,
        token_unique_reference: &str,
    ) -> Result<Option<(ContactDetails, TokenSummary)>, ContactDirectoryError>;
}
