//! The lifecycle actions (`POST /tokens/{tokenId}/activate|suspend|unsuspend|delete`)
//! and their bulk form (`POST /cards|devices/{id}/tokens/{action}`): one body,
//! `{reasonCode, comment, operator}`, whose `reasonCode` must be one the
//! action allows.

use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::ids::JobId;
use crate::token::LifecycleAction;
use crate::validate::{self, Validate};

/// Why an operator acts; each action allows its own subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReasonCode {
    CardholderVerified,
    CardholderRequest,
    IssuerDecision,
    SuspectedFraud,
    ConfirmedFraud,
    FraudCleared,
    DeviceLost,
    DeviceStolen,
    DeviceFound,
    AccountClosed,
    Other,
}

impl ReasonCode {
    /// The reason codes `action` allows (the contract's enum per action).
    pub fn allowed_for(action: LifecycleAction) -> &'static [Self] {
        use ReasonCode::*;
        match action {
            LifecycleAction::Activate => &[CardholderVerified, IssuerDecision, Other],
            LifecycleAction::Suspend => &[
                SuspectedFraud,
                DeviceLost,
                DeviceStolen,
                CardholderRequest,
                IssuerDecision,
                Other,
            ],
            LifecycleAction::Unsuspend => &[
                FraudCleared,
                DeviceFound,
                CardholderRequest,
                IssuerDecision,
                Other,
            ],
            LifecycleAction::Delete => &[
                ConfirmedFraud,
                DeviceLost,
                DeviceStolen,
                AccountClosed,
                CardholderRequest,
                IssuerDecision,
                Other,
            ],
        }
    }
}

pub const COMMENT_MAX: usize = 256;
pub const OPERATOR_MAX: usize = 64;

/// The body of every lifecycle action, single or bulk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionRequest {
    pub reason_code: ReasonCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Who in the back office acts (a user id, not a name).
    pub operator: String,
}

impl Validate for ActionRequest {
    fn validate(&self) -> Result<(), Problem> {
        if let Some(comment) = &self.comment {
            validate::length("comment", comment, 1, COMMENT_MAX)?;
            validate::printable("comment", comment)?;
        }
        // OTHER says nothing by itself: the comment must.
        if self.reason_code == ReasonCode::Other && self.comment.is_none() {
            return Err(Problem::missing("comment"));
        }
        validate::length("operator", &self.operator, 1, OPERATOR_MAX)?;
        if !self
            .operator
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'@' | b'-'))
        {
            return Err(Problem::invalid("operator"));
        }
        Ok(())
    }
}

impl ActionRequest {
    /// Reads the body of `action`: the generic rules, then the action's
    /// reason codes.
    pub fn parse(action: LifecycleAction, body: &[u8]) -> Result<Self, Problem> {
        let request: Self = validate::parse(body)?;
        if ReasonCode::allowed_for(action).contains(&request.reason_code) {
            Ok(request)
        } else {
            Err(Problem::invalid("reasonCode"))
        }
    }
}

/// The actions a bulk request may apply to every token of a card or device.
/// Activation is per token, after the cardholder was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BulkAction {
    Suspend,
    Unsuspend,
    Delete,
}

impl BulkAction {
    /// The action from its path segment: 404 for any other segment (no such
    /// route).
    pub fn from_path(segment: &str) -> Result<Self, Problem> {
        match LifecycleAction::from_path(segment) {
            Some(LifecycleAction::Suspend) => Ok(Self::Suspend),
            Some(LifecycleAction::Unsuspend) => Ok(Self::Unsuspend),
            Some(LifecycleAction::Delete) => Ok(Self::Delete),
            _ => Err(Problem::not_found()),
        }
    }

    pub fn lifecycle(self) -> LifecycleAction {
        match self {
            Self::Suspend => LifecycleAction::Suspend,
            Self::Unsuspend => LifecycleAction::Unsuspend,
            Self::Delete => LifecycleAction::Delete,
        }
    }
}

/// 202 of card events and bulk actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobAccepted {
    pub job_id: JobId,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProblemKind;

    fn parse(action: LifecycleAction, body: serde_json::Value) -> Result<ActionRequest, Problem> {
        ActionRequest::parse(action, body.to_string().as_bytes())
    }

    #[test]
    fn a_complete_body_is_read() {
        // GIVEN a suspension for a lost device
        let body = serde_json::json!({"reasonCode": "DEVICE_LOST", "comment": "Cardholder called", "operator": "agent.17"});
        // WHEN read for suspend THEN every field is kept
        let request = parse(LifecycleAction::Suspend, body).unwrap();
        assert_eq!(request.reason_code, ReasonCode::DeviceLost);
        assert_eq!(request.comment.as_deref(), Some("Cardholder called"));
        assert_eq!(request.operator, "agent.17");
    }

    #[test]
    fn each_action_allows_only_its_reason_codes() {
        // GIVEN reason codes that belong to another action
        for (action, code) in [
            (LifecycleAction::Activate, "DEVICE_LOST"),
            (LifecycleAction::Suspend, "FRAUD_CLEARED"),
            (LifecycleAction::Unsuspend, "CONFIRMED_FRAUD"),
            (LifecycleAction::Delete, "DEVICE_FOUND"),
        ] {
            let body = serde_json::json!({"reasonCode": code, "operator": "agent.17"});
            // WHEN read THEN 422 naming reasonCode
            let problem = parse(action, body).unwrap_err();
            assert_eq!(
                (problem.kind, problem.detail.as_str()),
                (ProblemKind::InvalidRequest, "reasonCode is not valid")
            );
        }
        // AND every action's own codes pass
        for action in [
            LifecycleAction::Activate,
            LifecycleAction::Suspend,
            LifecycleAction::Unsuspend,
            LifecycleAction::Delete,
        ] {
            for code in ReasonCode::allowed_for(action) {
                let body = serde_json::json!({"reasonCode": code, "comment": "c", "operator": "o"});
                assert!(parse(action, body).is_ok(), "{action:?} {code:?}");
            }
        }
    }

    #[test]
    fn fields_are_bounded_and_never_echoed() {
        let long = "x".repeat(COMMENT_MAX + 1);
        let cases = [
            (
                serde_json::json!({"operator": "o"}),
                ProblemKind::InvalidRequest,
                "reasonCode is required",
            ),
            (
                serde_json::json!({"reasonCode": "SUSPECTED_FRAUD"}),
                ProblemKind::InvalidRequest,
                "operator is required",
            ),
            (
                serde_json::json!({"reasonCode": "NOT-A-CODE", "operator": "o"}),
                ProblemKind::InvalidRequest,
                "reasonCode is not valid",
            ),
            (
                serde_json::json!({"reasonCode": 7, "operator": "o"}),
                ProblemKind::MalformedRequest,
                "reasonCode has the wrong JSON type",
            ),
            (
                serde_json::json!({"reasonCode": "SUSPECTED_FRAUD", "comment": long, "operator": "o"}),
                ProblemKind::InvalidRequest,
                "comment has an invalid length",
            ),
            (
                serde_json::json!({"reasonCode": "SUSPECTED_FRAUD", "comment": "", "operator": "o"}),
                ProblemKind::InvalidRequest,
                "comment has an invalid length",
            ),
            (
                serde_json::json!({"reasonCode": "SUSPECTED_FRAUD", "comment": "a\u{0}b", "operator": "o"}),
                ProblemKind::InvalidRequest,
                "comment is not valid",
            ),
            (
                serde_json::json!({"reasonCode": "OTHER", "operator": "o"}),
                ProblemKind::InvalidRequest,
                "comment is required",
            ),
            (
                serde_json::json!({"reasonCode": "SUSPECTED_FRAUD", "operator": "o".repeat(65)}),
                ProblemKind::InvalidRequest,
                "operator has an invalid length",
            ),
            (
                serde_json::json!({"reasonCode": "SUSPECTED_FRAUD", "operator": "Jane Doe"}),
                ProblemKind::InvalidRequest,
                "operator is not valid",
            ),
            (
                serde_json::json!({"reasonCode": "SUSPECTED_FRAUD", "operator": "o", "pan": "5555555555554444"}),
                ProblemKind::InvalidRequest,
                "The request body has a member the contract does not define",
            ),
        ];
        for (body, kind, detail) in cases {
            let problem = parse(LifecycleAction::Suspend, body.clone()).unwrap_err();
            assert_eq!(
                (problem.kind, problem.detail.as_str()),
                (kind, detail),
                "{body}"
            );
            assert!(!problem.detail.contains("Jane") && !problem.detail.contains("4444"));
        }
    }

    #[test]
    fn bulk_allows_suspend_unsuspend_delete_only() {
        assert_eq!(BulkAction::from_path("delete").unwrap(), BulkAction::Delete);
        assert_eq!(
            BulkAction::from_path("suspend").unwrap().lifecycle(),
            LifecycleAction::Suspend
        );
        assert_eq!(
            BulkAction::from_path("activate").unwrap_err().kind,
            ProblemKind::NotFound
        );
        assert_eq!(
            BulkAction::from_path("wipe").unwrap_err().kind,
            ProblemKind::NotFound
        );
    }
}
