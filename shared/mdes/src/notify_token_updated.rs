//! notifyTokenUpdated (NTU) request (MDES Pre-Digitization 2.0.21): tokens
//! were suspended, resumed, deleted, re-digitized or re-mapped.

use serde::{Deserialize, Serialize};

use crate::common;
use crate::fle::EncryptedPayload;
use crate::operation::{Acknowledgement, MdesRequest};
use crate::validate::{self, length};
use crate::{MdesError, MdesErrorCode};

/// Why MDES sends the notification; applies to every token of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TokenUpdateReason {
    StatusUpdate,
    RedigitizationComplete,
    DeletedFromConsumerApp,
    AuthenticationPerformed,
    /// India only: the payment channels the token may be used for changed.
    PaymtChannelPreferenceUpdated,
    FundingAccountUpdate,
}

/// MDES token status (also used by notifySuspiciousEvents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TokenStatus {
    Inactive,
    Active,
    Suspended,
    Deactivated,
}

/// Who or what suspended the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Suspender {
    /// The wallet cannot resume a token the issuer suspended.
    Issuer,
    /// Deprecated by the spec, still accepted.
    PaymentAppProvider,
    TokenRequestor,
    MobilePinLocked,
    Cardholder,
}

/// The spec's `fundingAccountInfoSchemaForNTU`: the re-digitized token data.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatedFundingAccountInfo {
    pub encrypted_payload: EncryptedPayload,
}

/// The spec's `token` object.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatedToken {
    pub token_unique_reference: String,
    /// Required when the reason is `STATUS_UPDATE`.
    pub status: Option<TokenStatus>,
    /// Required when the status is `SUSPENDED`.
    #[serde(default)]
    pub suspended_by: Vec<Suspender>,
    /// Token expiry, MMYY; required for `REDIGITIZATION_COMPLETE`.
    pub token_expiry: Option<String>,
    /// Required for `REDIGITIZATION_COMPLETE`.
    pub funding_account_info: Option<UpdatedFundingAccountInfo>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyTokenUpdatedRequest {
    pub request_id: String,
    pub reason_code: TokenUpdateReason,
    pub tokens: Vec<UpdatedToken>,
}

/// Tokens per notification: the spec sets no bound; a funding account has
/// far fewer tokens than this (`MAX_LIVE_TOKENS` is 10 by default).
pub const MAX_TOKENS: usize = 100;

impl MdesRequest for NotifyTokenUpdatedRequest {
    const OPERATION: &'static str = "notifyTokenUpdated";

    fn validate(&self) -> Result<(), MdesError> {
        common::request_id(&self.request_id)?;
        if self.tokens.is_empty() {
            return Err(MdesError::missing("tokens"));
        }
        if self.tokens.len() > MAX_TOKENS {
            return Err(MdesError::new(
                MdesErrorCode::InvalidFieldLength,
                format!("tokens must hold at most {MAX_TOKENS} items"),
            ));
        }
        for (i, token) in self.tokens.iter().enumerate() {
            token.validate(&format!("tokens[{i}]"), self.reason_code)?;
        }
        Ok(())
    }
}

impl UpdatedToken {
    /// The field checks and the spec's conditional requirements. "Not present
    /// otherwise" is not enforced: the spec's own examples send `tokenExpiry`
    /// with `STATUS_UPDATE`.
    fn validate(&self, at: &str, reason: TokenUpdateReason) -> Result<(), MdesError> {
        common::token_unique_reference(
            &format!("{at}.tokenUniqueReference"),
            &self.token_unique_reference,
        )?;
        if reason == TokenUpdateReason::StatusUpdate && self.status.is_none() {
            return Err(MdesError::missing(&format!("{at}.status")));
        }
        if self.status == Some(TokenStatus::Suspended) && self.suspended_by.is_empty() {
            return Err(MdesError::missing(&format!("{at}.suspendedBy")));
        }
        if let Some(expiry) = &self.token_expiry {
            token_expiry(&format!("{at}.tokenExpiry"), expiry)?;
        }
        if reason == TokenUpdateReason::RedigitizationComplete {
            if self.token_expiry.is_none() {
                return Err(MdesError::missing(&format!("{at}.tokenExpiry")));
            }
            if self.funding_account_info.is_none() {
                return Err(MdesError::missing(&format!("{at}.fundingAccountInfo")));
            }
        }
        match &self.funding_account_info {
            Some(fai) => common::encrypted_payload(
                &format!("{at}.fundingAccountInfo.encryptedPayload"),
                &fai.encrypted_payload,
            ),
            None => Ok(()),
        }
    }
}

/// MMYY with a month 01–12.
fn token_expiry(field: &str, value: &str) -> Result<(), MdesError> {
    length(field, value, 4, 4)?;
    validate::digits(field, value)?;
    match value.get(..2).and_then(|mm| mm.parse::<u8>().ok()) {
        Some(1..=12) => Ok(()),
        _ => Err(MdesError::value(field)),
    }
}

pub type NotifyTokenUpdatedResponse = Acknowledgement;

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::MdesErrorCode;
    use crate::testing::{assert_violations, parse};

    const TUR: &str = "DWSPMC000000000fcb2f4136b2f4136a0532d2f4136a0532";

    fn payload() -> Value {
        json!({
            "publicKeyFingerprint": "4c4ead5927f0df8117f178eea9308daa58e27c2b",
            "encryptedKey": "A1B2C3D4E5F611223344556678965434",
            "oaepHashingAlgorithm": "SHA512",
            "iv": "31323334353637383930313233343536",
            "encryptedData": "4545433044323232363739304532433610DE1D1461475BEB6D815F31764DDC20"
        })
    }

    /// The spec's "For Token Status Update" example.
    fn status_update() -> Value {
        json!({
            "requestId": "123456",
            "reasonCode": "STATUS_UPDATE",
            "tokens": [{"tokenUniqueReference": TUR, "status": "SUSPENDED", "suspendedBy": ["TOKEN_REQUESTOR"], "tokenExpiry": "0726"}]
        })
    }

    /// The spec's "For TOKEN EXPIRY" example (encryptedData as the hex it is on the wire).
    fn redigitization() -> Value {
        json!({
            "requestId": "123456",
            "reasonCode": "REDIGITIZATION_COMPLETE",
            "tokens": [{"tokenUniqueReference": TUR, "tokenExpiry": "0726", "fundingAccountInfo": {"encryptedPayload": payload()}}]
        })
    }

    #[test]
    fn spec_examples_parse() {
        let req = parse::<NotifyTokenUpdatedRequest>(status_update()).unwrap();
        assert_eq!(req.reason_code, TokenUpdateReason::StatusUpdate);
        assert_eq!(req.tokens[0].status, Some(TokenStatus::Suspended));
        assert_eq!(req.tokens[0].suspended_by, [Suspender::TokenRequestor]);
        let req = parse::<NotifyTokenUpdatedRequest>(redigitization()).unwrap();
        assert!(req.tokens[0].funding_account_info.is_some());
        for reason in [
            "DELETED_FROM_CONSUMER_APP",
            "AUTHENTICATION_PERFORMED",
            "PAYMT_CHANNEL_PREFERENCE_UPDATED",
            "FUNDING_ACCOUNT_UPDATE",
        ] {
            let body = json!({"requestId": "1", "reasonCode": reason, "tokens": [{"tokenUniqueReference": TUR}]});
            assert!(parse::<NotifyTokenUpdatedRequest>(body).is_ok(), "{reason}");
        }
    }

    #[test]
    fn each_violation_gets_its_spec_code() {
        assert_violations::<NotifyTokenUpdatedRequest>(
            status_update,
            &[
                (
                    "/reasonCode",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "reasonCode",
                ),
                (
                    "/tokens",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "tokens",
                ),
                (
                    "/tokens",
                    Some(json!([])),
                    MdesErrorCode::MissingRequiredField,
                    "tokens",
                ),
                (
                    "/tokens/0/tokenUniqueReference",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "tokens[0].tokenUniqueReference",
                ),
                (
                    "/tokens/0/status",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "tokens[0].status",
                ),
                (
                    "/tokens/0/suspendedBy",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "tokens[0].suspendedBy",
                ),
                (
                    "/reasonCode",
                    Some(json!("TOKEN_LOST")),
                    MdesErrorCode::InvalidFieldValue,
                    "reasonCode",
                ),
                (
                    "/tokens/0/status",
                    Some(json!("LOST")),
                    MdesErrorCode::InvalidFieldValue,
                    "tokens[0].status",
                ),
                (
                    "/tokens/0/suspendedBy",
                    Some(json!(["BANK"])),
                    MdesErrorCode::InvalidFieldValue,
                    "tokens[0].suspendedBy[0]",
                ),
                (
                    "/tokens/0/tokenExpiry",
                    Some(json!("1326")),
                    MdesErrorCode::InvalidFieldValue,
                    "tokens[0].tokenExpiry",
                ),
                (
                    "/tokens/0/tokenExpiry",
                    Some(json!("07/26")),
                    MdesErrorCode::InvalidFieldLength,
                    "tokens[0].tokenExpiry",
                ),
                (
                    "/tokens/0/tokenExpiry",
                    Some(json!("07a6")),
                    MdesErrorCode::InvalidFieldFormat,
                    "tokens[0].tokenExpiry",
                ),
                (
                    "/tokens/0/tokenUniqueReference",
                    Some(json!("D".repeat(65))),
                    MdesErrorCode::InvalidFieldLength,
                    "tokens[0].tokenUniqueReference",
                ),
            ],
        );
        assert_violations::<NotifyTokenUpdatedRequest>(
            redigitization,
            &[
                (
                    "/tokens/0/tokenExpiry",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "tokens[0].tokenExpiry",
                ),
                (
                    "/tokens/0/fundingAccountInfo",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "tokens[0].fundingAccountInfo",
                ),
                (
                    "/tokens/0/fundingAccountInfo/encryptedPayload/iv",
                    Some(json!("0")),
                    MdesErrorCode::InvalidFieldLength,
                    "tokens[0].fundingAccountInfo.encryptedPayload.iv",
                ),
            ],
        );
    }

    #[test]
    fn too_many_tokens_are_refused() {
        let token = json!({"tokenUniqueReference": "DWSPMC000000000fcb2f4136b2f4136a0532d2f4136a0532", "status": "ACTIVE"});
        let body = json!({"requestId": "123456", "reasonCode": "STATUS_UPDATE",
            "tokens": vec![token; MAX_TOKENS + 1]});
        let err = parse::<NotifyTokenUpdatedRequest>(body).unwrap_err();
        assert_eq!(err.code, MdesErrorCode::InvalidFieldLength);
        assert!(err.description.contains("tokens"), "{}", err.description);
    }
}
