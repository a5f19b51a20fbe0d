//! notifySuspiciousEvents (NSE) request (MDES Pre-Digitization 2.0.21):
//! informational; MDES saw suspicious ATC values while replenishing a
//! cloud token. The spec models `events` as one object, not an array.

use serde::{Deserialize, Serialize};

use crate::common;
use crate::notify_token_updated::TokenStatus;
use crate::operation::{Acknowledgement, MdesRequest};
use crate::validate::optional_length;
use crate::{MdesError, MdesErrorCode};

/// The spec says "Must be one of; REPLENISH".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SuspiciousEventName {
    Replenish,
}

/// ATC statuses as the wallet reported them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WalletAtcStatus {
    pub unused_discarded: Vec<String>,
    pub used_for_contactless: Vec<String>,
    pub used_for_dsrp: Vec<String>,
    pub unused_active: Vec<String>,
}

/// ATC statuses as the authorization network reported them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SystemAtcStatus {
    pub atc_not_found: Vec<String>,
    pub atc_already_processed: Vec<String>,
    pub atc_reported_used_by_wallet: Vec<String>,
    pub unused_active: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuspiciousEvent {
    pub event_name: SuspiciousEventName,
    /// Required for `REPLENISH`.
    pub wallet_atc_status: Option<WalletAtcStatus>,
    /// Required for `REPLENISH`.
    pub system_atc_status: Option<SystemAtcStatus>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifySuspiciousEventsRequest {
    pub request_id: String,
    pub token_unique_reference: String,
    pub payment_app_instance_id: Option<String>,
    pub status: TokenStatus,
    pub events: SuspiciousEvent,
}

/// ATCs per list: the spec sets no bound; a replenishment reports a few.
pub const MAX_ATCS: usize = 100;
/// An ATC is a two-byte counter: at most 5 decimal or 4 hex digits.
const MAX_ATC_LENGTH: usize = 5;

impl SuspiciousEvent {
    fn validate_bounds(&self) -> Result<(), MdesError> {
        let wallet = self.wallet_atc_status.clone().unwrap_or_default();
        let system = self.system_atc_status.clone().unwrap_or_default();
        let lists: [(&str, &Vec<String>); 8] = [
            (
                "events.walletAtcStatus.unusedDiscarded",
                &wallet.unused_discarded,
            ),
            (
                "events.walletAtcStatus.usedForContactless",
                &wallet.used_for_contactless,
            ),
            ("events.walletAtcStatus.usedForDsrp", &wallet.used_for_dsrp),
            ("events.walletAtcStatus.unusedActive", &wallet.unused_active),
            ("events.systemAtcStatus.atcNotFound", &system.atc_not_found),
            (
                "events.systemAtcStatus.atcAlreadyProcessed",
                &system.atc_already_processed,
            ),
            (
                "events.systemAtcStatus.atcReportedUsedByWallet",
                &system.atc_reported_used_by_wallet,
            ),
            ("events.systemAtcStatus.unusedActive", &system.unused_active),
        ];
        for (field, atcs) in lists {
            if atcs.len() > MAX_ATCS {
                return Err(MdesError::new(
                    MdesErrorCode::InvalidFieldLength,
                    format!("{field} must hold at most {MAX_ATCS} items"),
                ));
            }
            for atc in atcs {
                crate::validate::length(field, atc, 1, MAX_ATC_LENGTH)?;
                crate::validate::hex(field, atc)?;
            }
        }
        Ok(())
    }
}

impl MdesRequest for NotifySuspiciousEventsRequest {
    const OPERATION: &'static str = "notifySuspiciousEvents";

    fn validate(&self) -> Result<(), MdesError> {
        common::request_id(&self.request_id)?;
        common::token_unique_reference("tokenUniqueReference", &self.token_unique_reference)?;
        optional_length("paymentAppInstanceId", &self.payment_app_instance_id, 1, 48)?;
        self.events.validate_bounds()?;
        if self.events.event_name == SuspiciousEventName::Replenish {
            if self.events.wallet_atc_status.is_none() {
                return Err(MdesError::missing("events.walletAtcStatus"));
            }
            if self.events.system_atc_status.is_none() {
                return Err(MdesError::missing("events.systemAtcStatus"));
            }
        }
        Ok(())
    }
}

pub type NotifySuspiciousEventsResponse = Acknowledgement;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::MdesErrorCode;
    use crate::testing::{assert_violations, parse};

    fn valid() -> serde_json::Value {
        json!({
            "requestId": "123456",
            "tokenUniqueReference": "DWSPMC000000000fcb2f4136b2f4136a0532d2f4136a0532",
            "paymentAppInstanceId": "1b24f24a24ba98e27d43e345b532a245e4723d7a9c4f624e",
            "status": "ACTIVE",
            "events": {
                "eventName": "REPLENISH",
                "walletAtcStatus": {"unusedDiscarded": ["1234"], "usedForContactless": ["1235"], "usedForDsrp": [], "unusedActive": ["1236"]},
                "systemAtcStatus": {"atcNotFound": ["1234"], "atcAlreadyProcessed": ["1235"]}
            }
        })
    }

    #[test]
    fn spec_example_parses() {
        let req = parse::<NotifySuspiciousEventsRequest>(valid()).unwrap();
        assert_eq!(req.status, TokenStatus::Active);
        let system = req.events.system_atc_status.unwrap();
        assert_eq!(system.atc_not_found, ["1234"]);
        assert!(system.unused_active.is_empty());
        assert_eq!(
            req.events.wallet_atc_status.unwrap().used_for_contactless,
            ["1235"]
        );
    }

    #[test]
    fn each_violation_gets_its_spec_code() {
        assert_violations::<NotifySuspiciousEventsRequest>(
            valid,
            &[
                (
                    "/tokenUniqueReference",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "tokenUniqueReference",
                ),
                (
                    "/status",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "status",
                ),
                (
                    "/events",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "events",
                ),
                (
                    "/events/eventName",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "events.eventName",
                ),
                (
                    "/events/walletAtcStatus",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "events.walletAtcStatus",
                ),
                (
                    "/events/systemAtcStatus",
                    None,
                    MdesErrorCode::MissingRequiredField,
                    "events.systemAtcStatus",
                ),
                (
                    "/events/eventName",
                    Some(json!("TRANSACTIONS")),
                    MdesErrorCode::InvalidFieldValue,
                    "events.eventName",
                ),
                (
                    "/status",
                    Some(json!("LOST")),
                    MdesErrorCode::InvalidFieldValue,
                    "status",
                ),
                (
                    "/events",
                    Some(json!("REPLENISH")),
                    MdesErrorCode::InvalidFieldFormat,
                    "events",
                ),
                (
                    "/events/systemAtcStatus/atcNotFound",
                    Some(json!([1234])),
                    MdesErrorCode::InvalidFieldFormat,
                    "events.systemAtcStatus.atcNotFound",
                ),
                (
                    "/paymentAppInstanceId",
                    Some(json!("p".repeat(49))),
                    MdesErrorCode::InvalidFieldLength,
                    "paymentAppInstanceId",
                ),
            ],
        );
    }

    #[test]
    fn atc_lists_are_bounded_and_atcs_are_short_hex() {
        let mut long = valid();
        long["events"]["walletAtcStatus"]["unusedActive"] = json!(vec!["0013"; MAX_ATCS + 1]);
        let err = parse::<NotifySuspiciousEventsRequest>(long).unwrap_err();
        assert_eq!(err.code, MdesErrorCode::InvalidFieldLength);
        let mut junk = valid();
        junk["events"]["systemAtcStatus"]["atcNotFound"] = json!(["12345678901234567890"]);
        let err = parse::<NotifySuspiciousEventsRequest>(junk).unwrap_err();
        assert_eq!(err.code, MdesErrorCode::InvalidFieldLength);
        assert!(!err.description.contains("12345678901234567890"));
    }
}
