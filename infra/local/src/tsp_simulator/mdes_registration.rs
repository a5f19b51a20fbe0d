//! `POST /_local/mdes/tokens`: a token registered or overwritten silently
//! (no notification), as tests and `make run` create tokens and drift.

use serde::Deserialize;
use tmp_mdes::customer_service::token::{Party, ProvisioningStatusCode, TokenStatusCode};
use tmp_mdes::customer_service::transactions::Transaction;

use super::mdes_book::{MdesBook, MdesToken, now};

/// `POST /_local/mdes/tokens`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registration {
    pub token_unique_reference: String,
    pub status: RegisteredStatus,
    #[serde(default)]
    pub suspended_by: Vec<SuspenderName>,
    #[serde(default)]
    pub account_pan_suffix: Option<String>,
    #[serde(default)]
    pub token_requestor_id: Option<String>,
    /// `MMYY`.
    #[serde(default)]
    pub expiration_date: Option<String>,
    /// What `transactions` answers for the token, as MDES would send them
    /// (`TransactionAmount`, `MerchantName`…).
    #[serde(default)]
    pub transactions: Vec<Transaction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RegisteredStatus {
    Active,
    Suspended,
    Inactive,
    Deactivated,
}

/// A suspender by its notifyTokenUpdated name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SuspenderName {
    Issuer,
    TokenRequestor,
    PaymentAppProvider,
    Cardholder,
    MobilePinLocked,
}

impl SuspenderName {
    fn party(self) -> Party {
        match self {
            Self::Issuer => Party::Issuer,
            Self::TokenRequestor | Self::PaymentAppProvider => Party::TokenRequestor,
            Self::Cardholder => Party::Cardholder,
            Self::MobilePinLocked => Party::MobilePinValidation,
        }
    }
}

impl MdesBook {
    /// Creates or overwrites a token, silently (no notification), keeping
    /// the history of one it already held.
    pub fn register(&mut self, r: Registration) -> Result<&MdesToken, &'static str> {
        let suspended = r.status == RegisteredStatus::Suspended;
        if suspended == r.suspended_by.is_empty() {
            return Err("suspendedBy is required with SUSPENDED and only with it");
        }
        if r.token_unique_reference.is_empty() || r.token_unique_reference.len() > 64 {
            return Err("tokenUniqueReference must have 1 to 64 characters");
        }
        if r.account_pan_suffix
            .as_deref()
            .is_some_and(|s| s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err("accountPanSuffix must be 4 digits");
        }
        let (status, provisioning) = match r.status {
            RegisteredStatus::Active => {
                (TokenStatusCode::Active, ProvisioningStatusCode::Successful)
            }
            RegisteredStatus::Suspended => (
                TokenStatusCode::Suspended,
                ProvisioningStatusCode::Successful,
            ),
            RegisteredStatus::Inactive => (
                TokenStatusCode::Unmapped,
                ProvisioningStatusCode::AwaitingActivation,
            ),
            RegisteredStatus::Deactivated => {
                (TokenStatusCode::Deleted, ProvisioningStatusCode::Successful)
            }
        };
        let mut suspenders: Vec<Party> = Vec::new();
        for party in r.suspended_by.iter().map(|s| s.party()) {
            if !suspenders.contains(&party) {
                suspenders.push(party);
            }
        }
        let history = self
            .tokens
            .remove(&r.token_unique_reference)
            .map(|t| t.history)
            .unwrap_or_default();
        let mut token = MdesToken {
            tur: r.token_unique_reference.clone(),
            status,
            provisioning,
            suspenders,
            account_pan_suffix: r.account_pan_suffix,
            token_requestor_id: r.token_requestor_id,
            expiration_date: r.expiration_date,
            product_configuration_id: None,
            status_at: now(),
            history,
            updates: Vec::new(),
            transactions: r.transactions,
        };
        // A change MDES made on its own: no initiator, reason Z.
        token.record(None, "Z", None);
        Ok(self.tokens.entry(r.token_unique_reference).or_insert(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_refuses_inconsistent_suspenders() {
        let mut book = MdesBook::default();
        let registration = |status, suspended_by| Registration {
            token_unique_reference: "DWSPMC0000000002".into(),
            status,
            suspended_by,
            account_pan_suffix: None,
            token_requestor_id: None,
            expiration_date: None,
            transactions: Vec::new(),
        };
        assert!(
            book.register(registration(RegisteredStatus::Suspended, vec![]))
                .is_err()
        );
        assert!(
            book.register(registration(
                RegisteredStatus::Active,
                vec![SuspenderName::Issuer]
            ))
            .is_err()
        );
        assert!(book.tokens.is_empty());
    }
}
