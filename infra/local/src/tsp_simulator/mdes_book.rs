//! The simulated MDES's tokens and their lifecycle, as MDES Customer Service
//! 2.0.7 describes it: `CurrentStatusCode` A/S/D/U, stacked `Suspenders`
//! (the token is active again only when none remains), delete terminal,
//! activation only for a token awaiting it, and a status history.
//!
//! An INACTIVE token (provisioned, awaiting activation) is
//! `CurrentStatusCode` `U` with `ProvisioningStatusCode` `A`: the code list
//! has no "inactive", and our statement's history sample shows `U` then `A`
//! on activation. No PAN is held: only its last four (`accountPanSuffix`).
//! Tokens are registered by `mdes_registration.rs`.

use std::collections::HashMap;

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tmp_mdes::customer_service::AuditInfo;
use tmp_mdes::customer_service::search::{Account, Tokens};
use tmp_mdes::customer_service::status_history::Status;
use tmp_mdes::customer_service::token::{
    Party, ProvisioningStatusCode, Suspenders, Token, TokenStatusCode,
};

/// What a lifecycle call asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Suspend,
    Unsuspend,
    Delete,
    Activate,
}

/// Why MDES refuses a call on a token it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrongStatus(pub &'static str);

/// The notifyTokenUpdated name of a suspender.
fn ntu_suspender(party: Party) -> &'static str {
    match party {
        Party::Issuer => "ISSUER",
        Party::TokenRequestor => "TOKEN_REQUESTOR",
        Party::Cardholder => "CARDHOLDER",
        Party::MobilePinValidation | Party::MobilePinChangeValidation => "MOBILE_PIN_LOCKED",
    }
}

fn party_letter(party: Party) -> Value {
    serde_json::to_value(party).unwrap_or(Value::Null)
}

pub fn now() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_default()
}

fn description(status: TokenStatusCode) -> &'static str {
    match status {
        TokenStatusCode::Active => "Active",
        TokenStatusCode::Suspended => "Suspended",
        TokenStatusCode::Deleted => "Deleted",
        TokenStatusCode::Unmapped => "Unmapped",
    }
}

#[derive(Debug, Clone)]
pub struct MdesToken {
    pub tur: String,
    pub status: TokenStatusCode,
    pub provisioning: ProvisioningStatusCode,
    pub suspenders: Vec<Party>,
    pub account_pan_suffix: Option<String>,
    pub token_requestor_id: Option<String>,
    pub expiration_date: Option<String>,
    pub product_configuration_id: Option<String>,
    pub status_at: String,
    /// Oldest first.
    pub history: Vec<Status>,
    /// What `token/update` changed, oldest first.
    pub updates: Vec<Value>,
    /// What `transactions` answers (registered with the token).
    pub transactions: Vec<tmp_mdes::customer_service::transactions::Transaction>,
}

impl MdesToken {
    pub(super) fn record(
        &mut self,
        initiator: Option<Party>,
        reason: &str,
        audit: Option<AuditInfo>,
    ) {
        self.status_at = now();
        self.history.push(Status {
            status_code: self.status,
            status_description: Some(description(self.status).to_owned()),
            status_date_time: Some(self.status_at.clone()),
            initiator,
            reason_code: Some(reason.to_owned()),
            comment_id: None,
            audit_info: audit,
        });
    }

    /// Applies the issuer's `action`: `Ok(true)` when the token changed,
    /// `Ok(false)` when it already was as asked (a retry: answered, not
    /// applied again).
    pub fn apply(
        &mut self,
        action: Action,
        reason: &str,
        audit: &AuditInfo,
    ) -> Result<bool, WrongStatus> {
        use TokenStatusCode::{Active, Deleted, Suspended, Unmapped};
        let issuer = Party::Issuer;
        match (action, self.status) {
            (Action::Delete, Deleted) => return Ok(false),
            (_, Deleted) => return Err(WrongStatus("TOKEN_DELETED")),
            (Action::Suspend | Action::Unsuspend, Unmapped) => {
                return Err(WrongStatus("TOKEN_NOT_ACTIVE"));
            }
            (Action::Suspend, _) if self.suspenders.contains(&issuer) => return Ok(false),
            (Action::Suspend, _) => {
                self.suspenders.push(issuer);
                self.status = Suspended;
            }
            (Action::Unsuspend, _) if !self.suspenders.contains(&issuer) => return Ok(false),
            (Action::Unsuspend, _) => {
                self.suspenders.retain(|p| *p != issuer);
                if self.suspenders.is_empty() {
                    self.status = Active;
                }
            }
            (Action::Delete, _) => {
                self.suspenders.clear();
                self.status = Deleted;
            }
            (Action::Activate, Unmapped)
                if self.provisioning == ProvisioningStatusCode::AwaitingActivation =>
            {
                self.status = Active;
                self.provisioning = ProvisioningStatusCode::Successful;
            }
            (Action::Activate, _) => return Err(WrongStatus("TOKEN_NOT_AWAITING_ACTIVATION")),
        }
        self.record(Some(issuer), reason, Some(audit.clone()));
        Ok(true)
    }

    /// The status notifyTokenUpdated announces.
    pub fn ntu_status(&self) -> &'static str {
        match self.status {
            TokenStatusCode::Active => "ACTIVE",
            TokenStatusCode::Suspended => "SUSPENDED",
            TokenStatusCode::Deleted => "DEACTIVATED",
            TokenStatusCode::Unmapped => "INACTIVE",
        }
    }

    pub fn ntu_suspended_by(&self) -> Vec<&'static str> {
        self.suspenders.iter().map(|p| ntu_suspender(*p)).collect()
    }

    /// The token as `search` answers it.
    pub fn cs_token(&self) -> Token {
        Token {
            token_unique_reference: Some(self.tur.clone()),
            expiration_date: self.expiration_date.clone(),
            current_status_code: Some(self.status),
            current_status_date_time: Some(self.status_at.clone()),
            current_status_description: Some(description(self.status).to_owned()),
            suspenders: (self.status == TokenStatusCode::Suspended).then(|| Suspenders {
                suspender: self.suspenders.clone(),
            }),
            provisioning_status_code: Some(self.provisioning),
            token_requestor_id: self.token_requestor_id.clone(),
            ..Token::default()
        }
    }

    /// `GET /_local/mdes/tokens/{tur}`.
    pub fn view(&self) -> Value {
        json!({
            "tokenUniqueReference": self.tur,
            "status": self.ntu_status(),
            "suspendedBy": self.ntu_suspended_by(),
            "currentStatusCode": serde_json::to_value(self.status).unwrap_or(Value::Null),
            "provisioningStatusCode": serde_json::to_value(self.provisioning).unwrap_or(Value::Null),
            "suspenders": self.suspenders.iter().map(|p| party_letter(*p)).collect::<Vec<_>>(),
            "accountPanSuffix": self.account_pan_suffix,
            "tokenRequestorId": self.token_requestor_id,
            "expirationDate": self.expiration_date,
            "productConfigurationId": self.product_configuration_id,
            "history": self.history,
            "updates": self.updates,
        })
    }
}

/// Every token MDES holds, by TokenUniqueReference.
#[derive(Default)]
pub struct MdesBook {
    pub tokens: HashMap<String, MdesToken>,
}

impl MdesBook {
    /// The tokens whose Account PAN ends like `pan` (the book holds suffixes only).
    pub fn of_account(&self, pan: &str) -> Vec<&MdesToken> {
        let suffix = pan.get(pan.len().saturating_sub(4)..).unwrap_or_default();
        let mut found: Vec<&MdesToken> = self
            .tokens
            .values()
            .filter(|t| t.account_pan_suffix.as_deref() == Some(suffix))
            .collect();
        found.sort_by(|a, b| a.tur.cmp(&b.tur));
        found
    }

    /// `Accounts.Account[]` for `tokens`, grouped by account suffix.
    pub fn accounts(tokens: &[&MdesToken]) -> Vec<Account> {
        let mut accounts: Vec<Account> = Vec::new();
        for token in tokens {
            match accounts
                .iter_mut()
                .find(|a| a.account_pan_suffix == token.account_pan_suffix)
            {
                Some(account) => account.tokens.token.push(token.cs_token()),
                None => accounts.push(Account {
                    account_pan_suffix: token.account_pan_suffix.clone(),
                    expiration_date: token.expiration_date.clone(),
                    tokens: Tokens {
                        token: vec![token.cs_token()],
                    },
                    ..Account::default()
                }),
            }
        }
        accounts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsp_simulator::mdes_registration::{RegisteredStatus, Registration, SuspenderName};

    fn audit() -> AuditInfo {
        AuditInfo {
            user_id: "cs-1".into(),
            user_name: "Agent".into(),
            organization: "Bank".into(),
            phone: None,
        }
    }

    fn book_with(status: RegisteredStatus, suspended_by: Vec<SuspenderName>) -> MdesBook {
        let mut book = MdesBook::default();
        book.register(Registration {
            token_unique_reference: "DWSPMC0000000001".into(),
            status,
            suspended_by,
            account_pan_suffix: Some("1234".into()),
            token_requestor_id: None,
            expiration_date: None,
            transactions: Vec::new(),
        })
        .unwrap();
        book
    }

    fn token(book: &mut MdesBook) -> &mut MdesToken {
        book.tokens.get_mut("DWSPMC0000000001").unwrap()
    }

    #[test]
    fn suspenders_stack_and_the_token_is_active_only_when_none_remains() {
        // GIVEN a token the wallet suspended
        let mut book = book_with(
            RegisteredStatus::Suspended,
            vec![SuspenderName::TokenRequestor],
        );
        let t = token(&mut book);
        // WHEN the issuer suspends and unsuspends
        assert_eq!(t.apply(Action::Suspend, "T", &audit()), Ok(true));
        assert_eq!(t.suspenders, [Party::TokenRequestor, Party::Issuer]);
        assert_eq!(t.apply(Action::Suspend, "T", &audit()), Ok(false));
        assert_eq!(t.apply(Action::Unsuspend, "F", &audit()), Ok(true));
        // THEN the wallet's suspension stays
        assert_eq!(t.status, TokenStatusCode::Suspended);
        assert_eq!(t.ntu_suspended_by(), ["TOKEN_REQUESTOR"]);
        assert_eq!(t.apply(Action::Unsuspend, "F", &audit()), Ok(false));
        // AND once it is the only one and lifted, the token is active
        t.suspenders.clear();
        t.suspenders.push(Party::Issuer);
        assert_eq!(t.apply(Action::Unsuspend, "F", &audit()), Ok(true));
        assert_eq!(t.status, TokenStatusCode::Active);
        // AND every change is in the history with its audit info
        assert_eq!(t.history.len(), 4);
        assert_eq!(t.history[1].initiator, Some(Party::Issuer));
        assert_eq!(t.history[1].audit_info, Some(audit()));
    }

    #[test]
    fn delete_is_terminal_and_activation_needs_a_token_awaiting_it() {
        let mut book = book_with(RegisteredStatus::Inactive, vec![]);
        let t = token(&mut book);
        assert_eq!(t.ntu_status(), "INACTIVE");
        assert_eq!(
            t.apply(Action::Suspend, "T", &audit()),
            Err(WrongStatus("TOKEN_NOT_ACTIVE"))
        );
        assert_eq!(t.apply(Action::Activate, "A", &audit()), Ok(true));
        assert_eq!(
            (t.status, t.provisioning),
            (TokenStatusCode::Active, ProvisioningStatusCode::Successful)
        );
        assert_eq!(
            t.apply(Action::Activate, "A", &audit()),
            Err(WrongStatus("TOKEN_NOT_AWAITING_ACTIVATION"))
        );
        assert_eq!(t.apply(Action::Delete, "C", &audit()), Ok(true));
        assert_eq!(t.apply(Action::Delete, "C", &audit()), Ok(false));
        for action in [Action::Suspend, Action::Unsuspend, Action::Activate] {
            assert_eq!(
                t.apply(action, "Z", &audit()),
                Err(WrongStatus("TOKEN_DELETED"))
            );
        }
        assert_eq!(t.ntu_status(), "DEACTIVATED");
    }
}
