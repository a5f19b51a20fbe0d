//! What a network records of a token beyond its state, for the issuer's
//! customer service: its status history and its recent transactions (MDES
//! Customer Service `token/statushistory` and `transactions`). Read on
//! demand, never stored. Each network's adapter translates; a network
//! without the call says so ([`RecordsError::NotSupported`]).

use async_trait::async_trait;

use crate::domain::Network;
use crate::domain::token::TokenStatus;

/// Who made a status change, as the network names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkParty {
    Issuer,
    TokenRequestor,
    Cardholder,
    /// Mobile PIN validation or change (MDES `P`, `M`).
    MobilePin,
}

/// One status change as the network recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkStatusEntry {
    /// As the network sent it (ISO 8601).
    pub at: Option<String>,
    pub status: TokenStatus,
    pub initiator: Option<NetworkParty>,
    /// The network's code; its meaning depends on the change.
    pub reason_code: Option<String>,
    /// Who at the issuer acted (the network's audit trail).
    pub operator: Option<String>,
}

/// One recent transaction of a token, as the network sent it (no card data:
/// amounts, merchant, codes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkTransaction {
    pub at: Option<String>,
    /// Decimal text, negative for refunds.
    pub amount: Option<String>,
    /// ISO 4217 alphabetic.
    pub currency: Option<String>,
    pub type_code: Option<String>,
    pub type_description: Option<String>,
    pub status_code: Option<String>,
    pub merchant_name: Option<String>,
    pub merchant_category_code: Option<String>,
    pub merchant_category_description: Option<String>,
    pub pos_entry_mode: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordsError {
    #[error("{0} is unavailable")]
    Unavailable(Network),
    #[error("{0} is not configured")]
    NotConfigured(Network),
    #[error("{0} offers no such record")]
    NotSupported(Network),
    #[error("the network does not know the token")]
    UnknownToken,
}

#[async_trait]
pub trait TokenNetworkRecords: Send + Sync {
    /// The token's status changes, newest first. `operator` is recorded in
    /// the network's audit trail.
    async fn status_history(
        &self,
        network: Network,
        token_ref: &str,
        operator: &str,
    ) -> Result<Vec<NetworkStatusEntry>, RecordsError>;

    /// The token's transactions of the last 30 days (MDES's window).
    async fn transactions(
        &self,
        network: Network,
        token_ref: &str,
        operator: &str,
    ) -> Result<Vec<NetworkTransaction>, RecordsError>;
}
